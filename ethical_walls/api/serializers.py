"""What the ethical wall's API reads and writes. Serializers parse and present; services decide."""

from rest_framework import serializers

from core.api.serializers import IdField, UserSummarySerializer, VisibleRelatedField
from ethical_walls import registry
from ethical_walls.models import AuditEvent, ConflictDeclaration


class ConflictDeclarationSerializer(serializers.ModelSerializer):
    """One entry of the conflicts-of-interest register."""

    competition_reference = serializers.CharField(source="competition.reference", read_only=True)
    user = UserSummarySerializer(read_only=True)
    assessed_by = UserSummarySerializer(read_only=True, allow_null=True)

    class Meta:
        model = ConflictDeclaration
        fields = [
            "id", "competition", "competition_reference", "user", "nature", "details", "declared_at",
            "assessment", "conditions", "assessed_by", "assessed_at",
        ]
        read_only_fields = fields


class ConflictDeclareSerializer(serializers.Serializer):
    """Declare your own interests in a competition you can see, or have been asked to join: a nil return, or an interest that may conflict."""

    competition = VisibleRelatedField(selector=registry.declarable_competitions, help_text="Competition id.")
    nature = serializers.ChoiceField(choices=ConflictDeclaration.Nature.choices)
    details = serializers.CharField(required=False, allow_blank=True, default="", help_text="Needed when declaring an interest.")


class ConflictAssessSerializer(serializers.Serializer):
    """The SRO's assessment of a declared conflict."""

    outcome = serializers.ChoiceField(choices=[
        (ConflictDeclaration.Assessment.MITIGATED.value, ConflictDeclaration.Assessment.MITIGATED.label),
        (ConflictDeclaration.Assessment.EXCLUDED.value, ConflictDeclaration.Assessment.EXCLUDED.label),
    ])
    conditions = serializers.CharField(required=False, allow_blank=True, default="", help_text="Needed to mitigate.")


class ConflictDeclarationFilterSerializer(serializers.Serializer):
    """The register's query parameters."""

    competition = IdField(required=False, help_text="Competition id.")
    assessment = serializers.ChoiceField(choices=ConflictDeclaration.Assessment.choices, required=False)


class AuditEventSerializer(serializers.ModelSerializer):
    actor = UserSummarySerializer(read_only=True, allow_null=True)
    subject = UserSummarySerializer(read_only=True, allow_null=True)

    class Meta:
        model = AuditEvent
        fields = ["id", "at", "action", "channel", "actor", "object_type", "object_id", "competition_id", "subject", "detail", "path"]
        read_only_fields = fields


class AuditEventFilterSerializer(serializers.Serializer):
    """The audit log's query parameters."""

    action = serializers.ChoiceField(choices=AuditEvent.Action.choices, required=False)
    channel = serializers.ChoiceField(choices=AuditEvent.Channel.choices, required=False)
    competition = IdField(required=False, help_text="Competition id.")
