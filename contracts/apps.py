from django.apps import AppConfig


class ContractsConfig(AppConfig):
    name = "contracts"
    verbose_name = "Contracts and SLAs"

    def ready(self):
        from contracts import protected

        protected.register()  # what the wall guards of agreements (contracts/protected.py)
