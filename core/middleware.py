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
