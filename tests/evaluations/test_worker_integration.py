"""The nightly evaluation through a real Redis broker and a real Celery worker process (SPEC §5).

Runs whenever REDIS_URL is set (CI sets it) on PostgreSQL, which the worker process can
share: the test's data is committed (transactional_db) and the worker, started against the
test database, the broker and the test's report storage, does the work. The unit tests
run the same tasks eagerly.
"""

import os
import signal
import subprocess
import sys
import time
from urllib.parse import urlsplit, urlunsplit

import pytest
from celery import Celery
from django.conf import settings
from django.core import mail
from django.db import connection
from django.utils import timezone

from evaluations import selectors
from evaluations.models import Evaluation, EvaluationRun, reports_storage
from tests.contracts.test_pages import add_measure, fresh, go_live, make_agreement, submit
from tests.pdf import pdf_text

pytestmark = [
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True),  # the worker process reads committed data
    pytest.mark.skipif(not settings.REDIS_URL, reason="needs a Redis broker: set REDIS_URL (CI does)"),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the worker process must share the test database: PostgreSQL"),
]
INTEGRATION_REDIS_DB = "/14"  # a database of its own on the broker, so no other worker takes the tasks
TIMEOUT = 120


def _broker_url() -> str:
    parts = urlsplit(settings.REDIS_URL)
    return urlunsplit(parts._replace(path=INTEGRATION_REDIS_DB))


def _database_url() -> str:
    db = connection.settings_dict
    credentials = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def worker_environment() -> dict:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "noms_commissioning.settings.local",  # not the test settings: those run tasks eagerly
        "DATABASE_URL": _database_url(), "REDIS_URL": _broker_url(),
        "REPORTS_ROOT": str(settings.STORAGES["reports"]["OPTIONS"]["location"]),
        "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend", "EVALUATION_CHUNK_SIZE": "2",
        # The first worker's unacknowledged tasks come back soon after it is killed.
        "CELERY_VISIBILITY_TIMEOUT": "5",
    }


@pytest.fixture
def worker(migrated_rows):
    # A worker some earlier run left on this broker database would take the tasks: ask any to stop first.
    stale = Celery("integration-test-cleanup", broker=_broker_url())
    stale.control.shutdown()
    stale.close()
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "noms_commissioning", "worker", "--concurrency", "2", "--pool", "prefork",
         "--loglevel", "INFO", "--without-gossip", "--without-mingle", "--without-heartbeat", "--hostname", f"integration-{os.getpid()}@%h"],
        cwd=settings.BASE_DIR, env=worker_environment(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
    )
    app = Celery("integration-test", broker=_broker_url(), backend=_broker_url())
    app.control.purge()
    try:
        yield app, process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                pass
        try:
            os.killpg(process.pid, signal.SIGKILL)  # the pool's children too, whatever the parent did
        except ProcessLookupError:
            pass
        process.wait()
        app.close()


def test_a_real_worker_runs_the_nightly_evaluation_through_the_broker(worker, people):
    app, process = worker
    references = []
    for n in range(5):
        agreement = make_agreement(people, reference=f"INT-{n}")
        add_measure(agreement, people)
        go_live(agreement, people)
        submit(fresh(agreement).measures.get(), people, ["95", "80"] if n == 0 else ["95", "96"])
        references.append(agreement.reference)
    night = timezone.localdate()

    result = app.send_task("evaluations.tasks.nightly_evaluation", args=[night.isoformat()])
    assert result.get(timeout=TIMEOUT) == {"run": EvaluationRun.objects.get(on=night).pk, "on": night.isoformat(), "agreements": 5, "chunks": 3}
    deadline = time.monotonic() + TIMEOUT
    while True:  # the evaluations first, then the reports' second fan-out
        run = selectors.run_with_progress(EvaluationRun.objects.get(on=night).pk)
        if run.status != EvaluationRun.Status.RUNNING and run.reported == run.done:
            break
        assert process.poll() is None, process.stdout.read()
        assert time.monotonic() < deadline, "the worker did not finish the run in time"
        time.sleep(0.5)

    assert (run.status, run.total, run.done, run.failed, run.reported) == (EvaluationRun.Status.COMPLETED, 5, 5, 0, 5)
    assert sorted(Evaluation.objects.values_list("agreement__reference", flat=True)) == references
    assert "INT-0" in pdf_text(Evaluation.objects.get(agreement__reference="INT-0").pdf.read())
    assert "5 of 5 running agreements evaluated" in pdf_text(run.summary_pdf.read())
    assert run.evaluations.get(agreement__reference="INT-0").notifications.get().status == "sent"
    assert mail.outbox == []  # the worker sent it, not this process


def start_worker(app_env: dict):
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "noms_commissioning", "worker", "--concurrency", "2", "--pool", "prefork",
         "--loglevel", "INFO", "--without-gossip", "--without-mingle", "--without-heartbeat", "--hostname", f"integration-{time.monotonic_ns()}@%h"],
        cwd=settings.BASE_DIR, env=app_env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )


def kill_hard(process) -> None:
    """SIGKILL the whole worker, parent and pool: nothing acknowledges, nothing cleans up."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait()


@pytest.mark.parametrize("moment", ["mid-chunk", "mid-render"])
def test_a_worker_killed_mid_night_leaves_a_run_that_is_resumed_and_completed(worker, people, moment):
    """The whole worker is SIGKILLed while it evaluates (or renders); a new worker and the next beat tick finish the night:
    every agreement evaluated once, every report written once, no file left over, and "Completed" only then."""
    app, first = worker
    for n in range(8):
        agreement = make_agreement(people, reference=f"KILL-{n}")
        add_measure(agreement, people)
        go_live(agreement, people)
        submit(fresh(agreement).measures.get(), people, ["95", "70" if n % 2 else "96"])
    night = timezone.localdate()
    app.send_task("evaluations.tasks.nightly_evaluation", args=[night.isoformat()])
    deadline = time.monotonic() + TIMEOUT
    while True:
        run = EvaluationRun.objects.filter(on=night).first()
        evaluated = Evaluation.objects.filter(run__on=night)
        ready = evaluated.exists() if moment == "mid-chunk" else evaluated.exclude(pdf="").exists()
        if run is not None and ready:
            break
        assert time.monotonic() < deadline, "the worker did not start the night"
        time.sleep(0.05)
    kill_hard(first)
    run = EvaluationRun.objects.get(on=night)
    assert run.status != EvaluationRun.Status.COMPLETED or Evaluation.objects.filter(run=run).count() == 8

    env = {**worker_environment(), "EVALUATION_STALL_MINUTES": "0"}
    second = start_worker(env)
    try:
        deadline = time.monotonic() + TIMEOUT
        while True:
            app.send_task("evaluations.tasks.resume_stalled_runs").get(timeout=TIMEOUT)  # the beat tick
            run = selectors.run_with_progress(EvaluationRun.objects.get(on=night).pk)
            if run.status == EvaluationRun.Status.COMPLETED:
                break
            assert time.monotonic() < deadline, f"the run was not resumed: {run.status}, {run.done} of {run.total}"
            time.sleep(1)
    finally:
        kill_hard(second)
    assert (run.done, run.total, run.failed, run.reported) == (8, 8, 0, 8)
    storage = reports_storage()
    files = [name for reference in Evaluation.objects.values_list("agreement__reference", flat=True)
             for name in storage.listdir(f"agreements/{reference}")[1]]
    assert sorted(files) == sorted(name.rsplit("/", 1)[-1] for name in Evaluation.objects.values_list("pdf", flat=True))
    assert storage.listdir("summaries")[1] == [f"{night.isoformat()}.pdf"]
