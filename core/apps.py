from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "People and organisations"

    def ready(self):
        from core import search
        from core.database_roles import grant_runtime_privileges

        search.register("Organisations", search.organisations, position=90)  # public records: after the service's own
        # Once per migrate (core's signal is sent after every migration has run).
        post_migrate.connect(grant_runtime_privileges, sender=self, dispatch_uid="core.grant_runtime_privileges")
