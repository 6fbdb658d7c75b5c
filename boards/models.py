"""Governance bodies, their meetings and the decisions they take (issue #21): the boards the guide names.

Seed 002 names who decides what (lines 501–511, 604–618, 645):

- the Commissioning and Commercial Sub-Committee approves strategy and specifications and takes the
  decision to compete a service; it escalates major contract awards to the MoJ Procurement Committee;
- the Offender Services Competition Programme Board authorises each competition's mandate, appoints its
  SRO and agrees the criteria bids are evaluated against and how cost elements are treated;
- the Major Projects Authority makes a Starting Gate review mandatory for new major projects.

A body has members (never anyone on the bid side: the Sub-Committee deliberately leaves out the
provider arm's directors). A meeting records who attended, the interests declared at it, its papers
and its decisions. Papers and decisions about a competition are that competition's commissioning
material: only its commissioning side reads them (`boards.selectors`). A decision is never edited —
a later decision on the same matter supersedes it — so on PostgreSQL its table is append-only.

This app sits below the product apps (pyproject's layers): it names competitions by a string foreign
key and the competitions' guards read its decisions (`competitions.guards`).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from core.append_only import append_only, append_only_trigger
from core.uploads import RandomName, validate_document


class BodyKind(models.TextChoices):
    AGENCY_BOARD = "agency_board", "NOMS Agency Board"
    SUB_COMMITTEE = "sub_committee", "Commissioning and Commercial Sub-Committee"
    COMPETITION_BOARD = "competition_board", "Offender Services Competition Programme Board"
    INVESTMENT_COMMITTEE = "investment_committee", "Investment Committee"
    PROCUREMENT_COMMITTEE = "procurement_committee", "MoJ Procurement Committee"
    MAJOR_PROJECTS_AUTHORITY = "mpa", "Major Projects Authority"


class Matter(models.TextChoices):
    """What a decision is about. Every matter but "other" is about one competition and belongs to one body."""

    MANDATE = "mandate", "Authorise the project mandate"
    STARTING_GATE = "starting_gate", "Starting Gate review of a new major project"
    CRITERIA = "criteria", "Agree the evaluation criteria and the treatment of costs"
    COMPETE = "compete", "Decision to compete the service"
    AWARD = "award", "Approve a major contract award (escalated)"
    OTHER = "other", "Other business"


# Whose decision each matter is (seed 002, lines 501–511, 604–618, 645).
MATTER_BODY = {
    Matter.MANDATE: BodyKind.COMPETITION_BOARD,
    Matter.STARTING_GATE: BodyKind.MAJOR_PROJECTS_AUTHORITY,
    Matter.CRITERIA: BodyKind.COMPETITION_BOARD,
    Matter.COMPETE: BodyKind.SUB_COMMITTEE,
    Matter.AWARD: BodyKind.PROCUREMENT_COMMITTEE,
}


class Outcome(models.TextChoices):
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    DEFERRED = "deferred", "Deferred"


class Body(models.Model):
    kind = models.CharField(max_length=32, choices=BodyKind.choices, unique=True)
    name = models.CharField(max_length=200)
    remit = models.TextField(blank=True)
    quorum = models.PositiveSmallIntegerField(default=2, help_text="How many members must attend for its decisions to stand.")

    class Meta:
        ordering = ["pk"]
        verbose_name_plural = "bodies"

    def __str__(self) -> str:
        return self.name


class BodyMember(models.Model):
    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="members")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="board_memberships")
    chair = models.BooleanField(default=False)
    joined_on = models.DateField()
    left_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-chair", "person__first_name", "person__last_name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["body", "person"], condition=Q(left_on__isnull=True), name="boards_one_current_membership"),
            models.CheckConstraint(condition=Q(left_on__isnull=True) | Q(left_on__gte=models.F("joined_on")), name="boards_left_after_joining"),
        ]

    def __str__(self) -> str:
        return f"{self.person} ({self.body})"


class Meeting(models.Model):
    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="meetings")
    held_on = models.DateField()
    agenda = models.TextField(blank=True)
    attendees = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="board_meetings_attended")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-held_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.body.name}, {self.held_on:%-d %B %Y}"


class DeclaredInterest(models.Model):
    """An interest a person present declared at the meeting, in a competition on its agenda or in general."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="interests")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    competition = models.ForeignKey("competitions.Competition", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    interest = models.TextField()
    withdrew = models.BooleanField(default=False, help_text="They left the room for the item.")

    class Meta:
        ordering = ["pk"]


class Paper(models.Model):
    """A paper put to the meeting; one about a competition is its commissioning material."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="papers")
    competition = models.ForeignKey("competitions.Competition", on_delete=models.PROTECT, null=True, blank=True, related_name="board_papers")
    title = models.CharField(max_length=200)
    summary = models.TextField()
    file = models.FileField(upload_to=RandomName("papers"), validators=[validate_document], blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.title


@append_only
class Decision(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="decisions")
    matter = models.CharField(max_length=20, choices=Matter.choices)
    competition = models.ForeignKey("competitions.Competition", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="board_decisions")
    subject = models.CharField(max_length=200, blank=True, help_text="What other business was decided.")
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    conditions = models.TextField(blank=True, help_text="Conditions attached to an approval.")
    minute = models.TextField(help_text="The decision as minuted, with its reasons.")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-meeting__held_on", "-pk"]
        triggers = [append_only_trigger()]
        constraints = [
            models.CheckConstraint(
                condition=(Q(matter="other") & ~Q(subject="")) | (~Q(matter="other") & Q(competition__isnull=False)),
                name="boards_decision_has_a_subject",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_matter_display()}: {self.get_outcome_display().lower()}"

    @property
    def approved(self) -> bool:
        return self.outcome == Outcome.APPROVED

    @property
    def topic(self) -> str:
        return self.subject if self.matter == Matter.OTHER else self.get_matter_display()

