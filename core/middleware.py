import time

from django.conf import settings
from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.utils.cache import add_never_cache_headers, patch_vary_headers


class PagesLoginRequiredMiddleware(LoginRequiredMiddleware):
    """Every page needs a signed-in user, except views marked @login_not_required.

    The API is left to DRF: it authenticates tokens as well as sessions and
    answers 401/403 rather than redirecting a system to a sign-in page.
    """

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path_info.startswith("/api/"):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)


class CacheHeadersMiddleware:
    """What a cache may keep (RFC 9111): nothing of a signed-in page, and the API's answers only to revalidate.

    API answers depend on who asks (the wall): `private, no-cache` — a browser may store one
    but must revalidate it (If-None-Match) — and `Vary` on what chooses the representation.
    Pages, CSV and PDF downloads for a signed-in user: `no-store`.
    """

    API_VARY = ("Accept", "Authorization", "Cookie")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path_info.startswith("/api/"):
            if not response.has_header("Cache-Control"):
                response["Cache-Control"] = "private, no-cache"
            patch_vary_headers(response, self.API_VARY)
        elif getattr(getattr(request, "user", None), "is_authenticated", False) and not request.path_info.startswith("/assets/"):
            add_never_cache_headers(response)  # max-age=0, no-cache, no-store, must-revalidate, private
        return response


RENEWED = "_renewed"  # the session key holding when the session's expiry was last pushed back (seconds since the epoch)


def renew(session) -> None:
    """Push the session's expiry back SESSION_COOKIE_AGE from now: SessionMiddleware saves it, with a fresh cookie."""
    session[RENEWED] = int(time.time())


class SessionRenewalMiddleware:
    """The idle time-out without a database write on every request (issue #22).

    A session ends SESSION_IDLE_MINUTES after it was last saved. Rather than saving it on every
    request (Django's SESSION_SAVE_EVERY_REQUEST: an UPDATE of the session table per page), a
    signed-in session is renewed once SESSION_RENEW_SECONDS have passed since its last renewal, so
    a session ends between IDLE and IDLE minus one minute after its last request. A request that
    changes the session anyway (a message, a sign-in) renews it in the same write.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or session.is_empty():
            return response
        if session.modified or time.time() - session.get(RENEWED, 0) >= settings.SESSION_RENEW_SECONDS:
            renew(session)
        return response
