"""Settings shared by every mode; values that differ per machine come from the environment."""

from pathlib import Path

import environ
from celery.schedules import crontab
from kombu import Queue

from noms_commissioning.config import celery_settings, database_settings

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env("SECRET_KEY", default="")  # each mode decides whether a default is allowed
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# Where the service is reached: links in e-mails point here.
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "guardian",
    "django_celery_beat",
    "pgtrigger",  # append-only tables refused UPDATE and DELETE by the database (core/append_only.py)
    "core",
    "cycle",
    "competitions",
    "contracts",
    "evaluations",
    "governance",
    "boards",  # governance bodies, meetings, papers and decisions (below the product apps)
    "ethical_walls",
    "ocds",
    "suppliers",
    "scenarios",  # the demo data (seed_demo): the top layer
    "axes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Cache-Control and Vary on every answer: no-store for signed-in pages, private revalidation for the API.
    "core.middleware.CacheHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Renews a signed-in session's idle time-out once a minute, not with a write on every request.
    "core.middleware.SessionRenewalMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Every page needs a signed-in user unless marked @login_not_required.
    "core.middleware.PagesLoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Every refusal (404 for a hidden record, 403 for a role) is a refused attempt in the audit log.
    "ethical_walls.middleware.AuditRefusalsMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last: it answers a locked-out sign-in (django-axes).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "noms_commissioning.urls"
WSGI_APPLICATION = "noms_commissioning.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.service_navigation",
            ],
        },
    },
]

DATABASES = {"default": database_settings(env("DATABASE_URL", default=None), base_dir=BASE_DIR)}
# PostgreSQL: the role the web and worker processes connect as (neither superuser nor owner). After every
# migrate the owner grants it what it may do, append-only tables SELECT and INSERT only (core/database_roles.py).
DATABASE_APP_ROLE = env("DATABASE_APP_ROLE", default="")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out sign-in before the password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
# No anonymous user row: every page needs a signed-in user.
ANONYMOUS_USER_NAME = None
GUARDIAN_MONKEY_PATCH_USER = False

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
# Sessions end after SESSION_IDLE_MINUTES without a request: a request renews the session once
# SESSION_RENEW_SECONDS have passed since it was last renewed (core.middleware.SessionRenewalMiddleware),
# not with a write on every request.
SESSION_COOKIE_AGE = 60 * env.int("SESSION_IDLE_MINUTES", default=30)
SESSION_RENEW_SECONDS = env.int("SESSION_RENEW_SECONDS", default=60)
# How long a supplier administrator's invitation link works (suppliers.services.invitation_from_token).
SUPPLIER_INVITATION_DAYS = env.int("SUPPLIER_INVITATION_DAYS", default=7)
# Each person's inbox (core/inbox.py) lists deadlines this many days ahead.
INBOX_HORIZON_DAYS = env.int("INBOX_HORIZON_DAYS", default=30)
# How long the navigation's count of waiting work is kept between builds of the inbox (the home page rebuilds it); 0: every page.
INBOX_COUNT_SECONDS = env.int("INBOX_COUNT_SECONDS", default=60)
# The sealed tender box (core/sealing.py): Fernet keys, newest first; production requires them.
TENDER_BOX_KEYS = env.list("TENDER_BOX_KEYS", default=[])
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Request bodies held in memory; larger uploads stream to disk and core.uploads caps their size.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# django-axes: after AXES_FAILURE_LIMIT failed sign-ins for one username from one address,
# that pair is locked out for AXES_COOLOFF_MINUTES (the answer is 429 and a page saying so).
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.int("AXES_COOLOFF_MINUTES", default=30) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]

# Content Security Policy (django-csp): our own origin only, no inline script or style.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

# GOV.UK Frontend's compiled CSS asks for /assets/fonts/… and /assets/images/…,
# so the static files are served under /assets/.
STATIC_URL = "/assets/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
    # Nightly evaluation PDFs: never served from MEDIA_URL, only through the report views.
    "reports": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": env("REPORTS_ROOT", default=str(Path(str(MEDIA_ROOT)) / "reports")), "base_url": None},
    },
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "core.api.authentication.CachedTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # JSON, and the browsable API without its forms: they were pre-filled from unwalled serializers
    # (core/api/renderers.py).
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "core.api.renderers.WalledBrowsableAPIRenderer",
    ],
    # JSON bodies, with limits (size, depth, valid Unicode); multipart only where a file is uploaded (a return's
    # evidence), declared by that view. One media type a body keeps generated clients simple (issue #15).
    "DEFAULT_PARSER_CLASSES": ["core.api.parsers.JSONParser"],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "core.api.parsers.ContentNegotiation",
    "DEFAULT_PAGINATION_CLASS": "core.api.pagination.Pagination",
    "PAGE_SIZE": 25,
    "DEFAULT_THROTTLE_CLASSES": ["core.api.throttling.TokenRateThrottle"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # One error format everywhere: RFC 9457 problem details (core/api/exceptions.py), every refusal
    # logged in the audit log (ethical_walls/api/exceptions.py).
    "EXCEPTION_HANDLER": "ethical_walls.api.exceptions.audited_problem_details_handler",
}
SPECTACULAR_SETTINGS = {
    # OpenAPI 3.1: a nullable reference is `oneOf: [$ref, {type: null}]`, which validators and generated clients read
    # as it is meant (3.0's `allOf` + `nullable` is read as never null).
    "OAS_VERSION": "3.1.0",
    # Request bodies as components of their own: a file is `format: binary` there (what a client sends), not a URI.
    "COMPONENT_SPLIT_REQUEST": True,
    "TITLE": "NOMS Commissioning API",
    "DESCRIPTION": "The MoJ Procurement interface to offender-services commissioning.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Enums as components (drf-spectacular's default hook), then every error each operation can
    # answer, as problem details (core/api/schema.py).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.api.schema.document_problem_responses",
    ],
}

# The largest JSON request body the API reads (413 beyond); files come as multipart (core/uploads.py: 10 MB).
API_MAX_JSON_BYTES = env.int("API_MAX_JSON_BYTES", default=1_000_000)
# Lists (API and pages) count their rows exactly up to this many, and say "more than" beyond it (core/pagination.py):
# counting 1,000 keys costs about a millisecond, 10,000 five to twenty (issue #22, measured at ten times the data).
LIST_COUNT_LIMIT = env.int("LIST_COUNT_LIMIT", default=1_000)

REDIS_URL = env("REDIS_URL", default=None)
# An API token's user and roles are kept in the shared cache this long (core/api/authentication.py); 0: read every
# request. Only with Redis by default: without it each process keeps its own copy, which a revocation cannot reach.
API_TOKEN_CACHE_SECONDS = env.int("API_TOKEN_CACHE_SECONDS", default=60 if REDIS_URL else 0)
_celery = celery_settings(REDIS_URL)
# Requests per token (or signed-in user) per second, minute, hour or day: core/api/throttling.py.
API_RATE_LIMIT = env("API_RATE_LIMIT", default="1200/minute")
# Shared by every process when Redis is there (rate-limit counters); in-process otherwise.
CACHES = {
    # Short timeouts: with Redis unreachable the rate limiter fails open at once (core/api/throttling.py).
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL,
                "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}}
    if REDIS_URL else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
}

CELERY_TASK_ALWAYS_EAGER = _celery["CELERY_TASK_ALWAYS_EAGER"]
CELERY_TASK_EAGER_PROPAGATES = _celery.get("CELERY_TASK_EAGER_PROPAGATES", False)
CELERY_BROKER_URL = _celery["CELERY_BROKER_URL"]
CELERY_RESULT_BACKEND = _celery["CELERY_RESULT_BACKEND"]
CELERY_TASK_ACKS_LATE = True
# A task whose worker process dies is put back on the queue, not lost (nor acknowledged).
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Redis hands an unacknowledged task to another worker after this many seconds: longer than the
# slowest task (a chunk of PDFs), or a task still being worked on would be run twice (harmless here:
# every step is idempotent, but wasted). A whole worker killed is noticed sooner: resume_stalled_runs.
CELERY_VISIBILITY_TIMEOUT = env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_VISIBILITY_TIMEOUT}
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_VISIBILITY_TIMEOUT}
CELERY_TIMEZONE = TIME_ZONE
# Agreement PDFs (the slow part of the night) have a queue of their own, so the evaluations of a
# night never wait behind the previous night's rendering. A worker started without -Q takes both
# queues; `-Q reports` or `-Q celery` dedicates one.
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_QUEUES = (Queue("celery", routing_key="celery"), Queue("reports", routing_key="reports"))
CELERY_TASK_ROUTES = {"evaluations.tasks.render_reports": {"queue": "reports"}}
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# The nightly evaluation (evaluations.tasks.nightly_evaluation): local time, HH:MM.
EVALUATION_TIME = env("EVALUATION_TIME", default="02:00")
# Agreements per task when the nightly run fans out (more workers finish sooner).
EVALUATION_CHUNK_SIZE = env.int("EVALUATION_CHUNK_SIZE", default=50)
# A run with no chunk finished for this long is taken to have lost its worker and is resumed.
EVALUATION_STALL_MINUTES = env.int("EVALUATION_STALL_MINUTES", default=15)
_evaluation_hour, _evaluation_minute = (int(part) for part in EVALUATION_TIME.split(":"))
# Notifications (core/notifications.py): the morning digest's time, local HH:MM.
_digest_hour, _digest_minute = (int(part) for part in env("NOTIFY_DIGEST_TIME", default="07:00").split(":"))
# Synced into django-celery-beat's schedule when beat starts.
CELERY_BEAT_SCHEDULE = {
    "nightly-evaluation": {
        "task": "evaluations.tasks.nightly_evaluation",
        "schedule": crontab(hour=_evaluation_hour, minute=_evaluation_minute),
    },
    "expire-agreements": {"task": "contracts.tasks.expire_agreements", "schedule": 60 * 60 * 24},
    "publish-due-performance-notices": {"task": "contracts.tasks.publish_due_performance_notices", "schedule": 60 * 60 * 24},
    "resume-stalled-evaluation-runs": {"task": "evaluations.tasks.resume_stalled_runs", "schedule": 60 * 5},
    "notify": {"task": "core.tasks.notify", "schedule": 60 * env.int("NOTIFY_EVERY_MINUTES", default=5)},
    "notify-digests": {"task": "core.tasks.notify_digests", "schedule": crontab(hour=_digest_hour, minute=_digest_minute)},
}

# Open Contracting: OCIDs are "<publisher prefix>-<competition reference>".
OCID_PREFIX = env("OCID_PREFIX", default="ocds-noms01")
# Gateway delivery confidence: "five_point" (Green … Red) or "three_point" (Red/Amber/Green, MPA since 2021).
DELIVERY_CONFIDENCE_SCALE = env("DELIVERY_CONFIDENCE_SCALE", default="five_point")

# Ethical wall, rule 3: months after commissioning-side work before joining a bid team.
WALL_QUARANTINE_MONTHS = env.int("WALL_QUARANTINE_MONTHS", default=6)

EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
# GOV.UK Notify (core/notifications.py): with an API key, notifications go through Notify's e-mail template
# (which shows the `subject` and `body` personalisation); without one, through EMAIL_BACKEND.
NOTIFY_API_KEY = env("NOTIFY_API_KEY", default="")
NOTIFY_BASE_URL = env("NOTIFY_BASE_URL", default="https://api.notifications.service.gov.uk")
NOTIFY_TEMPLATE_ID = env("NOTIFY_TEMPLATE_ID", default="")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="noms-commissioning@justice.gov.uk")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    # WeasyPrint and fontTools narrate every PDF at INFO; keep their warnings only.
    "loggers": {
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
