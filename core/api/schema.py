"""The OpenAPI schema's account of errors: every status an operation can really answer, as problem details.

Views declare the errors their own logic raises (`core.api.exceptions.problem_responses`);
this postprocessing hook adds those that come from the framework around every view, so
that no answer the API gives is left out of the schema (SPEC §6; checked by Schemathesis in
tests/api_contract):

- 400 where there is input to refuse: a request body (DRF's parse errors included), query
  parameters other than the page number and size, or a header parameter such as If-Match.
- 401 everywhere: no token, or a token that is not valid (with `WWW-Authenticate: Token`).
- 403 on every write: the role refused, or a missing CSRF token for a browser session.
- 404 where the path names a record (the wall answers 404 for one the caller may not see)
  and on lists, for a page number past the last page.
- 412 and 428 where the operation takes If-Match: a write to a versioned record needs a
  precondition (none answers 428; one that is not current, 412).
- 415 where there is a request body, in a media type the API does not parse.
- 429 everywhere: over the token's rate limit (core/api/throttling.py), with Retry-After.

No 405: a documented method is always allowed.
"""

from http import HTTPStatus

from core.api.exceptions import PROBLEM_CONTENT_TYPE

PROBLEM = "Problem"
INVALID_INPUT_PROBLEM = "InvalidInputProblem"
CONFLICT_PROBLEM = "ConflictProblem"
SCHEMA_FOR_STATUS = {400: INVALID_INPUT_PROBLEM, 409: CONFLICT_PROBLEM}

DESCRIPTIONS = {
    400: "Invalid input: the messages by field are in `errors`.",
    401: "Not signed in: no token, or one that is not valid.",
    403: "Signed in, but this user's role may not do this (or a browser session sent no CSRF token).",
    404: "No such record, or one this user may not see: the two read the same.",
    409: "Refused: the transition's guard is not met (`missing` lists why).",
    412: "The record changed since the version you read (If-Match or `version`), or the If-Match tag is weak: read it again.",
    428: "A write to a versioned record needs If-Match with the ETag you read (or `version` in the body).",
    415: "The request body is in a media type the API does not read.",
    429: "Over this token's rate limit: try again after Retry-After seconds.",
}

HEADERS = {
    401: {"WWW-Authenticate": {"schema": {"type": "string"}, "required": True, "description": "`Token`: send `Authorization: Token <key>`."}},
    429: {"Retry-After": {"schema": {"type": "integer"}, "description": "Seconds until the next request is allowed."}},
}

# The query parameters of pagination: a page size out of range falls back to the default, and a
# page number out of range answers 404, so neither makes an operation answer 400.
PAGINATION_PARAMETERS = {"page", "page_size"}
UNSAFE_METHODS = {"post", "put", "patch", "delete"}
HTTP_METHODS = {"get", "head", "options", *UNSAFE_METHODS}

# Used only where no view declared a problem of that kind, so the schema always has all three;
# the same members as core.api.exceptions' serializers, which are what the views declare.
_PROBLEM_PROPERTIES = {
    "type": {"type": "string", "description": '"about:blank", or a URN naming a problem of this API.'},
    "title": {"type": "string"},
    "status": {"type": "integer"},
    "detail": {"type": "string"},
}
FALLBACK_COMPONENTS = {
    PROBLEM: {"type": "object", "properties": _PROBLEM_PROPERTIES, "required": ["detail", "status", "title", "type"]},
    INVALID_INPUT_PROBLEM: {
        "type": "object",
        "properties": {
            **_PROBLEM_PROPERTIES,
            "errors": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}},
        },
        "required": ["detail", "errors", "status", "title", "type"],
    },
    CONFLICT_PROBLEM: {
        "type": "object",
        "properties": {
            **_PROBLEM_PROPERTIES,
            "transition": {"type": "string"},
            "missing": {"type": "array", "items": {"type": "string"}},
        },
        "required": ["detail", "status", "title", "type"],
    },
}


# Components documented as closed (additionalProperties: false); see closed_schema.
CLOSED_COMPONENTS: set[str] = set()


def closed_schema(serializer_class):
    """Document this serializer's component as having its fields and no others.

    For a response that is one of two shapes, one a subset of the other (a competition as
    the bid side sees it, and as the commissioning side does): closing the smaller shape
    makes `oneOf` tell them apart. The name is drf-spectacular's default for the class.
    """
    CLOSED_COMPONENTS.add(serializer_class.__name__.removesuffix("Serializer"))
    return serializer_class


def answerable_statuses(method: str, operation: dict) -> set[int]:
    """The error statuses the framework around a view can answer for this operation."""
    parameters = operation.get("parameters", [])
    located = {location: {p["name"] for p in parameters if p.get("in") == location} for location in ("path", "query", "header")}
    has_body = "requestBody" in operation
    statuses = {401, 429}
    if method in UNSAFE_METHODS:
        statuses.add(403)
    if has_body or located["query"] - PAGINATION_PARAMETERS or located["header"]:
        statuses.add(400)
    if located["path"] or "page" in located["query"]:
        statuses.add(404)
    if "If-Match" in located["header"]:
        statuses.update({412, 428})
    if has_body:
        statuses.add(415)
    return statuses


def _problem_response(status: int) -> dict:
    schema = {"$ref": f"#/components/schemas/{SCHEMA_FOR_STATUS.get(status, PROBLEM)}"}
    response = {"content": {PROBLEM_CONTENT_TYPE: {"schema": schema}}, "description": DESCRIPTIONS[status]}
    if status in HEADERS:
        response["headers"] = HEADERS[status]
    return response


def _nullable_as_openapi_3_1(node) -> None:
    """`nullable: true` (OpenAPI 3.0, still written by DRF's pagination schema) as 3.1 says it: `null` among the types."""
    if isinstance(node, dict):
        if node.pop("nullable", False) and isinstance(node.get("type"), str):
            node["type"] = [node["type"], "null"]
        for value in node.values():
            _nullable_as_openapi_3_1(value)
    elif isinstance(node, list):
        for value in node:
            _nullable_as_openapi_3_1(value)


def document_problem_responses(result, generator, request, public):
    """drf-spectacular POSTPROCESSING_HOOK: add each operation's framework errors as problem details."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    _nullable_as_openapi_3_1(result)
    for name, schema in FALLBACK_COMPONENTS.items():
        schemas.setdefault(name, schema)
    for name in CLOSED_COMPONENTS & set(schemas):
        schemas[name]["additionalProperties"] = False
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in HTTP_METHODS:
                continue
            for parameter in operation.get("parameters", []):
                if parameter.get("in") == "path" and parameter.get("schema", {}).get("type") == "integer":
                    parameter["schema"]["minimum"] = 1  # ids count from 1
            responses = operation.setdefault("responses", {})
            for status in sorted(answerable_statuses(method, operation)):
                declared = responses.get(str(status))
                if declared is None:
                    responses[str(status)] = _problem_response(status)
                    continue
                # Declared by the view: keep its body, and give it the words and headers it lacks.
                if not declared.get("description"):
                    declared["description"] = DESCRIPTIONS[status]
                if status in HEADERS:
                    declared.setdefault("headers", HEADERS[status])
            for status, declared in responses.items():
                if not declared.get("description") and status.isdigit() and int(status) >= 400:
                    declared["description"] = DESCRIPTIONS.get(int(status), HTTPStatus(int(status)).phrase)
    return result
