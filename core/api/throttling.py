"""Rate limiting per API token (SPEC §6): each token, and so each system, has its own allowance.

A request with a token counts against that token; a browser session against its user.
The allowance is settings.API_RATE_LIMIT (REST framework's "number/period" form); the
counters live in the default cache, which is Redis when REDIS_URL is set, so every web
process shares them. Over the limit: 429 with Retry-After, as a problem detail.

If the cache cannot be reached (Redis down), the limiter fails open: the request is
served, a warning is logged and `fail_open_count` counts it — an outage of the counters
must not become an outage of the API.
"""

import logging

from django.conf import settings
from rest_framework.authtoken.models import Token
from rest_framework.throttling import SimpleRateThrottle

logger = logging.getLogger(__name__)


class TokenRateThrottle(SimpleRateThrottle):
    scope = "token"
    fail_open_count = 0  # requests let through unmetered because the counters could not be reached

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

    def allow_request(self, request, view):
        try:
            return super().allow_request(request, view)
        except Exception as error:  # noqa: BLE001 - whatever the cache backend raises (redis ConnectionError, timeouts)
            TokenRateThrottle.fail_open_count += 1
            logger.warning("Rate limit not applied (the counters' cache cannot be reached): %s: %s", type(error).__name__, error)
            return True
