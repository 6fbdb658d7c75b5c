"""The ethical wall under /api/v1/ (SPEC §6): the same selectors and services as the pages.

Conflict declarations are read through `ethical_walls.selectors.declaration_list`
(oversight all, an SRO their competitions', everyone their own) and written by
`ethical_walls.services`; the audit log is oversight's alone. A record the user
may not see answers 404 and the attempt is written to the audit log.
"""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api.exceptions import problem_responses
from core.api.views import LOOKUP_VALUE_REGEX
from ethical_walls import audit, selectors, services
from ethical_walls.api.serializers import (
    AuditEventFilterSerializer,
    AuditEventSerializer,
    ConflictAssessSerializer,
    ConflictDeclarationFilterSerializer,
    ConflictDeclarationSerializer,
    ConflictDeclareSerializer,
)
from ethical_walls.models import AuditEvent, ConflictDeclaration


class WallRecordViewSet(viewsets.GenericViewSet):
    """Detail reads through the selector; a refused one is logged on the API channel and answers 404."""

    object_type = ""
    lookup_value_regex = LOOKUP_VALUE_REGEX

    def get_object(self):
        record = selectors.get_or_404(
            self.request.user, self.get_queryset(), pk=self.kwargs[self.lookup_field],
            channel=audit.Channel.API, path=self.request.path, object_type=self.object_type,
        )
        self.check_object_permissions(self.request, record)
        return record

    def filters(self, serializer_class) -> dict:
        params = serializer_class(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        return dict(params.validated_data)


@extend_schema_view(
    list=extend_schema(parameters=[ConflictDeclarationFilterSerializer]),
    retrieve=extend_schema(responses={200: ConflictDeclarationSerializer, **problem_responses(404)}),
    create=extend_schema(
        request=ConflictDeclareSerializer,
        responses={201: ConflictDeclarationSerializer, **problem_responses(400)},
    ),
)
class ConflictDeclarationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, WallRecordViewSet):
    """The conflicts-of-interest register (SPEC §4 rule 4): no declaration, no access.

    Oversight reads the whole register; an SRO the declarations for their competitions;
    everyone their own. Creating declares the caller's own interests (declaring again
    replaces the earlier declaration; a declared conflict suspends access until assessed).
    """

    queryset = ConflictDeclaration.objects.none()  # names the model for the schema; reads go through selectors
    serializer_class = ConflictDeclarationSerializer
    object_type = "ethical_walls.conflictdeclaration"

    def get_queryset(self):
        if self.action != "list":
            return selectors.declaration_list(user=self.request.user)
        filters = self.filters(ConflictDeclarationFilterSerializer)
        declarations = selectors.declaration_list(user=self.request.user, competition=filters.get("competition"))
        if filters.get("assessment"):
            declarations = declarations.filter(assessment=filters["assessment"])
        return declarations.order_by("competition__reference", "declared_at", "pk")

    def create(self, request):
        given = ConflictDeclareSerializer(data=request.data, context=self.get_serializer_context())
        given.is_valid(raise_exception=True)
        declaration = services.conflict_declare(actor=request.user, **given.validated_data)
        return Response(self.get_serializer(self.get_queryset().get(pk=declaration.pk)).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ConflictAssessSerializer, responses={200: ConflictDeclarationSerializer, **problem_responses(400, 403, 404)})
    @action(detail=True, methods=["post"])
    def assess(self, request, pk=None):
        """The competition's SRO assesses a declared conflict: mitigate (with conditions) or exclude."""
        declaration = self.get_object()
        given = ConflictAssessSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        services.conflict_assess(declaration=declaration, actor=request.user, **given.validated_data)
        return Response(self.get_serializer(self.get_queryset().get(pk=declaration.pk)).data)


@extend_schema_view(
    list=extend_schema(parameters=[AuditEventFilterSerializer]),
    retrieve=extend_schema(responses={200: AuditEventSerializer, **problem_responses(404)}),
)
class AuditEventViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, WallRecordViewSet):
    """The append-only audit log (SPEC §4 rule 6). Oversight only: anyone else sees an empty list."""

    queryset = AuditEvent.objects.none()
    serializer_class = AuditEventSerializer
    object_type = "ethical_walls.auditevent"

    def get_queryset(self):
        filters = self.filters(AuditEventFilterSerializer) if self.action == "list" else {}
        return selectors.audit_event_list(
            user=self.request.user, action=filters.get("action", ""), channel=filters.get("channel", ""),
            competition_id=filters.get("competition"),
        )
