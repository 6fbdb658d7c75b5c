"""Competitions under /api/v1/ (SPEC §6): parse input, call a service or selector, serialise.

Every read goes through `competitions.selectors`, so a record the user may not
see answers 404 exactly as in the browser; every write goes through
`competitions.services`. Errors are the services' own, turned into problem
details by `core.api.exceptions` — never caught here.
"""

from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.reverse import reverse

from competitions.machine import LIFECYCLE
from competitions import benefits, selectors, services
from competitions.api.serializers import (
    BenefitSerializer,
    TRANSITION_REQUESTS,
    BidSerializer,
    ClarificationAnswerSerializer,
    ClarificationLogSerializer,
    ClarificationSerializer,
    CompetitionConfidentialDetailSerializer,
    CompetitionListSerializer,
    CompetitionCreateSerializer,
    CompetitionDetailSerializer,
    CompetitionFilterSerializer,
    CompetitionRecordFilterSerializer,
    CompetitionUpdateSerializer,
    GatewayReviewSerializer,
    NoticeSerializer,
    TieBreakRecordSerializer,
    TransitionSerializer,
)
from competitions.models import Benefit, Bid, Clarification, Competition, GatewayReview
from core.api.exceptions import problem_responses
from core.api.views import LOOKUP_VALUE_REGEX
from core.api.versions import VersionedDetailMixin, etag_header, if_match_parameter, if_none_match_parameter
from ethical_walls import audit
from ethical_walls.audit import Channel
from ethical_walls.selectors import get_or_404

IF_MATCH = if_match_parameter("competition")
IF_NONE_MATCH = if_none_match_parameter("competition")
ETAG = etag_header("competition")

# The detail as the caller may see it: the commissioning side's, or what every bidder sees (SPEC §4,
# rule 1), which has none of the confidential fields. The latter is documented as closed, so that
# exactly one of the two describes any answer.
COMPETITION_DETAIL = PolymorphicProxySerializer(
    component_name="CompetitionAsSeen",
    serializers=[CompetitionConfidentialDetailSerializer, CompetitionDetailSerializer],
    resource_type_field_name=None,
)


def _transition_action(name: str):
    def handler(self, request, pk=None):
        return self.transition(request, name)

    handler.__name__ = name
    handler.__doc__ = (
        f"{LIFECYCLE.label(name)}. Answers the competition as it now is; 409 with the guard's "
        "missing conditions when refused, or when the competition changed since the version you read."
    )
    handler = action(detail=True, methods=["post"], url_path=name.replace("_", "-"), url_name=name.replace("_", "-"))(handler)
    return extend_schema(
        request=TRANSITION_REQUESTS.get(name, TransitionSerializer),
        parameters=[IF_MATCH, ETAG],
        responses={200: COMPETITION_DETAIL, **problem_responses(400, 403, 404, 409, 412, 428)},
    )(handler)


def with_transition_actions(viewset):
    """One POST action per transition, from the services' table: /competitions/{id}/start-pre-procurement/ …"""
    for name in LIFECYCLE.services:
        setattr(viewset, name, _transition_action(name))
    return viewset


@extend_schema_view(
    list=extend_schema(parameters=[CompetitionFilterSerializer]),
    retrieve=extend_schema(parameters=[ETAG, IF_NONE_MATCH], responses={200: COMPETITION_DETAIL, 304: None, **problem_responses(404)}),
    create=extend_schema(
        request=CompetitionCreateSerializer, parameters=[ETAG],
        responses={201: COMPETITION_DETAIL, **problem_responses(400, 403)},
    ),
    partial_update=extend_schema(
        request=CompetitionUpdateSerializer, parameters=[IF_MATCH, ETAG],
        responses={200: COMPETITION_DETAIL, **problem_responses(400, 403, 404, 412, 428)},
    ),
)
@with_transition_actions
class CompetitionViewSet(VersionedDetailMixin, viewsets.GenericViewSet):
    """Competitions through their lifecycle: pre-procurement, procurement, mobilisation.

    The bid side sees launched competitions only, without confidential fields. Every write
    (an edit, a move) needs the `ETag` you read back as `If-Match` (or `version` in the
    body): without either it answers 428, and if the competition changed since, 412.
    """

    queryset = Competition.objects.none()  # names the model for the schema; reads go through selectors
    lookup_value_regex = LOOKUP_VALUE_REGEX
    version_record = "competition"

    def get_serializer_class(self):
        # The detail's serializer is chosen per competition, in representation(); this serves the list and the schema.
        if self.action == "list":
            return CompetitionListSerializer
        return CompetitionConfidentialDetailSerializer

    def get_object(self):
        """The competition if this user may see it, else 404 (and a refused attempt in the audit log)."""
        competition = get_or_404(
            self.request.user, selectors.competition_list(user=self.request.user), pk=self.kwargs[self.lookup_field],
            channel=Channel.API, path=self.request.path, object_type="competitions.competition",
        )
        self.check_object_permissions(self.request, competition)
        return competition

    def representation(self, pk, *, audited: bool = True) -> tuple:
        user = self.request.user
        competition = selectors.competition_get(user=user, pk=pk, channel=Channel.API, path=self.request.path, audit_view=audited)
        serializer_class = CompetitionConfidentialDetailSerializer if selectors.sees_confidential(user, competition) else CompetitionDetailSerializer
        return competition, serializer_class(competition, context=self.get_serializer_context()).data

    def list(self, request):
        params = CompetitionFilterSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        filters = dict(params.validated_data)
        ordering = filters.pop("ordering", "reference")
        competitions = selectors.competition_list(user=request.user, **filters).order_by(ordering, "pk")
        page = self.paginate_queryset(competitions)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, pk=None):
        return self.detail_response(pk)  # competition_get answers 404 for a competition the user may not see

    def create(self, request):
        given = CompetitionCreateSerializer(data=request.data, context=self.get_serializer_context())
        given.is_valid(raise_exception=True)
        competition = services.competition_create(actor=request.user, **given.validated_data)
        location = reverse("competition-detail", args=[competition.pk], request=request)
        return self.detail_response(competition.pk, status_code=status.HTTP_201_CREATED, headers={"Location": location})

    def partial_update(self, request, pk=None):
        competition = self.get_object()
        changes = CompetitionUpdateSerializer(data=request.data, partial=True, context=self.get_serializer_context())
        changes.is_valid(raise_exception=True)
        fields = dict(changes.validated_data)
        version = self.precondition(competition, fields.pop("version", None), authorise=lambda: services.require_commissioning_side(
            request.user, competition, *services.UPDATE_ROLES,
        ))
        services.competition_update(competition=competition, actor=request.user, expected_version=version, **fields)
        return self.detail_response(competition.pk)

    def transition(self, request, name: str) -> Response:
        """POST /competitions/{id}/<transition>/: the one handler behind every transition action."""
        competition = self.get_object()
        given = TRANSITION_REQUESTS.get(name, TransitionSerializer)(data=request.data, context=self.get_serializer_context())
        given.is_valid(raise_exception=True)
        arguments = dict(given.validated_data)
        version = self.precondition(competition, arguments.pop("version", None), authorise=lambda: services.require_commissioning_side(
            request.user, competition, *LIFECYCLE.roles(name),
        ))
        LIFECYCLE.services[name](competition=competition, actor=request.user, expected_version=version, **arguments)
        return self.detail_response(competition.pk)

    @extend_schema(request=TieBreakRecordSerializer, responses={200: COMPETITION_DETAIL, **problem_responses(400, 403, 404)})
    @action(detail=True, methods=["post"], url_path="tie-break", url_name="tie-break")
    def tie_break(self, request, pk=None):
        """Separate bids tied for first place, by the method the tender documents published, saying why.

        Until then the award cannot be recommended (the `tie_broken` condition). Recording another replaces it.
        """
        competition = self.get_object()
        given = TieBreakRecordSerializer(data=request.data, context=self.get_serializer_context())
        given.is_valid(raise_exception=True)
        services.tie_break_record(competition=competition, actor=request.user, **given.validated_data)
        return self.detail_response(competition.pk)

    @extend_schema(responses={200: NoticeSerializer(many=True), **problem_responses(404)})
    @action(detail=True, methods=["get"], pagination_class=None)
    def notices(self, request, pk=None):
        """The competition's Central Digital Platform notices (Procurement Act 2023), every version."""
        competition = self.get_object()
        return Response(NoticeSerializer(selectors.notice_list(user=request.user, competition=competition), many=True).data)


class CompetitionRecordViewSet(viewsets.GenericViewSet):
    """A competition's records through a selector, filtered by ?competition=<id>."""

    lookup_value_regex = LOOKUP_VALUE_REGEX

    def selected(self, **filters):
        raise NotImplementedError

    def get_queryset(self):
        params = CompetitionRecordFilterSerializer(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        return self.selected(user=self.request.user, competition=params.validated_data.get("competition"))

    def get_object(self):
        """A record this user may see, else 404 and a refused attempt in the audit log; views are logged too."""
        queryset = self.selected(user=self.request.user)
        record = get_or_404(self.request.user, queryset, pk=self.kwargs[self.lookup_field], channel=Channel.API, path=self.request.path)
        self.check_object_permissions(self.request, record)
        if self.audit_views:
            audit.viewed(actor=self.request.user, channel=Channel.API, obj=record, path=self.request.path)
        return record

    audit_views = True


@extend_schema_view(
    list=extend_schema(parameters=[CompetitionRecordFilterSerializer]),
    retrieve=extend_schema(responses={200: GatewayReviewSerializer, **problem_responses(404)}),
    create=extend_schema(responses={201: GatewayReviewSerializer, **problem_responses(400, 403)}),
)
class GatewayReviewViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, CompetitionRecordViewSet):
    """Gateway and keyholder reviews, with their recommendations. Commissioning side only."""

    queryset = GatewayReview.objects.none()
    serializer_class = GatewayReviewSerializer
    selected = staticmethod(selectors.gateway_review_list)

    def create(self, request):
        given = self.get_serializer(data=request.data)
        given.is_valid(raise_exception=True)
        review = services.gateway_review_record(actor=request.user, **given.validated_data)
        return Response(self.get_serializer(self.selected(user=request.user).get(pk=review.pk)).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(parameters=[CompetitionRecordFilterSerializer]),
    retrieve=extend_schema(responses={200: BidSerializer, **problem_responses(404)}),
    create=extend_schema(responses={201: BidSerializer, **problem_responses(400, 403)}),
)
class BidViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, CompetitionRecordViewSet):
    """Bids and their consortium members or sub-primes. Never seen by the bid side (SPEC §4, rule 1)."""

    queryset = Bid.objects.none()
    serializer_class = BidSerializer
    selected = staticmethod(selectors.bid_list)

    def create(self, request):
        given = self.get_serializer(data=request.data)
        given.is_valid(raise_exception=True)
        bid = services.bid_register(actor=request.user, **given.validated_data)
        return Response(self.get_serializer(self.selected(user=request.user).get(pk=bid.pk)).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(parameters=[CompetitionRecordFilterSerializer]),
    retrieve=extend_schema(responses={200: ClarificationSerializer, **problem_responses(404)}),
    create=extend_schema(request=ClarificationLogSerializer, responses={201: ClarificationSerializer, **problem_responses(400, 403)}),
)
class ClarificationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, CompetitionRecordViewSet):
    """Bidders' questions, logged and answered by MoJ Procurement.

    The bid side sees answered, non-sensitive clarifications only, the asker anonymised.
    """

    queryset = Clarification.objects.none()
    selected = staticmethod(selectors.clarification_list)

    serializer_class = ClarificationSerializer
    audit_views = False  # answered clarifications are public; the serializer leaves the asker out

    def create(self, request):
        given = ClarificationLogSerializer(data=request.data, context=self.get_serializer_context())
        given.is_valid(raise_exception=True)
        clarification = services.clarification_log(actor=request.user, **given.validated_data)
        return Response(self.get_serializer(clarification).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ClarificationAnswerSerializer, responses={200: ClarificationSerializer, **problem_responses(400, 403, 404)})
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        """Answer a clarification: published to all bidders, the asker anonymised, unless commercially sensitive."""
        clarification = self.get_object()
        given = ClarificationAnswerSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        clarification = services.clarification_answer(clarification=clarification, actor=request.user, **given.validated_data)
        return Response(self.get_serializer(clarification).data)


@extend_schema_view(
    list=extend_schema(parameters=[CompetitionRecordFilterSerializer]),
    retrieve=extend_schema(responses={200: BenefitSerializer, **problem_responses(404)}),
)
class BenefitViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, CompetitionRecordViewSet):
    """Business cases' benefits (issue #21): baseline, target, owner, actuals over time and progress. Commissioning side only:
    the bid team lists none. Filter by `?competition=`."""

    queryset = Benefit.objects.none()
    serializer_class = BenefitSerializer
    selected = staticmethod(selectors.benefit_list)

    def get_serializer(self, *args, **kwargs):
        records = args[0] if args else None
        listed = list(records) if records is not None and kwargs.get("many") else [records] if records is not None else []
        kwargs["context"] = {**self.get_serializer_context(), "progress": {p.benefit.pk: p for p in benefits.progress_of(listed)}}
        return super().get_serializer(*args, **kwargs)
