from django.apps import AppConfig


class CycleConfig(AppConfig):
    name = "cycle"
    verbose_name = "Commissioning cycle"

    def ready(self):
        from cycle import search

        search.register()  # what the header's search finds in cycles
