"""What the cycles API reads and writes. Serializers parse and present; `cycle.services` decides.

Input serializers never save: views pass `validated_data` to a service.

Schema note: `type` and `stage` already name other choice sets in the API (a notice's
type, a bid's stage), and `level` names the outcome tier as well as the cycle's level;
a second choice set under a name drf-spectacular has seen renames the first and fails
`spectacular --fail-on-warn`. So the cycle's type and stage and the outcome's level are
documented as strings with their values listed, as competitions do for `kind` and `status`;
the input still accepts only those values.
"""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api.serializers import IdField, PlainChoiceField, UserSummarySerializer, one_of
from core.errors import PermissionDenied
from cycle import guards, services
from cycle.machine import FORWARD
from cycle.models import (
    OPEN_STAGES,
    PHASES,
    CommissioningCycle,
    CycleLevel,
    CycleType,
    EqualityImpactAssessment,
    NeedsAssessment,
    Outcome,
    Partner,
    Priority,
    SecuringRoute,
    ServiceSpecification,
    Stage,
)

MONEY = serializers.DecimalField(max_digits=16, decimal_places=2, read_only=True)


# --- queries -----------------------------------------------------------------------------------

# The list's sort keys (a whitelist): field, label.
ORDERING = {"period_start": "start of the period", "name": "name", "available_resources": "available resources"}


class CycleFilterSerializer(serializers.Serializer):
    """The cycle list's query parameters."""

    type = serializers.ChoiceField(choices=CycleType.choices, required=False, help_text="Commissioning type.")
    level = serializers.ChoiceField(choices=CycleLevel.choices, required=False)
    stage = serializers.ChoiceField(choices=Stage.choices, required=False)
    ordering = serializers.ChoiceField(
        choices=[(f"{sign}{name}", f"{label}, {order}") for name, label in ORDERING.items() for sign, order in (("", "ascending"), ("-", "descending"))],
        required=False,
        help_text="Sort by this field; a leading minus sorts descending. Latest period first when left out.",
    )


class OutcomeFilterSerializer(serializers.Serializer):
    level = serializers.ChoiceField(choices=Outcome.Level.choices, required=False, help_text="The tier of the outcomes tree.")


# --- cycles ------------------------------------------------------------------------------------

class CycleSerializer(serializers.ModelSerializer):
    """A row of the list: what the cycle is, where it stands and what it may spend."""

    type = PlainChoiceField(source="cycle_type", choices=CycleType.choices, read_only=True)
    type_label = serializers.CharField(source="get_cycle_type_display", read_only=True)
    level_label = serializers.CharField(source="get_level_display", read_only=True)
    owner = UserSummarySerializer(read_only=True)
    budget = serializers.SerializerMethodField(help_text="The resources priorities must fit: the cycle's own plus partners' pooled funding (£).")
    stage = PlainChoiceField(choices=Stage.choices, read_only=True)
    stage_label = serializers.CharField(read_only=True)
    stage_number = serializers.IntegerField(read_only=True, help_text="1 (evaluate) to 10 (closed).")
    phase = serializers.CharField(read_only=True, help_text=one_of([(name, name) for name in PHASES]))

    class Meta:
        model = CommissioningCycle
        fields = [
            "id", "name", "type", "type_label", "level", "level_label", "area", "period_start", "period_end", "owner",
            "available_resources", "budget", "stage", "stage_label", "stage_number", "phase", "version", "created_at",
        ]
        read_only_fields = fields

    @extend_schema_field(MONEY)
    def get_budget(self, cycle) -> str:
        return MONEY.to_representation(guards.budget(cycle))


class PartnerSerializer(serializers.ModelSerializer):
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)

    class Meta:
        model = Partner
        fields = ["id", "organisation", "organisation_name", "arrangement", "contribution", "responsibilities"]
        read_only_fields = fields


class NeedsAssessmentSerializer(serializers.ModelSerializer):
    service_area_name = serializers.CharField(source="service_area.name", read_only=True)
    gap = serializers.IntegerField(read_only=True, help_text="Demand less provision, in the assessment's unit; negative when provision exceeds demand.")

    class Meta:
        model = NeedsAssessment
        fields = [
            "id", "service_area", "service_area_name", "location", "cohort", "demand", "provision", "unit", "gap",
            "gap_analysis", "evidence",
        ]
        read_only_fields = fields


class PrioritySerializer(serializers.ModelSerializer):
    service_area_name = serializers.CharField(source="service_area.name", read_only=True)
    weighted_value = serializers.DecimalField(
        max_digits=16, decimal_places=4, read_only=True, help_text="Outcome value × weight: what the allocation maximises.",
    )
    funded = serializers.BooleanField(read_only=True, help_text="Above the line: chosen for funding.")

    class Meta:
        model = Priority
        fields = ["id", "rank", "title", "service_area", "service_area_name", "cost", "outcome_value", "weight", "weighted_value", "funded", "evidence"]
        read_only_fields = fields


class EqualityImpactAssessmentSerializer(serializers.ModelSerializer):
    completed_by = UserSummarySerializer(read_only=True)

    class Meta:
        model = EqualityImpactAssessment
        fields = ["summary", "completed_on", "completed_by"]
        read_only_fields = fields


class SuggestedAllocationSerializer(serializers.Serializer):
    """The funded set with the most weighted outcome value within the budget (cycle.allocation)."""

    priorities = serializers.ListField(child=serializers.IntegerField(), read_only=True, help_text="Ids of the priorities to fund, by rank.")
    # Outcome value × weight: two decimal places each, so four in the product.
    total_value = serializers.DecimalField(max_digits=16, decimal_places=4, read_only=True, help_text="Their weighted outcome value.")
    total_cost = serializers.DecimalField(max_digits=16, decimal_places=2, read_only=True, help_text="Their cost (£).")


class SpecificationSerializer(serializers.ModelSerializer):
    outcomes = serializers.PrimaryKeyRelatedField(many=True, read_only=True, help_text="Ids of the mandatory minimum outcomes.")
    # Blank until the route is chosen; a read-only model field would be documented without "".
    securing_route = serializers.ChoiceField(choices=SecuringRoute.choices, allow_blank=True, read_only=True)
    securing_route_label = serializers.CharField(source="get_securing_route_display", read_only=True)
    competition_reference = serializers.CharField(source="competition.reference", read_only=True, allow_null=True)

    class Meta:
        model = ServiceSpecification
        fields = [
            "id", "priority", "title", "summary", "outputs", "outcomes", "securing_route", "securing_route_label",
            "competition", "competition_reference", "agreement", "route_notes",
        ]
        read_only_fields = fields


def may_change(user, cycle) -> bool:
    """The services' own rule for who may change a cycle, asked without acting."""
    try:
        services.require_commissioner(user, cycle)
    except PermissionDenied:
        return False
    return True


def _optional(cycle, name):
    return getattr(cycle, name, None)  # a missing reverse one-to-one reads as None


class CycleDetailSerializer(CycleSerializer):
    previous_cycle = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    next_cycle = serializers.SerializerMethodField(help_text="The cycle opened when this one closed.")
    partners = PartnerSerializer(many=True, read_only=True)
    needs_assessments = NeedsAssessmentSerializer(many=True, read_only=True)
    priorities = PrioritySerializer(many=True, read_only=True)
    equality_impact_assessment = serializers.SerializerMethodField()
    suggested_allocation = serializers.SerializerMethodField()
    specifications = SpecificationSerializer(many=True, read_only=True)
    available_moves = serializers.SerializerMethodField(
        help_text="Forward moves this user may make now: possible from the current stage, every condition met, and the user a commissioner.",
    )

    class Meta(CycleSerializer.Meta):
        fields = [
            *CycleSerializer.Meta.fields, "previous_cycle", "next_cycle", "carried_evaluation", "partners", "needs_assessments",
            "priorities", "equality_impact_assessment", "suggested_allocation", "specifications", "available_moves",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_next_cycle(self, cycle) -> int | None:
        following = _optional(cycle, "next_cycle")
        return following.pk if following else None

    @extend_schema_field(EqualityImpactAssessmentSerializer(allow_null=True))
    def get_equality_impact_assessment(self, cycle):
        assessment = _optional(cycle, "equality_impact_assessment")
        return EqualityImpactAssessmentSerializer(assessment).data if assessment else None

    @extend_schema_field(SuggestedAllocationSerializer)
    def get_suggested_allocation(self, cycle):
        keys, total_value, total_cost = services.allocation_suggest(cycle)
        ranked = [p.pk for p in cycle.priorities.all() if p.pk in keys]
        return SuggestedAllocationSerializer({"priorities": ranked, "total_value": total_value, "total_cost": total_cost}).data

    def get_available_moves(self, cycle) -> list[str]:
        if not may_change(self.context["request"].user, cycle):
            return []
        # The FSM checks the source stage and the conditions, which are the guards (cycle.machine.CYCLE.passes).
        possible = {t.name for t in cycle.get_available_stage_transitions()}
        return [name for name in FORWARD if name in possible]  # cycle order


# --- input -------------------------------------------------------------------------------------

class CycleCreateSerializer(serializers.ModelSerializer):
    """The arguments of services.cycle_create; the caller becomes the cycle's owner."""

    type = PlainChoiceField(source="cycle_type", choices=CycleType.choices, help_text="Commissioning type.")

    class Meta:
        model = CommissioningCycle
        fields = ["name", "type", "level", "area", "period_start", "period_end", "available_resources"]

    def validate(self, attrs):
        problem = services.period_problem(attrs["period_start"], attrs["period_end"])
        if problem:
            raise serializers.ValidationError({"period_end": problem})
        return attrs


class MoveSerializer(serializers.Serializer):
    version = serializers.IntegerField(
        required=False, min_value=1, help_text="The version you read, if you send no If-Match: 412 if the cycle has changed since.",
    )


# A cycle may step back from any open stage to an earlier one, so never to `closed` or from it.
STEP_BACK_TARGETS = [(stage, Stage(stage).label) for stage in OPEN_STAGES[:-1]]


class StepBackSerializer(MoveSerializer):
    to_stage = serializers.ChoiceField(choices=STEP_BACK_TARGETS, help_text="An earlier stage than the current one.")
    reason = serializers.CharField(required=False, allow_blank=True, default="", help_text="Required: why the cycle is going back.")


class AllocationSerializer(serializers.Serializer):
    funded = serializers.ListField(
        child=IdField(), required=False, allow_empty=True,
        help_text="Ids of the priorities to fund. Leave out to accept the suggested allocation.",
    )
    version = serializers.IntegerField(
        required=False, min_value=1, help_text="The version you read, if you send no If-Match: 412 if the cycle has changed since.",
    )


# --- outcomes ----------------------------------------------------------------------------------

class OutcomeSerializer(serializers.ModelSerializer):
    level = PlainChoiceField(choices=Outcome.Level.choices, read_only=True, help_text="The tier of the outcomes tree.")
    level_label = serializers.CharField(source="get_level_display", read_only=True)

    class Meta:
        model = Outcome
        fields = ["id", "level", "level_label", "title", "theme", "parent"]
        read_only_fields = fields

