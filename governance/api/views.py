"""Risks and issues under /api/v1/risks/ (issue #21): read-only, through `governance.selectors` like the pages.

A competition's risks are its commissioning side's: the bid team lists none and gets 404 on each
(a refused attempt in the audit log). Filter by `?cycle=`, `?competition=` or `?agreement=`.
"""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets

from boards import selectors as board_selectors
from boards.models import Decision
from core.api.exceptions import problem_responses
from core.api.views import LOOKUP_VALUE_REGEX
from ethical_walls.audit import Channel
from governance import selectors
from governance.api.serializers import DecisionFilterSerializer, DecisionSerializer, RiskFilterSerializer, RiskSerializer
from governance.models import Risk


@extend_schema_view(
    list=extend_schema(parameters=[RiskFilterSerializer]),
    retrieve=extend_schema(responses={200: RiskSerializer, **problem_responses(404)}),
)
class RiskViewSet(viewsets.ReadOnlyModelViewSet):
    """Risk and issue registers of cycles, competitions and agreements, with assessments and mitigations, highest score first."""

    serializer_class = RiskSerializer
    queryset = Risk.objects.none()
    lookup_value_regex = LOOKUP_VALUE_REGEX

    def get_queryset(self):
        params = RiskFilterSerializer(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        subject = next((name for name in selectors.SUBJECTS if data.get(name)), "")
        risks = selectors.risk_list(self.request.user, subject=subject, subject_id=data.get(subject), status=data["status"],
                                    escalated=data["escalated"])
        return risks.prefetch_related("reviews__reviewed_by", "mitigations__owner")

    def get_object(self):
        return selectors.risk_get(self.request.user, self.kwargs[self.lookup_field], path=self.request.path, channel=Channel.API)





@extend_schema_view(
    list=extend_schema(parameters=[DecisionFilterSerializer]),
    retrieve=extend_schema(responses={200: DecisionSerializer, **problem_responses(404)}),
)
class DecisionViewSet(viewsets.ReadOnlyModelViewSet):
    """Governance bodies' decisions (issue #21), latest meeting first, with who was present and the interests declared.

    A decision about a competition is its commissioning side's material: the bid team lists none and gets 404 on each.
    Filter by `?competition=`, `?matter=` or `?body=`.
    """

    serializer_class = DecisionSerializer
    queryset = Decision.objects.none()
    lookup_value_regex = LOOKUP_VALUE_REGEX

    def get_queryset(self):
        params = DecisionFilterSerializer(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        decisions = board_selectors.decision_list(self.request.user, competition_id=data.get("competition"), matter=data.get("matter", ""),
                                                  body=data.get("body", ""))
        return board_selectors.with_meeting(decisions)

    def get_object(self):
        return board_selectors.decision_get(self.request.user, self.kwargs[self.lookup_field], path=self.request.path, channel=Channel.API)
