"""The embedded default: one machine, SQLite unless DATABASE_URL says otherwise, eager Celery."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DEBUG", default=True)
# A fixed development key is acceptable only here; production has no default.
SECRET_KEY = env("SECRET_KEY", default="django-insecure-local-development-key-not-for-production")
# Static files straight from the source folders: no collectstatic needed to serve.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
