from django.apps import AppConfig


class EthicalWallsConfig(AppConfig):
    name = "ethical_walls"
    verbose_name = "Ethical walls"
