"""Agreements and their records under /api/v1/ (SPEC §5, §6): parse input, call a service or selector, serialise.

Agreements are visible to the commissioning side, MoJ Procurement, contract managers and
oversight; to anyone else (the HMPS bid team above all) an agreement does not exist: an
empty list, and 404 on a detail, logged as a refused attempt. Every write goes through
`contracts.services`; its errors become problem details in `core.api.exceptions`, never
caught here.
"""

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.reverse import reverse

from contracts import claims, selectors, services
from contracts.machine import AGREEMENT, RECORD_ROLES
from contracts.api.serializers import (
    ClaimPaySerializer,
    ClaimQuerySerializer,
    ClaimRaiseSerializer,
    ClaimSerializer,
    PaymentSerializer,
    TRANSITION_REQUESTS,
    AgreementTransitionSerializer,
    AgreementDetailSerializer,
    AgreementFilterSerializer,
    AgreementRecordFilterSerializer,
    AgreementSerializer,
    AgreementUpdateSerializer,
    MeasureCreateSerializer,
    MeasureSerializer,
    MobilisationMilestoneSerializer,
    NoticeOfChangeDecisionSerializer,
    NoticeOfChangeIssueSerializer,
    NoticeOfChangeSerializer,
    RectificationNoticeCloseSerializer,
    RectificationNoticeIssueSerializer,
    RectificationNoticeSerializer,
    ReturnFilterSerializer,
    ReturnEvidenceSerializer,
    ReturnSerializer,
    ReturnSubmitSerializer,
)
from contracts.models import Agreement, Claim, Measure, MobilisationMilestone, NoticeOfChange, RectificationNotice, Return
from core.api.exceptions import problem_responses
from core.api.parsers import MultiPartParser
from core.api.views import LOOKUP_VALUE_REGEX
from core.api.versions import VersionedDetailMixin, etag_header, if_match_parameter, if_none_match_parameter
from ethical_walls.audit import Channel
from ethical_walls.selectors import get_or_404

# --- what the caller may see: contracts.selectors ----------------------------------------------------------

# --- agreements ---------------------------------------------------------------------------------------------

IF_MATCH = if_match_parameter("agreement")
IF_NONE_MATCH = if_none_match_parameter("agreement")
ETAG = etag_header("agreement")


class AgreementContextMixin:
    def get_serializer_context(self):
        # Ids in a request body are looked up among the agreements the caller may see.
        return {**super().get_serializer_context(), "agreements": selectors.reachable_agreements(self.request.user)}


def _transition_action(name: str):
    def handler(self, request, pk=None):
        return self.transition(request, name)

    handler.__name__ = name
    handler.__doc__ = (
        f"{AGREEMENT.label(name)}. Answers the agreement as it now is; 409 with the guard's "
        "missing conditions when refused, or when the agreement changed since the version you read."
    )
    handler = action(detail=True, methods=["post"], url_path=name.replace("_", "-"), url_name=name.replace("_", "-"))(handler)
    return extend_schema(
        request=TRANSITION_REQUESTS.get(name, AgreementTransitionSerializer), parameters=[IF_MATCH, ETAG],
        responses={200: AgreementDetailSerializer, **problem_responses(400, 403, 404, 409, 412, 428)},
    )(handler)


def with_transition_actions(viewset):
    """One POST action per step with a service (contracts.machine): /agreements/{id}/mobilise/, /go-live/, /terminate/, /decommission/."""
    for name in AGREEMENT.services:
        setattr(viewset, name, _transition_action(name))
    return viewset


@extend_schema_view(
    list=extend_schema(parameters=[AgreementFilterSerializer]),
    retrieve=extend_schema(parameters=[ETAG, IF_NONE_MATCH], responses={200: AgreementDetailSerializer, 304: None, **problem_responses(404)}),
    partial_update=extend_schema(
        request=AgreementUpdateSerializer, parameters=[IF_MATCH, ETAG],
        responses={200: AgreementDetailSerializer, **problem_responses(400, 403, 404, 412, 428)},
    ),
)
@with_transition_actions
class AgreementViewSet(VersionedDetailMixin, AgreementContextMixin, viewsets.GenericViewSet):
    """Contracts and SLAs: terms, supply chain, measures and their performance (SPEC §5).

    Terms are completed by PATCH while mobilising; once live they change only by Notice of
    Change. Every write (an edit, a move) needs the `ETag` you read back as `If-Match` (or
    `version` in the body): without either it answers 428, and if the agreement changed since, 412.
    """

    queryset = Agreement.objects.none()  # names the model for the schema; reads go through contracts.selectors
    lookup_value_regex = LOOKUP_VALUE_REGEX
    version_record = "agreement"

    def get_serializer_class(self):
        return AgreementSerializer if self.action == "list" else AgreementDetailSerializer

    def get_object(self):
        """The bare agreement, for a service, if this user may see it; else 404 (and a refused attempt in the audit log)."""
        agreement = selectors.agreement_get(
            self.request.user, self.kwargs[self.lookup_field], detail=False, channel=Channel.API, path=self.request.path,
        )
        self.check_object_permissions(self.request, agreement)
        return agreement

    def representation(self, pk, *, audited: bool = True) -> tuple:
        agreement = selectors.agreement_get(self.request.user, pk, channel=Channel.API, path=self.request.path)
        return agreement, AgreementDetailSerializer(agreement, context=self.get_serializer_context()).data

    def list(self, request):
        params = AgreementFilterSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        filters = dict(params.validated_data)
        ordering = filters.pop("ordering", None)
        agreements = selectors.agreement_list(request.user, filters)  # by reference
        if ordering:
            agreements = agreements.order_by(ordering, "pk")
        page = self.paginate_queryset(agreements)
        return self.get_paginated_response(AgreementSerializer(page, many=True, context=self.get_serializer_context()).data)

    def retrieve(self, request, pk=None):
        return self.detail_response(pk)

    def partial_update(self, request, pk=None):
        agreement = self.get_object()
        changes = AgreementUpdateSerializer(data=request.data, partial=True, context=self.get_serializer_context())
        changes.is_valid(raise_exception=True)
        terms = dict(changes.validated_data)
        version = self.precondition(agreement, terms.pop("version", None),
                                    authorise=lambda: services.require_role(request.user, *RECORD_ROLES["terms"], agreement=agreement))
        services.agreement_update(agreement=agreement, actor=request.user, expected_version=version, **terms)
        return self.detail_response(agreement.pk)

    def transition(self, request, name: str) -> Response:
        """POST /agreements/{id}/<transition>/: the one handler behind every transition action."""
        agreement = self.get_object()
        given = TRANSITION_REQUESTS.get(name, AgreementTransitionSerializer)(data=request.data, context=self.get_serializer_context())
        given.is_valid(raise_exception=True)
        arguments = dict(given.validated_data)
        version = self.precondition(agreement, arguments.pop("version", None),
                                    authorise=lambda: services.require_role(request.user, *AGREEMENT.roles(name), agreement=agreement))
        AGREEMENT.services[name](agreement=agreement, actor=request.user, expected_version=version, **arguments)
        return self.detail_response(agreement.pk)


# --- an agreement's records -------------------------------------------------------------------------------

class AgreementRecordViewSet(AgreementContextMixin, viewsets.GenericViewSet):
    """Records of the agreements the caller may see; one they may not see answers 404, logged."""

    lookup_value_regex = LOOKUP_VALUE_REGEX
    filter_serializer = AgreementRecordFilterSerializer

    def visible(self) -> QuerySet:
        raise NotImplementedError

    def filtered(self, records: QuerySet, filters: dict) -> QuerySet:
        return records.filter(agreement=filters["agreement"]) if filters.get("agreement") else records

    def get_queryset(self):
        if self.action != "list":
            return self.visible()
        params = self.filter_serializer(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        return self.filtered(self.visible(), params.validated_data)

    def get_object(self):
        record = get_or_404(
            self.request.user, self.visible(), pk=self.kwargs[self.lookup_field], channel=Channel.API, path=self.request.path,
        )
        self.check_object_permissions(self.request, record)
        return record

    def created(self, record, serializer_class) -> Response:
        record = self.visible().get(pk=record.pk)
        location = reverse(f"{self.basename}-detail", args=[record.pk], request=self.request)
        return Response(serializer_class(record, context=self.get_serializer_context()).data, status=status.HTTP_201_CREATED,
                        headers={"Location": location})


@extend_schema_view(
    list=extend_schema(parameters=[AgreementRecordFilterSerializer]),
    retrieve=extend_schema(responses={200: MeasureSerializer, **problem_responses(404)}),
    create=extend_schema(request=MeasureCreateSerializer, responses={201: MeasureSerializer, **problem_responses(400, 403)}),
)
class MeasureViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, AgreementRecordViewSet):
    """Measures: linked to outcomes, each with target, tolerance, direction, frequency, weight and penalty rule.

    Added while the agreement is not yet live; afterwards targets change by Notice of Change.
    """

    queryset = Measure.objects.none()
    serializer_class = MeasureSerializer

    def visible(self):
        return (
            selectors.visible_records(Measure, self.request.user)
            .select_related("agreement", "outcome").prefetch_related("returns").order_by("agreement_id", "pk")
        )

    def create(self, request):
        given = MeasureCreateSerializer(data=request.data, context=self.get_serializer_context())
        given.is_valid(raise_exception=True)
        measure = services.measure_add(actor=request.user, **given.validated_data)
        return self.created(measure, MeasureSerializer)


@extend_schema_view(
    list=extend_schema(parameters=[ReturnFilterSerializer]),
    retrieve=extend_schema(responses={200: ReturnSerializer, **problem_responses(404)}),
    create=extend_schema(request=ReturnSubmitSerializer, responses={201: ReturnSerializer, **problem_responses(400, 403)}),
)
class ReturnViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, AgreementRecordViewSet):
    """Returns: the provider's figure for one measure and one period that has ended, rated Green, Amber or Red."""

    queryset = Return.objects.none()
    serializer_class = ReturnSerializer
    filter_serializer = ReturnFilterSerializer

    def visible(self):
        return (
            selectors.visible_records(Return, self.request.user, "measure__agreement")
            .select_related("measure", "submitted_by").order_by("measure_id", "period_start")  # the unique index's order
        )

    def filtered(self, records, filters):
        if filters.get("measure"):
            records = records.filter(measure=filters["measure"])
        return records.filter(measure__agreement=filters["agreement"]) if filters.get("agreement") else records

    def create(self, request):
        given = ReturnSubmitSerializer(data=request.data, context=self.get_serializer_context())
        given.is_valid(raise_exception=True)
        item = services.return_submit(actor=request.user, **given.validated_data)
        return self.created(item, ReturnSerializer)

    @extend_schema(request={"multipart/form-data": ReturnEvidenceSerializer},
                   responses={200: ReturnSerializer, **problem_responses(400, 403, 404, 413)})
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser])
    def evidence(self, request, pk=None):
        """Attach the return's evidence document (multipart/form-data, field `file`); it replaces any attached before."""
        item = self.get_object()
        given = ReturnEvidenceSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        services.return_evidence_attach(item=item, actor=request.user, evidence_file=given.validated_data["file"])
        return Response(ReturnSerializer(self.visible().get(pk=item.pk), context=self.get_serializer_context()).data)


@extend_schema_view(
    list=extend_schema(parameters=[AgreementRecordFilterSerializer]),
    retrieve=extend_schema(responses={200: NoticeOfChangeSerializer, **problem_responses(404)}),
    create=extend_schema(request=NoticeOfChangeIssueSerializer, responses={201: NoticeOfChangeSerializer, **problem_responses(400, 403)}),
)
class NoticeOfChangeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, AgreementRecordViewSet):
    """Notices of Change, the latest issued first: only MoJ Procurement issues them (others: 403). A material change waits for the
    lead commissioner's agreement (`decide`); each notice in effect makes a numbered version of the agreement."""

    queryset = NoticeOfChange.objects.none()
    serializer_class = NoticeOfChangeSerializer

    def visible(self):
        return (
            selectors.visible_records(NoticeOfChange, self.request.user)
            .select_related("agreement", "issued_by", "decided_by", "resulting_version").order_by("-issued_at", "-id")
        )

    def create(self, request):
        given = NoticeOfChangeIssueSerializer(data=request.data, context=self.get_serializer_context())
        given.is_valid(raise_exception=True)
        arguments = dict(given.validated_data)
        changes = {name: dict(value) if name == "measure_targets" else value for name, value in arguments.pop("changes").items()}
        notice = services.notice_of_change_issue(actor=request.user, changes=changes, **arguments)
        return self.created(notice, NoticeOfChangeSerializer)

    @extend_schema(request=NoticeOfChangeDecisionSerializer, responses={200: NoticeOfChangeSerializer, **problem_responses(400, 403, 404)})
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        """The lead commissioner agrees a material change (it takes effect as a new version) or refuses it."""
        notice = self.get_object()
        given = NoticeOfChangeDecisionSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        services.notice_of_change_decide(notice=notice, actor=request.user, **given.validated_data)
        return Response(NoticeOfChangeSerializer(self.visible().get(pk=notice.pk), context=self.get_serializer_context()).data)


@extend_schema_view(
    list=extend_schema(parameters=[AgreementRecordFilterSerializer]),
    retrieve=extend_schema(responses={200: RectificationNoticeSerializer, **problem_responses(404)}),
    create=extend_schema(
        request=RectificationNoticeIssueSerializer, responses={201: RectificationNoticeSerializer, **problem_responses(400, 403, 409)},
    ),
)
class RectificationNoticeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, AgreementRecordViewSet):
    """Rectification notices: issuing one puts a live agreement under rectification until its deadline;
    closing it satisfied returns the agreement to live, failed leaves it open to termination."""

    queryset = RectificationNotice.objects.none()
    serializer_class = RectificationNoticeSerializer

    def visible(self):
        return (
            selectors.visible_records(RectificationNotice, self.request.user)
            .select_related("agreement", "issued_by")
        )

    def create(self, request):
        given = RectificationNoticeIssueSerializer(data=request.data, context=self.get_serializer_context())
        given.is_valid(raise_exception=True)
        notice = services.rectification_notice_issue(actor=request.user, **given.validated_data)
        return self.created(notice, RectificationNoticeSerializer)

    @extend_schema(request=RectificationNoticeCloseSerializer, responses={200: RectificationNoticeSerializer, **problem_responses(400, 403, 404, 409)})
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """Close the notice: satisfied (back to live) or failed (termination may follow)."""
        notice = self.get_object()
        given = RectificationNoticeCloseSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        services.rectification_notice_close(notice=notice, actor=request.user, **given.validated_data)
        return Response(RectificationNoticeSerializer(self.visible().get(pk=notice.pk), context=self.get_serializer_context()).data)


# --- money (issue #20) -------------------------------------------------------------------------------

def _claim_action(name: str, service, payload=None, summary: str = ""):
    """A claim's approval action: the service's preconditions refuse as elsewhere (403 who, 400 state or field)."""

    def handler(self, request, pk=None):
        claim = self.get_object()
        arguments = {}
        if payload is not None:
            given = payload(data=request.data)
            given.is_valid(raise_exception=True)
            arguments = given.validated_data
        service(claim=claim, actor=request.user, **arguments)
        return Response(ClaimSerializer(self.visible().get(pk=claim.pk), context=self.get_serializer_context()).data)

    handler.__name__ = handler.__qualname__ = name  # DRF routes the action by its function's name, read as it is decorated
    handler = action(detail=True, methods=["post"])(handler)
    return extend_schema(request=payload, responses={200: ClaimSerializer, **problem_responses(400, 403, 404)}, summary=summary)(handler)


@extend_schema_view(
    list=extend_schema(parameters=[AgreementRecordFilterSerializer]),
    retrieve=extend_schema(responses={200: ClaimSerializer, **problem_responses(404)}),
    create=extend_schema(request=ClaimRaiseSerializer, responses={201: ClaimSerializer, **problem_responses(400, 403)}),
)
class ClaimViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, AgreementRecordViewSet):
    """Claims for payment (issue #20): built from the payment terms and the validated returns, never typed. Raised by the
    provider's contract lead or the contract manager; `check` by a contract manager who did not raise it, `approve` by a
    procurement officer who neither raised nor checked it, `pay` by procurement; `query` sends it back, `amend` rebuilds it."""

    queryset = Claim.objects.none()
    serializer_class = ClaimSerializer

    def visible(self):
        return (selectors.visible_records(Claim, self.request.user).select_related("agreement", "raised_by", "checked_by", "approved_by")
                .prefetch_related("lines").order_by("agreement__reference", "period_start", "id"))

    def create(self, request):
        given = ClaimRaiseSerializer(data=request.data, context=self.get_serializer_context())
        given.is_valid(raise_exception=True)
        return self.created(claims.claim_raise(actor=request.user, **given.validated_data), ClaimSerializer)

    check = _claim_action("check", claims.claim_check, summary="The first approval, by a contract manager")
    approve = _claim_action("approve", claims.claim_approve, summary="The second approval, by MoJ Procurement")
    query = _claim_action("query", claims.claim_query, ClaimQuerySerializer, summary="Send the claim back to its author with the reason")
    amend = _claim_action("amend", claims.claim_amend, summary="Rebuild a queried claim from the figures as they now stand")
    pay = _claim_action("pay", claims.claim_pay, ClaimPaySerializer, summary="Record the payment of an approved claim")


@extend_schema_view(list=extend_schema(parameters=[AgreementRecordFilterSerializer]),
                    retrieve=extend_schema(responses={200: PaymentSerializer, **problem_responses(404)}))
class PaymentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, AgreementRecordViewSet):
    """Payments made: the paid claims of the agreements the caller may see, oldest first (id: the claim's)."""

    queryset = Claim.objects.none()
    serializer_class = PaymentSerializer

    def visible(self):
        return (selectors.visible_records(Claim, self.request.user).filter(status=Claim.Status.PAID)
                .select_related("agreement__provider").order_by("paid_on", "id"))


@extend_schema_view(
    list=extend_schema(parameters=[AgreementRecordFilterSerializer]),
    retrieve=extend_schema(responses={200: MobilisationMilestoneSerializer, **problem_responses(404)}),
)
class MobilisationMilestoneViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, AgreementRecordViewSet):
    """Mobilisation milestones (issue #21): each agreement's plan from award to go-live, in due order. Going live needs each
    one done or its gap accepted by the SRO. Filter by `?agreement=`."""

    queryset = MobilisationMilestone.objects.none()
    serializer_class = MobilisationMilestoneSerializer

    def visible(self):
        return (selectors.visible_records(MobilisationMilestone, self.request.user)
                .select_related("agreement", "owner", "gap_accepted_by").order_by("agreement_id", "due_on", "pk"))
