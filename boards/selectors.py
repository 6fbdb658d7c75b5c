"""Who reads which bodies, meetings, papers and decisions (issue #21), and the decision that stands on a matter.

Bodies, their members and meetings are the commissioning side's governance: read by its roles
(`BOARD_READERS`), never by anyone on the bid side (`sees_commissioning_material`). Papers, declared
interests and decisions about a competition are that competition's commissioning material: they are
read only by its commissioning side (`confidential_competition_ids`) — the bid team, even one allowed
to see a competition's public face, reads none, on any page or API route. Every page and API route
reads them through the functions here.
"""

from collections.abc import Iterable
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet

from boards.models import Body, BodyMember, Decision, DeclaredInterest, Meeting, Paper
from core.roles import Role
from ethical_walls.audit import Channel
from ethical_walls.selectors import confidential_competition_ids, get_or_404, sees_commissioning_material

Viewer = Any

# Who records meetings, papers and decisions (the boards' secretariat and members); who reads them besides.
BOARD_ROLES = (Role.COMMISSIONER, Role.SRO, Role.PROCUREMENT)
BOARD_READERS = (*BOARD_ROLES, Role.CONTRACT_MANAGER, Role.OVERSIGHT, Role.GATEWAY_REVIEWER)


def sees_boards(user: Viewer) -> bool:
    return sees_commissioning_material(user, *BOARD_READERS)


def may_record(user: Viewer) -> bool:
    return sees_commissioning_material(user, *BOARD_ROLES)


def reads_competition(user: Viewer, competition_id: int | None) -> bool:
    """Whether `user` reads the board material about this competition (none: material about no competition)."""
    return sees_boards(user) and (competition_id is None or competition_id in confidential_competition_ids(user))


def _about_visible(user: Viewer) -> Q:
    if not sees_boards(user):
        return Q(pk__in=[])
    return Q(competition__isnull=True) | Q(competition_id__in=confidential_competition_ids(user))


def bodies(user: Viewer) -> QuerySet[Body]:
    """The bodies with their current members and how many meetings each has held."""
    if not sees_boards(user):
        return Body.objects.none()
    current = BodyMember.objects.filter(left_on__isnull=True).select_related("person")
    return Body.objects.annotate(meeting_count=Count("meetings")).prefetch_related(Prefetch("members", queryset=current, to_attr="current_members"))


def body_get(user: Viewer, pk: Any, *, path: str = "") -> Body:
    return get_or_404(user, bodies(user), channel=Channel.PAGE, path=path, object_type="boards.body", pk=pk)


def meeting_list(user: Viewer, *, body: Body | None = None) -> QuerySet[Meeting]:
    """Meetings, latest first, with how many attended and how many of their decisions this user may read."""
    if not sees_boards(user):
        return Meeting.objects.none()
    readable = Q(decisions__competition__isnull=True) | Q(decisions__competition_id__in=confidential_competition_ids(user))
    meetings = Meeting.objects.select_related("body").annotate(
        attendee_count=Count("attendees", distinct=True), decision_count=Count("decisions", filter=readable, distinct=True))
    return meetings.filter(body=body) if body is not None else meetings


def meeting_get(user: Viewer, pk: Any, *, path: str = "", channel: str = Channel.PAGE) -> Meeting:
    """One meeting with its attendees, and only the papers, interests and decisions this user may read."""
    about = _about_visible(user)
    meetings = meeting_list(user).prefetch_related(
        "attendees",
        Prefetch("papers", queryset=Paper.objects.filter(about).select_related("competition", "submitted_by"), to_attr="visible_papers"),
        Prefetch("interests", queryset=DeclaredInterest.objects.filter(about).select_related("person", "competition"), to_attr="visible_interests"),
        Prefetch("decisions", queryset=Decision.objects.filter(about).select_related("competition", "recorded_by").order_by("pk"),
                 to_attr="visible_decisions"),
    )
    return get_or_404(user, meetings, channel=channel, path=path, object_type="boards.meeting", pk=pk)


def paper_get(user: Viewer, pk: Any, *, path: str = "") -> Paper:
    papers = Paper.objects.filter(_about_visible(user)).select_related("meeting__body", "competition", "submitted_by")
    return get_or_404(user, papers, channel=Channel.PAGE, path=path, object_type="boards.paper", pk=pk)


def decision_list(user: Viewer, *, competition_id: int | None = None, matter: str = "", body: str = "") -> QuerySet[Decision]:
    """The decisions this user may read, latest meeting first, with their meeting, body and competition."""
    decisions = Decision.objects.filter(_about_visible(user)).select_related("meeting__body", "competition", "recorded_by")
    if competition_id is not None:
        decisions = decisions.filter(competition_id=competition_id)
    if matter:
        decisions = decisions.filter(matter=matter)
    if body:
        decisions = decisions.filter(meeting__body__kind=body)
    return decisions


def with_meeting(decisions: QuerySet[Decision]) -> QuerySet[Decision]:
    """Decisions with who was at the meeting and the interests declared there, with their people: two queries for a page
    of them, whether or not the first rows have any (constant queries per page)."""
    return decisions.prefetch_related("meeting__attendees", Prefetch("meeting__interests", queryset=DeclaredInterest.objects.select_related("person")))


def decision_get(user: Viewer, pk: Any, *, path: str = "", channel: str = Channel.PAGE) -> Decision:
    decisions = with_meeting(decision_list(user))
    return get_or_404(user, decisions, channel=channel, path=path, object_type="boards.decision", pk=pk)


def standing(decisions: Iterable[Decision], matter: str) -> Decision | None:
    """The decision that stands on `matter`: the latest, by meeting date then record (a later one supersedes)."""
    on_matter = [d for d in decisions if d.matter == matter]
    return max(on_matter, key=lambda d: (d.meeting.held_on, d.pk), default=None)


def members_on(body: Body, day: Any) -> QuerySet[BodyMember]:
    """The body's members on `day`."""
    return body.members.filter(Q(left_on__isnull=True) | Q(left_on__gte=day), joined_on__lte=day).select_related("person")

