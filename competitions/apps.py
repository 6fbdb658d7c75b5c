from django.apps import AppConfig


class CompetitionsConfig(AppConfig):
    name = "competitions"
    verbose_name = "Competitions"

    def ready(self):
        from ethical_walls import registry

        # How each record reaches its competition, so a refusal is filed under it (the breach view).
        for label, path in {
            "competitions.competition": "pk",
            "competitions.bid": "competition_id",
            "competitions.biddocument": "bid__competition_id",
            "competitions.evaluationcriterion": "competition_id",
            "competitions.score": "bid__competition_id",
            "competitions.moderatedscore": "bid__competition_id",
            "competitions.businesscase": "competition_id",
            "competitions.gatewayreview": "competition_id",
            "competitions.tiebreak": "competition_id",
            "competitions.awardrecommendation": "competition_id",
            "competitions.debriefletter": "bid__competition_id",
            "competitions.clarification": "competition_id",
            "competitions.notice": "competition_id",
            "competitions.challenge": "competition_id",
        }.items():
            registry.register_competition_path(label, path)
        registry.register_url_subject("competitions", "competitions.competition", "pk")
        registry.register_reference_field("competition", "competitions.competition")
        from competitions.selectors import published_competition_ids

        registry.register_published_competitions(published_competition_ids)
        registry.register_reference_field("bid", "competitions.bid")
