from rest_framework import serializers

from boards.models import BodyKind, Decision, Matter
from core.api.serializers import IdField
from governance.models import Mitigation, Risk, RiskReview, RiskStatus
from governance.selectors import SUBJECTS


class RiskReviewSerializer(serializers.ModelSerializer):
    reviewed_by = serializers.StringRelatedField()

    class Meta:
        model = RiskReview
        fields = ["likelihood", "impact", "proximity", "note", "reviewed_by", "reviewed_at"]


class MitigationSerializer(serializers.ModelSerializer):
    owner = serializers.StringRelatedField()

    class Meta:
        model = Mitigation
        fields = ["id", "action", "owner", "due_on", "done_on"]


class RiskSerializer(serializers.ModelSerializer):
    reference = serializers.CharField(read_only=True)
    rating = serializers.CharField(read_only=True)
    owner = serializers.StringRelatedField()
    reviews = RiskReviewSerializer(many=True, read_only=True)
    mitigations = MitigationSerializer(many=True, read_only=True)

    class Meta:
        model = Risk
        fields = ["id", "reference", "kind", "cycle", "competition", "agreement", "title", "description", "owner", "likelihood", "impact",
                  "score", "rating", "proximity", "status", "escalated_at", "escalation_reason", "closed_at", "closing_note", "carried_from",
                  "raised_at", "reviews", "mitigations"]


class RiskFilterSerializer(serializers.Serializer):
    cycle = IdField(required=False)
    competition = IdField(required=False)
    agreement = IdField(required=False)
    status = serializers.ChoiceField(choices=[("", "Any"), *RiskStatus.choices], required=False, default=RiskStatus.OPEN,
                                     help_text="open (the default), closed, or empty for both")
    escalated = serializers.BooleanField(required=False, default=False, help_text="only those escalated to the portfolio")

    def validate(self, data):
        named = [name for name in SUBJECTS if data.get(name)]
        if len(named) > 1:
            raise serializers.ValidationError({named[1]: "Filter by one record: a cycle, a competition or an agreement."})
        return data





class DecisionSerializer(serializers.ModelSerializer):
    body = serializers.CharField(source="meeting.body.name", read_only=True)
    body_kind = serializers.CharField(source="meeting.body.kind", read_only=True)
    held_on = serializers.DateField(source="meeting.held_on", read_only=True)
    present = serializers.SerializerMethodField()
    interests = serializers.SerializerMethodField()
    recorded_by = serializers.StringRelatedField()

    class Meta:
        model = Decision
        fields = ["id", "meeting", "body", "body_kind", "held_on", "matter", "competition", "subject", "outcome", "conditions", "minute",
                  "present", "interests", "recorded_by", "recorded_at"]

    def get_present(self, decision) -> list[str]:
        return [person.get_full_name() or person.username for person in decision.meeting.attendees.all()]

    def get_interests(self, decision) -> list[dict]:
        """The interests declared at the meeting in this decision's competition (or, for other business, in none)."""
        return [{"person": i.person.get_full_name() or i.person.username, "interest": i.interest, "withdrew": i.withdrew}
                for i in decision.meeting.interests.all() if i.competition_id == decision.competition_id]


class DecisionFilterSerializer(serializers.Serializer):
    competition = IdField(required=False)
    matter = serializers.ChoiceField(choices=Matter.choices, required=False)
    body = serializers.ChoiceField(choices=BodyKind.choices, required=False, help_text="the body's kind")
