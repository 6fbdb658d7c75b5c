from django.apps import AppConfig
from django.db.models.signals import post_migrate


class EthicalWallsConfig(AppConfig):
    name = "ethical_walls"
    verbose_name = "Ethical walls"

    def ready(self):
        from ethical_walls import checks  # noqa: F401  (registers the registry's system check)
        from ethical_walls.selectors import forget_permission_ids

        post_migrate.connect(forget_permission_ids, dispatch_uid="ethical_walls.forget_permission_ids")

        from ethical_walls import registry

        registry.register_competition_path("ethical_walls.wall", "competition_id")
        registry.register_competition_path("ethical_walls.membership", "wall__competition_id")
        registry.register_competition_path("ethical_walls.conflictdeclaration", "competition_id")
