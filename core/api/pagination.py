"""Page-number pagination with a client-chosen page size (`?page=2&page_size=100`, at most 100), counting at most what it must.

`count` is exact up to settings.LIST_COUNT_LIMIT rows (1,000); beyond that it is null and `more_than` says
how many there are at least (core.pagination.BoundedPaginator): a page of a list costs the same whether the
list holds a thousand rows or ten million. `next` and `previous` are links, as ever; a page deeper than the
bound counts as far as itself, so it and its `next` exist.
"""

from functools import partial
from typing import Any

from django.conf import settings
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from core.pagination import BoundedPaginator


class Pagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 100
    last_page_strings = ()  # "last" would need the whole count

    def paginate_queryset(self, queryset: Any, request: Any, view: Any = None) -> Any:
        self.django_paginator_class = partial(BoundedPaginator, page=request.query_params.get(self.page_query_param, 1))
        return super().paginate_queryset(queryset, request, view)

    def get_paginated_response(self, data: Any) -> Response:
        paginator = self.page.paginator
        return Response({
            "count": paginator.count if paginator.exact else None,
            "more_than": None if paginator.exact else paginator.limit,
            "next": self.get_next_link(),
            "previous": self.get_previous_link(),
            "results": data,
        })

    def get_paginated_response_schema(self, schema: dict) -> dict:
        described = super().get_paginated_response_schema(schema)
        properties = described["properties"]
        properties["count"] = {"type": ["integer", "null"], "example": 123,
                               "description": f"How many rows match, when there are no more than the bound ({settings.LIST_COUNT_LIMIT:,}); otherwise null."}
        properties["more_than"] = {"type": ["integer", "null"], "example": None,
                                   "description": "When `count` is null: the bound the rows exceed (there are more than this many)."}
        described["required"] = ["count", "more_than", "results"]
        return {"type": "object", "required": described["required"],
                "properties": {key: properties[key] for key in ("count", "more_than", "next", "previous", "results")}}
