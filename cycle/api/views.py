"""Commissioning cycles under /api/v1/ (SPEC §2, §6): parse input, call a service or selector, serialise.

Every read of a cycle goes through `cycle.selectors`: cycles are the commissioning side's
plans, so anyone outside it gets an empty list and 404 (logged as a refused attempt), exactly
as on the pages. Every write goes through `cycle.services`; its errors become problem details
in `core.api.exceptions`, never caught here.
"""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.reverse import reverse

from core.api.exceptions import problem_responses
from core.api.versions import VersionedDetailMixin, etag_header, if_match_parameter, if_none_match_parameter
from core.api.views import LOOKUP_VALUE_REGEX
from cycle import selectors, services
from cycle.machine import CYCLE, FORWARD
from cycle.api.serializers import (
    AllocationSerializer,
    CycleCreateSerializer,
    CycleDetailSerializer,
    CycleFilterSerializer,
    CycleSerializer,
    MoveSerializer,
    OutcomeFilterSerializer,
    OutcomeSerializer,
    StepBackSerializer,
)
from cycle.models import CommissioningCycle, Outcome
from ethical_walls.audit import Channel
from ethical_walls.selectors import get_or_404


# --- cycles --------------------------------------------------------------------------------------

MOVE_RESPONSES = {200: CycleDetailSerializer, **problem_responses(400, 403, 404, 409, 412, 428)}
ETAG = etag_header("cycle")
IF_MATCH = if_match_parameter("cycle")
IF_NONE_MATCH = if_none_match_parameter("cycle")


def _move_action(name: str):
    def handler(self, request, pk=None):
        return self.move(request, name)

    handler.__name__ = name
    handler.__doc__ = (
        f"{CYCLE.label(name)}. Answers the cycle as it now is; 409 with the guard's missing "
        "conditions when refused; 428 without If-Match (or `version`), 412 when the cycle changed since you read it."
    )
    handler = action(detail=True, methods=["post"], url_path=name.replace("_", "-"), url_name=name.replace("_", "-"))(handler)
    return extend_schema(request=MoveSerializer, parameters=[IF_MATCH, ETAG], responses=MOVE_RESPONSES)(handler)


def with_move_actions(viewset):
    """One POST action per forward move, from the machine's forward steps (cycle.machine): /cycles/{id}/assess-needs/ …"""
    for name in FORWARD:
        setattr(viewset, name, _move_action(name))
    return viewset


@extend_schema_view(
    list=extend_schema(parameters=[CycleFilterSerializer]),
    retrieve=extend_schema(parameters=[ETAG, IF_NONE_MATCH], responses={200: CycleDetailSerializer, 304: None, **problem_responses(404)}),
    create=extend_schema(request=CycleCreateSerializer, parameters=[ETAG], responses={201: CycleDetailSerializer, **problem_responses(400, 403)}),
)
@with_move_actions
class CycleViewSet(VersionedDetailMixin, viewsets.GenericViewSet):
    """Commissioning cycles through their three phases and eight stages (SPEC §2).

    Forward moves are POST actions with guards; a cycle may step back to an earlier stage
    with a reason. Every write (a move, a step back, the allocation) needs the `ETag` you
    read back as `If-Match` (or `version` in the body): without either it answers 428, and
    if the cycle changed since, 412.
    """

    queryset = CommissioningCycle.objects.none()  # names the model for the schema; reads go through selectors
    lookup_value_regex = LOOKUP_VALUE_REGEX
    version_record = "cycle"

    def get_serializer_class(self):
        return CycleSerializer if self.action == "list" else CycleDetailSerializer

    def get_object(self):
        """The cycle if this user may see it, else 404 (and a refused attempt in the audit log)."""
        cycle = get_or_404(
            self.request.user, selectors.cycle_list(self.request.user), pk=self.kwargs[self.lookup_field],
            channel=Channel.API, path=self.request.path, object_type="cycle.commissioningcycle",
        )
        self.check_object_permissions(self.request, cycle)
        return cycle

    def representation(self, pk, *, audited: bool = True) -> tuple:
        cycle = selectors.cycle_get(self.request.user, pk, channel=Channel.API, path=self.request.path)
        return cycle, CycleDetailSerializer(cycle, context=self.get_serializer_context()).data

    def list(self, request):
        params = CycleFilterSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        filters = dict(params.validated_data)
        ordering = filters.pop("ordering", None)
        filters["cycle_type"] = filters.pop("type", "")
        # Partners too: the budget counts their pooled funding.
        cycles = selectors.cycle_list(request.user, filters).prefetch_related("partners")
        if ordering:
            cycles = cycles.order_by(ordering, "pk")
        page = self.paginate_queryset(cycles)
        return self.get_paginated_response(CycleSerializer(page, many=True, context=self.get_serializer_context()).data)

    def retrieve(self, request, pk=None):
        return self.detail_response(pk)

    def create(self, request):
        if not selectors.sees_cycles(request.user):
            # A commissioner who is also in a bid team may not plan what she could not then see.
            raise PermissionDenied("Only the commissioning side can plan a cycle.")
        given = CycleCreateSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        cycle = services.cycle_create(actor=request.user, **given.validated_data)
        location = reverse("cycle-detail", args=[cycle.pk], request=request)
        return self.detail_response(cycle.pk, status_code=status.HTTP_201_CREATED, headers={"Location": location})

    def move(self, request, name: str) -> Response:
        """POST /cycles/{id}/<move>/: the one handler behind every forward move."""
        cycle = self.get_object()
        given = MoveSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        version = self.precondition(cycle, given.validated_data.get("version"), authorise=lambda: services.require_commissioner(request.user, cycle))
        services.cycle_move_on(cycle=cycle, actor=request.user, transition=name, expected_version=version)
        return self.detail_response(cycle.pk)

    @extend_schema(request=StepBackSerializer, parameters=[IF_MATCH, ETAG], responses=MOVE_RESPONSES)
    @action(detail=True, methods=["post"], url_path="step-back", url_name="step-back")
    def step_back(self, request, pk=None):
        """Go back to an earlier stage, saying why: stages run in parallel and iterate (seed)."""
        cycle = self.get_object()
        given = StepBackSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        arguments = dict(given.validated_data)
        version = self.precondition(cycle, arguments.pop("version", None), authorise=lambda: services.require_commissioner(request.user, cycle))
        services.cycle_step_back(cycle=cycle, actor=request.user, expected_version=version, **arguments)
        return self.detail_response(cycle.pk)

    @extend_schema(request=AllocationSerializer, parameters=[IF_MATCH, ETAG], responses={200: CycleDetailSerializer, **problem_responses(400, 403, 404, 412, 428)})
    @action(detail=True, methods=["post"])
    def allocation(self, request, pk=None):
        """Choose the funded priorities; with no `funded` ids, accept the suggested allocation.

        A choice costing more than the budget (the cycle's resources and pooled funding) answers 400.
        """
        cycle = self.get_object()
        given = AllocationSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        funded = given.validated_data.get("funded")
        version = self.precondition(cycle, given.validated_data.get("version"), authorise=lambda: services.require_commissioner(request.user, cycle))
        services.allocation_set(cycle=cycle, actor=request.user, funded_ids=None if funded is None else set(funded), expected_version=version)
        return self.detail_response(cycle.pk)


# --- outcomes ------------------------------------------------------------------------------------

@extend_schema_view(
    list=extend_schema(parameters=[OutcomeFilterSerializer]),
    retrieve=extend_schema(responses={200: OutcomeSerializer, **problem_responses(404)}),
)
class OutcomeViewSet(viewsets.ReadOnlyModelViewSet):
    """The three-tier outcomes tree: strategic, service and service-beneficiary outcomes, each with its parent."""

    serializer_class = OutcomeSerializer
    queryset = Outcome.objects.none()
    lookup_value_regex = LOOKUP_VALUE_REGEX

    def get_queryset(self):
        if self.action != "list":
            return selectors.outcome_list()
        params = OutcomeFilterSerializer(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        return selectors.outcome_list(**params.validated_data)

