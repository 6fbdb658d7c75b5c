from rest_framework import serializers

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
    cycle = serializers.IntegerField(required=False, min_value=1)
    competition = serializers.IntegerField(required=False, min_value=1)
    agreement = serializers.IntegerField(required=False, min_value=1)
    status = serializers.ChoiceField(choices=[("", "Any"), *RiskStatus.choices], required=False, default=RiskStatus.OPEN,
                                     help_text="open (the default), closed, or empty for both")
    escalated = serializers.BooleanField(required=False, default=False, help_text="only those escalated to the portfolio")

    def validate(self, data):
        named = [name for name in SUBJECTS if data.get(name)]
        if len(named) > 1:
            raise serializers.ValidationError({named[1]: "Filter by one record: a cycle, a competition or an agreement."})
        return data



