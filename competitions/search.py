"""What search finds in competitions (core.search, issue #19): competitions, clarifications and bid documents' titles.

Each from the selectors the pages use, so through the wall: competitions the user may see (public
fields only: reference, title, description — never the mandate), clarifications as the user may read
them, bid documents the user may open (a sealed tender's only after its deadline).
"""

from typing import Any

from django.urls import reverse

from competitions import selectors
from competitions.models import BidDocument
from competitions.parts import section_url
from core import search
from ethical_walls.selectors import permitted, tender_visible

COMPETITION_FIELDS = ("reference", "title", "description")
CLARIFICATION_FIELDS = ("question", "answer")
DOCUMENT_FIELDS = ("title",)


def competitions(user: Any, query: str, limit: int) -> list[search.Result]:
    found = search.matching(selectors.competition_list(user=user), COMPETITION_FIELDS, query, headline="description")[:limit]
    return [search.result("Competitions", f"{c.reference} {c.title}", reverse("competitions:detail", args=[c.pk]), c.headline, query, c.rank)
            for c in found]


def clarifications(user: Any, query: str, limit: int) -> list[search.Result]:
    visible = selectors.clarification_list(user=user)
    found = search.matching(visible, CLARIFICATION_FIELDS, query, headline="question")[:limit]
    return [search.result("Clarifications", f"Question on {c.competition.reference}", section_url(c.competition_id, "clarifications"),
                          c.headline, query, c.rank) for c in found]


def documents(user: Any, query: str, limit: int) -> list[search.Result]:
    visible = permitted(user, BidDocument.objects.select_related("bid__competition", "bid__bidder"))
    found = search.matching(visible, DOCUMENT_FIELDS, query, headline="title")[:limit]
    return [search.result("Bid documents", f"{d.title} ({d.bid.bidder}, {d.bid.competition.reference})",
                          reverse("competitions:bid-document", args=[d.bid.competition_id, d.pk]), d.headline, query, d.rank)
            for d in found if tender_visible(user, d.bid)]


def register() -> None:
    search.register("Competitions", competitions, position=10)
    search.register("Clarifications", clarifications, position=40)
    search.register("Bid documents", documents, position=50)
