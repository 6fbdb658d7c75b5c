"""The nightly evaluation as Celery tasks: start, fan the agreements out in chunks, finish, then render.

The evaluations (the figures the pages, the summary and the e-mails need) come first;
the agreements' PDF reports follow as a second fan-out, so a slow renderer never holds
the night's figures back.

`nightly_evaluation` runs at settings.EVALUATION_TIME (django-celery-beat). Chunks are
acknowledged late and re-queued when their worker dies (`reject_on_worker_lost`), and
retried on database errors; every step is idempotent (`evaluations.services`).

When a whole worker is killed, the broker hands its unacknowledged tasks to another worker
only after the visibility timeout (CELERY_VISIBILITY_TIMEOUT); `resume_stalled_runs`, on
every beat tick, does not wait that long: a run silent for EVALUATION_STALL_MINUTES has its
missing agreements evaluated, its summary written and its missing reports rendered again.
A run is "Completed" only once every report is in.
"""

from datetime import date

from celery import chord, group, shared_task
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from evaluations import selectors, services
from evaluations.models import EvaluationRun


@shared_task
def nightly_evaluation(on: str | None = None) -> dict:
    """Evaluate every running agreement for the night `on` (ISO date; today by default)."""
    night = date.fromisoformat(on) if on else timezone.localdate()
    run, ids = services.run_start(night)
    parts = services.chunks(ids)
    if not parts:
        finish_evaluation.delay(run.pk)
    else:
        chord(evaluate_chunk.si(run.pk, part) for part in parts)(finish_evaluation.si(run.pk))
    return {"run": run.pk, "on": night.isoformat(), "agreements": len(ids), "chunks": len(parts)}


@shared_task(acks_late=True, reject_on_worker_lost=True, autoretry_for=(OperationalError, InterfaceError),
             retry_backoff=True, max_retries=5)
def evaluate_chunk(run_id: int, ids: list[int]) -> dict:
    evaluated, failed = services.evaluate_agreements(EvaluationRun.objects.get(pk=run_id), ids)
    return {"evaluated": evaluated, "failed": failed}


@shared_task(acks_late=True, reject_on_worker_lost=True, autoretry_for=(OperationalError, InterfaceError),
             retry_backoff=True, max_retries=5)
def finish_evaluation(run_id: int) -> dict:
    run = services.run_finish(EvaluationRun.objects.get(pk=run_id))
    parts = services.chunks(selectors.agreements_without_report(run))
    if parts:
        group(render_reports.si(run.pk, part) for part in parts).delay()
    return {"run": run.pk, "status": run.status, "report_chunks": len(parts)}


@shared_task(acks_late=True, reject_on_worker_lost=True, autoretry_for=(OperationalError, InterfaceError),
             retry_backoff=True, max_retries=5)
def render_reports(run_id: int, ids: list[int]) -> dict:
    return {"rendered": services.render_reports(EvaluationRun.objects.get(pk=run_id), ids)}


@shared_task
def resume_stalled_runs() -> list[dict]:
    """Finish the runs a dead worker left behind (beat, every few minutes): what is missing is done again, nothing twice."""
    resumed = []
    for run in services.stalled_runs():
        services.heartbeat(run)  # the next tick leaves it alone while this resumes it
        if run.status == EvaluationRun.Status.RUNNING:
            parts = services.chunks(services.unevaluated_agreement_ids(run))
            if parts:
                chord(evaluate_chunk.si(run.pk, part) for part in parts)(finish_evaluation.si(run.pk))
            else:
                finish_evaluation.delay(run.pk)
            resumed.append({"run": run.pk, "evaluate_chunks": len(parts)})
        else:
            parts = services.chunks(selectors.agreements_without_report(run))
            for part in parts:
                render_reports.delay(run.pk, part)
            if not parts:
                services.run_complete_if_reported(run)
            resumed.append({"run": run.pk, "report_chunks": len(parts)})
    return resumed
