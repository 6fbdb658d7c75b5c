from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.models import Organisation, Sector, User

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


class UserSummarySerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="__str__", read_only=True)

    class Meta:
        model = User
        fields = ["id", "name"]


@extend_schema_field(OpenApiTypes.INT)
class VisibleRelatedField(serializers.PrimaryKeyRelatedField):
    """A primary key looked up through a selector, so a record the user may not see reads as not existing."""

    def __init__(self, *, selector, **kwargs):
        self.selector = selector
        super().__init__(**kwargs)

    def get_queryset(self):
        return self.selector(user=self.context["request"].user)


def one_of(choices) -> str:
    return "One of: " + "; ".join(f"`{value}` ({label})" for value, label in choices)


@extend_schema_field(OpenApiTypes.STR)
class PlainChoiceField(serializers.ChoiceField):
    """A choice, documented as a string with its values in the description (see the module's note)."""

    def __init__(self, *, choices, help_text="", **kwargs):
        super().__init__(choices=choices, help_text=f"{help_text} {one_of(choices)}".strip(), **kwargs)


class SearchQuerySerializer(serializers.Serializer):
    q = serializers.CharField(max_length=200, help_text="Words in any order; \"a quoted phrase\"; or; -word to leave a word out.")


class SearchResultSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="Competitions, Commissioning cycles, Contracts and SLAs, Clarifications, Bid documents or Organisations.")
    title = serializers.CharField()
    url = serializers.CharField(help_text="The page of the record.")
    snippet = serializers.CharField(help_text="Where it matched, as plain text.")
    snippet_html = serializers.CharField(help_text="The same, HTML-escaped, the matching words in <mark>.")
    rank = serializers.FloatField(help_text="PostgreSQL's ts_rank (0 on SQLite); higher is better within a kind.")
