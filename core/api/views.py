from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets

from core.api.exceptions import problem_responses
from core.api.serializers import OrganisationFilterSerializer, OrganisationSerializer
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
