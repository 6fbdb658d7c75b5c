"""Configuration comes from the environment; production mode is hardened."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from noms_commissioning.config import celery_settings, database_settings

ROOT = Path(__file__).resolve().parents[2]


def run_manage(*args, env_overrides, settings_module):
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "ALLOWED_HOSTS", "DEBUG"}}
    env["TENDER_BOX_KEYS"] = "Rk5sT2R5dWZkQXRzZGZnaGprbHF3ZXJ0eXVpb3BhYnM="  # production needs one (tests/security covers its absence)
    env.update(env_overrides, DJANGO_SETTINGS_MODULE=settings_module)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


SHOW_SETTINGS = (
    "from django.conf import settings; import json; db = settings.DATABASES['default'];"
    "print(json.dumps({'engine': db['ENGINE'], 'name': str(db['NAME']), 'host': db.get('HOST', ''),"
    "'eager': settings.CELERY_TASK_ALWAYS_EAGER, 'broker': settings.CELERY_BROKER_URL}))"
)


def effective_settings(**env_overrides):
    result = run_manage("shell", "-c", SHOW_SETTINGS, env_overrides=env_overrides, settings_module="noms_commissioning.settings.local")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_without_database_url_the_app_uses_a_sqlite_file_in_the_project():
    config = database_settings(None, base_dir=ROOT)
    assert config["ENGINE"] == "django.db.backends.sqlite3"
    assert config["NAME"] == str(ROOT / "db.sqlite3")


def test_database_url_selects_postgresql():
    config = database_settings("postgres://noms:secret@db.internal:5433/commissioning", base_dir=ROOT)
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["HOST"], config["PORT"], config["NAME"], config["USER"]) == ("db.internal", 5433, "commissioning", "noms")
    assert config["CONN_HEALTH_CHECKS"] is True
    assert config["OPTIONS"]["options"] == "-c jit=off"
    given = database_settings("postgres://noms@db.internal/commissioning?options=-c%20statement_timeout%3D5000", base_dir=ROOT)
    assert given["OPTIONS"]["options"] == "-c statement_timeout=5000"


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="JIT is PostgreSQL's: set DATABASE_URL (CI does)")
def test_the_database_runs_without_jit_on_postgresql():
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"


def test_without_redis_url_celery_runs_tasks_eagerly_in_process():
    config = celery_settings(None)
    assert config["CELERY_TASK_ALWAYS_EAGER"] is True
    assert config["CELERY_TASK_EAGER_PROPAGATES"] is True


def test_redis_url_makes_redis_the_broker_and_result_backend():
    config = celery_settings("redis://cache.internal:6379/2")
    assert config["CELERY_TASK_ALWAYS_EAGER"] is False
    assert config["CELERY_BROKER_URL"] == config["CELERY_RESULT_BACKEND"] == "redis://cache.internal:6379/2"


def test_settings_module_reads_both_variables_from_the_environment():
    default = effective_settings()
    assert default["engine"].endswith("sqlite3") and default["eager"] is True

    scaled = effective_settings(
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/test", REDIS_URL="redis://127.0.0.1:6379/0"
    )
    assert scaled["engine"] == "django.db.backends.postgresql"
    assert scaled["host"] == "127.0.0.1"
    assert scaled["eager"] is False
    assert scaled["broker"] == "redis://127.0.0.1:6379/0"


def production_env(**overrides):
    return {"SECRET_KEY": secrets.token_urlsafe(64), "ALLOWED_HOSTS": "commissioning.justice.gov.uk", **overrides}


def test_production_settings_pass_check_deploy_with_no_warnings():
    result = run_manage(
        "check", "--deploy", "--fail-level", "WARNING",
        env_overrides=production_env(), settings_module="noms_commissioning.settings.production",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize("behind_proxy, trusted", [("", "None"), ("true", "('HTTP_X_FORWARDED_PROTO', 'https')")])
def test_the_forwarded_protocol_is_trusted_only_behind_a_proxy_that_says_so(behind_proxy, trusted):
    result = run_manage(
        "shell", "-c", "from django.conf import settings; print(settings.SECURE_PROXY_SSL_HEADER)",
        env_overrides=production_env(BEHIND_PROXY=behind_proxy), settings_module="noms_commissioning.settings.production",
    )
    assert result.stdout.strip().splitlines()[-1] == trusted, result.stderr


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"SECRET_KEY": ""}, "SECRET_KEY"),
        ({"ALLOWED_HOSTS": "*"}, "ALLOWED_HOSTS"),
    ],
)
def test_production_refuses_to_start_without_a_secret_or_with_any_host(overrides, message):
    result = run_manage("check", env_overrides=production_env(**overrides), settings_module="noms_commissioning.settings.production")
    assert result.returncode != 0
    assert message in result.stderr


@pytest.mark.django_db
def test_migrations_are_committed():
    # Raises SystemExit(1) when a model change has no migration.
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def test_web_and_worker_processes_leave_start_up_objects_out_of_garbage_collections():
    """Issue #22: gunicorn (gunicorn.conf.py, read from the working directory) and Celery's worker processes freeze what start-up made."""
    import gc
    import runpy

    from celery.signals import worker_process_init
    from django.conf import settings

    from noms_commissioning.celery import freeze_start_up_objects

    config = runpy.run_path(str(settings.BASE_DIR / "gunicorn.conf.py"))
    try:
        gc.unfreeze()
        config["post_worker_init"](worker=None)
        assert gc.get_freeze_count() > 1000
        gc.unfreeze()
        assert freeze_start_up_objects in [receiver() for _, receiver in worker_process_init.receivers]
        freeze_start_up_objects()
        assert gc.get_freeze_count() > 1000
    finally:
        gc.unfreeze()
