from rest_framework import viewsets

from core.api.serializers import OrganisationSerializer
from core.selectors import organisation_list


class OrganisationViewSet(viewsets.ReadOnlyModelViewSet):
    """Providers, bidders and co-commissioning partners."""

    serializer_class = OrganisationSerializer

    def get_queryset(self):
        return organisation_list(sector=self.request.query_params.get("sector") or None)
