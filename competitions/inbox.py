"""What competitions and their walls put in a person's inbox (core.inbox, issue #19), each in a fixed number of queries.

Staff see their commissioning side's work only (the competitions whose wall they are on, through
`confidential_competition_ids`); bidders see their own bids' deadlines and questions (`bids_of`).
"""

import datetime
from collections.abc import Iterator
from typing import Any

from django.db.models import Count, Max, Q
from django.urls import reverse
from django.utils import timezone

from competitions.models import BusinessCase, Clarification, Competition, GatewayReview, ModeratedScore, PlannedReview, Score
from competitions.states import ABANDONABLE, State
from competitions.selectors import bids_of
from competitions.parts import section_url
from core.inbox import Task
from core.roles import Role
from ethical_walls.models import ConflictDeclaration, DeclarationRequest
from ethical_walls.selectors import confidential_competition_ids, sees_commissioning_material

COMPETITIONS, WALLS, OPPORTUNITIES = "Competitions", "Ethical walls", "Opportunities"
ACTIVE = [*ABANDONABLE, State.AWARDED, State.MOBILISATION, State.LIVE]  # neither closed nor abandoned


def _detail(competition_id: int, anchor: str = "") -> str:
    return section_url(competition_id, anchor)


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def tasks(user: Any, today: datetime.date, horizon: datetime.date) -> Iterator[Task]:
    yield from _wall_tasks(user)
    if sees_commissioning_material(user):
        yield from _commissioning_tasks(user, today, horizon)
    yield from _bidder_tasks(user, today, horizon)


def _wall_tasks(user: Any) -> Iterator[Task]:
    for request in DeclarationRequest.objects.filter(user=user, closed_at__isnull=True).select_related("competition"):
        yield Task(f"Declare your interests to join the commissioning side of {request.competition.reference}",
                   reverse("ethical_walls:declare", args=[request.competition_id]), WALLS)
    declarations = ConflictDeclaration.objects.filter(
        competition__sro=user, nature=ConflictDeclaration.Nature.CONFLICT, assessment=ConflictDeclaration.Assessment.PENDING,
    ).select_related("competition", "user").order_by("declared_at", "pk")
    for declaration in declarations:
        yield Task(f"Assess {declaration.user.get_full_name() or declaration.user}'s declared conflict on {declaration.competition.reference}",
                   reverse("ethical_walls:assess", args=[declaration.pk]), WALLS)


def _commissioning_tasks(user: Any, today: datetime.date, horizon: datetime.date) -> Iterator[Task]:
    ids = confidential_competition_ids(user)
    if not ids:
        return
    if user.has_role(Role.SRO):
        for case in BusinessCase.objects.filter(competition_id__in=ids, status=BusinessCase.Status.DRAFT).select_related("competition"):
            yield Task(f"Approve the {case.get_kind_display().lower()} for {case.competition.reference}",
                       _detail(case.competition_id, "business-cases"), COMPETITIONS)
    if user.has_role(Role.PROCUREMENT):
        yield from _procurement_tasks(user, ids)
    if user.has_role(Role.COMMISSIONER, Role.PROCUREMENT, Role.SRO):
        yield from _competition_deadlines(ids, today, horizon)
    if user.has_role(Role.GATEWAY_REVIEWER, Role.SRO):
        yield from _planned_reviews(ids, horizon)


def _planned_reviews(ids: set[int], horizon: datetime.date) -> Iterator[Task]:
    """Gateway and keyholder reviews the assurance plan puts within the horizon (or past) and not yet held."""
    held = set(GatewayReview.objects.filter(competition_id__in=ids).values_list("competition_id", "review_type", "gate"))
    planned = PlannedReview.objects.filter(competition_id__in=ids, review_type__in=["gateway", "keyholder"], planned_on__lte=horizon,
                                           competition__state__in=ACTIVE).select_related("competition")
    for review in planned:
        if (review.competition_id, review.review_type, review.gate) not in held:
            name = f"Gate {review.gate} review" if review.review_type == "gateway" else f"Keyholder review (gate {review.gate})"
            yield Task(f"{name} of {review.competition.reference} planned", _detail(review.competition_id, "assurance-plan"), COMPETITIONS,
                       due=review.planned_on, decision=False)


def _procurement_tasks(user: Any, ids: set[int]) -> Iterator[Task]:
    unanswered = (Clarification.objects.filter(competition_id__in=ids, answer="").values("competition_id", "competition__reference")
                  .annotate(n=Count("pk"), latest=Max("pk")).order_by("competition__reference"))
    for row in unanswered:
        yield Task(f"Answer {_plural(row['n'], 'question')} from bidders on {row['competition__reference']}",
                   _detail(row["competition_id"], "clarifications"), COMPETITIONS, key=f"questions:{row['latest']}")
    now = timezone.now()
    closed = Q(state=State.TENDER, bid_deadline__lte=now, sealed_tenders__round="tender") | Q(
        state=State.BAFO, bafo_deadline__lte=now, sealed_tenders__round="bafo")
    boxes = (Competition.objects.filter(closed, pk__in=ids, sealed_tenders__opened_at__isnull=True, sealed_tenders__withdrawn_at__isnull=True)
             .distinct().prefetch_related("tender_box_openings__first_officer"))
    for competition in boxes:
        round = "bafo" if competition.state == State.BAFO else "tender"
        opening = next((o for o in competition.tender_box_openings.all() if o.round == round), None)
        if opening is None:
            yield Task(f"Open the tender box of {competition.reference} (one of two procurement officers)",
                       _detail(competition.pk, "tender-box"), COMPETITIONS)
        elif opening.first_officer_id != user.pk:
            yield Task(f"Complete the opening of {competition.reference}'s tender box, begun by {opening.first_officer}",
                       _detail(competition.pk, "tender-box"), COMPETITIONS)
    yield from _moderation_tasks(ids)


def _moderation_tasks(ids: set[int]) -> Iterator[Task]:
    """Scores from two evaluators or more with no moderated score yet, counted per competition in evaluation."""
    scored = (Score.objects.filter(bid__competition_id__in=ids, bid__competition__state=State.EVALUATION)
              .values("bid__competition_id", "bid__competition__reference", "bid_id", "criterion_id").annotate(n=Count("pk")).filter(n__gte=2))
    moderated = set(ModeratedScore.objects.filter(bid__competition_id__in=ids, bid__competition__state=State.EVALUATION)
                    .values_list("bid_id", "criterion_id"))
    waiting: dict[tuple[int, str], int] = {}
    for row in scored:
        if (row["bid_id"], row["criterion_id"]) not in moderated:
            key = (row["bid__competition_id"], row["bid__competition__reference"])
            waiting[key] = waiting.get(key, 0) + 1
    for (competition_id, reference), n in sorted(waiting.items(), key=lambda item: item[0][1]):
        yield Task(f"Moderate {_plural(n, 'score')} on {reference}", _detail(competition_id, "evaluation"), COMPETITIONS,
                   key=f"moderate:{competition_id}:{n}")


DEADLINES = [
    # (state, field, what closes)
    (State.PRE_QUALIFICATION, "participation_deadline", "Requests to participate close"),
    (State.TENDER, "bid_deadline", "Tenders close"),
    (State.BAFO, "bafo_deadline", "Best and final offers close"),
]


def _competition_deadlines(ids: set[int], today: datetime.date, horizon: datetime.date) -> Iterator[Task]:
    for competition in Competition.objects.filter(pk__in=ids, state__in=[State.PRE_QUALIFICATION, State.TENDER, State.BAFO, State.STANDSTILL]):
        yield from _deadlines_of(competition, today, horizon, lambda c, anchor: _detail(c.pk, anchor), COMPETITIONS)


def _deadlines_of(competition: Competition, today: datetime.date, horizon: datetime.date, url: Any, area: str) -> Iterator[Task]:
    for state, field, closes in DEADLINES:
        moment = getattr(competition, field)
        if competition.state == state and moment is not None and today <= timezone.localdate(moment) <= horizon:
            yield Task(f"{closes} on {competition.reference} at {timezone.localtime(moment):%H:%M}", url(competition, "governance"),
                       area, due=timezone.localdate(moment), decision=False)
    ends = competition.standstill_ends_on
    if competition.state == State.STANDSTILL and ends is not None and today <= ends <= horizon:
        yield Task(f"Standstill ends on {competition.reference}", url(competition, "standstill"), area, due=ends, decision=False)


def _bidder_tasks(user: Any, today: datetime.date, horizon: datetime.date) -> Iterator[Task]:
    bids = (bids_of(user).filter(competition__state__in=[State.PRE_QUALIFICATION, State.TENDER, State.BAFO, State.STANDSTILL])
            .select_related("competition").annotate(questions=Count("competition__participation_questions", distinct=True),
                                                    answers=Count("participation_answers", distinct=True)))

    def opportunity(competition: Competition, anchor: str) -> str:
        return reverse("competitions:opportunity", args=[competition.pk]) + f"#{anchor}"

    for bid in bids:
        competition = bid.competition
        if competition.state == State.PRE_QUALIFICATION and bid.pre_qualification == "pending" and bid.answers < bid.questions:
            due = timezone.localdate(competition.participation_deadline) if competition.participation_deadline else None
            yield Task(f"Answer the conditions of participation for {competition.reference}", opportunity(competition, "participation"),
                       OPPORTUNITIES, due=due)
        yield from _deadlines_of(competition, today, horizon, opportunity, OPPORTUNITIES)
