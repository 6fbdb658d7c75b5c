"""The competition page's parts (core.sections): one shown at a time under its sub navigation."""

from django.urls import reverse

from core.sections import Part, Parts

PARTS = Parts(
    Part("overview", "Overview", ("next", "governance", "board-decisions", "mobilisation")),
    Part("assurance", "Assurance", ("business-cases", "procurement-strategy", "assurance-plan", "treasury-approvals", "gateway-reviews", "wall")),
    Part("bids", "Bids and evaluation", ("criteria", "participation", "tender-box", "bids", "evaluation", "tie", "standstill", "your-bid")),
    Part("questions", "Questions and notices", ("clarifications", "notices")),
    Part("record", "Benefits and timeline", ("benefits", "timeline")),
)
# What a bidder or the bid team may read, under their own names: the same parts, fewer sections.
PUBLIC_PARTS = Parts(
    Part("overview", "Overview", ("governance",)),
    Part("bids", "Criteria and your bid", ("criteria", "your-bid")),
    Part("questions", "Questions and notices", ("clarifications", "notices")),
)


def section_url(competition_id: int, anchor: str = "") -> str:
    """The competition page at one section (its part), or at its overview."""
    page = reverse("competitions:detail", args=[competition_id])
    return PARTS.url(page, anchor) if anchor else page
