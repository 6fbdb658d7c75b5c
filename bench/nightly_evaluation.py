"""Benchmark the nightly evaluation on PostgreSQL with real Celery workers (issue: nightly evaluation).

    .venv/bin/python bench/nightly_evaluation.py [--sizes 1000 2000 5000] [--workers 1 2] [--changed 0.05] [--pdf-sizes 1000]

Seeds live agreements (8 measures, 12 months of returns each) in a database of its own
(`noms_bench`, dropped and made again), then for each size and worker count times the
night from sending `evaluations.tasks.nightly_evaluation` through Redis to the run's
completion:

- first night: nothing evaluated before, so every agreement's PDF is rendered;
- next night: a share of the agreements (--changed) has a new return; the others keep
  their report (the figures are the same), so only the changed ones are rendered.

It prints a table: agreements, workers, night, seconds until the evaluations are stored
(the run completes: figures, summary PDF, e-mails), agreements per second, seconds until
every agreement's PDF is there too, PDFs rendered and PDFs per second (rendering stage).
At sizes whose PDFs are not timed, the workers take only the evaluation queue and the
reports queue is dropped between measurements. Needs PostgreSQL and Redis as `.ci/run` starts them.
"""

import argparse
import os
import random
import shutil
import subprocess
import sys
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATABASE = os.environ.get("BENCH_DATABASE", "noms_bench")
SERVER = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")
BROKER = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")
REPORTS = Path(os.environ.get("BENCH_REPORTS_ROOT", "/tmp/noms-bench-reports"))
ENV = {
    "DJANGO_SETTINGS_MODULE": "noms_commissioning.settings.local", "DEBUG": "false",
    "DATABASE_URL": f"{SERVER}/{DATABASE}", "REDIS_URL": BROKER, "REPORTS_ROOT": str(REPORTS),
    "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend", "EVALUATION_CHUNK_SIZE": "25",
}
MEASURES, MONTHS = 8, 12


def make_database():
    import psycopg

    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{DATABASE}"')


def setup_django():
    os.environ.update(ENV)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def seed(total: int) -> None:
    """Bring the live agreements up to `total` (bulk inserts: the services are for one record at a time)."""
    from dateutil.relativedelta import relativedelta
    from django.utils import timezone

    from contracts.models import Agreement, AgreementState, Measure, Return
    from core.models import Organisation, ServiceArea, User

    have = Agreement.objects.count()
    if have >= total:
        return
    rng = random.Random(total)
    provider, _ = Organisation.objects.get_or_create(name="Bench Provider Ltd")
    area, _ = ServiceArea.objects.get_or_create(name="Resettlement")
    manager, _ = User.objects.get_or_create(username="bench-manager", defaults={"email": "bench@example.org"})
    start = timezone.localdate().replace(day=1) - relativedelta(months=MONTHS)
    agreements = Agreement.objects.bulk_create([
        Agreement(reference=f"BENCH-{n:05d}", title=f"Bench agreement {n}", kind="contract", provider=provider, service_area=area,
                  value=Decimal(1_200_000), start_date=start, end_date=start + relativedelta(years=3), contract_manager=manager,
                  state=AgreementState.LIVE)
        for n in range(have, total)
    ], batch_size=1000)
    measures = Measure.objects.bulk_create([
        Measure(agreement=agreement, name=f"Measure {m}", target=Decimal(90), tolerance=Decimal(5), penalty_amber=Decimal(1000),
                penalty_red=Decimal(5000))
        for agreement in agreements for m in range(MEASURES)
    ], batch_size=5000)
    for first in range(0, len(measures), 5000):  # a slice of measures at a time: 50,000 agreements have 4.8 million returns
        Return.objects.bulk_create([
            Return(measure=measure, period_start=start + relativedelta(months=p), value=Decimal(rng.choice([95, 92, 88, 80])),
                   submitted_by=manager)
            for measure in measures[first:first + 5000] for p in range(MONTHS)
        ], batch_size=10000)
    # What autovacuum would do after such inserts (and must, on a real server; this machine's PostgreSQL runs with it
    # off): without statistics the planner took 4.8 million returns for a few and read them all for every chunk.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")


def change(share: float) -> int:
    """Correct the latest return of one measure in `share` of the agreements: their figures change."""
    from contracts.models import Measure, Return

    measures = list(Measure.objects.filter(name="Measure 0").order_by("?").values_list("pk", flat=True)[: int(Measure.objects.filter(name="Measure 0").count() * share)])
    for pk in measures:
        latest = Return.objects.filter(measure_id=pk).order_by("-period_start").first()
        latest.value = Decimal(latest.value) + Decimal("0.5")
        latest.save(update_fields=["value"])
    return len(measures)


def start_worker(concurrency: int, *, reports: bool):
    """A worker on the evaluation queue, and on the reports queue too when the PDFs are timed."""
    env = {**os.environ, **ENV}
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "noms_commissioning", "worker", "--concurrency", str(concurrency), "--loglevel", "WARNING",
         "--queues", "celery,reports" if reports else "celery",
         "--without-gossip", "--without-mingle", "--without-heartbeat", "--hostname", f"bench-{os.getpid()}@%h"],
        cwd=ROOT, env=env, start_new_session=True,
    )
    from noms_commissioning.celery import app

    deadline = time.monotonic() + 60
    while not app.control.ping(timeout=1):
        if time.monotonic() > deadline:
            raise SystemExit("The Celery worker did not start within 60 s.")
    return process


def stop_worker(process) -> None:
    import signal

    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=60)


def night(on, *, reports: bool) -> tuple[float, float | None, int]:
    """Send the night's run through the broker: seconds until its evaluations are stored (the run completes),
    seconds until every agreement's PDF is there too, and how many PDFs were rendered."""
    from evaluations import selectors
    from evaluations.models import EvaluationRun
    from evaluations.tasks import nightly_evaluation

    before = sum(1 for _ in REPORTS.glob("agreements/*/*.pdf"))
    began = time.monotonic()
    nightly_evaluation.delay(on.isoformat())
    while not EvaluationRun.objects.filter(on=on).exclude(status=EvaluationRun.Status.RUNNING).exists():
        time.sleep(0.2)
    evaluated = time.monotonic() - began
    if not reports:
        return evaluated, None, 0
    run = EvaluationRun.objects.get(on=on)
    while selectors.run_with_progress(run.pk).reported < selectors.run_with_progress(run.pk).done:
        time.sleep(0.5)
    return evaluated, time.monotonic() - began, sum(1 for _ in REPORTS.glob("agreements/*/*.pdf")) - before


def forget_evaluations() -> None:
    """No run, no report and no task left from the last measurement (PDFs not timed are left queued: drop them)."""
    from evaluations.models import EvaluationRun
    from noms_commissioning.celery import app

    app.control.purge()
    EvaluationRun.objects.all().delete()
    shutil.rmtree(REPORTS, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 2000, 5000])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--changed", type=float, default=0.05, help="share of agreements whose figures change before the next night")
    parser.add_argument("--pdf-sizes", type=int, nargs="*", default=None,
                        help="sizes at which to wait for every PDF and time the rendering stage (default: the smallest size)")
    options = parser.parse_args()
    make_database()
    setup_django()
    from django.utils import timezone

    today = timezone.localdate()
    pdf_sizes = set(options.pdf_sizes if options.pdf_sizes is not None else [min(options.sizes)])
    rows = []
    for size in sorted(options.sizes):
        seed(size)
        for workers in options.workers:
            forget_evaluations()
            process = start_worker(workers, reports=size in pdf_sizes)
            try:
                rows.append((size, workers, "first", *night(today, reports=size in pdf_sizes)))
                change(options.changed)
                rows.append((size, workers, f"next ({options.changed:.0%} changed)", *night(today + timedelta(days=1), reports=size in pdf_sizes)))
            finally:
                stop_worker(process)
            for row in rows[-2:]:
                done = f", reports done at {row[4]:.1f} s" if row[4] is not None else ""
                print(f"{row[0]:>6} agreements, {row[1]} worker(s), {row[2]} night: evaluated in {row[3]:.1f} s{done}", flush=True)
    print()
    print(f"{'agreements':>10} {'workers':>7} {'night':<20} {'evaluated s':>11} {'agreements/s':>12} {'all PDFs s':>10} {'PDFs':>6} {'PDFs/s':>7}")
    for size, workers, kind, evaluated, finished, pdfs in rows:
        if finished is None:
            print(f"{size:>10} {workers:>7} {kind:<20} {evaluated:>11.1f} {size / evaluated:>12.1f} {'-':>10} {'-':>6} {'-':>7}")
            continue
        rate = pdfs / (finished - evaluated) if pdfs and finished > evaluated else 0
        print(f"{size:>10} {workers:>7} {kind:<20} {evaluated:>11.1f} {size / evaluated:>12.1f} {finished:>10.1f} {pdfs:>6} {rate:>7.1f}")

if __name__ == "__main__":
    main()
