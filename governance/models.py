"""Risk and issue registers (issue #21): on cycles, competitions and agreements, scored 5 × 5.

Commissioners "maintain risk mitigation strategies" (seed 002, line 212). A risk may happen; an
issue has. Each is held against one record — a commissioning cycle, a competition or an agreement
(the database allows exactly one) — and read by whoever may read that record's commissioning
material (`governance.selectors`): a competition's risks are the commissioning side's, behind the
wall; the bid team sees none.

Each assessment (likelihood × impact, proximity) is kept as a `RiskReview`, so a risk's trend is
its reviews in order; the risk holds the latest. Mitigations have an owner and a due date. A risk
escalated to the portfolio shows on the portfolio's heat map for everyone who sees the portfolio.
When an award turns a competition into an agreement, its open risks are carried to the agreement
(`carried_from` names the original, which stays on the competition, closed as carried).
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q


class RiskKind(models.TextChoices):
    RISK = "risk", "Risk"
    ISSUE = "issue", "Issue"


class Proximity(models.TextChoices):
    """How soon the risk could happen (HM Treasury Orange Book's proximity), nearest first."""

    IMMINENT = "imminent", "Within a month"
    NEAR = "near", "Within three months"
    MEDIUM = "medium", "Within a year"
    DISTANT = "distant", "More than a year away"


class RiskStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class Rating(models.TextChoices):
    """A 5 × 5 score's band: 1–4 low, 5–12 medium, 15–25 high (no product of 1–5 falls between 12 and 15)."""

    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


HIGH_FROM = 15
MEDIUM_FROM = 5
SCALE = range(1, 6)
LIKELIHOOD_LABELS = {1: "Rare", 2: "Unlikely", 3: "Possible", 4: "Likely", 5: "Almost certain"}
IMPACT_LABELS = {1: "Negligible", 2: "Minor", 3: "Moderate", 4: "Major", 5: "Severe"}


def rating_of(score: int) -> Rating:
    if score >= HIGH_FROM:
        return Rating.HIGH
    return Rating.MEDIUM if score >= MEDIUM_FROM else Rating.LOW


def _one_to_five(name: str) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(name, validators=[MinValueValidator(1), MaxValueValidator(5)])


class Risk(models.Model):
    kind = models.CharField(max_length=10, choices=RiskKind.choices, default=RiskKind.RISK)
    cycle = models.ForeignKey("cycle.CommissioningCycle", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    competition = models.ForeignKey("competitions.Competition", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    agreement = models.ForeignKey("contracts.Agreement", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(max_length=200)
    description = models.TextField("Cause and effect")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="risks_owned")
    likelihood = _one_to_five("Likelihood")
    impact = _one_to_five("Impact")
    score = models.GeneratedField(expression=F("likelihood") * F("impact"), output_field=models.PositiveSmallIntegerField(),
                                  db_persist=True)
    proximity = models.CharField(max_length=10, choices=Proximity.choices)
    status = models.CharField(max_length=10, choices=RiskStatus.choices, default=RiskStatus.OPEN)
    escalated_at = models.DateTimeField(null=True, blank=True)
    escalated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    escalation_reason = models.TextField(blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closing_note = models.TextField(blank=True)
    carried_from = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT, related_name="carried_to")
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    raised_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-score", "pk"]
        constraints = [
            models.CheckConstraint(
                name="risk_held_against_one_record",
                condition=(Q(cycle__isnull=False, competition__isnull=True, agreement__isnull=True)
                           | Q(cycle__isnull=True, competition__isnull=False, agreement__isnull=True)
                           | Q(cycle__isnull=True, competition__isnull=True, agreement__isnull=False))),
            models.CheckConstraint(name="risk_scored_one_to_five",
                                   condition=Q(likelihood__gte=1, likelihood__lte=5, impact__gte=1, impact__lte=5)),
            models.CheckConstraint(name="risk_closed_when_dated", condition=Q(status=RiskStatus.CLOSED, closed_at__isnull=False)
                                   | Q(status=RiskStatus.OPEN, closed_at__isnull=True)),
        ]
        indexes = [models.Index(fields=["owner", "status"]), models.Index(fields=["status", "escalated_at"])]

    def __str__(self) -> str:
        return f"R{self.pk}: {self.title}"

    @property
    def reference(self) -> str:
        return f"R{self.pk}"

    @property
    def rating(self) -> Rating:
        return rating_of(self.likelihood * self.impact)

    @property
    def escalated(self) -> bool:
        return self.escalated_at is not None

    @property
    def is_open(self) -> bool:
        return self.status == RiskStatus.OPEN


class RiskReview(models.Model):
    """One assessment of a risk: the first when it is raised, one more each time it is reassessed."""

    risk = models.ForeignKey(Risk, on_delete=models.CASCADE, related_name="reviews")
    likelihood = _one_to_five("Likelihood")
    impact = _one_to_five("Impact")
    proximity = models.CharField(max_length=10, choices=Proximity.choices)
    note = models.TextField(blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reviewed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["reviewed_at", "pk"]

    @property
    def score(self) -> int:
        return self.likelihood * self.impact


class Mitigation(models.Model):
    risk = models.ForeignKey(Risk, on_delete=models.CASCADE, related_name="mitigations")
    action = models.TextField()
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="mitigations_owned")
    due_on = models.DateField()
    done_on = models.DateField(null=True, blank=True)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_on", "pk"]
