"""An agreement's mobilisation plan (issue #21): milestones from award to go-live, each done or its gap accepted.

The guide asks for TUPE consultation and transfer, the equality impact on staff, IT and data,
premises and a readiness visit before a service starts (seed 002, lines 405 and 785–789). A
contract manager or MoJ Procurement draws up the plan (the standard milestones, or their own),
gives each an owner and a date, and marks each done — a readiness visit with its findings. What
will not be done before go-live is accepted by the SRO (the letting competition's SRO, where it
has one) with a reason. "Go live" waits for every milestone to be one or the other
(`contracts.guards`), as well as the other conditions (and Gate 4, on the competition).
"""

from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from contracts.machine import RECORD_ROLES
from contracts.models import STANDARD_MILESTONES, Agreement, MilestoneKind, MobilisationMilestone
from contracts.services import _event, require_role
from contracts.states import AgreementState
from core.events import EventKind
from core.models import User
from ethical_walls.selectors import sees

PLANNED = (AgreementState.DRAFT, AgreementState.MOBILISING)


def _planning(agreement: Agreement) -> Agreement:
    current: Agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    if current.state not in PLANNED:
        raise ValidationError("The mobilisation plan is closed once the agreement is live.")
    return current


def _check_owner(owner: User, agreement: Agreement) -> None:
    if not owner.is_active or not owner.has_role(*RECORD_ROLES["milestone"], *RECORD_ROLES["accept-gap"]) or not sees(owner, agreement):
        raise ValidationError({"owner": "Choose an owner who works on this agreement (a contract manager, MoJ Procurement or the SRO)."})


@transaction.atomic
def mobilisation_plan_draw_up(*, agreement: Agreement, actor: User) -> list[MobilisationMilestone]:
    """The standard plan: one milestone of each kind, owned by the actor, due evenly from today to the day before the start."""
    require_role(actor, *RECORD_ROLES["mobilisation-plan"], agreement=agreement)
    agreement = _planning(agreement)
    if agreement.milestones.exists():
        raise ValidationError("This agreement already has a mobilisation plan: add or complete its milestones.")
    today = timezone.localdate()
    last = max((agreement.start_date or today + timedelta(days=90)) - timedelta(days=1), today)
    step = (last - today) / len(STANDARD_MILESTONES)
    milestones = [MobilisationMilestone.objects.create(agreement=agreement, kind=kind, title=MilestoneKind(kind).label, owner=actor,
                                                       due_on=today + step * (n + 1), added_by=actor)
                  for n, kind in enumerate(STANDARD_MILESTONES)]
    _event(agreement, actor, EventKind.MOBILISATION, f"Mobilisation plan drawn up: {len(milestones)} milestones")
    return milestones


@transaction.atomic
def milestone_add(*, agreement: Agreement, actor: User, kind: str, title: str, owner: User, due_on: date) -> MobilisationMilestone:
    require_role(actor, *RECORD_ROLES["milestone"], agreement=agreement)
    agreement = _planning(agreement)
    _check_owner(owner, agreement)
    title = title.strip() or (MilestoneKind(kind).label if kind in MilestoneKind.values else "")
    if not title:
        raise ValidationError({"title": "Enter what must be done."})
    milestone = MobilisationMilestone(agreement=agreement, kind=kind, title=title, owner=owner, due_on=due_on, added_by=actor)
    milestone.full_clean()
    milestone.save()
    _event(agreement, actor, EventKind.MOBILISATION, f"Milestone added: {title}, due {due_on:%-d %B %Y}")
    return milestone


def _open_milestone(milestone: MobilisationMilestone) -> MobilisationMilestone:
    _planning(milestone.agreement)
    current: MobilisationMilestone = MobilisationMilestone.objects.select_for_update().get(pk=milestone.pk)
    if current.settled:
        raise ValidationError(f"“{current.title}” is {current.status.lower()} already.")
    return current


@transaction.atomic
def milestone_complete(*, milestone: MobilisationMilestone, actor: User, done_on: date, findings: str = "") -> MobilisationMilestone:
    require_role(actor, *RECORD_ROLES["complete-milestone"], agreement=milestone.agreement)
    milestone = _open_milestone(milestone)
    if done_on > timezone.localdate():
        raise ValidationError({"done_on": "The date it was done cannot be in the future."})
    if milestone.kind == MilestoneKind.READINESS_VISIT and not findings.strip():
        raise ValidationError({"findings": "Record what the readiness visit found."})
    milestone.done_on, milestone.findings = done_on, findings.strip()
    milestone.save(update_fields=["done_on", "findings"])
    _event(milestone.agreement, actor, EventKind.MOBILISATION, f"Milestone done: {milestone.title}")
    return milestone


def sro_of(agreement: Agreement) -> User | None:
    """The SRO of the competition that let the agreement, if it has one; otherwise any SRO may accept a gap."""
    competition = agreement.competition
    sro: User | None = competition.sro if competition is not None else None
    return sro


@transaction.atomic
def milestone_gap_accept(*, milestone: MobilisationMilestone, actor: User, reason: str) -> MobilisationMilestone:
    """The SRO accepts going live without this milestone done, saying why (the risk it leaves is theirs)."""
    require_role(actor, *RECORD_ROLES["accept-gap"], agreement=milestone.agreement)
    competition = milestone.agreement.competition
    sro = sro_of(milestone.agreement)
    if competition is not None and sro is not None and sro.pk != actor.pk:
        raise PermissionDenied(f"Only the SRO of {competition.reference}, {sro}, can accept a gap in its mobilisation.")
    milestone = _open_milestone(milestone)
    if not reason.strip():
        raise ValidationError({"reason": "Say why the service can go live without it."})
    milestone.gap_accepted_by, milestone.gap_accepted_at, milestone.gap_reason = actor, timezone.now(), reason.strip()
    milestone.save(update_fields=["gap_accepted_by", "gap_accepted_at", "gap_reason"])
    _event(milestone.agreement, actor, EventKind.MOBILISATION, f"Gap accepted by the SRO: {milestone.title}", reason=reason.strip())
    return milestone
