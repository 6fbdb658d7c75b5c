"""What search finds in commissioning cycles (core.search, issue #19): cycles by name and area, for those who see cycles."""

from typing import Any

from django.urls import reverse

from core import search
from cycle.selectors import cycle_list

CYCLE_FIELDS = ("name", "area")


def cycles(user: Any, query: str, limit: int) -> list[search.Result]:
    found = search.matching(cycle_list(user), CYCLE_FIELDS, query, headline="name")[:limit]
    return [search.result("Commissioning cycles", c.name, reverse("cycle:detail", args=[c.pk]), c.headline, query, c.rank) for c in found]


def register() -> None:
    search.register("Commissioning cycles", cycles, position=20)
