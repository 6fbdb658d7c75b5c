"""The cycle page's parts (core.sections): one shown at a time under its sub navigation."""

from django.urls import reverse

from core.sections import Part, Parts

PARTS = Parts(
    Part("overview", "Overview", ("stages", "next", "details", "partners", "carried", "risks")),
    Part("planning", "Needs and priorities", ("needs", "priorities", "allocation", "deprioritised", "equality", "consultation")),
    Part("delivery", "Specifications and market", ("specifications", "market")),
    Part("budget", "Budget", ("budget",)),
    Part("record", "Evaluation and timeline", ("evaluation", "timeline")),
)


def section_url(cycle_id: int, anchor: str = "") -> str:
    """The cycle page at one section (its part), or at its overview."""
    page = reverse("cycle:detail", args=[cycle_id])
    return PARTS.url(page, anchor) if anchor else page
