"""Rate limiting per API token (SPEC §6): each token, and so each system, has its own allowance.

A request with a token counts against that token; a browser session against its user.
The allowance is settings.API_RATE_LIMIT (REST framework's "number/period" form); the
counters live in the default cache, which is Redis when REDIS_URL is set, so every web
process shares them. Over the limit: 429 with Retry-After, as a problem detail.

With Redis, a request costs one round trip to it (issue #22): a small Lua script drops the
window's expired entries, counts the rest and, under the limit, records the request — in one
EVALSHA, atomically, where REST framework's own throttle reads the history and writes it back
(two round trips, and two processes could both read the same history). The window is the
same sliding one: at most `number` requests in any `period`. Without Redis (the embedded
default) REST framework's throttle keeps the counters in the process.

If the cache cannot be reached (Redis down), the limiter fails open: the request is
served, a warning is logged and `fail_open_count` counts it — an outage of the counters
must not become an outage of the API.
"""

import logging
import time
import uuid
from typing import Any

from django.conf import settings
from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from django.core.cache.backends.redis import RedisCache
from rest_framework.authtoken.models import Token
from rest_framework.throttling import SimpleRateThrottle

# KEYS[1]: the counter; ARGV: now, the window in seconds, the allowance, a unique member for this request.
# Answers {1, ""} when the request is allowed (and recorded), {0, oldest} when not.
SLIDING_WINDOW = """
local key, now, window, limit = KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
if redis.call('ZCARD', key) >= limit then
  return {0, redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')[2]}
end
redis.call('ZADD', key, now, ARGV[4])
redis.call('EXPIRE', key, math.ceil(window))
return {1, ''}
"""

logger = logging.getLogger(__name__)
_scripts: dict[Any, Any] = {}  # the script registered on each of the process's Redis connection pools


def _sliding_window(backend: RedisCache) -> Any:
    """The script, bound to a client of the cache's (write) connection pool: made once per pool, not per request."""
    pool = backend._cache._get_connection_pool(write=True)
    script = _scripts.get(pool)
    if script is None:
        script = _scripts[pool] = backend._cache._client(connection_pool=pool).register_script(SLIDING_WINDOW)
    return script


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
            backend = caches[DEFAULT_CACHE_ALIAS]
            if isinstance(backend, RedisCache):
                return self._allow_in_one_round_trip(backend, request, view)
            return super().allow_request(request, view)
        except Exception as error:  # noqa: BLE001 - whatever the cache backend raises (redis ConnectionError, timeouts)
            TokenRateThrottle.fail_open_count += 1
            logger.warning("Rate limit not applied (the counters' cache cannot be reached): %s: %s", type(error).__name__, error)
            return True

    def _allow_in_one_round_trip(self, backend: RedisCache, request: Any, view: Any) -> bool:
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        key = backend.make_and_validate_key(self.key)
        now = time.time()
        allowed, oldest = _sliding_window(backend)(
            keys=[key], args=[repr(now), self.duration, self.num_requests, f"{now!r}:{uuid.uuid4().hex[:8]}"])
        self._retry_after = None if allowed else max(self.duration - (now - float(oldest)), 1.0)
        return bool(allowed)

    def wait(self):
        retry_after = getattr(self, "_retry_after", None)
        return retry_after if retry_after is not None else super().wait()
