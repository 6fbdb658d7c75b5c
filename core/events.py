"""One vocabulary and one writer for what happens to a record: the timelines of competitions, cycles and agreements.

Each timeline stays its own append-only table (`CompetitionEvent`, `CycleEvent`, `AgreementEvent`),
because each hangs off its subject by a foreign key: it is read with the record, by whoever may read
the record, and goes with it. They share the shape of `TimelineEvent`, the kinds of `EventKind` (the
`action` column takes no other value) and the writer `write`, which refuses a kind that is not one.

The ethical wall's audit log (`ethical_walls.models.AuditEvent`) is a different record and stays
apart: it has no foreign key (it outlives what it names and never cascades), it records reads and
refusals on every channel as well as changes, and only oversight and SROs read it. Its kinds are
`AuditEvent.Action`. A change to the wall that belongs on a competition's timeline is written there
too, as `EventKind.WALL` (`ethical_walls.signals.wall_recorded`).

Adding an event kind: add its member here (the migration that follows only changes the columns'
choices), and write it with the app's `_event()`.
"""

from typing import Any, TypeVar

from django.conf import settings
from django.db import models


class EventKind(models.TextChoices):
    # A record and its terms.
    CREATED = "created", "Created"
    UPDATED = "updated", "Details changed"
    RECORD = "record", "Record added or corrected"
    # A competition's records (SPEC §3).
    BUSINESS_CASE = "business_case", "Business case"
    PROCUREMENT_STRATEGY = "procurement_strategy", "Procurement strategy"
    ASSURANCE_PLAN = "assurance_plan", "Assurance plan"
    ASSURANCE = "assurance", "Assurance review"
    GATEWAY_REVIEW = "gateway_review", "Gateway review"
    TREASURY_APPROVAL = "treasury_approval", "Treasury approval"
    BENEFITS = "benefits", "Benefits realisation"
    CRITERIA = "criteria", "Evaluation criteria"
    BID = "bid", "Bid"
    TENDER_BOX = "tender_box", "Tender box"
    EVALUATION = "evaluation", "Evaluation"
    CLARIFICATION = "clarification", "Clarification"
    CHALLENGE = "challenge", "Challenge"
    WALL = "wall", "Ethical wall"
    BOARD_DECISION = "board_decision", "Board decision"
    # An agreement's records (SPEC §5).
    RETURN = "return", "Performance return"
    RECTIFICATION = "rectification", "Rectification"
    NOTICE_OF_CHANGE = "notice_of_change", "Notice of Change"
    PAYMENT = "payment", "Claim or payment"
    MOBILISATION = "mobilisation", "Mobilisation plan"
    # The competition's lifecycle (competitions.machine.LIFECYCLE).
    START_PRE_PROCUREMENT = "start_pre_procurement", "Pre-procurement started"
    LAUNCH = "launch", "Procurement launched"
    OPEN_DIALOGUE = "open_dialogue", "Dialogue opened"
    INVITE_TENDERS = "invite_tenders", "Tenders invited"
    CALL_FOR_BAFO = "call_for_bafo", "Best and final offers called for"
    START_EVALUATION = "start_evaluation", "Evaluation started"
    RECOMMEND_AWARD = "recommend_award", "Award recommended"
    START_STANDSTILL = "start_standstill", "Standstill started"
    AWARD = "award", "Contract awarded"
    START_MOBILISATION = "start_mobilisation", "Mobilisation started"
    GO_LIVE = "go_live", "Gone live"
    CLOSE = "close", "Closed"
    ABANDON = "abandon", "Abandoned"
    # The cycle's stages (cycle.machine.CYCLE).
    ASSESS_NEEDS = "assess_needs", "Moved on to assessing needs"
    PRIORITISE = "prioritise", "Moved on to prioritising"
    DESIGN_SERVICES = "design_services", "Moved on to designing services"
    REVIEW_SUPPLY = "review_supply", "Moved on to reviewing supply"
    SECURE_SERVICES = "secure_services", "Moved on to securing services"
    DELIVER = "deliver", "Moved on to delivery"
    MANAGE_PERFORMANCE = "manage_performance", "Moved on to managing performance"
    CLOSING_EVALUATION = "closing_evaluation", "Moved on to the closing evaluation"
    STEP_BACK = "step_back", "Stepped back"
    # The agreement's lifecycle (contracts.machine.AGREEMENT).
    MOBILISE = "mobilise", "Mobilisation started"
    START_RECTIFICATION = "start_rectification", "Put under rectification"
    END_RECTIFICATION = "end_rectification", "Returned to live"
    TERMINATE = "terminate", "Terminated early"
    EXPIRE = "expire", "Expired"
    DECOMMISSION = "decommission", "Decommissioned"


class TimelineEvent(models.Model):
    """What every timeline entry holds; each app's table adds its subject and the states it moved between."""

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                              help_text="Empty when a scheduled task did it.")
    at = models.DateTimeField(auto_now_add=True)
    action = models.CharField(max_length=60, choices=EventKind.choices)
    description = models.CharField(max_length=300)
    reason = models.TextField(blank=True)

    class Meta:
        abstract = True
        ordering = ["at", "id"]

    @property
    def kind(self) -> EventKind:
        return EventKind(self.action)


E = TypeVar("E", bound=TimelineEvent)


def write(model: type[E], *, actor: Any, kind: str, description: str, reason: str = "", **subject_and_states: Any) -> E:
    """Append one entry to a timeline: `kind` must be an EventKind (ValueError otherwise); the description is cut to fit."""
    event = model(actor=actor, action=EventKind(kind).value, description=description[:300], reason=reason, **subject_and_states)
    event.save(force_insert=True)
    return event
