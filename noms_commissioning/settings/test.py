"""Tests: like local, but quick password hashing and mail kept in memory."""

from .local import *  # noqa: F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = BASE_DIR / "test-artifacts" / "media"  # noqa: F405
STORAGES = {**STORAGES, "reports": {**STORAGES["reports"], "OPTIONS": {"location": MEDIA_ROOT / "reports", "base_url": None}}}  # noqa: F405
# Unit tests run Celery tasks eagerly even when REDIS_URL names a broker (as in CI);
# the integration test that needs a real worker configures its own app.
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
# Each test its own in-process cache; the rate-limit tests set API_RATE_LIMIT low themselves.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
API_RATE_LIMIT = "100000/minute"
# API token look-ups read the database, so query counts do not depend on a test's order; the kept look-up
# is tested on its own (tests/api_contract/test_token_cache.py).
API_TOKEN_CACHE_SECONDS = 0
# Page query counts include the inbox's (tests/core/queries.py); its kept count is tested on its own (tests/core/test_inbox.py).
INBOX_COUNT_SECONDS = 0
# Sign-ins narrated at INFO by django-axes drown a failing test's own output.
AXES_VERBOSE = False
LOGGING = {**LOGGING, "loggers": {**LOGGING["loggers"], "axes": {"level": "WARNING"}}}  # noqa: F405
