"""The API's problem details, with every refusal logged (SPEC §4 rule 6).

`core.api.exceptions.problem_details_handler` shapes the answer; this wraps it so that a
403 (the role may not, whichever service or permission said so) and a 404 the wall has not
logged already are written to the audit log as refused attempts, filed under the
competition the request was about: the record its URL names, else the competition,
bid, agreement or measure its body names (`ethical_walls.registry`).
"""

from django.http import Http404
from rest_framework import exceptions

from core.api.exceptions import problem_details_handler
from ethical_walls import audit, registry


def _about(view, request) -> tuple[str, str, int | None]:
    """(object type, id, competition id) of what the request was about, as far as it can be told."""
    model = getattr(getattr(view, "queryset", None), "model", None)
    object_type = audit.object_type_of(model) if model is not None else getattr(view, "basename", "") or "api"
    pk = (getattr(view, "kwargs", None) or {}).get("pk", "")
    competition_id = registry.competition_id_of(model, pk) if model is not None and pk else None
    if competition_id is None and request.method not in ("GET", "HEAD", "OPTIONS"):
        try:
            body = request.data
        except exceptions.APIException:
            body = None
        if hasattr(body, "get"):
            competition_id = registry.competition_id_from_references(body)
    return object_type, str(pk)[:40], competition_id


def audited_problem_details_handler(exc, context):
    response = problem_details_handler(exc, context)
    request, view = context.get("request"), context.get("view")
    if response is None or request is None:
        return response
    refused_role = response.status_code == 403
    hidden = isinstance(exc, Http404) and not isinstance(exc, audit.Refused)
    if (refused_role or hidden) and getattr(request.user, "is_authenticated", False):
        object_type, object_id, competition_id = _about(view, request)
        reason = response.data.get("detail", "") if isinstance(response.data, dict) else ""
        audit.refused(
            actor=request.user, channel=audit.Channel.API, object_type=object_type, object_id=object_id,
            competition_id=competition_id, path=request.path,
            detail=(f"Refused ({response.status_code}): {reason}")[:300],
        )
    return response
