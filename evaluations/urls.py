from django.urls import path, register_converter

from evaluations import views


class NightConverter:
    """A night as YYYY-MM-DD; the view parses it, so an impossible date (30 February) is its 404."""

    regex = r"\d{4}-\d{2}-\d{2}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value) -> str:
        return value.isoformat() if hasattr(value, "isoformat") else str(value)


register_converter(NightConverter, "night")

app_name = "evaluations"

urlpatterns = [
    path("", views.index, name="index"),
    path("<night:on>/", views.run, name="run"),
    path("<night:on>/summary.pdf", views.summary_pdf, name="summary-pdf"),
    path("<night:on>/agreements/<int:agreement_pk>.pdf", views.agreement_pdf, name="agreement-pdf"),
    path("provider/<night:on>/agreements/<int:agreement_pk>.pdf", views.provider_agreement_pdf, name="provider-agreement-pdf"),
]
