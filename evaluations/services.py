"""Running the nightly evaluation: start a run, evaluate chunks of agreements, finish.

Idempotent by design. The run is unique per night; each evaluation is upserted on
(run, agreement); a failure is a row cleared when the agreement is next evaluated;
a PDF's name is derived from the figures it shows, so a re-run finds it rendered;
a red-measure notification is unique per measure and period, and e-mailed from an
outbox under a row lock (`notifications_send`). Progress is counted from those rows.
"""

import logging
from datetime import date

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import get_valid_filename

from contracts.selectors import sees_agreement
from core.pdf import render_pdf
from ethical_walls import audit
from evaluations import charts, selectors
from evaluations.evaluate import evaluate
from evaluations.models import Evaluation, EvaluationFailure, EvaluationRun, RedMeasureNotification, reports_storage

logger = logging.getLogger(__name__)

NOTIFICATION_RETRY_MINUTES = 10  # a notification claimed this long ago and not sent (its worker died) is sent again
SUMMARY_ROWS = 200  # agreements needing attention listed in the summary PDF (the reports page lists them all)
UPSERT_FIELDS = [
    "period_start", "rag", "score", "penalties_period", "penalties_year", "red_measures", "overdue_returns",
    "outcomes_delivered", "cost_per_outcome", "feedback_score", "compliance_issues", "flags", "detail", "fingerprint",
    "pdf", "evaluated_at",
]


def run_start(on: date) -> tuple[EvaluationRun, list[int]]:
    """Open (or reopen) the night's run over the agreements running now.

    A re-run of a night evaluates the agreements running now; those evaluated the first
    time and ended since keep their evaluation, and count in the total, so the progress
    never passes 100 %.
    """
    ids = selectors.running_agreement_ids()
    with transaction.atomic():
        run = EvaluationRun.objects.select_for_update().filter(on=on).first()
        already = set(run.evaluations.values_list("agreement_id", flat=True)) if run else set()
        now = timezone.now()
        run, _ = EvaluationRun.objects.update_or_create(
            on=on, defaults={"status": EvaluationRun.Status.RUNNING, "total": len(set(ids) | already), "started_at": now,
                             "finished_at": None, "heartbeat_at": now},
        )
    return run, ids


def heartbeat(run: EvaluationRun) -> None:
    EvaluationRun.objects.filter(pk=run.pk).update(heartbeat_at=timezone.now())


def chunks(ids: list[int], size: int | None = None) -> list[list[int]]:
    size = size or settings.EVALUATION_CHUNK_SIZE
    return [ids[i:i + size] for i in range(0, len(ids), size)]


def _report_name(agreement, fingerprint: str) -> str:
    """A report's storage name comes from the figures it shows: the same figures, the same report."""
    return f"agreements/{get_valid_filename(agreement.reference)}/{fingerprint[:24]}.pdf"


def render_reports(run: EvaluationRun, ids: list[int]) -> int:
    """Render the PDF of each of these agreements' evaluations that has none yet; how many were rendered.

    Most agreements' figures do not change from one night to the next (returns come
    monthly or quarterly): their evaluation points at the report first rendered, found
    by name at evaluation time, and nothing is rendered again. Each evaluation is locked
    while its report is written, so two workers on one night (a retried chunk, a resumed
    run) never both write it, and no file is left that no evaluation names. When the last
    report is in, the run is complete.
    """
    storage, rendered = reports_storage(), 0
    for candidate in selectors.evaluations_without_report(run, ids):
        with transaction.atomic():
            evaluation = (Evaluation.objects.select_for_update(skip_locked=True, of=("self",)).select_related("agreement__provider")
                          .filter(pk=candidate.pk, pdf="").first())
            if evaluation is None:
                continue  # another worker has it, or has done it
            name = _report_name(evaluation.agreement, evaluation.fingerprint)
            if not storage.exists(name):
                content = render_pdf("evaluations/agreement_pdf.html", {
                    "agreement": evaluation.agreement, "on": run.on, "evaluation": evaluation, "detail": evaluation.detail,
                    "turned_red": [row for row in evaluation.detail["measures"] if row["turned_red"]],
                    "chart": charts.score_trend(evaluation.detail["trend"]),
                })
                saved = storage.save(name, ContentFile(content))
                if saved != name:  # written meanwhile under the same figures by another night's run: keep that one
                    storage.delete(saved)
                rendered += 1
            Evaluation.objects.filter(pk=evaluation.pk).update(pdf=name)
    heartbeat(run)
    run_complete_if_reported(run)
    return rendered


def run_complete_if_reported(run: EvaluationRun) -> bool:
    """A run whose evaluations are all in and all have their report is complete (with failures, if any)."""
    if run.evaluations.filter(pdf="").exists():
        return False
    status = EvaluationRun.Status.COMPLETED_WITH_FAILURES if run.failures.exists() else EvaluationRun.Status.COMPLETED
    return bool(EvaluationRun.objects.filter(pk=run.pk, status=EvaluationRun.Status.RENDERING).update(status=status, finished_at=timezone.now()))


def evaluate_agreements(run: EvaluationRun, ids: list[int]) -> tuple[int, int]:
    """Evaluate and store the agreements of one chunk; (evaluated, failed). Their PDFs follow (`render_reports`).

    One agreement's error is recorded against it and the chunk goes on; an error
    outside that (the database gone, the worker killed) leaves what was stored and
    the retried chunk finishes the job, changing nothing already done.
    """
    rows, notices, failures = [], [], []
    now, storage = timezone.now(), reports_storage()
    for agreement in selectors.for_evaluation(ids):
        try:
            findings = evaluate(agreement, run.on)
        except Exception as error:  # one bad agreement must not stop the night's run
            logger.exception("Evaluation of %s failed", agreement.reference)
            failures.append(EvaluationFailure(run=run, agreement=agreement, error=f"{type(error).__name__}: {error}"[:2000], failed_at=now))
            continue
        report = _report_name(agreement, findings.fingerprint)
        rows.append(Evaluation(
            run=run, agreement=agreement, evaluated_at=now, fingerprint=findings.fingerprint,
            pdf=report if storage.exists(report) else "",
            **{name: getattr(findings, name) for name in UPSERT_FIELDS if name not in ("pdf", "evaluated_at", "fingerprint")},
        ))
        if findings.turned_red:
            manager = agreement.contract_manager
            recipient = manager if manager is not None and sees_agreement(manager, agreement) else None
            notices.extend((measure, period, recipient) for measure, period in findings.turned_red)
    with transaction.atomic():
        Evaluation.objects.bulk_create(rows, update_conflicts=True, unique_fields=["run", "agreement"], update_fields=UPSERT_FIELDS)
        EvaluationFailure.objects.filter(run=run, agreement__in=[row.agreement for row in rows]).delete()
        EvaluationFailure.objects.bulk_create(failures, update_conflicts=True, unique_fields=["run", "agreement"], update_fields=["error", "failed_at"])
        stored = dict(Evaluation.objects.filter(run=run, agreement__in=[m.agreement_id for m, _, _ in notices]).values_list("agreement_id", "pk"))
        RedMeasureNotification.objects.bulk_create([
            RedMeasureNotification(
                measure=measure, period_start=period, evaluation_id=stored.get(measure.agreement_id), recipient=recipient,
                status=RedMeasureNotification.Status.PENDING if recipient and recipient.email else RedMeasureNotification.Status.NO_RECIPIENT,
            ) for measure, period, recipient in notices
        ], ignore_conflicts=True)
    heartbeat(run)
    notifications_send()
    return len(rows), len(failures)


def notifications_send() -> int:
    """E-mail the pending red-measure notifications, each once, and only once its claim is committed.

    Each notification is claimed in a transaction of its own (locked, marked "sending",
    committed), then e-mailed, then marked sent; a failed send puts it back to pending for
    the next run, and one left "sending" by a worker that died is pending again after
    NOTIFICATION_RETRY_MINUTES. The recipient's access is checked when the message is built.
    """
    from datetime import timedelta

    sent = 0
    stale = timezone.now() - timedelta(minutes=NOTIFICATION_RETRY_MINUTES)
    RedMeasureNotification.objects.filter(status=RedMeasureNotification.Status.SENDING, claimed_at__lt=stale).update(
        status=RedMeasureNotification.Status.PENDING)
    while True:
        with transaction.atomic():
            notification = (
                RedMeasureNotification.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(status=RedMeasureNotification.Status.PENDING)
                .select_related("measure__agreement", "recipient").order_by("pk").first()
            )
            if notification is None:
                return sent
            recipient, measure = notification.recipient, notification.measure
            agreement = measure.agreement
            if recipient is None or not sees_agreement(recipient, agreement):
                # The recipient may have joined the bid team since: an e-mail is a channel the wall covers.
                notification.status = RedMeasureNotification.Status.NO_RECIPIENT
                notification.save(update_fields=["status"])
                continue
            message = {
                "subject": f"{agreement.reference}: {measure.name} is Red",
                "message": render_to_string("evaluations/red_measure_email.txt", {
                    "notification": notification, "agreement": agreement, "measure": measure, "site_url": settings.SITE_URL,
                }),
                "from_email": None, "recipient_list": [recipient.email],
            }
            notification.status, notification.claimed_at = RedMeasureNotification.Status.SENDING, timezone.now()
            notification.save(update_fields=["status", "claimed_at"])
        try:
            send_mail(**message)
        except Exception:  # noqa: BLE001 - any mail failure: leave it for the next run
            logger.exception("Red-measure notification %s not sent", notification.pk)
            RedMeasureNotification.objects.filter(pk=notification.pk).update(status=RedMeasureNotification.Status.PENDING)
            continue
        audit.record(action=audit.Action.VIEW, channel=audit.Channel.EMAIL, actor=recipient, obj=agreement,
                     detail=f"Red measure notification: {measure.name}")
        RedMeasureNotification.objects.filter(pk=notification.pk).update(status=RedMeasureNotification.Status.SENT, sent_at=timezone.now())
        sent += 1


def run_finish(run: EvaluationRun) -> EvaluationRun:
    """Render the portfolio summary from the stored evaluations; the run waits for its agreements' reports to complete.

    The run's row is locked while the summary is written, so a resumed run and the original
    finishing together write one summary file.
    """
    with transaction.atomic():
        EvaluationRun.objects.select_for_update().get(pk=run.pk)
        run = selectors.run_with_progress(run.pk)
        counts = selectors.rag_counts(run)
        attention = list(selectors.needing_attention(run)[:SUMMARY_ROWS])
        content = render_pdf("evaluations/summary_pdf.html", {
            "run": run, "counts": counts, "attention": attention, "attention_total": selectors.needing_attention(run).count(),
            "totals": selectors.run_totals(run), "by_area": selectors.by_service_area(run),
            "failures": list(run.failures.select_related("agreement")), "chart": charts.rag_bars(counts), "limit": SUMMARY_ROWS,
        })
        storage = reports_storage()
        name = f"summaries/{run.on.isoformat()}.pdf"
        if storage.exists(name):
            storage.delete(name)
        run.summary_pdf.name = storage.save(name, ContentFile(content))
        run.status = EvaluationRun.Status.RENDERING
        run.heartbeat_at = timezone.now()
        run.figures = selectors.run_figures(run)  # the dashboard's counts, kept (issue #22)
        run.save(update_fields=["summary_pdf", "status", "heartbeat_at", "figures"])
    run_complete_if_reported(run)
    run.refresh_from_db()
    notifications_send()
    return run


def stalled_runs(*, now=None) -> list[EvaluationRun]:
    """Runs that have gone silent — still running or rendering, no chunk finished for EVALUATION_STALL_MINUTES —
    because a worker died with its tasks (and the broker has not handed them to another yet)."""
    from datetime import timedelta

    cutoff = (now or timezone.now()) - timedelta(minutes=settings.EVALUATION_STALL_MINUTES)
    return list(EvaluationRun.objects.filter(
        status__in=[EvaluationRun.Status.RUNNING, EvaluationRun.Status.RENDERING], heartbeat_at__lt=cutoff,
    ).order_by("on"))


def unevaluated_agreement_ids(run: EvaluationRun) -> list[int]:
    """The running agreements a run has neither evaluated nor recorded as failed."""
    done = set(run.evaluations.values_list("agreement_id", flat=True)) | set(run.failures.values_list("agreement_id", flat=True))
    return [pk for pk in selectors.running_agreement_ids() if pk not in done]


def run_in_process(on: date) -> EvaluationRun:
    """The whole night in this process, chunk by chunk (the management command; the tasks fan the same steps out)."""
    run, ids = run_start(on)
    for chunk in chunks(ids):
        evaluate_agreements(run, chunk)
    run = run_finish(run)
    for chunk in chunks(selectors.agreements_without_report(run)):
        render_reports(run, chunk)
    run.refresh_from_db()
    return run
