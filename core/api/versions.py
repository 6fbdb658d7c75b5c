"""Optimistic concurrency over the API: a record's version is its ETag, sent back as If-Match."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers


def if_match_parameter(record: str) -> OpenApiParameter:
    return OpenApiParameter(
        "If-Match", OpenApiTypes.STR, OpenApiParameter.HEADER, required=False,
        description=f"The {record}'s ETag (its version) as you read it; the body's `version` takes precedence.",
    )


def expected_version(request, version: int | None, *, record: str) -> int | None:
    """The version the caller read: the body's `version`, else the If-Match header (an ETag such as "3")."""
    if version is not None:
        return version
    header = request.headers.get("If-Match", "").strip()
    if not header or header == "*":
        return None
    tag = header.removeprefix("W/").strip('"')
    if not tag.isdigit():
        raise serializers.ValidationError({"If-Match": [f"Send the {record}'s ETag, as given by the API."]})
    return int(tag)


def etag_header(record: str) -> OpenApiParameter:
    """The response header that carries the record's version (views set it on every detail they answer)."""
    return OpenApiParameter(
        "ETag", OpenApiTypes.STR, OpenApiParameter.HEADER, required=True, response=[200, 201],
        description=f'The {record}\'s version, quoted (such as "3"): send it back as If-Match.',
    )
