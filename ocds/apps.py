from django.apps import AppConfig


class OcdsConfig(AppConfig):
    name = "ocds"
    verbose_name = "Open Contracting publication"

    def ready(self):
        from core.signals import published_facts_changed
        from ocds.services import publish_on_change

        # What a competition publishes changed: store the releases it now calls for (ocds.services.publish).
        published_facts_changed.connect(publish_on_change, dispatch_uid="ocds.publish_on_change")
