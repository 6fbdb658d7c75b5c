from rest_framework import serializers

from core.models import Organisation


class OrganisationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["id", "name", "sector", "organisation_type", "is_crown_body", "parent", "region"]
