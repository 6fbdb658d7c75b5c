"""Pagination of every API list: by page number (the default), or by cursor to walk a long list to its end.

By page number (`?page=2&page_size=100`, at most 100): `count` is exact up to settings.LIST_COUNT_LIMIT rows
(1,000); beyond that it is null and `more_than` says how many there are at least (core.pagination.BoundedPaginator),
so a page costs the same whether the list holds a thousand rows or ten million — but a page number is an
offset, and the database steps over every row before it: page 40,000 of the returns at ten times the
standard data takes seconds.

By cursor (`?paging=cursor`, then the `next` links, which carry `cursor`): the rows in the order they were
recorded (by id), each page read from the index where the last one stopped, so the last page costs what the
first does. Nothing is counted (`count` and `more_than` are null); `ordering` and `page` do not apply and are
refused with it. The filters and the wall apply as to any page.
"""

from functools import partial
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import Cursor, CursorPagination, PageNumberPagination
from rest_framework.response import Response

from core.api.serializers import MAX_ID
from core.pagination import BoundedPaginator

PAGE, CURSOR = "page", "cursor"
MAX_PAGE_SIZE = 100


class ByRecording(CursorPagination):
    """Keyset pages in the order rows were recorded: `WHERE id > last LIMIT n + 1` on the primary key's index."""

    ordering = "pk"
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE
    invalid_cursor_message = "Not a cursor this list gave: follow the `next` and `previous` links as they are."

    def decode_cursor(self, request: Any) -> Cursor | None:
        """DRF's, with a cursor it did not give refused as the field's error (400), not as a missing page, and its
        position held to a row id before it reaches a query."""
        try:
            cursor = super().decode_cursor(request)
        except NotFound:
            raise ValidationError({self.cursor_query_param: [self.invalid_cursor_message]}) from None
        position = cursor.position if cursor is not None else None
        if position is not None and not (position.isascii() and position.isdigit() and int(position) <= MAX_ID):
            raise ValidationError({self.cursor_query_param: [self.invalid_cursor_message]})
        return cursor


class Pagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE
    last_page_strings = ()  # "last" would need the whole count
    paging_query_param = "paging"
    by_cursor: ByRecording | None = None

    def paginate_queryset(self, queryset: Any, request: Any, view: Any = None) -> Any:
        if self._paging(request, queryset) == CURSOR:
            self.by_cursor = ByRecording()
            return self.by_cursor.paginate_queryset(queryset, request, view)
        self.django_paginator_class = partial(BoundedPaginator, page=request.query_params.get(self.page_query_param, 1))
        return super().paginate_queryset(queryset, request, view)

    def _paging(self, request: Any, queryset: Any) -> str:
        params = request.query_params
        paging = params.get(self.paging_query_param, CURSOR if ByRecording.cursor_query_param in params else PAGE)
        if paging not in (PAGE, CURSOR):
            raise ValidationError({self.paging_query_param: [f'"{paging}" is not a way to page: choose "page" or "cursor".']})
        if paging == PAGE:
            if ByRecording.cursor_query_param in params:
                raise ValidationError({ByRecording.cursor_query_param: ["A cursor is for paging=cursor: leave out one or the other."]})
            return PAGE
        for other in (self.page_query_param, "ordering"):
            if other in params:
                raise ValidationError({other: [f"Paging by cursor walks the list in the order it was recorded: leave out {other}."]})
        if not isinstance(queryset, QuerySet):
            raise ValidationError({self.paging_query_param: ["This list pages by number only."]})
        return CURSOR

    def get_paginated_response(self, data: Any) -> Response:
        count = more_than = None  # by cursor nothing is counted
        if self.by_cursor is None:
            paginator = self.page.paginator
            count, more_than = (paginator.count, None) if paginator.exact else (None, paginator.limit)
        return Response({"count": count, "more_than": more_than, "next": self.get_next_link(), "previous": self.get_previous_link(), "results": data})

    def get_next_link(self) -> str | None:
        return self.by_cursor.get_next_link() if self.by_cursor is not None else super().get_next_link()

    def get_previous_link(self) -> str | None:
        return self.by_cursor.get_previous_link() if self.by_cursor is not None else super().get_previous_link()

    def get_html_context(self) -> dict[str, Any]:
        return self.by_cursor.get_html_context() if self.by_cursor is not None else super().get_html_context()

    def to_html(self) -> str:
        return self.by_cursor.to_html() if self.by_cursor is not None else super().to_html()

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        return [*super().get_schema_operation_parameters(view), {
            "name": self.paging_query_param, "required": False, "in": "query",
            "description": '"page" (the default): numbered pages, counted up to a bound. "cursor": pages in the order the rows were '
                           "recorded, to walk a long list to its end at the same cost per page; follow `next`. Not with `page` or `ordering`.",
            "schema": {"type": "string", "enum": [PAGE, CURSOR]},
        }, {
            "name": ByRecording.cursor_query_param, "required": False, "in": "query",
            "description": "Where a page by cursor starts: given in the `next` and `previous` links, not made by hand.",
            "schema": {"type": "string"},
        }]

    def get_paginated_response_schema(self, schema: dict) -> dict:
        described = super().get_paginated_response_schema(schema)
        properties = described["properties"]
        properties["count"] = {"type": ["integer", "null"], "example": 123,
                               "description": f"How many rows match, when there are no more than the bound ({settings.LIST_COUNT_LIMIT:,}); "
                                              "otherwise null. Null when paging by cursor: nothing is counted."}
        properties["more_than"] = {"type": ["integer", "null"], "example": None,
                                   "description": "When `count` is null on numbered pages: the bound the rows exceed (there are more than this many)."}
        described["required"] = ["count", "more_than", "results"]
        return {"type": "object", "required": described["required"],
                "properties": {key: properties[key] for key in ("count", "more_than", "next", "previous", "results")}}
