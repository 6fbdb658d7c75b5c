"""Every read of competitions a user sees: pages, API, exports all come through here.

Visibility (SPEC §4, rule 1): the commissioning side sees a competition's
confidential records; everyone else — the bid team above all — sees only what
every bidder sees: launched competitions, their published criteria, notices and
published clarifications. The ethical wall narrows this further per competition.
"""

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Count, Prefetch, Q, QuerySet, prefetch_related_objects
from django.http import Http404

from competitions.models import (
    LAUNCHED,
    PHASES,
    Bid,
    Clarification,
    Competition,
    CompetitionEvent,
    EvaluationCriterion,
    GatewayReview,
    Notice,
)
from core.roles import Role

COMMISSIONING_SIDE_ROLES = (Role.COMMISSIONER, Role.SRO, Role.PROCUREMENT, Role.GATEWAY_REVIEWER)
PORTFOLIO_ROLES = (*COMMISSIONING_SIDE_ROLES, Role.OVERSIGHT, Role.CONTRACT_MANAGER)


def sees_confidential(user, competition=None) -> bool:
    """Whether the user may see this competition's confidential (commissioning-side) records."""
    return user.is_authenticated and user.has_role(*COMMISSIONING_SIDE_ROLES)


def _visible_competitions(user) -> QuerySet[Competition]:
    competitions = Competition.objects.all()
    if user.has_role(*PORTFOLIO_ROLES):
        return competitions
    # Everyone else sees what every bidder sees: only launched competitions are public.
    return competitions.filter(state__in=LAUNCHED)


def competition_list(*, user, state: str = "", service_area=None, phase: str = "", min_value=None, max_value=None, search: str = "") -> QuerySet[Competition]:
    competitions = _visible_competitions(user).select_related("service_area", "lead_commissioner", "sro")
    if state:
        competitions = competitions.filter(state=state)
    if phase:
        competitions = competitions.filter(state__in=PHASES.get(phase, []))
    if service_area:
        competitions = competitions.filter(service_area=service_area)
    if min_value is not None:
        competitions = competitions.filter(estimated_value__gte=min_value)
    if max_value is not None:
        competitions = competitions.filter(estimated_value__lte=max_value)
    if search:
        competitions = competitions.filter(Q(title__icontains=search) | Q(reference__icontains=search))
    return competitions.order_by("reference")


def competition_get(*, user, pk) -> Competition:
    """One competition with everything its page shows for this user, in a fixed number of queries."""
    competitions = _visible_competitions(user).select_related("service_area", "lead_commissioner", "sro", "programme")
    public = [
        Prefetch("criteria", queryset=EvaluationCriterion.objects.filter(published=True), to_attr="visible_criteria"),
        Prefetch("clarifications", queryset=clarification_queryset(user), to_attr="visible_clarifications"),
        Prefetch("notices", queryset=Notice.objects.order_by("published_at", "id"), to_attr="visible_notices"),
    ]
    confidential = [
        Prefetch("criteria", queryset=EvaluationCriterion.objects.all(), to_attr="visible_criteria"),
        Prefetch("clarifications", queryset=clarification_queryset(user).select_related("asked_by", "answered_by"), to_attr="visible_clarifications"),
        Prefetch("notices", queryset=Notice.objects.order_by("published_at", "id"), to_attr="visible_notices"),
        "business_cases__approved_by", "treasury_approvals", "assurance_plan", "challenges__challenger",
        Prefetch("gateway_reviews", queryset=GatewayReview.objects.prefetch_related("recommendations").select_related("recovery_action")),
        Prefetch(
            "bids",
            queryset=Bid.objects.select_related("bidder", "debrief_letter").prefetch_related(
                "participants__organisation", "scores", "moderated_scores", "cost_adjustments", "documents"
            ),
        ),
        Prefetch("events", queryset=CompetitionEvent.objects.select_related("actor")),
    ]
    try:
        competition = competitions.get(pk=pk)
    except (Competition.DoesNotExist, ValueError, TypeError):
        raise Http404("No such competition")
    lookups = confidential if sees_confidential(user, competition) else public
    prefetch_related_objects([competition], *lookups)
    if sees_confidential(user, competition):
        for name in ("procurement_strategy", "award_recommendation", "benefits_report", "wall", "conflicts_assessment"):
            _load_optional(competition, name)
    return competition


def _load_optional(competition, name):
    """Touch a reverse one-to-one so templates read it without a query each (None when absent)."""
    try:
        getattr(competition, name)
    except ObjectDoesNotExist:
        pass


def clarification_queryset(user) -> QuerySet[Clarification]:
    clarifications = Clarification.objects.order_by("logged_at", "id")
    if sees_confidential(user):
        return clarifications
    # Every bidder sees answered, non-sensitive clarifications, the asker anonymised.
    return clarifications.filter(published_at__isnull=False, commercially_sensitive=False)


def clarification_list(*, user, competition=None) -> QuerySet[Clarification]:
    clarifications = clarification_queryset(user).filter(competition__in=_visible_competitions(user)).select_related("competition")
    if competition is not None:
        clarifications = clarifications.filter(competition=competition)
    return clarifications


def bid_list(*, user, competition=None) -> QuerySet[Bid]:
    if not sees_confidential(user):
        return Bid.objects.none()
    bids = Bid.objects.select_related("bidder", "competition").prefetch_related("participants__organisation")
    if competition is not None:
        bids = bids.filter(competition=competition)
    return bids


def gateway_review_list(*, user, competition=None) -> QuerySet[GatewayReview]:
    if not sees_confidential(user):
        return GatewayReview.objects.none()
    reviews = GatewayReview.objects.select_related("competition", "programme", "recorded_by", "recovery_action").prefetch_related("recommendations")
    if competition is not None:
        reviews = reviews.filter(competition=competition)
    return reviews


def notice_list(*, user, competition) -> QuerySet[Notice]:
    return Notice.objects.filter(competition=competition, competition__in=_visible_competitions(user))


def portfolio_summary(*, user) -> dict:
    """Counts by phase for the oversight portfolio, over what the user may see."""
    competitions = _visible_competitions(user)
    by_state = dict(competitions.values_list("state").annotate(n=Count("id")).values_list("state", "n"))
    return {phase: sum(by_state.get(s, 0) for s in states) for phase, states in PHASES.items()}
