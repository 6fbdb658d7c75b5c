"""Every refusal a page gives is a refused attempt in the audit log (SPEC §4 rule 6).

Views that hide a record raise `audit.refuse(...)`, which logs it with what was asked for.
Anything else a page refuses — a 403 for a role (a service's PermissionDenied, the admin's
own permission checks) or a bare 404 from a view — is logged here, filed under the
competition the page is about (`ethical_walls.registry`), so that it appears on that
competition's breach view. The API's refusals are logged by its exception handler
(`ethical_walls.api.exceptions`). And a refusal logged inside a transaction that then
rolled back is written again once the request is over (`audit.keep_refusals`).
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from ethical_walls import audit, registry


def channel_of(path: str) -> str:
    return audit.Channel.ADMIN if path.startswith("/admin/") else audit.Channel.PAGE


def log_refusal(request, *, status: int, reason: str = "", object_type: str = "", object_id="") -> None:
    user = getattr(request, "user", None)
    match = getattr(request, "resolver_match", None)
    audit.refused(
        actor=user, channel=audit.Channel.API if request.path.startswith("/api/") else channel_of(request.path),
        object_type=object_type or (match.view_name if match else "page")[:60], object_id=object_id,
        competition_id=registry.competition_id_for_url(match), path=request.path,
        detail=(f"Refused ({status}): {reason}" if reason else f"Refused ({status})")[:300],
    )


class AuditRefusalsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with audit.keep_refusals():
            return self.get_response(request)

    def process_exception(self, request, exception):
        if request.path.startswith("/api/"):
            return None  # DRF answers its own errors; ethical_walls.api.exceptions logs them
        if isinstance(exception, PermissionDenied):
            log_refusal(request, status=403, reason=str(exception))
        elif isinstance(exception, Http404) and not isinstance(exception, audit.Refused):
            log_refusal(request, status=404)
        return None
