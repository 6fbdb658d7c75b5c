"""Pages of a list that count at most what they must (issue #22): the cost of a page does not grow with the table.

Counting a whole collection — millions of returns, every audit event — reads all of it; a page needs
only its rows and whether there are more. `BoundedPaginator` counts the rows up to a bound
(settings.LIST_COUNT_LIMIT, 1,000 by default, or as far as the page asked for if that is deeper) with one
`COUNT(*)` over a `LIMIT`ed subquery of the rows' keys alone (unordered, without the columns and annotations
the rows show): the count is exact below the bound, and "more than N" above it.
Pages (`page_of`) and the API (`core.api.pagination.Pagination`) both use it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property

if TYPE_CHECKING:  # Django's Paginator is generic to the type checker only
    _Paginator = Paginator[Any]
else:
    _Paginator = Paginator


MAX_PAGE = 10**9  # far past any list's end; a larger number would overflow the database's LIMIT


def _number(value: Any) -> int:
    try:
        return min(max(int(value), 1), MAX_PAGE)
    except (TypeError, ValueError, OverflowError):
        return 1


class BoundedPaginator(_Paginator):
    """A paginator whose `count` is exact up to its bound and the bound plus one beyond it (`exact` says which)."""

    def __init__(self, object_list: Any, per_page: int, *, page: Any = 1, **options: Any):
        super().__init__(object_list, per_page, **options)
        # Deep pages count as far as themselves, so that they and their "next" exist.
        self.limit = max(int(settings.LIST_COUNT_LIMIT), _number(page) * int(per_page))

    @cached_property
    def count(self) -> int:
        if not isinstance(self.object_list, QuerySet):
            return len(self.object_list[: self.limit + 1])
        # Only the keys, unordered: columns, joins and annotations the rows show (an agreement's RAG) are not worked out to count them.
        return self.object_list.order_by().values("pk")[: self.limit + 1].count()

    @property
    def exact(self) -> bool:
        return self.count <= self.limit

    @property
    def count_words(self) -> str:
        """"234" or "more than 1,000"."""
        return f"{self.count:,}" if self.exact else f"more than {self.limit:,}"

    @property
    def pages_words(self) -> str:
        return f"{self.num_pages:,}" if self.exact else f"more than {self.num_pages - 1:,}"


def page_of(request: Any, object_list: Any, per_page: int) -> Page[Any]:
    """The page of `object_list` that `?page=` asks for (the first when it is not a page number, the last when past the end)."""
    number = request.GET.get("page")
    return BoundedPaginator(object_list, per_page, page=number).get_page(number)
