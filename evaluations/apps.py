from django.apps import AppConfig


class EvaluationsConfig(AppConfig):
    name = "evaluations"
    verbose_name = "Nightly evaluation"

    def ready(self):
        from contracts import extensions
        from core import inbox
        from evaluations import selectors

        inbox.register(selectors.inbox_tasks)  # contract managers: overdue returns, as last night found them
        extensions.register(ratings=selectors.dashboard_ratings, agreement_evaluations=selectors.agreement_evaluations,
                            provider_evaluations=selectors.provider_evaluations)
