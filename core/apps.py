from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "People and organisations"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from core import search
        from core.api.authentication import connect_invalidation
        from core.database_roles import grant_runtime_privileges
        from core.middleware import renew

        connect_invalidation()  # API tokens' kept look-ups forgotten when the token, the user or their roles change
        search.register("Organisations", search.organisations, position=90)  # public records: after the service's own
        # Once per migrate (core's signal is sent after every migration has run).
        post_migrate.connect(grant_runtime_privileges, sender=self, dispatch_uid="core.grant_runtime_privileges")
        # A sign-in saves the session: it starts the idle time-out (core.middleware.SessionRenewalMiddleware).
        user_logged_in.connect(lambda request, **_: renew(request.session), dispatch_uid="core.renew_session", weak=False)
