"""Every change to the boards' record (issue #21): members, meetings, interests, papers and decisions.

Only the commissioning side's governance roles record (`boards.selectors.may_record`), and only
about competitions whose commissioning material they read. Nobody on the bid side sits on a body.
A decision stands only when the body that owns the matter took it (`MATTER_BODY`) at a quorate
meeting — counting those present who had not withdrawn from the item for a declared interest. A
decision is sent out (`core.signals.board_decided`) inside its transaction: the competition records
what it settles, and a refusal there (criteria that do not add up) undoes the decision.
"""

import datetime
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from boards.models import MATTER_BODY, Body, BodyMember, Decision, DeclaredInterest, Matter, Meeting, Outcome, Paper
from boards.selectors import may_record, members_on, reads_competition
from core import dates
from core.models import User
from core.roles import BID_SIDE_ROLES, STAFF_ROLES
from core.signals import board_decided

Competition = Any  # competitions.models.Competition: this app sits below the product apps and names them by key


def _require_recorder(actor: User, competition: Competition | None = None) -> None:
    if not may_record(actor) or not reads_competition(actor, competition.pk if competition is not None else None):
        raise PermissionDenied("Only commissioners, SROs and procurement officers on the commissioning side of the matter record boards' business.")


@transaction.atomic
def member_add(*, actor: User, body: Body, person: User, joined_on: datetime.date, chair: bool = False) -> BodyMember:
    _require_recorder(actor)
    if person.has_role(*BID_SIDE_ROLES) or not person.has_role(*STAFF_ROLES) or not person.is_active:
        raise ValidationError({"person": "Choose a member of the agency's staff who is not on the bid side: "
                                         "the bid team and suppliers never sit on a commissioning body (SPEC §4)."})
    dates.check_not_in_future("joined_on", joined_on, "Joining")
    if body.members.filter(person=person, left_on__isnull=True).exists():
        raise ValidationError({"person": f"{person.get_full_name() or person.username} is already a member of the {body.name}."})
    if chair:
        body.members.filter(chair=True, left_on__isnull=True).update(chair=False)
    return BodyMember.objects.create(body=body, person=person, chair=chair, joined_on=joined_on)


@transaction.atomic
def member_leave(*, actor: User, member: BodyMember, left_on: datetime.date) -> BodyMember:
    _require_recorder(actor)
    member = BodyMember.objects.select_for_update().get(pk=member.pk)
    if member.left_on is not None:
        raise ValidationError({"left_on": "They have already left."})
    dates.check_order("left_on", left_on, member.joined_on, "They leave on or after the day they joined")
    member.left_on = left_on
    member.save(update_fields=["left_on"])
    return member


@transaction.atomic
def meeting_record(*, actor: User, body: Body, held_on: datetime.date, attendees: Iterable[User], agenda: str = "") -> Meeting:
    """A meeting held, with the members who attended (on the day: members then)."""
    _require_recorder(actor)
    dates.check_not_in_future("held_on", held_on, "A meeting")
    attendees = list(attendees)
    if not attendees:
        raise ValidationError({"attendees": "Choose the members who attended."})
    members = set(members_on(body, held_on).values_list("person_id", flat=True))
    strangers = [person for person in attendees if person.pk not in members]
    if strangers:
        names = ", ".join(person.get_full_name() or person.username for person in strangers)
        raise ValidationError({"attendees": f"Not members of the {body.name} on {held_on:%-d %B %Y}: {names}."})
    meeting = Meeting.objects.create(body=body, held_on=held_on, agenda=agenda.strip(), recorded_by=actor)
    meeting.attendees.set(attendees)
    return meeting


@transaction.atomic
def interest_declare(*, actor: User, meeting: Meeting, person: User, interest: str, competition: Competition | None = None,
                     withdrew: bool = False) -> DeclaredInterest:
    _require_recorder(actor, competition)
    if not meeting.attendees.filter(pk=person.pk).exists():
        raise ValidationError({"person": "Only someone who attended declares an interest at the meeting."})
    if not interest.strip():
        raise ValidationError({"interest": "Say what the interest is."})
    return DeclaredInterest.objects.create(meeting=meeting, person=person, competition=competition, interest=interest.strip(), withdrew=withdrew)


@transaction.atomic
def paper_add(*, actor: User, meeting: Meeting, title: str, summary: str, competition: Competition | None = None,
              file: UploadedFile | None = None) -> Paper:
    """A paper put to the meeting; one about a competition is read only by its commissioning side."""
    _require_recorder(actor, competition)
    paper = Paper(meeting=meeting, competition=competition, title=title.strip(), summary=summary.strip(), submitted_by=actor)
    if file is not None:
        paper.file = file
    paper.full_clean()
    paper.save()
    return paper


def _present_for(meeting: Meeting, competition: Competition | None) -> int:
    """How many attended the item: those present, less anyone who withdrew from it for an interest in the competition."""
    present = meeting.attendees.count()
    if competition is None:
        return present
    withdrawn = meeting.interests.filter(competition=competition, withdrew=True).values("person").distinct().count()
    return present - withdrawn


@transaction.atomic
def decision_record(*, actor: User, meeting: Meeting, matter: str, outcome: str, minute: str, competition: Competition | None = None,
                    subject: str = "", conditions: str = "") -> Decision:
    """The body's decision on a matter, as minuted. The body must own the matter and the meeting be quorate for the item."""
    _require_recorder(actor, competition)
    meeting = Meeting.objects.select_related("body").get(pk=meeting.pk)
    body = meeting.body
    if matter not in Matter.values:
        raise ValidationError({"matter": "Choose what was decided."})
    if matter == Matter.OTHER:
        if not subject.strip():
            raise ValidationError({"subject": "Say what was decided."})
    else:
        if competition is None:
            raise ValidationError({"competition": f"Choose the competition the {Matter(matter).label.lower()} is about."})
        owner = MATTER_BODY[Matter(matter)]
        if body.kind != owner:
            raise ValidationError({"matter": f"{Matter(matter).label} is the {owner.label}'s to decide (seed 002): "
                                             f"record it at one of its meetings, not the {body.name}'s."})
    if outcome not in Outcome.values:
        raise ValidationError({"outcome": "Choose approved, rejected or deferred."})
    if conditions.strip() and outcome != Outcome.APPROVED:
        raise ValidationError({"conditions": "Only an approval carries conditions."})
    if not minute.strip():
        raise ValidationError({"minute": "Give the decision as minuted, with its reasons."})
    present = _present_for(meeting, competition)
    if present < body.quorum:
        raise ValidationError({"meeting": f"The meeting was not quorate for this item: {present} member(s) took part, "
                                          f"the {body.name} needs {body.quorum}."})
    decision = Decision.objects.create(meeting=meeting, matter=matter, competition=competition, subject=subject.strip(), outcome=outcome,
                                       conditions=conditions.strip(), minute=minute.strip(), recorded_by=actor)
    board_decided.send(sender=Decision, decision=decision, actor=actor)
    return decision
