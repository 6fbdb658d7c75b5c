"""One error format for the whole API: RFC 9457 problem details.

DRF's own handler does the first pass (status, WWW-Authenticate and Retry-After
headers, rolling back the request's transaction); this module turns the errors
services raise into DRF exceptions before it, and reshapes every answer after
it into `{"type", "title", "status", "detail"}` plus, where they apply,
`errors` (400: messages by field) and `missing` (409: the guard's conditions).
"""

from http import HTTPStatus

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, serializers
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler

from core.api.versions import PreconditionFailed, PreconditionRequired
from core.errors import StaleObject, TransitionRefused

PROBLEM_CONTENT_TYPE = "application/problem+json"
# Problem types of our own; everything else is "about:blank" with the HTTP status as its title.
INVALID_INPUT = "urn:noms-commissioning:problem:invalid-input"
TRANSITION_REFUSED = "urn:noms-commissioning:problem:transition-refused"
STALE_OBJECT = "urn:noms-commissioning:problem:stale-object"
PRECONDITION_REQUIRED = "urn:noms-commissioning:problem:precondition-required"


class Conflict(exceptions.APIException):
    """A 409 that knows its problem type, title and extension members."""

    status_code = HTTPStatus.CONFLICT
    default_code = "conflict"

    def __init__(self, detail: str, *, problem_type: str, title: str, **extensions):
        super().__init__(detail)
        self.problem_type = problem_type
        self.title = title
        self.extensions = extensions


def _as_api_exception(exc):
    """Services speak Django and core.errors; DRF's handler speaks APIException."""
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            return exceptions.ValidationError(
                {api_settings.NON_FIELD_ERRORS_KEY if name == NON_FIELD_ERRORS else name: messages for name, messages in exc.message_dict.items()}
            )
        return exceptions.ValidationError({api_settings.NON_FIELD_ERRORS_KEY: exc.messages})
    if isinstance(exc, TransitionRefused):
        return Conflict(str(exc), problem_type=TRANSITION_REFUSED, title="Transition refused", transition=exc.transition, missing=list(exc.missing))
    if isinstance(exc, StaleObject):
        # The version the request's precondition named was current when checked, and not by the time the row was
        # locked: the precondition failed all the same (RFC 9110 §13.1.1).
        stale = PreconditionFailed(str(exc))
        stale.problem_type = STALE_OBJECT
        return stale
    if isinstance(exc, Http404):
        return exceptions.NotFound()
    if isinstance(exc, DjangoPermissionDenied):
        return exceptions.PermissionDenied(*exc.args)
    return exc


def field_errors(detail, prefix: str = "") -> dict[str, list[str]]:
    """DRF's error detail as {field: [messages]}; nested fields as dotted paths (recommendations.0.text)."""
    errors: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for name, value in detail.items():
            path = prefix if name == api_settings.NON_FIELD_ERRORS_KEY and prefix else f"{prefix}.{name}" if prefix else str(name)
            for field, messages in field_errors(value, path).items():
                errors.setdefault(field, []).extend(messages)
    elif isinstance(detail, list) and any(isinstance(item, (dict, list)) for item in detail):
        for index, item in enumerate(detail):
            for field, messages in field_errors(item, f"{prefix}.{index}" if prefix else str(index)).items():
                errors.setdefault(field, []).extend(messages)
    elif isinstance(detail, list):
        if detail:
            errors[prefix or api_settings.NON_FIELD_ERRORS_KEY] = [str(message) for message in detail]
    else:
        errors[prefix or api_settings.NON_FIELD_ERRORS_KEY] = [str(detail)]
    return errors


def _summary(errors: dict[str, list[str]]) -> str:
    return " ".join(
        " ".join(messages) if field == api_settings.NON_FIELD_ERRORS_KEY else f"{field}: {' '.join(messages)}"
        for field, messages in errors.items()
    )


def problem_details_handler(exc, context):
    exc = _as_api_exception(exc)
    response = exception_handler(exc, context)
    if response is None:
        return None  # not ours to answer: a server error
    status = response.status_code
    problem = {"type": "about:blank", "title": HTTPStatus(status).phrase, "status": status}
    if isinstance(exc, exceptions.ValidationError) or status == HTTPStatus.BAD_REQUEST:
        # Every 400 carries `errors`, a body DRF could not parse (ParseError) as much as a field refused.
        errors = field_errors(exc.detail)
        problem.update(type=INVALID_INPUT, title="Invalid input", detail=_summary(errors), errors=errors)
    elif status == HTTPStatus.NOT_FOUND:
        # Never echo what was asked for: a refused object and a missing one read the same (SPEC §4, rule 7).
        problem["detail"] = "Not found."
    else:
        problem["detail"] = str(exc.detail)
        if isinstance(exc, Conflict):
            problem.update(type=exc.problem_type, title=exc.title, **exc.extensions)
        elif isinstance(exc, PreconditionFailed):
            problem.update(type=STALE_OBJECT, title="Changed since you read it")
        elif isinstance(exc, PreconditionRequired):
            problem.update(type=PRECONDITION_REQUIRED, title="Precondition required")
    response.data = problem
    renderer = getattr(context.get("request"), "accepted_renderer", None)
    if renderer is None or renderer.format == "json":
        response.content_type = PROBLEM_CONTENT_TYPE
    return response


# --- the format, for the OpenAPI schema ------------------------------------------------------------

class ProblemSerializer(serializers.Serializer):
    type = serializers.CharField(help_text='"about:blank", or a URN naming a problem of this API.')
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField()


class InvalidInputProblemSerializer(ProblemSerializer):
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Messages by field; non_field_errors for the request as a whole; nested fields as dotted paths.",
    )


class ConflictProblemSerializer(ProblemSerializer):
    transition = serializers.CharField(required=False, help_text="The transition refused.")
    missing = serializers.ListField(
        child=serializers.CharField(), required=False, help_text="When a transition is refused: each condition of its guard not yet met."
    )


PROBLEM_SCHEMAS = {400: InvalidInputProblemSerializer, 409: ConflictProblemSerializer}


def problem_responses(*statuses: int) -> dict:
    """extend_schema responses for these error statuses, as application/problem+json."""
    return {(status, PROBLEM_CONTENT_TYPE): PROBLEM_SCHEMAS.get(status, ProblemSerializer) for status in statuses}


# --- errors Django answers before (or instead of) a view: unknown paths, server errors -------------------

def problem_response(status: int, detail: str = ""):
    from django.http import JsonResponse

    body = {"type": "about:blank", "title": HTTPStatus(status).phrase, "status": status, "detail": detail or HTTPStatus(status).description}
    return JsonResponse(body, status=status, content_type=PROBLEM_CONTENT_TYPE)


def is_api(request) -> bool:
    return request.path_info.startswith("/api/")
