from django.apps import AppConfig


class BoardsConfig(AppConfig):
    name = "boards"
    verbose_name = "Boards and decisions"

    def ready(self):
        from ethical_walls import registry

        # A refusal to show a competition's paper or decision is filed under that competition (its breach view).
        registry.register_competition_path("boards.paper", "competition_id")
        registry.register_competition_path("boards.decision", "competition_id")
