"""What the competitions API reads and writes. Serializers parse and present; services decide.

Two families where the wall applies (SPEC §4, rule 1): the commissioning side's
serializers carry confidential fields; the others show only what every bidder
sees. Input serializers never save: views pass `validated_data` to a service.
"""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from competitions.machine import LIFECYCLE
from competitions import selectors, services
from competitions.evaluation import rank_bids
from competitions.models import (
    Benefit,
    PHASE_LABELS,
    AwardBasis,
    AwardRecommendation,
    Bid,
    BidParticipant,
    BusinessCase,
    Clarification,
    Competition,
    EvaluationCriterion,
    GatewayReview,
    Notice,
    ProcurementStrategy,
    Recommendation,
    State,
    TieBreak,
    TreasuryApproval,
)
from core.api.schema import closed_schema
from core.api.serializers import IdField, UserSummarySerializer, VisibleRelatedField
from core.models import Organisation


class WallRedactionMixin:
    """Null the fields of a row the caller may not see, so one list can mix rows (SPEC §4)."""

    redacted_fields: tuple[str, ...] = ()

    def visible_to_caller(self, instance) -> bool:
        raise NotImplementedError

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if not self.visible_to_caller(instance):
            for name in self.redacted_fields:
                data[name] = None
        return data


# --- competitions ------------------------------------------------------------------------------

# The list's sort keys (a whitelist): field, label.
ORDERING = {"reference": "reference", "estimated_value": "estimated value", "state": "state"}


class CompetitionFilterSerializer(serializers.Serializer):
    """The competition list's query parameters (passed to selectors.competition_list)."""

    state = serializers.ChoiceField(choices=State.choices, required=False)
    phase = serializers.ChoiceField(choices=list(PHASE_LABELS.items()), required=False)
    service_area = IdField(required=False, help_text="Service area id.")
    min_value = serializers.DecimalField(max_digits=14, decimal_places=2, required=False, help_text="Estimated value at least (£).")
    max_value = serializers.DecimalField(max_digits=14, decimal_places=2, required=False, help_text="Estimated value at most (£).")
    search = serializers.CharField(required=False, max_length=200, help_text="Words in the title or reference.")
    ordering = serializers.ChoiceField(
        choices=[(f"{sign}{name}", f"{label}, {order}") for name, label in ORDERING.items() for sign, order in (("", "ascending"), ("-", "descending"))],
        required=False,
        help_text="Sort by this field; a leading minus sorts descending.",
    )

    def validate(self, attrs):
        if attrs.get("min_value") is not None and attrs.get("max_value") is not None and attrs["min_value"] > attrs["max_value"]:
            raise serializers.ValidationError({"max_value": "Must be no less than min_value."})
        return attrs


class CompetitionRecordFilterSerializer(serializers.Serializer):
    """?competition=<id>, for the lists of a competition's records."""

    competition = IdField(required=False, help_text="Competition id.")


class CompetitionSerializer(serializers.ModelSerializer):
    """A competition as every bidder may see it."""

    service_area_name = serializers.CharField(source="service_area.name", read_only=True)
    state_label = serializers.CharField(read_only=True)
    phase = serializers.ChoiceField(choices=list(PHASE_LABELS.items()), read_only=True)
    phase_label = serializers.CharField(read_only=True)

    class Meta:
        model = Competition
        fields = [
            "id", "reference", "title", "description", "service_area", "service_area_name", "programme",
            "regime", "procedure", "award_basis", "estimated_value", "is_major_project", "public_sector_bid_possible",
            "ocid", "state", "state_label", "phase", "phase_label", "version", "principles_of_competition_published_on",
            "participation_deadline", "bid_deadline", "bafo_deadline", "time_limit_reduction", "standstill_started_on", "standstill_ends_on",
            "abandoned_reason",
        ]
        read_only_fields = fields


class CompetitionConfidentialSerializer(CompetitionSerializer):
    """A competition as the commissioning side sees it."""

    lead_commissioner = UserSummarySerializer(read_only=True)
    sro = UserSummarySerializer(read_only=True, allow_null=True, help_text="Null until one is appointed.")

    class Meta(CompetitionSerializer.Meta):
        fields = [
            *CompetitionSerializer.Meta.fields, "lead_commissioner", "mandate", "mandate_issued_on", "sro",
            "sro_appointed_on", "criteria_agreed_on", "created_at",
        ]
        read_only_fields = fields


CONFIDENTIAL_FIELDS = ("lead_commissioner", "mandate", "mandate_issued_on", "sro", "sro_appointed_on", "criteria_agreed_on", "created_at")


class CompetitionListSerializer(WallRedactionMixin, CompetitionConfidentialSerializer):
    """A row of the list: the confidential fields are null unless the caller is on the competition's commissioning side."""

    redacted_fields = CONFIDENTIAL_FIELDS
    lead_commissioner = UserSummarySerializer(read_only=True, allow_null=True)
    sro = UserSummarySerializer(read_only=True, allow_null=True)

    class Meta(CompetitionConfidentialSerializer.Meta):
        extra_kwargs = {name: {"allow_null": True} for name in CONFIDENTIAL_FIELDS}

    def visible_to_caller(self, competition) -> bool:
        return selectors.sees_confidential(self.context["request"].user, competition)


class CriterionSerializer(serializers.ModelSerializer):
    class Meta:
        model = EvaluationCriterion
        fields = ["id", "name", "kind", "weight", "description", "published"]
        read_only_fields = fields


class BusinessCaseSerializer(serializers.ModelSerializer):
    # Plain strings: "kind" and "status" name other choice sets elsewhere in the schema.
    kind = serializers.CharField(read_only=True, help_text="outline or full")
    status = serializers.CharField(read_only=True, help_text="draft or approved")
    approved_by = UserSummarySerializer(read_only=True, allow_null=True, help_text="Null while the case is a draft.")

    class Meta:
        model = BusinessCase
        fields = ["id", "kind", "status", "summary", "approved_by", "approved_on"]
        read_only_fields = fields


class TreasuryApprovalSerializer(serializers.ModelSerializer):
    stage = serializers.CharField(read_only=True, help_text="outline or full (business case)")

    class Meta:
        model = TreasuryApproval
        fields = ["id", "stage", "reference", "approved_on"]
        read_only_fields = fields


class ProcurementStrategySerializer(serializers.ModelSerializer):
    class Meta:
        model = ProcurementStrategy
        fields = ["route", "lots", "recorded_on"]
        read_only_fields = fields


class AwardRecommendationSerializer(serializers.ModelSerializer):
    class Meta:
        model = AwardRecommendation
        fields = ["bid", "rationale", "made_on"]
        read_only_fields = fields


class TieBreakSerializer(serializers.ModelSerializer):
    class Meta:
        model = TieBreak
        fields = ["bid", "method", "reason", "recorded_on"]
        read_only_fields = fields


class RankedBidSerializer(serializers.Serializer):
    """One compliant bid's place: ranked on its exact total, shown to 0.01."""

    bid = serializers.IntegerField(source="bid.pk", help_text="The bid's id.")
    bidder = serializers.CharField(source="bid.bidder.name")
    rank = serializers.IntegerField(help_text="1 + the number of bids strictly ahead: tied bids share a rank.")
    tied = serializers.BooleanField(help_text="Another bid has exactly the same total (lowest tender: the same adjusted price).")
    tie_broken = serializers.BooleanField(help_text="Placed first of a tie for first by the recorded tie-break.")
    adjusted_price = serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True,
                                              help_text="The price after Principles of Competition adjustments.")
    total = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True,
                                     help_text="The weighted total out of 100 (most economically advantageous tender; null under lowest tender).")

    def to_representation(self, result):
        data = super().to_representation(result)
        if self.context.get("lowest_price"):
            data["total"] = None
        return data


class TieBreakRecordSerializer(serializers.Serializer):
    """The arguments of services.tie_break_record."""

    bid = VisibleRelatedField(selector=selectors.bid_list, help_text="The tied bid placed first.")
    method = serializers.CharField(allow_blank=True, help_text="The tie-break method as the tender documents published it.")
    reason = serializers.CharField(allow_blank=True, help_text="Why the method puts this bid first.")


class AvailableTransitionsMixin(serializers.Serializer):
    available_transitions = serializers.SerializerMethodField(
        help_text="Transitions this user may apply now: possible from the current state, every condition met, and the user's role allowed."
    )

    def get_available_transitions(self, competition) -> list[str]:
        user = self.context["request"].user
        allowed = {name for name in LIFECYCLE.services if LIFECYCLE.may(user, name)}
        if not allowed or not selectors.sees_confidential(user, competition):
            return []  # guards read confidential records: the bid side is told nothing of them
        # The FSM checks the source state and its conditions, which are the guards (competitions.machine.LIFECYCLE.passes).
        possible = {t.name for t in competition.get_available_state_transitions()}
        return [name for name in LIFECYCLE.services if name in allowed and name in possible]  # lifecycle order


@closed_schema  # so that a response tells it apart from the commissioning side's superset (views.COMPETITION_DETAIL)
class CompetitionDetailSerializer(AvailableTransitionsMixin, CompetitionSerializer):
    criteria = CriterionSerializer(source="visible_criteria", many=True, read_only=True, help_text="The published evaluation criteria.")

    class Meta(CompetitionSerializer.Meta):
        fields = [*CompetitionSerializer.Meta.fields, "criteria", "available_transitions"]
        read_only_fields = fields


def _optional(competition, name):
    return getattr(competition, name, None)  # a missing reverse one-to-one reads as None


class CompetitionConfidentialDetailSerializer(AvailableTransitionsMixin, CompetitionConfidentialSerializer):
    criteria = CriterionSerializer(source="visible_criteria", many=True, read_only=True, help_text="Every evaluation criterion, drafts included.")
    business_cases = BusinessCaseSerializer(many=True, read_only=True)
    treasury_approvals = TreasuryApprovalSerializer(many=True, read_only=True)
    procurement_strategy = serializers.SerializerMethodField()
    ranking = serializers.SerializerMethodField(help_text="The compliant bids in rank order, ties shown as ties.")
    tie_break = serializers.SerializerMethodField()
    award_recommendation = serializers.SerializerMethodField()

    class Meta(CompetitionConfidentialSerializer.Meta):
        fields = [
            *CompetitionConfidentialSerializer.Meta.fields, "criteria", "business_cases", "treasury_approvals",
            "procurement_strategy", "ranking", "tie_break", "award_recommendation", "available_transitions",
        ]
        read_only_fields = fields

    @extend_schema_field(ProcurementStrategySerializer(allow_null=True))
    def get_procurement_strategy(self, competition):
        strategy = _optional(competition, "procurement_strategy")
        return ProcurementStrategySerializer(strategy).data if strategy else None

    @extend_schema_field(RankedBidSerializer(many=True))
    def get_ranking(self, competition):
        lowest_price = competition.award_basis == AwardBasis.LOWEST_PRICE
        return RankedBidSerializer(rank_bids(competition), many=True, context={"lowest_price": lowest_price}).data

    @extend_schema_field(TieBreakSerializer(allow_null=True))
    def get_tie_break(self, competition):
        tie_break = _optional(competition, "tie_break")
        return TieBreakSerializer(tie_break).data if tie_break else None

    @extend_schema_field(AwardRecommendationSerializer(allow_null=True))
    def get_award_recommendation(self, competition):
        recommendation = _optional(competition, "award_recommendation")
        return AwardRecommendationSerializer(recommendation).data if recommendation else None


class CompetitionCreateSerializer(serializers.ModelSerializer):
    """The arguments of services.competition_create."""

    class Meta:
        model = Competition
        fields = [
            "reference", "title", "description", "service_area", "programme", "regime", "procedure", "award_basis",
            "estimated_value", "is_major_project", "public_sector_bid_possible",
        ]
        extra_kwargs = {"reference": {"required": False, "help_text": "Given the next COMP-<year>-<n> when left out."}}


class CompetitionUpdateSerializer(serializers.ModelSerializer):
    """The arguments of services.competition_update: the fields given are the fields changed."""

    version = serializers.IntegerField(
        required=False, min_value=1, write_only=True,
        help_text="The version you read, if you send no If-Match (which wins): 412 if the competition has changed since.",
    )

    class Meta:
        model = Competition
        fields = ["version", *sorted(services.GOVERNANCE_FIELDS)]

    def validate(self, attrs):
        if not set(attrs) - {"version"}:
            raise serializers.ValidationError("Give at least one field to change.")
        return attrs


class TransitionSerializer(serializers.Serializer):
    version = serializers.IntegerField(
        required=False, min_value=1,
        help_text="The version you read, if you send no If-Match (which wins): 412 if the competition has changed since.",
    )


class AbandonSerializer(TransitionSerializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="", help_text="Required: why the competition is abandoned.")


class RecommendAwardSerializer(TransitionSerializer):
    bid = VisibleRelatedField(selector=selectors.bid_list, required=False, allow_null=True, default=None, help_text="The bid recommended; the highest ranked when left out.")
    rationale = serializers.CharField(required=False, allow_blank=True, default="", help_text="Required when the bid is not the highest ranked.")


# The request body of each transition, where it has more than the version.
TRANSITION_REQUESTS = {"abandon": AbandonSerializer, "recommend_award": RecommendAwardSerializer}


# --- gateway reviews -------------------------------------------------------------------------------

class RecommendationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Recommendation
        fields = ["id", "text", "urgency", "status"]
        read_only_fields = ["id", "status"]


class GatewayReviewSerializer(serializers.ModelSerializer):
    competition = VisibleRelatedField(selector=selectors.competition_list, required=False, allow_null=True)
    recommendations = RecommendationSerializer(many=True, required=False)

    class Meta:
        model = GatewayReview
        fields = [
            "id", "competition", "programme", "review_type", "gate", "held_on", "review_team",
            "delivery_confidence", "summary", "recorded_by", "recommendations",
        ]
        read_only_fields = ["recorded_by"]


# --- bids ----------------------------------------------------------------------------------------------

class BidParticipantSerializer(serializers.ModelSerializer):
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)

    class Meta:
        model = BidParticipant
        fields = ["organisation", "organisation_name", "role", "funding_share", "risk_share"]


class BidSerializer(WallRedactionMixin, serializers.ModelSerializer):
    """A bid; its tender (prices) stays sealed from the evaluators until the bid deadline (SPEC §4, rule 2)."""

    redacted_fields = ("tender_price", "bafo_price")
    competition = VisibleRelatedField(selector=selectors.competition_list)
    bidder = serializers.PrimaryKeyRelatedField(queryset=Organisation.objects.all())
    bidder_name = serializers.CharField(source="bidder.name", read_only=True)
    participants = BidParticipantSerializer(many=True, required=False)

    class Meta:
        model = Bid
        fields = [
            "id", "competition", "bidder", "bidder_name", "structure", "participants", "stage", "pre_qualification",
            "pre_qualification_reasons", "tender_price", "bafo_price", "compliant", "compliance_notes",
            "submitted_at", "withdrawn",
        ]
        read_only_fields = [
            "stage", "pre_qualification", "pre_qualification_reasons", "tender_price", "bafo_price", "compliant",
            "compliance_notes", "submitted_at", "withdrawn",
        ]
        validators = []  # one bid per bidder: services.bid_register says so in its own words
        extra_kwargs = {"tender_price": {"allow_null": True}, "bafo_price": {"allow_null": True}}

    def visible_to_caller(self, bid) -> bool:
        return selectors.tender_visible(self.context["request"].user, bid)


# --- clarifications ------------------------------------------------------------------------------------

class PublishedClarificationSerializer(serializers.ModelSerializer):
    """A clarification as every bidder sees it: the asker anonymised."""

    competition = VisibleRelatedField(selector=selectors.competition_list)

    class Meta:
        model = Clarification
        fields = ["id", "competition", "question", "answer", "published_at"]
        read_only_fields = ["answer", "published_at"]


class ClarificationSerializer(WallRedactionMixin, PublishedClarificationSerializer):
    """A clarification as MoJ Procurement and the commissioning side see it; on other rows the asker is left out (null)."""

    redacted_fields = ("asked_by", "commercially_sensitive", "logged_by", "logged_at", "answered_by")

    asked_by = serializers.PrimaryKeyRelatedField(
        read_only=True, allow_null=True, help_text="The bidder organisation that asked; null where the caller may not know.",
    )

    class Meta(PublishedClarificationSerializer.Meta):
        fields = [
            "id", "competition", "asked_by", "question", "commercially_sensitive", "logged_by", "logged_at",
            "answer", "answered_by", "published_at",
        ]
        read_only_fields = fields
        extra_kwargs = {name: {"allow_null": True} for name in ("logged_by", "logged_at", "answered_by", "commercially_sensitive")}

    def visible_to_caller(self, clarification) -> bool:
        return selectors.sees_confidential(self.context["request"].user, clarification.competition)


class ClarificationLogSerializer(serializers.ModelSerializer):
    """The arguments of services.clarification_log: a bidder's question, as MoJ Procurement logs it."""

    competition = VisibleRelatedField(selector=selectors.competition_list)
    asked_by = serializers.PrimaryKeyRelatedField(queryset=Organisation.objects.all(), help_text="The bidder organisation that asked.")

    class Meta:
        model = Clarification
        fields = ["competition", "asked_by", "question", "commercially_sensitive"]


class ClarificationAnswerSerializer(serializers.Serializer):
    answer = serializers.CharField(allow_blank=True, help_text="Published to all bidders, the asker anonymised, unless commercially sensitive.")


# --- notices ---------------------------------------------------------------------------------------------

class NoticeSerializer(serializers.ModelSerializer):
    type = serializers.ChoiceField(source="notice_type", choices=Notice.NoticeType.choices, read_only=True)
    content = serializers.JSONField(read_only=True, help_text="The notice as published to the Central Digital Platform.")

    class Meta:
        model = Notice
        fields = ["id", "type", "version", "published_at", "content"]
        read_only_fields = fields


class BenefitSerializer(serializers.ModelSerializer):
    """A business case's benefit (issue #21), with its actuals and progress: the recorded actuals, or — for a benefit linked to an
    agreement's measure — that measure's validated returns."""

    competition = serializers.IntegerField(source="business_case.competition_id", read_only=True)
    business_case_kind = serializers.CharField(source="business_case.kind", read_only=True)
    owner = serializers.StringRelatedField()
    actuals = serializers.SerializerMethodField(help_text="Oldest first: [measured_on, value]; from the measure's returns when linked.")
    latest_actual = serializers.SerializerMethodField()
    share_of_target = serializers.SerializerMethodField(help_text="How far the latest actual has come from baseline to target, in per cent.")

    class Meta:
        model = Benefit
        fields = ["id", "competition", "business_case", "business_case_kind", "description", "how_measured", "unit", "baseline", "target",
                  "owner", "measure", "actuals", "latest_actual", "share_of_target"]
        read_only_fields = fields

    def _progress(self, benefit):
        return self.context["progress"][benefit.pk]

    @extend_schema_field(serializers.ListField(child=serializers.ListField(child=serializers.CharField())))
    def get_actuals(self, benefit) -> list:
        return [[day.isoformat(), str(value)] for day, value in self._progress(benefit).actuals]

    @extend_schema_field(serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True))
    def get_latest_actual(self, benefit):
        latest = self._progress(benefit).latest
        return str(latest[1]) if latest else None

    @extend_schema_field(serializers.DecimalField(max_digits=8, decimal_places=1, allow_null=True))
    def get_share_of_target(self, benefit):
        share = self._progress(benefit).share
        return str(share) if share is not None else None
