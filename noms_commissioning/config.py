"""Turn environment values into Django and Celery settings.

Kept apart from the settings modules so the switch between the embedded
default (SQLite, eager Celery) and the scaled-out deployment (PostgreSQL,
Redis broker, real workers) can be tested without re-importing settings.
"""

from pathlib import Path

import environ


def database_settings(database_url: str | None, *, base_dir: Path) -> dict:
    """The `default` database: `DATABASE_URL` when given, else a SQLite file."""
    if not database_url:
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(base_dir / "db.sqlite3"),
            # Several requests (and the eager Celery tasks they queue) share one
            # file: wait for a lock rather than fail at once.
            "OPTIONS": {"timeout": 20},
        }
    config = environ.Env.db_url_config(database_url)
    if config["ENGINE"] == "django.db.backends.postgresql":
        config.setdefault("CONN_MAX_AGE", 60)
        config["CONN_HEALTH_CHECKS"] = True
        # The pages' queries are short: PostgreSQL's JIT compiles the wall's EXISTS counts for
        # longer (about 80 ms at bench/load's scale) than they take to run. A `?options=` in
        # DATABASE_URL replaces this.
        config.setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
    return config


def celery_settings(redis_url: str | None) -> dict:
    """Celery runs tasks in-process without a broker, or through Redis with one."""
    if not redis_url:
        return {
            "CELERY_TASK_ALWAYS_EAGER": True,
            "CELERY_TASK_EAGER_PROPAGATES": True,
            "CELERY_BROKER_URL": "memory://",
            "CELERY_RESULT_BACKEND": "cache+memory://",
        }
    return {
        "CELERY_TASK_ALWAYS_EAGER": False,
        "CELERY_BROKER_URL": redis_url,
        "CELERY_RESULT_BACKEND": redis_url,
    }
