from django.apps import AppConfig


class EvaluationsConfig(AppConfig):
    name = "evaluations"
    verbose_name = "Nightly evaluation"

    def ready(self):
        from contracts import extensions
        from evaluations import selectors

        extensions.register(ratings=selectors.dashboard_ratings, agreement_evaluations=selectors.agreement_evaluations,
                            provider_evaluations=selectors.provider_evaluations)
