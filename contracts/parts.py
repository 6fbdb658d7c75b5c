"""The agreement page's parts (core.sections): one shown at a time under its sub navigation."""

from django.urls import reverse

from core.sections import Part, Parts

PARTS = Parts(
    Part("overview", "Overview", ("next", "details", "supply-chain", "break-points", "risks")),
    Part("mobilisation", "Mobilisation", ("mobilisation",)),
    Part("performance", "Measures and performance", ("measures", "performance", "overdue")),
    Part("management", "Contract management", ("management-log", "remedial-plans", "rectification", "notices-of-change", "versions", "exit-plan")),
    Part("payments", "Payments", ("payment-terms", "claims")),
    Part("evaluation", "Evaluation", ("stewardship", "evaluation", "feedback", "equality", "notices")),
    Part("record", "Timeline", ("timeline",)),
)


def section_url(agreement_id: int, anchor: str = "") -> str:
    """The agreement page at one section (its part), or at its overview."""
    page = reverse("contracts:detail", args=[agreement_id])
    return PARTS.url(page, anchor) if anchor else page
