"""Conditional requests on versioned records (competitions, cycles, agreements), as RFC 9110 §13 and RFC 6585 say.

- Every detail carries a strong `ETag` naming one representation: the record's version and
  a digest of the body this caller was given, so the commissioning side's view and the
  bid side's view of one version have different tags (and responses say `Vary`).
- `If-None-Match` with the current tag answers 304 Not Modified.
- A write needs a precondition: `If-Match` with the tag the caller read (it wins over any
  `version` in the body), or failing that the body's `version`. Neither answers **428
  Precondition Required**; one that is not current — or a weak tag, which never matches for
  a write — answers **412 Precondition Failed**. The service then locks the row and checks
  the version again, so a write that passed the check an instant before another one
  committed is refused the same way.
"""

import hashlib
import json
import re

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import exceptions, status

ENTITY_TAG = re.compile(r'\s*(W/)?"([^"]*)"\s*(?:,|$)')
MAX_HEADER = 1000  # an If-Match longer than this names no tag of ours


class PreconditionRequired(exceptions.APIException):
    status_code = status.HTTP_428_PRECONDITION_REQUIRED
    default_code = "precondition_required"


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_code = "precondition_failed"


def etag_of(version: int, data) -> str:
    """A strong tag for this representation: the version, and a digest of exactly what the caller was given."""
    body = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str, ensure_ascii=False)
    return f'"{version}-{hashlib.sha256(body.encode()).hexdigest()[:20]}"'


def entity_tags(header: str) -> list[tuple[bool, str]] | None:
    """(weak, opaque tag) for each tag of an If-Match / If-None-Match list; None when it is not one."""
    if len(header) > MAX_HEADER:
        return None
    tags, position = [], 0
    header = header.strip()
    while position < len(header):
        found = ENTITY_TAG.match(header, position)
        if found is None:
            return None
        tags.append((bool(found.group(1)), f'"{found.group(2)}"'))
        position = found.end()
    return tags


def not_modified(request, current: str) -> bool:
    """If-None-Match names the current representation (weak comparison, as RFC 9110 §13.1.2 has it)."""
    header = request.headers.get("If-None-Match")
    if header is None:
        return False
    if header.strip() == "*":
        return True
    tags = entity_tags(header)
    return bool(tags) and any(tag == current for _, tag in tags)


def checked_version(request, *, body_version: int | None, current_version: int, current_etag, record: str) -> int | None:
    """The version a write may proceed from, proven by If-Match (first) or the body's `version`.

    `current_etag()` gives the tag of the caller's representation as it is now (asked only when
    If-Match is sent). Returns None for `If-Match: *` (any current version will do).
    """
    header = request.headers.get("If-Match")
    if header is not None:
        if header.strip() == "*":
            return None
        tags = entity_tags(header)
        if tags is None:
            raise exceptions.ValidationError({"If-Match": [f"Send the {record}'s ETag, as given by the API, in double quotes."]})
        current = current_etag()
        if not any(tag == current and not weak for weak, tag in tags):
            raise PreconditionFailed(
                f"The {record} has changed since you read it, or the tag is weak: read it again and send its current ETag."
            )
        return current_version
    if body_version is not None:
        if int(body_version) != current_version:
            raise PreconditionFailed(f"The {record} has changed since version {body_version}: read it again and try again.")
        return int(body_version)
    raise PreconditionRequired(
        f"Say which version of the {record} you are changing: send If-Match with its ETag (or `version` in the body)."
    )


def if_match_parameter(record: str) -> OpenApiParameter:
    return OpenApiParameter(
        "If-Match", OpenApiTypes.STR, OpenApiParameter.HEADER, required=False,
        description=(
            f"The {record}'s ETag as you read it (strong). It wins over `version` in the body; send one of the two: "
            "neither answers 428, one that is not current 412."
        ),
    )


def if_none_match_parameter(record: str) -> OpenApiParameter:
    return OpenApiParameter(
        "If-None-Match", OpenApiTypes.STR, OpenApiParameter.HEADER, required=False,
        description=f"The {record}'s ETag you hold: 304 Not Modified while it is still current.",
    )


def etag_header(record: str) -> OpenApiParameter:
    """The response header that carries the representation's tag (views set it on every detail they answer)."""
    return OpenApiParameter(
        "ETag", OpenApiTypes.STR, OpenApiParameter.HEADER, required=True, response=[200, 201],
        description=f'The {record}\'s representation as given to you, quoted (such as "3-9f2c…"): send it back as If-Match.',
    )


class VersionedDetailMixin:
    """For a viewset of a versioned record: its detail with a strong ETag (304 on If-None-Match), and write preconditions.

    The viewset says how to read the record as this caller sees it: `representation(pk, audited=…)`
    gives (record, serialised data); `audited=False` is a read made only to compare tags.
    """

    version_record = "record"

    def representation(self, pk, *, audited: bool = True) -> tuple:
        raise NotImplementedError

    def current_etag(self, pk) -> str:
        record, data = self.representation(pk, audited=False)
        return etag_of(record.version, data)

    def detail_response(self, pk, *, status_code=status.HTTP_200_OK, headers=None):
        from rest_framework.response import Response

        record, data = self.representation(pk)
        tag = etag_of(record.version, data)
        if status_code == status.HTTP_200_OK and self.request.method in ("GET", "HEAD") and not_modified(self.request, tag):
            return Response(status=status.HTTP_304_NOT_MODIFIED, headers={"ETag": tag})
        response = Response(data, status=status_code, headers=headers)
        response["ETag"] = tag
        return response

    def precondition(self, record, body_version: int | None, *, authorise=None) -> int | None:
        """The version this write proceeds from (If-Match, else the body's `version`): 428 without either, 412 when stale.

        `authorise()` — the service's own check of who may do this — runs first: a role that may
        not write is told so (403) whatever its precondition (RFC 9110 §13.2.1).
        """
        if authorise is not None:
            authorise()
        return checked_version(
            self.request, body_version=body_version, current_version=record.version,
            current_etag=lambda: self.current_etag(record.pk), record=self.version_record,
        )
