"""What the agreements API reads and writes. Serializers parse and present; `contracts.services` decides.

Input serializers never save: views pass `validated_data` to a service. A related record
given by id (an agreement, a measure) is looked up among those the caller may see, which
the view puts in the serializer's context as `agreements`; one the caller may not see reads
as not existing.

Schema note: as in `cycle.api.serializers`, every choice here (state, kind, status, role,
direction, frequency, route, payment model) is documented as a string with its values
listed: `state`, `kind`, `status` and `role` already name other choice sets in the API, and
a second set under a name drf-spectacular has seen fails `spectacular --fail-on-warn`.
The input still accepts only those values.
"""


from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from contracts import performance, selectors, services
from contracts.machine import AGREEMENT
from contracts.models import (
    RUNNING,
    Agreement,
    Claim,
    MilestoneKind,
    MobilisationMilestone,
    ClaimLine,
    AgreementKind,
    AgreementState,
    BreakPoint,
    Direction,
    Frequency,
    Measure,
    NoticeOfChange,
    PaymentModel,
    RectificationNotice,
    RemedialActionPlan,
    Return,
    Route,
    SupplyChainMember,
)
from core.api.serializers import IdField, PlainChoiceField, UserSummarySerializer, one_of
from cycle.interface import Outcome

RAG_HELP = one_of(performance.RAG_LABELS.items())


# --- ids looked up among what the caller may see ----------------------------------------------------

@extend_schema_field(OpenApiTypes.INT)
class VisibleAgreementField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        return self.context["agreements"]


@extend_schema_field(OpenApiTypes.INT)
class VisibleMeasureField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        return Measure.objects.filter(agreement__in=self.context["agreements"]).select_related("agreement")


@extend_schema_field(OpenApiTypes.INT)
class VisibleSpecificationField(serializers.PrimaryKeyRelatedField):
    """Specifications belong to commissioning cycles: only those who see cycles may link one."""

    def get_queryset(self):
        return selectors.specification_options(user=self.context["request"].user)


# --- queries -----------------------------------------------------------------------------------------

# The list's sort keys (a whitelist): field, label.
ORDERING = {"reference": "reference", "value": "value", "end_date": "end date", "state": "state"}


class AgreementFilterSerializer(serializers.Serializer):
    """The agreement list's query parameters."""

    state = serializers.ChoiceField(choices=AgreementState.choices, required=False)
    kind = serializers.ChoiceField(choices=AgreementKind.choices, required=False, help_text="A contract or an SLA.")
    provider = IdField(required=False, help_text="Provider organisation id.")
    service_area = IdField(required=False, help_text="Service area id.")
    rag = serializers.ChoiceField(
        choices=selectors.RAG_FILTER_CHOICES, required=False, help_text="The agreement's rating: the worst of its measures' latest.",
    )
    ordering = serializers.ChoiceField(
        choices=[(f"{sign}{name}", f"{label}, {order}") for name, label in ORDERING.items() for sign, order in (("", "ascending"), ("-", "descending"))],
        required=False,
        help_text="Sort by this field; a leading minus sorts descending. By reference when left out.",
    )


class AgreementRecordFilterSerializer(serializers.Serializer):
    """?agreement=<id>, for the lists of an agreement's records."""

    agreement = IdField(required=False, help_text="Agreement id.")


class ReturnFilterSerializer(AgreementRecordFilterSerializer):
    measure = IdField(required=False, help_text="Measure id.")


# --- agreements ------------------------------------------------------------------------------------------

class AgreementSerializer(serializers.ModelSerializer):
    """A row of the list: who provides what, for how much and how long, where it stands and how it performs."""

    kind = PlainChoiceField(choices=AgreementKind.choices, read_only=True, help_text="A contract with a non-crown provider, an SLA with a crown body.")
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    provider_name = serializers.CharField(source="provider.name", read_only=True)
    service_area_name = serializers.CharField(source="service_area.name", read_only=True)
    route = PlainChoiceField(choices=Route.choices, read_only=True, help_text="How the agreement was secured.")
    payment_model = PlainChoiceField(choices=PaymentModel.choices, read_only=True)
    contract_manager = UserSummarySerializer(read_only=True, allow_null=True)
    state = PlainChoiceField(choices=AgreementState.choices, read_only=True)
    state_label = serializers.CharField(read_only=True)
    version = serializers.IntegerField(read_only=True, help_text="Bumped by every change: the detail's ETag.")
    rag = serializers.SerializerMethodField(help_text=f"The worst of its measures' latest ratings; null before any return. {RAG_HELP}")

    class Meta:
        model = Agreement
        fields = [
            "id", "reference", "title", "kind", "kind_label", "provider", "provider_name", "service_area", "service_area_name",
            "competition", "route", "value", "start_date", "end_date", "payment_model", "share_at_risk",
            "contract_manager", "state", "state_label", "version", "rag", "created_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_rag(self, agreement) -> str | None:
        return None if agreement.rag == selectors.NO_RAG else agreement.rag  # annotated by selectors.agreement_list


class BreakPointSerializer(serializers.ModelSerializer):
    class Meta:
        model = BreakPoint
        fields = ["id", "on", "notice_months"]
        read_only_fields = fields


class SupplyChainMemberSerializer(serializers.ModelSerializer):
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    role = PlainChoiceField(choices=SupplyChainMember.Role.choices, read_only=True)
    role_label = serializers.CharField(source="get_role_display", read_only=True)

    class Meta:
        model = SupplyChainMember
        fields = ["id", "organisation", "organisation_name", "role", "role_label", "funding_share", "risk_share"]
        read_only_fields = fields


def _latest_return(measure) -> Return | None:
    """The measure's most recent return, from its prefetched returns."""
    return max(measure.returns.all(), key=lambda r: r.period_start, default=None)


class MeasureSerializer(serializers.ModelSerializer):
    """A measure with its rule (target, tolerance, direction, penalties) and its latest rating."""

    outcome_title = serializers.CharField(source="outcome.title", read_only=True, allow_null=True)
    direction = PlainChoiceField(choices=Direction.choices, read_only=True)
    frequency = PlainChoiceField(choices=Frequency.choices, read_only=True)
    latest_period_start = serializers.SerializerMethodField(help_text="The period of the latest return.")
    latest_value = serializers.SerializerMethodField()
    latest_rag = serializers.SerializerMethodField(help_text=f"The latest return's rating; null before any return. {RAG_HELP}")
    overdue_periods = serializers.SerializerMethodField(
        help_text=f"While the agreement is running: periods whose return is more than {performance.RETURN_GRACE_DAYS} days "
                  "past the period's end and not in.",
    )

    class Meta:
        model = Measure
        fields = [
            "id", "agreement", "outcome", "outcome_title", "name", "unit", "target", "tolerance", "direction", "frequency",
            "weight", "penalty_amber", "penalty_red", "is_kpi", "latest_period_start", "latest_value", "latest_rag", "overdue_periods",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.DateField(allow_null=True))
    def get_latest_period_start(self, measure):
        latest = _latest_return(measure)
        return latest.period_start.isoformat() if latest else None

    @extend_schema_field(serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True))
    def get_latest_value(self, measure):
        latest = _latest_return(measure)
        return f"{latest.value:.2f}" if latest else None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_latest_rag(self, measure) -> str | None:
        latest = _latest_return(measure)
        return performance.rag(measure, latest.value) if latest else None

    @extend_schema_field(serializers.ListField(child=serializers.DateField()))
    def get_overdue_periods(self, measure):
        agreement = measure.agreement
        if agreement.state not in RUNNING or agreement.start_date is None:
            return []  # returns are submitted only while the agreement runs (services.return_submit)
        return [day.isoformat() for day in performance.overdue(measure, agreement.start_date, timezone.localdate())]


class MeasureRatingSerializer(serializers.Serializer):
    measure = serializers.IntegerField(help_text="Measure id.")
    rag = serializers.CharField(help_text=RAG_HELP)


class PeriodSerializer(serializers.Serializer):
    """One period's performance (contracts.performance.by_period)."""

    period_start = serializers.DateField()
    score = serializers.DecimalField(
        max_digits=4, decimal_places=1, allow_null=True,
        help_text="Weighted mean of the measures' points (Green 100, Amber 50, Red 0) over those with a return.",
    )
    penalties = serializers.DecimalField(max_digits=14, decimal_places=2, help_text="Charged by the measures' penalty rules (£).")
    ratings = MeasureRatingSerializer(many=True)


class VersionChangeSerializer(serializers.Serializer):
    what = serializers.CharField(help_text="The term, or a measure's target, tolerance or weight.")
    before = serializers.CharField(allow_null=True)
    after = serializers.CharField(allow_null=True)


class AgreementVersionSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    notice_of_change = serializers.IntegerField(allow_null=True, help_text="The Notice of Change that made it; null for version 1.")
    notice_of_change_number = serializers.IntegerField(allow_null=True)
    snapshot = serializers.JSONField(help_text="The terms and measures of this version.")
    changes = VersionChangeSerializer(many=True, help_text="What differs from the version before.")


class RectificationNoticeSerializer(serializers.ModelSerializer):
    agreement_reference = serializers.CharField(source="agreement.reference", read_only=True)
    issued_by = UserSummarySerializer(read_only=True)
    status = PlainChoiceField(choices=RectificationNotice.Status.choices, read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = RectificationNotice
        fields = ["id", "agreement", "agreement_reference", "failings", "issued_on", "deadline", "issued_by", "status", "status_label", "closed_on"]
        read_only_fields = fields


class NoticeOfChangeSerializer(serializers.ModelSerializer):
    agreement_reference = serializers.CharField(source="agreement.reference", read_only=True)
    changes = serializers.JSONField(read_only=True, help_text="The new values: value, end_date, fee, and measure_targets by measure id.")
    status = PlainChoiceField(choices=NoticeOfChange.Status.choices, read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    issued_by = UserSummarySerializer(read_only=True)
    decided_by = UserSummarySerializer(read_only=True, allow_null=True)
    resulting_version = serializers.SerializerMethodField(help_text="The agreement's version it made, once in effect.")

    class Meta:
        model = NoticeOfChange
        fields = [
            "id", "agreement", "agreement_reference", "number", "summary", "material", "changes", "status", "status_label",
            "issued_by", "issued_at", "decided_by", "decided_at", "resulting_version",
        ]
        read_only_fields = fields

    def get_resulting_version(self, notice) -> int | None:
        version = getattr(notice, "resulting_version", None)  # a missing reverse one-to-one reads as None
        return version.number if version else None


class RemedialActionPlanSerializer(serializers.ModelSerializer):
    status = PlainChoiceField(choices=RemedialActionPlan.Status.choices, read_only=True)

    class Meta:
        model = RemedialActionPlan
        fields = ["id", "measure", "actions", "agreed_on", "due_on", "status", "decision_reason", "completed_on"]
        read_only_fields = fields


class AgreementDetailSerializer(AgreementSerializer):
    competition_reference = serializers.CharField(source="competition.reference", read_only=True, allow_null=True)
    specification = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    break_points = BreakPointSerializer(many=True, read_only=True)
    supply_chain = SupplyChainMemberSerializer(many=True, read_only=True)
    measures = MeasureSerializer(many=True, read_only=True)
    performance = serializers.SerializerMethodField(help_text="Each period with returns, oldest first.")
    stewardship_warnings = serializers.SerializerMethodField(
        help_text="Sub-primes or members carrying more risk than funding; creaming or parking in payment-by-results cohorts.",
    )
    remedial_plans = RemedialActionPlanSerializer(many=True, read_only=True)
    rectification_notices = RectificationNoticeSerializer(many=True, read_only=True)
    notices_of_change = NoticeOfChangeSerializer(many=True, read_only=True)
    contract_version = serializers.SerializerMethodField(
        help_text="The number of the version in effect: 1 at creation, one more for each Notice of Change in effect.",
    )
    versions = serializers.SerializerMethodField()
    available_transitions = serializers.SerializerMethodField(
        help_text="Transitions this user may apply now: possible from the current state, every condition met, and the user's role allowed.",
    )

    class Meta(AgreementSerializer.Meta):
        fields = [
            *AgreementSerializer.Meta.fields, "competition_reference", "specification", "ended_reason", "ended_on", "break_points",
            "supply_chain", "measures", "performance", "stewardship_warnings", "remedial_plans", "rectification_notices",
            "notices_of_change", "contract_version", "versions", "available_transitions",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_rag(self, agreement) -> str | None:
        return performance.overall_rag(agreement)  # from the prefetched measures and returns

    @extend_schema_field(PeriodSerializer(many=True))
    def get_performance(self, agreement):
        return PeriodSerializer([
            {"period_start": p.period_start, "score": p.score, "penalties": p.penalties,
             "ratings": [{"measure": pk, "rag": rating} for pk, rating in p.ratings.items()]}
            for p in performance.by_period(agreement)
        ], many=True).data

    def get_stewardship_warnings(self, agreement) -> list[str]:
        return performance.stewardship_warnings(agreement)

    def get_contract_version(self, agreement) -> int:
        return max((v.number for v in agreement.versions.all()), default=1)

    @extend_schema_field(AgreementVersionSerializer(many=True))
    def get_versions(self, agreement):
        rows, previous = [], None
        for version in agreement.versions.all():  # prefetched, by number
            noc = version.notice_of_change
            changes = services.version_difference(previous, version.snapshot) if previous is not None else []
            rows.append({
                "number": version.number, "created_at": version.created_at, "snapshot": version.snapshot,
                "notice_of_change": noc.pk if noc else None, "notice_of_change_number": noc.number if noc else None,
                "changes": [{"what": what, "before": before, "after": after} for what, before, after in changes],
            })
            previous = version.snapshot
        return AgreementVersionSerializer(rows, many=True).data

    def get_available_transitions(self, agreement) -> list[str]:
        user = self.context["request"].user
        allowed = {name for name in AGREEMENT.services if AGREEMENT.may(user, name)}
        if not allowed:
            return []
        # The FSM checks the source state and the conditions, which are the guards (contracts.machine.AGREEMENT.passes),
        # reading only the prefetched measures and rectification notices.
        possible = {t.name for t in agreement.get_available_state_transitions()}
        return [name for name in AGREEMENT.services if name in allowed and name in possible]  # lifecycle order


class AgreementUpdateSerializer(serializers.ModelSerializer):
    """The arguments of services.agreement_update: the terms given are the terms changed (while mobilising)."""

    version = serializers.IntegerField(
        required=False, min_value=1, write_only=True,
        help_text="The version you read, if you send no If-Match (which wins): 412 if the agreement has changed since.",
    )
    payment_model = PlainChoiceField(choices=PaymentModel.choices, required=False)
    specification = VisibleSpecificationField(required=False, allow_null=True, help_text="Service specification id (commissioning side).")

    class Meta:
        model = Agreement
        fields = ["version", *sorted(services.EDITABLE_BEFORE_LIVE)]
        extra_kwargs = {"contract_manager": {"help_text": "User id of someone with the contract manager role."}}

    def validate(self, attrs):
        if not set(attrs) - {"version"}:
            raise serializers.ValidationError("Give at least one term to change.")
        return attrs


# --- transitions -----------------------------------------------------------------------------------------

class AgreementTransitionSerializer(serializers.Serializer):
    version = serializers.IntegerField(
        required=False, min_value=1,
        help_text="The version you read, if you send no If-Match (which wins): 412 if the agreement has changed since.",
    )


class AgreementEndSerializer(AgreementTransitionSerializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="", help_text="Required: why the agreement ends early.")


# The request body of each step offered as a POST action (the machine's steps that have a service, in
# lifecycle order: rectification moves follow rectification notices; expiry is the nightly task's).
TRANSITION_REQUESTS: dict[str, type[serializers.Serializer]] = {
    "terminate": AgreementEndSerializer,
    "decommission": AgreementEndSerializer,
}


# --- measures and returns ----------------------------------------------------------------------------------

class MeasureCreateSerializer(serializers.ModelSerializer):
    """The arguments of services.measure_add (while the agreement is not yet live)."""

    agreement = VisibleAgreementField(help_text="Agreement id.")
    outcome = serializers.PrimaryKeyRelatedField(
        queryset=Outcome.objects.all(), required=False, allow_null=True, help_text="The outcome it serves (the outcomes tree).",
    )
    direction = PlainChoiceField(choices=Direction.choices, required=False)
    frequency = PlainChoiceField(choices=Frequency.choices, required=False, help_text="How often a return is due.")

    class Meta:
        model = Measure
        fields = [
            "agreement", "outcome", "name", "unit", "target", "tolerance", "direction", "frequency", "weight",
            "penalty_amber", "penalty_red", "is_kpi",
        ]


class ReturnSerializer(serializers.ModelSerializer):
    agreement = serializers.IntegerField(source="measure.agreement_id", read_only=True)
    rag = serializers.SerializerMethodField(help_text=RAG_HELP)
    has_evidence_file = serializers.SerializerMethodField()
    submitted_by = UserSummarySerializer(read_only=True)

    class Meta:
        model = Return
        fields = ["id", "measure", "agreement", "period_start", "value", "rag", "evidence", "has_evidence_file", "submitted_by", "submitted_at",
                  "status", "query_reason"]
        read_only_fields = fields

    def get_rag(self, item) -> str:
        return performance.rag(item.measure, item.value)

    def get_has_evidence_file(self, item) -> bool:
        return bool(item.evidence_file)


class ReturnSubmitSerializer(serializers.Serializer):
    """The arguments of services.return_submit."""

    measure = VisibleMeasureField(help_text="Measure id.")
    period_start = serializers.DateField(help_text="The start of a period of the measure that has ended.")
    value = serializers.DecimalField(max_digits=12, decimal_places=2)
    evidence = serializers.CharField(required=False, allow_blank=True, default="")


class ReturnEvidenceSerializer(serializers.Serializer):
    """A return's evidence document, uploaded on its own (multipart/form-data)."""

    file = serializers.FileField(help_text="The evidence: PDF, Word, Excel, OpenDocument, CSV or text, up to 10 MB.")


# --- Notices of Change -------------------------------------------------------------------------------------

class NoticeOfChangeChangesSerializer(serializers.Serializer):
    value = serializers.DecimalField(max_digits=14, decimal_places=2, required=False, help_text="The new value (£).")
    end_date = serializers.DateField(required=False)
    fee = serializers.DecimalField(max_digits=14, decimal_places=2, required=False, min_value=0,
                                   help_text="The payment terms' new service fee per period (£).")
    tariffs = serializers.DictField(child=serializers.DecimalField(max_digits=14, decimal_places=4, min_value=0), required=False,
                                    help_text="New outcome tariffs (£ per outcome) by tariff id, e.g. {\"3\": \"1300\"}.")
    measure_targets = serializers.DictField(
        child=serializers.DecimalField(max_digits=12, decimal_places=2), required=False,
        help_text="New targets by measure id, e.g. {\"12\": \"92.5\"}.",
    )


class NoticeOfChangeIssueSerializer(serializers.Serializer):
    """The arguments of services.notice_of_change_issue (MoJ Procurement only)."""

    agreement = VisibleAgreementField(help_text="Agreement id.")
    summary = serializers.CharField(allow_blank=True, help_text="What changes and why.")
    material = serializers.BooleanField(help_text="A material change takes effect only when the lead commissioner agrees.")
    changes = NoticeOfChangeChangesSerializer()


class NoticeOfChangeDecisionSerializer(serializers.Serializer):
    agree = serializers.BooleanField(help_text="true: the change takes effect as a new version; false: refused.")


# --- rectification --------------------------------------------------------------------------------------------

class RectificationNoticeIssueSerializer(serializers.Serializer):
    """The arguments of services.rectification_notice_issue: puts a live agreement under rectification."""

    agreement = VisibleAgreementField(help_text="Agreement id.")
    failings = serializers.CharField(allow_blank=True, help_text="What must be put right.")
    deadline = serializers.DateField(help_text="By when; in the future.")


class RectificationNoticeCloseSerializer(serializers.Serializer):
    satisfied = serializers.BooleanField(help_text="true: back to live; false: failed, and termination may follow.")


# --- money (issue #20) -------------------------------------------------------------------------------

class ClaimLineSerializer(serializers.ModelSerializer):
    kind = PlainChoiceField(choices=ClaimLine.Kind.choices, read_only=True)
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True,
                                      help_text="In pounds, to the penny; deductions and service credits are negative.")

    class Meta:
        model = ClaimLine
        fields = ["kind", "description", "reference", "amount"]
        read_only_fields = fields


class ClaimSerializer(serializers.ModelSerializer):
    agreement_reference = serializers.CharField(source="agreement.reference", read_only=True)
    status = PlainChoiceField(choices=Claim.Status.choices, read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    total = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True, help_text="The sum of the lines, in pounds.")
    lines = ClaimLineSerializer(many=True, read_only=True)
    raised_by = UserSummarySerializer(read_only=True)
    checked_by = UserSummarySerializer(read_only=True, allow_null=True)
    approved_by = UserSummarySerializer(read_only=True, allow_null=True)

    class Meta:
        model = Claim
        fields = [
            "id", "agreement", "agreement_reference", "period_start", "period_end", "status", "status_label", "total", "lines",
            "raised_by", "raised_at", "checked_by", "checked_at", "approved_by", "approved_at", "query_reason", "paid_on", "payment_reference",
        ]
        read_only_fields = fields


class ClaimRaiseSerializer(serializers.Serializer):
    agreement = VisibleAgreementField(help_text="Agreement id.")
    period_start = serializers.DateField(help_text="The first day of a fee period of the agreement that has ended and has no claim.")


class ClaimQuerySerializer(serializers.Serializer):
    reason = serializers.CharField(help_text="What is wrong with the claim; its author is told.")


class ClaimPaySerializer(serializers.Serializer):
    paid_on = serializers.DateField(help_text="The day the payment was made; not in the future.")
    payment_reference = serializers.CharField(max_length=60, help_text="The payment's reference in the finance system.")


class PaymentSerializer(serializers.ModelSerializer):
    """A payment made: a paid claim, as finance reads it."""

    claim = serializers.IntegerField(source="pk", read_only=True)
    agreement_reference = serializers.CharField(source="agreement.reference", read_only=True)
    provider = serializers.CharField(source="agreement.provider.name", read_only=True)
    amount = serializers.DecimalField(source="total", max_digits=14, decimal_places=2, read_only=True, help_text="In pounds.")

    class Meta:
        model = Claim
        fields = ["claim", "agreement", "agreement_reference", "provider", "period_start", "period_end", "amount", "paid_on", "payment_reference"]
        read_only_fields = fields


class MobilisationMilestoneSerializer(serializers.ModelSerializer):
    """One milestone of an agreement's mobilisation plan (issue #21): done, its gap accepted by the SRO, or neither yet."""

    agreement_reference = serializers.CharField(source="agreement.reference", read_only=True)
    kind = PlainChoiceField(choices=MilestoneKind.choices, read_only=True)
    owner = UserSummarySerializer(read_only=True)
    gap_accepted_by = UserSummarySerializer(read_only=True, allow_null=True)
    status = serializers.CharField(read_only=True, help_text="Done, Gap accepted by the SRO, or Not done.")

    class Meta:
        model = MobilisationMilestone
        fields = ["id", "agreement", "agreement_reference", "kind", "title", "owner", "due_on", "done_on", "findings", "status",
                  "gap_accepted_by", "gap_accepted_at", "gap_reason"]
        read_only_fields = fields
