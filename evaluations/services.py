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

SUMMARY_ROWS = 200  # agreements needing attention listed in the summary PDF (the reports page lists them all)
UPSERT_FIELDS = [
    "period_start", "rag", "score", "penalties_period", "penalties_year", "red_measures", "overdue_returns",
    "outcomes_delivered", "cost_per_outcome", "feedback_score", "compliance_issues", "flags", "detail", "fingerprint",
    "pdf", "evaluated_at",
]


def run_start(on: date) -> tuple[EvaluationRun, list[int]]:
    """Open (or reopen) the night's run over the agreements running now."""
    ids = selectors.running_agreement_ids()
    run, _ = EvaluationRun.objects.update_or_create(
        on=on, defaults={"status": EvaluationRun.Status.RUNNING, "total": len(ids), "started_at": timezone.now(), "finished_at": None,
                         "summary_pdf": ""},  # a re-run renders its own summary at the end
    )
    return run, ids


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
    by name at evaluation time, and nothing is rendered again.
    """
    storage, rendered = reports_storage(), 0
    for evaluation in selectors.evaluations_without_report(run, ids):
        name = _report_name(evaluation.agreement, evaluation.fingerprint)
        if not storage.exists(name):
            content = render_pdf("evaluations/agreement_pdf.html", {
                "agreement": evaluation.agreement, "on": run.on, "evaluation": evaluation, "detail": evaluation.detail,
                "turned_red": [row for row in evaluation.detail["measures"] if row["turned_red"]],
                "chart": charts.score_trend(evaluation.detail["trend"]),
            })
            storage.save(name, ContentFile(content))
            rendered += 1
        Evaluation.objects.filter(pk=evaluation.pk).update(pdf=name)
    return rendered


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
    notifications_send()
    return len(rows), len(failures)


def notifications_send() -> int:
    """E-mail the pending red-measure notifications, each exactly once: locked, sent, marked in one transaction."""
    sent = 0
    with transaction.atomic():
        pending = (
            RedMeasureNotification.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(status=RedMeasureNotification.Status.PENDING)
            .select_related("measure__agreement", "recipient").order_by("pk")
        )
        for notification in pending:
            recipient, measure = notification.recipient, notification.measure
            agreement = measure.agreement
            if recipient is None or not sees_agreement(recipient, agreement):
                # The recipient may have joined the bid team since: an e-mail is a channel the wall covers.
                notification.status = RedMeasureNotification.Status.NO_RECIPIENT
                notification.save(update_fields=["status"])
                continue
            send_mail(
                subject=f"{agreement.reference}: {measure.name} is Red",
                message=render_to_string("evaluations/red_measure_email.txt", {"notification": notification, "agreement": agreement,
                                                                               "measure": measure, "site_url": settings.SITE_URL}),
                from_email=None, recipient_list=[recipient.email],
            )
            audit.record(action=audit.Action.VIEW, channel=audit.Channel.EMAIL, actor=recipient, obj=agreement,
                         detail=f"Red measure notification: {measure.name}")
            notification.status, notification.sent_at = RedMeasureNotification.Status.SENT, timezone.now()
            notification.save(update_fields=["status", "sent_at"])
            sent += 1
    return sent


def run_finish(run: EvaluationRun) -> EvaluationRun:
    """Render the portfolio summary from the stored evaluations and close the run."""
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
    run.status = EvaluationRun.Status.COMPLETED_WITH_FAILURES if run.failed else EvaluationRun.Status.COMPLETED
    run.finished_at = timezone.now()
    run.save(update_fields=["summary_pdf", "status", "finished_at"])
    notifications_send()
    return run


def run_in_process(on: date) -> EvaluationRun:
    """The whole night in this process, chunk by chunk (the management command; the tasks fan the same steps out)."""
    run, ids = run_start(on)
    for chunk in chunks(ids):
        evaluate_agreements(run, chunk)
    run = run_finish(run)
    for chunk in chunks(selectors.agreements_without_report(run)):
        render_reports(run, chunk)
    return run
