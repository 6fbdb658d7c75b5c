"""Request bodies the API reads, refused clearly when they are not something a client could mean (issue #15).

JSON: at most `API_MAX_JSON_BYTES` (413 beyond), nested at most MAX_DEPTH deep, UTF-8, no
NaN or Infinity, and no lone surrogate in any string (valid JSON — "\\ud800" — but no text:
PostgreSQL cannot store it, and the answer that echoes it cannot be encoded). Forms and
multipart: Django's field-count and size limits answered as problem details rather than an
HTML page. Each refusal is a 400 naming the field where there is one.
"""

import json

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation, TooManyFieldsSent
from rest_framework import exceptions, negotiation, parsers, status

MAX_DEPTH = 32
PROBLEM_TYPE = "application/problem+json"


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "payload_too_large"


def _is_text(value: str) -> bool:
    """Whether the string can be encoded as UTF-8 (no lone surrogates)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def check_value(value, path: str = "", depth: int = 0) -> None:
    """Refuse nesting beyond MAX_DEPTH and strings that are not text, naming where (`changes.value`)."""
    if depth > MAX_DEPTH:
        raise exceptions.ParseError(f"The JSON is nested more than {MAX_DEPTH} levels deep.")
    field = path or "non_field_errors"
    if isinstance(value, str):
        if not _is_text(value):
            raise exceptions.ValidationError({field: ["Enter text: this contains a character that is not valid Unicode."]})
    elif isinstance(value, dict):
        for key, item in value.items():
            if not _is_text(key):
                raise exceptions.ValidationError({"non_field_errors": ["A field name is not valid Unicode."]})
            check_value(item, f"{path}.{key}" if path else key, depth + 1)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            check_value(item, f"{path}.{index}" if path else str(index), depth + 1)


def _refuse_constant(name):
    raise ValueError(f"{name} is not a number JSON allows")


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.API_MAX_JSON_BYTES
        raw = stream.read(limit + 1) if stream is not None else b""
        if len(raw) > limit:
            raise PayloadTooLarge(f"The JSON body is larger than {limit:,} bytes.")
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            data = json.loads(raw.decode(encoding), parse_constant=_refuse_constant)
        except UnicodeDecodeError:
            raise exceptions.ParseError(f"The body is not {encoding} text.") from None
        except RecursionError:
            raise exceptions.ParseError(f"The JSON is nested more than {MAX_DEPTH} levels deep.") from None
        except ValueError as error:
            raise exceptions.ParseError(f"JSON parse error: {error}") from None
        check_value(data)
        return data


def _within_limits(parse):
    def parse_within_limits(self, stream, media_type=None, parser_context=None):
        try:
            return parse(self, stream, media_type, parser_context)
        except TooManyFieldsSent:
            raise exceptions.ParseError(f"Too many fields: at most {settings.DATA_UPLOAD_MAX_NUMBER_FIELDS}.") from None
        except RequestDataTooBig:
            raise PayloadTooLarge() from None
        except SuspiciousOperation as error:
            raise exceptions.ParseError(str(error) or "The body could not be read.") from None

    return parse_within_limits


class FormParser(parsers.FormParser):
    parse = _within_limits(parsers.FormParser.parse)


class MultiPartParser(parsers.MultiPartParser):
    parse = _within_limits(parsers.MultiPartParser.parse)


class ContentNegotiation(negotiation.DefaultContentNegotiation):
    """`Accept: application/problem+json` (a client that wants errors as problem details) is served JSON, not a 406."""

    def get_accept_list(self, request):
        return ["application/json" if accepted.split(";")[0].strip() == PROBLEM_TYPE else accepted for accepted in super().get_accept_list(request)]
