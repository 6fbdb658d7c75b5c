from django.apps import AppConfig


class SuppliersConfig(AppConfig):
    name = "suppliers"
    verbose_name = "Supplier accounts"

    def ready(self):
        from core import inbox
        from suppliers import inbox as supplier_inbox

        inbox.register(supplier_inbox.tasks)  # MoJ Procurement decides first administrators' requests
