"""The demo's governance bodies (issue #21): their members, and the papers and other business of their meetings.

The bodies themselves come with the database (boards' migration 0002). `seed_board_members` runs
before the competitions, whose scenarios take each decision the guards read at a meeting of the body
that owns it (`decide`, through `scenarios.drivers.board_decide`); `seed_board_papers` runs after them
and adds the papers put to those meetings, an interest declared, and business about no competition.
"""

import datetime

from django.db import transaction
from django.utils import timezone

from boards import services
from boards.models import MATTER_BODY, Body, BodyKind, Decision, Matter, Meeting, Paper
from competitions.models import Competition
from core.models import User
from scenarios import drivers

# Who sits where (the chair first). The provider arm — the bid team — sits on none (seed 002, line 501).
MEMBERS = {
    BodyKind.AGENCY_BOARD: ["oversight", "commissioner", "sro", "contract_manager"],
    BodyKind.SUB_COMMITTEE: ["commissioner", "sro", "oversight", "contract_manager"],
    BodyKind.COMPETITION_BOARD: ["commissioner", "sro", "procurement", "rebecca.holt"],
    BodyKind.INVESTMENT_COMMITTEE: ["oversight", "sro", "commissioner"],
    BodyKind.PROCUREMENT_COMMITTEE: ["procurement", "commissioner", "oversight"],
    BodyKind.MAJOR_PROJECTS_AUTHORITY: ["gateway_reviewer"],
}


def _people(usernames: list[str]) -> list[User]:
    users = {u.username: u for u in User.objects.filter(username__in=usernames)}
    return [users[name] for name in usernames]


def _members(kind: str) -> list[User]:
    body = Body.objects.get(kind=kind)
    return [member.person for member in body.members.filter(left_on__isnull=True).select_related("person").order_by("-chair", "pk")]


@transaction.atomic
def seed_board_members() -> None:
    from boards.models import BodyMember

    if BodyMember.objects.exists():
        return
    secretary = User.objects.get(username="commissioner")
    joined = timezone.localdate() - datetime.timedelta(days=4 * 365)
    for kind, usernames in MEMBERS.items():
        body = Body.objects.get(kind=kind)
        for index, person in enumerate(_people(usernames)):
            services.member_add(actor=secretary, body=body, person=person, joined_on=joined, chair=index == 0)


def decide(competition: Competition, matter: str, actor: User, *, days_ago: int, minute: str = "", conditions: str = "",
           outcome: str = "approved") -> Decision:
    """The competition's `matter` decided by its body's members at a meeting `days_ago` (never before the competition's mandate)."""
    return drivers.board_decide(competition, matter, actor, members=_members(MATTER_BODY[Matter(matter)]), outcome=outcome,
                                held_on=timezone.localdate() - datetime.timedelta(days=max(days_ago, 0)), minute=minute, conditions=conditions)


@transaction.atomic
def seed_board_papers() -> None:
    """Papers to the meetings that decided the demo competitions' matters, an interest declared, and business about no competition."""
    if Paper.objects.exists():
        return
    secretary = User.objects.get(username="commissioner")
    for decision in Decision.objects.filter(competition__isnull=False).select_related("meeting", "competition").order_by("pk"):
        competition = decision.competition
        services.paper_add(
            actor=secretary, meeting=decision.meeting, competition=competition,
            title=f"{competition.reference}: {decision.get_matter_display().lower()}",
            summary=f"Paper to the {decision.meeting.body.name} on {competition.title}: the recommendation, the options considered, "
                    f"the costs and risks, and the ethical wall's arrangements.")
    sub_committee = Body.objects.get(kind=BodyKind.SUB_COMMITTEE)
    members = _members(BodyKind.SUB_COMMITTEE)
    meeting = Meeting.objects.filter(body=sub_committee).order_by("-held_on").first() or services.meeting_record(
        actor=secretary, body=sub_committee, held_on=timezone.localdate() - datetime.timedelta(days=42), attendees=members)
    services.interest_declare(actor=secretary, meeting=meeting, person=members[-1],
                              interest="A close relative works for a voluntary-sector provider of resettlement services.")
    services.paper_add(actor=secretary, meeting=meeting, title="Commissioning Intentions 2027–28: consultation outcome",
                       summary="What the consultation on the Intentions Plan said, theme by theme, and the changes proposed in response.")
    services.decision_record(
        actor=secretary, meeting=meeting, matter=Matter.OTHER, subject="Commissioning Intentions Plan 2027–28", outcome="approved",
        conditions="Publish the commissioner's response to each consultation theme with the plan.",
        minute="The Sub-Committee approved the Commissioning Intentions Plan 2027–28 as revised after consultation.")
