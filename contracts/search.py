"""What search finds in agreements (core.search, issue #19): by reference and title, the agreements the user may see."""

from typing import Any

from django.urls import reverse

from contracts.selectors import visible_agreements
from core import search

AGREEMENT_FIELDS = ("reference", "title")


def agreements(user: Any, query: str, limit: int) -> list[search.Result]:
    found = search.matching(visible_agreements(user).select_related("provider"), AGREEMENT_FIELDS, query, headline="title")[:limit]
    return [search.result("Contracts and SLAs", f"{a.reference} {a.title}", reverse("contracts:detail", args=[a.pk]),
                          a.headline, query, a.rank) for a in found]


def register() -> None:
    search.register("Contracts and SLAs", agreements, position=30)
