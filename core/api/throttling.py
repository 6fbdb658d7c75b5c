"""Rate limiting per API token (SPEC §6): each token, and so each system, has its own allowance.

A request with a token counts against that token; a browser session against its user.
The allowance is settings.API_RATE_LIMIT (REST framework's "number/period" form); the
counters live in the default cache, which is Redis when REDIS_URL is set, so every web
process shares them. Over the limit: 429 with Retry-After, as a problem detail.
"""

from django.conf import settings
from rest_framework.authtoken.models import Token
from rest_framework.throttling import SimpleRateThrottle


class TokenRateThrottle(SimpleRateThrottle):
    scope = "token"

    def get_rate(self):
        return settings.API_RATE_LIMIT

    def get_cache_key(self, request, view):
        if isinstance(request.auth, Token):
            ident = f"token:{request.auth.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"user:{request.user.pk}"
        else:
            ident = f"anonymous:{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}
