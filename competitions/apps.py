from django.apps import AppConfig


class CompetitionsConfig(AppConfig):
    name = "competitions"
    verbose_name = "Competitions"

    def ready(self):
        from competitions import inbox as competition_inbox, protected, search as competition_search, services
        from core import inbox
        from core.signals import board_decided
        from competitions.selectors import declarable_competitions, published_competitions
        from ethical_walls import registry
        from ethical_walls.signals import wall_recorded

        # What the wall protects, and how each record reaches its competition (refusals are filed under it).
        protected.register()
        registry.register_url_subject("competitions", "competitions.competition", "pk")
        registry.register_url_subject("ethical_walls", "competitions.competition", "competition_pk")  # the wall pages
        registry.register_reference_field("competition", "competitions.competition")
        registry.register_reference_field("bid", "competitions.bid")
        registry.register_published_competitions(published_competitions)
        registry.register_declarable_competitions(declarable_competitions)
        # The wall's changes that belong on the competition's timeline.
        wall_recorded.connect(services.record_wall_event, dispatch_uid="competitions.record_wall_event")
        # A board's decision about a competition: on its timeline, and what an approval settles (issue #21).
        board_decided.connect(services.board_decision_take_effect, dispatch_uid="competitions.board_decision_take_effect")
        # Each person's inbox: their walls', commissioning side's and bids' work.
        inbox.register(competition_inbox.tasks)
        competition_search.register()  # what the header's search finds in competitions
