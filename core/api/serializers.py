from rest_framework import serializers

from core.models import Organisation, Sector

# Ids are 64-bit (DEFAULT_AUTO_FIELD is BigAutoField). A larger number names no record; refused
# as invalid input, it never reaches the database (SQLite cannot even compare it to a foreign key).
MAX_ID = 2**63 - 1


class IdField(serializers.IntegerField):
    """A record's id given as a number, in a query parameter or a body: 1 to MAX_ID."""

    def __init__(self, **kwargs):
        super().__init__(min_value=1, max_value=MAX_ID, **kwargs)


class OrganisationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["id", "name", "sector", "organisation_type", "is_crown_body", "parent", "region"]


class OrganisationFilterSerializer(serializers.Serializer):
    """The organisation list's query parameters."""

    sector = serializers.ChoiceField(choices=Sector.choices, required=False)
