from dataclasses import asdict

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from core.api.exceptions import problem_responses
from core import search
from core.api.serializers import OrganisationFilterSerializer, OrganisationSerializer, SearchQuerySerializer, SearchResultSerializer
from core.selectors import organisation_list

# Every viewset's detail routes take any one path segment as the id, so an id that is not a
# number reaches the view and answers 404 as problem details (and is logged as a refused
# attempt where the wall applies), rather than missing the route and getting the HTML 404 page.
LOOKUP_VALUE_REGEX = "[^/]+"


@extend_schema_view(
    list=extend_schema(parameters=[OrganisationFilterSerializer]),
    retrieve=extend_schema(responses={200: OrganisationSerializer, **problem_responses(404)}),
)
class OrganisationViewSet(viewsets.ReadOnlyModelViewSet):
    """Providers, bidders and co-commissioning partners."""

    serializer_class = OrganisationSerializer
    lookup_value_regex = LOOKUP_VALUE_REGEX

    def get_queryset(self):
        if self.action != "list":
            return organisation_list()
        params = OrganisationFilterSerializer(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        return organisation_list(sector=params.validated_data.get("sector"))


class SearchViewSet(viewsets.ViewSet):
    """One search across the service (core.search): competitions, cycles, agreements, clarifications, bid documents and
    organisations the caller may see, best first within each kind (at most 10 of each). Full-text on PostgreSQL."""

    @extend_schema(parameters=[SearchQuerySerializer], responses={200: SearchResultSerializer(many=True), **problem_responses(400)})
    def list(self, request: Request) -> Response:
        params = SearchQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        results = [asdict(result) for _, found in search.search(request.user, params.validated_data["q"]) for result in found]
        return Response(SearchResultSerializer(results, many=True).data)
