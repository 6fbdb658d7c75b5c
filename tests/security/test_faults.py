"""Faults the service survives (issue #15): Redis gone, the database connection lost, the broker down, a night stalled.

Each fault is made for real where it can be: a Redis server of the test's own on another
port, stopped mid-test; the request's database connection terminated by PostgreSQL itself
(pg_terminate_backend from a second connection) while the request runs; a broker address
nothing listens on. The nightly run's recovery from a dead worker is tested here with the
tasks run eagerly, and through a real worker killed with SIGKILL in
tests/evaluations/test_worker_integration.py.
"""

import datetime
import logging
import subprocess
import sys
import time

import pytest
from django.conf import settings
from django.db import connection, connections
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from core.api.throttling import TokenRateThrottle
from core.roles import Role
from tests.conftest import free_port
from tests.core.factories import UserFactory


@pytest.mark.django_db
def test_with_redis_stopped_the_api_keeps_serving_and_the_rate_limiter_fails_open(own_redis, settings, caplog):
    process, url = own_redis
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url,
                                   "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}}}
    settings.API_RATE_LIMIT = "1000/minute"
    api = APIClient()
    api.force_authenticate(UserFactory(roles=[Role.PROCUREMENT]))
    assert api.get("/api/v1/organisations/").status_code == 200  # counted in Redis
    process.kill()
    process.wait()
    before = TokenRateThrottle.fail_open_count
    with caplog.at_level(logging.WARNING, logger="core.api.throttling"):
        for path in ("/api/v1/organisations/", "/api/v1/competitions/", "/api/schema/"):
            response = api.get(path)
            assert response.status_code == 200, (path, response.status_code)
    assert TokenRateThrottle.fail_open_count >= before + 2
    assert "Rate limit not applied" in caplog.text


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="terminates a PostgreSQL backend (CI sets DATABASE_URL)")
@pytest.mark.parametrize("path,expected_type", [("/api/v1/competitions/", "application/problem+json"), ("/competitions/", "text/html")])
def test_a_database_connection_lost_mid_request_answers_503(migrated_rows, monkeypatch, path, expected_type):
    from competitions import selectors

    user = UserFactory(roles=[Role.COMMISSIONER])
    original = selectors.competition_list

    def list_after_the_connection_is_killed(**kwargs):
        pid = connection.cursor().connection.info.backend_pid
        other = connections.create_connection("default")
        with other.cursor() as cursor:  # PostgreSQL itself ends the request's connection
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
        other.close()
        return original(**kwargs)

    monkeypatch.setattr(selectors, "competition_list", list_after_the_connection_is_killed)
    client = Client(raise_request_exception=False)
    client.force_login(user)
    if path.startswith("/api/"):
        client = APIClient(raise_request_exception=False)
        client.force_authenticate(user)
    response = client.get(path)
    assert response.status_code == 503 and response["Content-Type"].startswith(expected_type)
    assert response["Retry-After"]
    assert b"Nothing" in response.content or b"Nothing was saved" in response.content
    connections.close_all()  # the test's own connection went with it: the next query reconnects


def test_queueing_a_night_with_the_broker_down_exits_with_one_clear_line(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "noms_commissioning.settings.local",
           "REDIS_URL": f"redis://127.0.0.1:{free_port()}/0", "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    started = time.monotonic()
    finished = subprocess.run([sys.executable, "manage.py", "run_evaluation", "--queue"], cwd=settings.BASE_DIR, env=env,
                              capture_output=True, text=True, timeout=120)
    assert finished.returncode == 1
    lines = [line for line in finished.stderr.splitlines() if line.strip() and not line.startswith("AXES")]
    assert len(lines) == 1 and lines[0].startswith("CommandError: Could not reach the Celery broker"), finished.stderr
    assert time.monotonic() - started < 60


# --- the nightly run: stalled, re-run, never over 100 %, never "Completed" early ------------------------------

@pytest.mark.django_db
def test_a_stalled_run_is_resumed_and_completed_by_the_next_beat_tick(people, settings):
    from evaluations import services, tasks
    from evaluations.models import Evaluation, EvaluationRun
    from tests.contracts.test_pages import add_measure, fresh, go_live, make_agreement, submit

    for n in range(3):
        agreement = make_agreement(people, reference=f"STALL-{n}")
        add_measure(agreement, people)
        go_live(agreement, people)
        submit(fresh(agreement).measures.get(), people, ["95"])
    night = timezone.localdate()
    run, ids = services.run_start(night)
    services.evaluate_agreements(run, ids[:1])  # then the worker died: two agreements never evaluated
    EvaluationRun.objects.filter(pk=run.pk).update(heartbeat_at=timezone.now() - datetime.timedelta(minutes=settings.EVALUATION_STALL_MINUTES + 1))
    assert tasks.resume_stalled_runs() == [{"run": run.pk, "evaluate_chunks": 1}]
    run.refresh_from_db()
    assert run.status == EvaluationRun.Status.COMPLETED and run.finished_at
    assert Evaluation.objects.filter(run=run).count() == 3 and not Evaluation.objects.filter(run=run, pdf="").exists()
    assert tasks.resume_stalled_runs() == []  # nothing left to resume


@pytest.mark.django_db
def test_a_run_is_not_completed_before_its_reports_are_in_and_never_counts_over_100_percent(people):
    from contracts import services as contract_services
    from evaluations import selectors, services
    from evaluations.models import EvaluationRun
    from tests.contracts.test_pages import add_measure, fresh, go_live, make_agreement

    agreements = []
    for n in range(3):
        agreement = make_agreement(people, reference=f"RERUN-{n}")
        add_measure(agreement, people)
        go_live(agreement, people)
        agreements.append(fresh(agreement))
    night = timezone.localdate()
    run, ids = services.run_start(night)
    services.evaluate_agreements(run, ids)
    run = services.run_finish(run)
    assert run.status == EvaluationRun.Status.RENDERING and run.finished_at is None  # reports still to write
    services.render_reports(run, ids)
    run.refresh_from_db()
    assert run.status == EvaluationRun.Status.COMPLETED
    # Two agreements end; the night is run again.
    for agreement in agreements[:2]:
        contract_services.agreement_terminate(agreement=fresh(agreement), actor=people["procurement"], reason="Ended")
    services.run_in_process(night)
    run = selectors.run_with_progress(EvaluationRun.objects.get(on=night).pk)
    assert (run.done, run.total) == (3, 3)


@pytest.mark.django_db
def test_rendering_a_night_twice_leaves_one_file_per_report(people):
    from evaluations import services
    from evaluations.models import reports_storage
    from tests.contracts.test_pages import add_measure, go_live, make_agreement

    agreement = make_agreement(people, reference="TWICE-1")
    add_measure(agreement, people)
    go_live(agreement, people)
    night = timezone.localdate()
    run, ids = services.run_start(night)
    services.evaluate_agreements(run, ids)
    services.run_finish(run)
    services.render_reports(run, ids)
    services.render_reports(run, ids)  # a retried chunk
    services.run_in_process(night)  # and the whole night again
    storage = reports_storage()
    _folders, files = storage.listdir(f"agreements/{agreement.reference}")
    assert len(files) == 1, files
    assert storage.listdir("summaries")[1] == [f"{night.isoformat()}.pdf"]
