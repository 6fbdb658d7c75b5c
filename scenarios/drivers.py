"""The steps every scenario takes with a competition, written once: the demo (scenarios/competitions.py),
the tests' journeys (tests/competitions/journey.py, and through it the attack scene and the property
tests) and the load test's seed (bench/load/seed.py) all drive competitions with these.

Each goes through the services, as its users would; the only shortcuts are the two back-datings of
time a scenario cannot wait for (`back_date_tender_deadline`, `back_date_standstill`).
"""

import datetime
from typing import Any

from competitions.machine import LIFECYCLE
from competitions.models import Competition
from competitions.standstill import standstill_ends_on
from core.models import User
from ethical_walls import services as wall_services
from ethical_walls.models import ConflictDeclaration, Membership, Side

# The lifecycle's way forward, in order (abandoning is not a way forward).
FORWARD = [name for name in LIFECYCLE.names if name != "abandon"]


def fresh(competition: Competition) -> Competition:
    """The competition as the database has it now (services take what the caller read)."""
    return Competition.objects.get(pk=competition.pk)


def step_into(state: str) -> str:
    """The forward step that enters `state` (its timeline entry's kind)."""
    return next(name for name in FORWARD if LIFECYCLE.step(name).target == state)


def leaves(name: str, state: str) -> bool:
    return LIFECYCLE.step(name).leaves(state)


def move(competition: Competition, name: str, actor: User, **arguments: Any) -> Competition:
    """Take step `name` by its service, as `actor`."""
    return LIFECYCLE.services[name](competition=fresh(competition), actor=actor, **arguments)


def declare_nil(competition: Competition, user: User) -> ConflictDeclaration:
    return wall_services.conflict_declare(competition=fresh(competition), actor=user, nature=ConflictDeclaration.Nature.NIL)


def join(competition: Competition, user: User, role: str, *, actor: User, side: str = Side.COMMISSIONING, bid: Any = None,
         declare: bool = True) -> Membership:
    """No declaration, no access (SPEC §4 rule 4): the person declares (nil), then `actor` adds them to a side of the wall."""
    if declare:
        declare_nil(competition, user)
    return wall_services.wall_join(competition=fresh(competition), user=user, side=side, role=role, bid=bid, actor=actor)


def back_date_tender_deadline(competition: Competition, deadline: datetime.datetime) -> None:
    """SCENARIO HISTORY IS BACK-DATED HERE AND IN `back_date_standstill`, NOWHERE ELSE.

    Tenders are received only before the deadline and nobody may open them until it has passed
    (SPEC §4 rule 2), and a scenario cannot wait in between: the tenders are received, then the
    deadline is moved to `deadline`. The state still moves only through the services: the
    guards then check the (back-dated) deadline exactly as they would in use.
    """
    Competition.objects.filter(pk=competition.pk).update(bid_deadline=deadline)


def back_date_standstill(competition: Competition, *, days: int = 15) -> None:
    """SCENARIO HISTORY IS BACK-DATED HERE AND IN `back_date_tender_deadline`, NOWHERE ELSE.

    Standstill must elapse before award and a scenario cannot wait for it, so the standstill that
    `competition_start_standstill` recorded today is moved `days` into the past (its end recounted
    by the regime's rules). The award guard then checks the dates exactly as it would in use.
    """
    competition = fresh(competition)
    started_on = competition.standstill_started_on - datetime.timedelta(days=days)
    Competition.objects.filter(pk=competition.pk).update(
        standstill_started_on=started_on, standstill_ends_on=standstill_ends_on(regime=competition.regime, starts_on=started_on),
    )



def complete_mobilisation(agreement: Any, actor: User) -> None:
    """An agreement's mobilisation plan drawn up (the standard milestones) and every milestone done today — what "go live" needs
    besides its terms (contracts.guards). A readiness visit is recorded with its findings."""
    from django.utils import timezone

    from contracts import mobilisation
    from contracts.models import MilestoneKind

    if not agreement.milestones.exists():
        mobilisation.mobilisation_plan_draw_up(agreement=agreement, actor=actor)
    for milestone in agreement.milestones.filter(done_on__isnull=True, gap_accepted_at__isnull=True):
        findings = "Staff trained, premises and systems ready." if milestone.kind == MilestoneKind.READINESS_VISIT else ""
        mobilisation.milestone_complete(milestone=milestone, actor=actor, done_on=timezone.localdate(), findings=findings)


def agree_exit_plan(agreement: Any, writer: User, commissioner: User) -> None:
    """An agreement's exit plan written by `writer` and agreed by `commissioner` — what "decommission" needs."""
    from contracts import exit_plans

    exit_plans.exit_plan_record(agreement=agreement, actor=writer, service_users="Each person's case handed to the successor service.",
                                data_return="Case records returned securely within 30 days; copies destroyed.",
                                staff="Staff transfer under TUPE where the service continues; otherwise redeployed.",
                                assets="Equipment bought under the contract returned to the agency.")
    exit_plans.exit_plan_agree(agreement=agreement, actor=commissioner)


def agreement_of(competition: Competition) -> Any:
    from contracts.models import Agreement

    return Agreement.objects.get(competition=competition)


def plan_mobilisation(competition: Competition, actor: User) -> None:
    """The standard mobilisation plan drawn up on the agreement the competition's award created (start mobilisation needs it)."""
    from contracts import mobilisation

    mobilisation.mobilisation_plan_draw_up(agreement=agreement_of(competition), actor=actor)


def board_meeting(matter: str, actor: User, *, members: list[User], held_on: datetime.date | None = None, agenda: str = "") -> Any:
    """A meeting on `held_on` (today) of the body that owns `matter` (boards.models.MATTER_BODY), with `members` present — made
    members three years before if they are not — as `actor` (its secretariat) records it; the body's meeting that day if it has one."""
    from django.utils import timezone

    from boards import services as board_services
    from boards.models import MATTER_BODY, Body, Matter, Meeting

    body = Body.objects.get(kind=MATTER_BODY[Matter(matter)])
    day = held_on or timezone.localdate()
    for person in members:
        if not body.members.filter(person=person, left_on__isnull=True).exists():
            board_services.member_add(actor=actor, body=body, person=person, joined_on=day - datetime.timedelta(days=3 * 365),
                                      chair=not body.members.exists())
    return Meeting.objects.filter(body=body, held_on=day).first() or board_services.meeting_record(
        actor=actor, body=body, held_on=day, attendees=members, agenda=agenda)


def board_decide(competition: Competition, matter: str, actor: User, *, members: list[User], outcome: str = "approved",
                 held_on: datetime.date | None = None, minute: str = "", conditions: str = "") -> Any:
    """The body that owns `matter` decides on the competition at its meeting (`board_meeting`), as `actor` records it."""
    from boards import services as board_services
    from boards.models import Matter

    label = Matter(matter).label
    meeting = board_meeting(matter, actor, members=members, held_on=held_on, agenda=f"{label}: {competition.title}")
    return board_services.decision_record(
        actor=actor, meeting=meeting, matter=matter, competition=fresh(competition), outcome=outcome, conditions=conditions,
        minute=minute or f"{label} for {competition.title}: {outcome}, on the paper presented.")
