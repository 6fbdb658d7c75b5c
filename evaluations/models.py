"""Nightly evaluation of running agreements (SPEC §5, last bullet; seed: "Evaluate").

One `EvaluationRun` per night, one `Evaluation` per agreement per run: both keyed
uniquely, written by upsert, so a re-run or a retried chunk leaves exactly one of
each. Progress is counted from the rows themselves (evaluations and failures of
the run), never from counters a retry could double. A measure that turned red is
notified once: `RedMeasureNotification` is unique per measure and period.
"""

from django.conf import settings
from django.core.files.storage import storages
from django.core.signals import setting_changed
from django.db import models
from django.dispatch import receiver
from django.utils.functional import LazyObject, empty


class _ReportsStorage(LazyObject):
    """The "reports" storage of settings.STORAGES, looked up when first used and again after STORAGES changes."""

    def _setup(self):
        self._wrapped = storages["reports"]


_reports = _ReportsStorage()


@receiver(setting_changed)
def _forget_reports_storage(*, setting, **kwargs):
    if setting == "STORAGES":
        _reports._wrapped = empty


def reports_storage():
    """The reports storage (a callable for the file fields, so migrations do not fix it)."""
    return _reports


class EvaluationRun(models.Model):
    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        RENDERING = "rendering", "Evaluated: reports being written"
        COMPLETED = "completed", "Completed"
        COMPLETED_WITH_FAILURES = "failures", "Completed with failures"

    on = models.DateField(unique=True, help_text="The night the run evaluates.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    total = models.PositiveIntegerField(default=0, help_text="Agreements the run evaluates: running when it started (or was run again).")
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True, help_text="When a chunk of the run last finished: a run silent too long is resumed.")
    summary_pdf = models.FileField(storage=reports_storage, blank=True)
    figures = models.JSONField(null=True, blank=True, help_text=(
        "The portfolio's counts as the run found them, kept when it finishes (issue #22): {rag: {code: n}, overdue: n, stewardship: n}. "
        "The dashboard starts from them and corrects for the few agreements changed since or hidden from its reader."))

    class Meta:
        ordering = ["-on"]

    def __str__(self):
        return f"Evaluation of {self.on:%d %B %Y}"


class Rating(models.TextChoices):
    RED = "red", "Red"
    AMBER = "amber", "Amber"
    GREEN = "green", "Green"
    NONE = "none", "No returns yet"


class Evaluation(models.Model):
    """An agreement's evaluation on one night: the five criteria of the seed's "Evaluate" stage."""

    run = models.ForeignKey(EvaluationRun, on_delete=models.CASCADE, related_name="evaluations")
    agreement = models.ForeignKey("contracts.Agreement", on_delete=models.CASCADE, related_name="evaluations")
    period_start = models.DateField(null=True, blank=True, help_text="The latest period with returns.")
    rag = models.CharField(max_length=5, choices=Rating.choices)
    score = models.DecimalField(max_digits=4, decimal_places=1, null=True, blank=True, help_text="The latest period's weighted score (0 to 100).")
    penalties_period = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    penalties_year = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    red_measures = models.PositiveIntegerField(default=0)
    overdue_returns = models.PositiveIntegerField(default=0)
    outcomes_delivered = models.PositiveIntegerField(null=True, blank=True, help_text="Paid outcomes in the last 12 months.")
    cost_per_outcome = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    feedback_score = models.DecimalField(max_digits=3, decimal_places=2, null=True, blank=True)
    compliance_issues = models.PositiveIntegerField(default=0)
    flags = models.PositiveIntegerField(default=0, help_text="Stewardship and equality warnings.")
    detail = models.JSONField(help_text="Each criterion's findings, as the report shows them.")
    fingerprint = models.CharField(max_length=64, help_text="Hash of the figures: the same figures share one PDF.")
    pdf = models.FileField(storage=reports_storage, blank=True)
    evaluated_at = models.DateTimeField()

    class Meta:
        ordering = ["run", "agreement__reference"]
        constraints = [models.UniqueConstraint(fields=["run", "agreement"], name="one_evaluation_per_agreement_per_run")]
        indexes = [
            models.Index(fields=["agreement", "run"]),
            # The dashboard's "most overdue first": the night's few with overdue returns, without reading the rest (issue #22).
            models.Index(fields=["run", "-overdue_returns"], condition=models.Q(overdue_returns__gt=0), name="evaluation_overdue"),
            # The night's stewardship warnings (selectors.STEWARDSHIP): the few with one, not a read of every evaluation.
            models.Index(fields=["run", "agreement"], condition=models.Q(flags__gt=0, detail__stewardship__0__isnull=False),
                         name="evaluation_stewardship"),
        ]

    @property
    def on(self):
        return self.run.on


class EvaluationFailure(models.Model):
    """An agreement the run could not evaluate (the run goes on with the others; a re-run clears it)."""

    run = models.ForeignKey(EvaluationRun, on_delete=models.CASCADE, related_name="failures")
    agreement = models.ForeignKey("contracts.Agreement", on_delete=models.CASCADE, related_name="+")
    error = models.TextField()
    failed_at = models.DateTimeField()

    class Meta:
        ordering = ["run", "agreement__reference"]
        constraints = [models.UniqueConstraint(fields=["run", "agreement"], name="one_failure_per_agreement_per_run")]


class RedMeasureNotification(models.Model):
    """An e-mail to the contract manager that a measure turned red: once per measure and period, whatever re-runs."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to be sent"
        SENDING = "sending", "Being sent"
        SENT = "sent", "Sent"
        NO_RECIPIENT = "no_recipient", "Not sent: no contract manager who may see the agreement"

    measure = models.ForeignKey("contracts.Measure", on_delete=models.CASCADE, related_name="red_notifications")
    period_start = models.DateField()
    evaluation = models.ForeignKey(Evaluation, null=True, on_delete=models.SET_NULL, related_name="notifications")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    claimed_at = models.DateTimeField(null=True, blank=True, help_text="When a sender took it (committed before the e-mail goes).")
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["measure", "period_start"], name="one_red_notification_per_measure_period")]
