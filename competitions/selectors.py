"""Every read of competitions a user sees: pages, API, exports all come through here.

What is confidential is decided by the ethical wall (`ethical_walls.selectors`):
the commissioning side of a competition holds object permissions on it and its
records; everyone else — the bid team above all — sees only what every bidder
sees: launched competitions, published criteria, notices and clarifications
answered to all. A bid team also sees its own bid.

A competition not yet launched exists only for its commissioning side (people who
declared and were not excluded) and for oversight (SPEC §4 rule 4: no declaration,
no access) — whatever role anyone else holds. Oversight sees the whole portfolio
(state, value, SRO), not the confidential records.
"""

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Count, Model, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum, prefetch_related_objects

from boards.models import MATTER_BODY, Body, Decision, Matter
from boards.selectors import standing
from competitions.models import (
    AwardRecommendation,
    Benefit,
    Bid,
    BidParticipant,
    BidDocument,
    BusinessCase,
    Challenge,
    Clarification,
    Competition,
    CompetitionEvent,
    DebriefLetter,
    EvaluationCriterion,
    GatewayReview,
    ModeratedScore,
    Notice,
    Recommendation,
    Score,
)
from competitions.states import LAUNCHED, PHASES, AwardBasis, State
from core.models import Organisation, Sector, ServiceArea, Viewer
from core.roles import Role
from ethical_walls import audit
from competitions.protected import BIDDER_ROLES
from ethical_walls.selectors import (  # noqa: F401  (sees_confidential, tender_visible re-exported for views)
    acting_organisation_id,
    bid_team_bid_ids,
    confidential_competition_ids,
    get_or_404,
    permitted,
    permitted_ids_subquery,
    requested_competition_ids,
    sees_confidential,
    sees_whole_portfolio,
    tender_visible,
)

# Who may open the portfolio page: it shows the competitions each of them may see.
PORTFOLIO_ROLES = (Role.COMMISSIONER, Role.SRO, Role.PROCUREMENT, Role.GATEWAY_REVIEWER, Role.OVERSIGHT, Role.CONTRACT_MANAGER)



def _visible_competitions(user: Viewer) -> QuerySet[Competition]:
    competitions: QuerySet[Competition] = Competition.objects.all()
    if sees_whole_portfolio(user):
        return competitions
    # Everyone else sees what every bidder sees — launched competitions are public — and the
    # competitions whose commissioning side they are on.
    return competitions.filter(published_competitions() | Q(pk__in=permitted_ids_subquery(user, Competition)))


def declarable_competitions(*, user: Viewer) -> QuerySet[Competition]:
    """Where a person may declare their interests: what they may see, and where they have been asked to join."""
    requested = requested_competition_ids(user)
    visible = _visible_competitions(user)
    if requested:
        visible = visible | Competition.objects.filter(pk__in=requested)
    return visible.select_related("service_area").order_by("reference")


def published_competitions(path: str = "") -> Q:
    """Launched competitions, abandoned since or not (one abandoned before launch was never public): the one definition.
    `path` reaches the competition from another record ("competition__")."""
    return Q(**{f"{path}launched_at__isnull": False})


def competition_list(*, user: Viewer, state: str = "", service_area: ServiceArea | int | None = None, phase: str = "",
                     min_value: Decimal | None = None, max_value: Decimal | None = None, search: str = "") -> QuerySet[Competition]:
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
        # Search reads public fields only, so it cannot reveal confidential material.
        competitions = competitions.filter(Q(title__icontains=search) | Q(reference__icontains=search))
    return competitions.order_by("reference")


# Where a bidder can still take part (issue #18): requests to participate, dialogue, tendering, final tenders.
OPEN_TO_BIDDERS = (State.PRE_QUALIFICATION, State.DIALOGUE, State.TENDER, State.BAFO)


def opportunity_list(*, user: Viewer, search: str = "", service_area: ServiceArea | int | None = None) -> QuerySet[Competition]:
    """Launched competitions still running, for bidders: public fields only, searched by title, reference and description."""
    competitions: QuerySet[Competition] = Competition.objects.filter(published_competitions(), state__in=OPEN_TO_BIDDERS)
    if search:
        competitions = competitions.filter(Q(title__icontains=search) | Q(reference__icontains=search) | Q(description__icontains=search))
    if service_area:
        competitions = competitions.filter(service_area=service_area)
    return competitions.select_related("service_area").order_by("participation_deadline", "bid_deadline", "reference")


def bids_of(user: Viewer) -> QuerySet[Bid]:
    """The bids a user acts for: its organisation's, as a supplier's bid manager; the crown bid it is on the team of (rule 3)."""
    acting = Q(pk__in=bid_team_bid_ids(user))
    organisation_id = acting_organisation_id(user, BIDDER_ROLES)
    if organisation_id is not None:
        acting |= Q(bidder_id=organisation_id) & ~Q(bidder__sector=Sector.PUBLIC)
    bids: QuerySet[Bid] = Bid.objects.filter(acting)
    return bids


def shared_bids(user: Viewer) -> QuerySet[Bid]:
    """The bids a consortium's lead shared with the user's organisation, for its bid managers to read (never to act)."""
    organisation_id = acting_organisation_id(user, BIDDER_ROLES)
    if organisation_id is None:
        return Bid.objects.none()
    return permitted(user, Bid.objects.filter(shares__organisation_id=organisation_id)).select_related("bidder", "debrief_letter")


def bid_member(bid: Bid, organisation_id: str | int) -> Organisation | None:
    """One of the bid's consortium members or sub-primes (not its lead), by id; None for anything else."""
    try:
        participant = bid.participants.select_related("organisation").exclude(organisation_id=bid.bidder_id).get(organisation_id=organisation_id)
    except (BidParticipant.DoesNotExist, ValueError, TypeError):
        return None
    member: Organisation = participant.organisation
    return member


def bidder_competitions(user: Viewer) -> QuerySet[Competition]:
    """What a bidder may open: the opportunities still running, and every launched competition it bid in (or a consortium
    it is a member of shared its bid in)."""
    running = (Q(state__in=OPEN_TO_BIDDERS) | Q(pk__in=bids_of(user).values("competition_id"))
               | Q(pk__in=shared_bids(user).values("competition_id")))
    competitions: QuerySet[Competition] = Competition.objects.filter(published_competitions(), running)
    return competitions.select_related("service_area")


def own_challenges(user: Viewer, competition: Competition) -> QuerySet[Challenge]:
    organisation_id = acting_organisation_id(user, BIDDER_ROLES)
    if organisation_id is None:
        return Challenge.objects.none()
    return Challenge.objects.filter(competition=competition, challenger_id=organisation_id).order_by("lodged_on", "id")


def published_criteria(competition: Competition) -> QuerySet[EvaluationCriterion]:
    return EvaluationCriterion.objects.filter(competition=competition, published=True).order_by("id")


def own_bid(user: Viewer, competition: Competition) -> Bid | None:
    """The bid the user acts for in this competition (through the wall), if it has one."""
    bid: Bid | None = permitted(user, bids_of(user).filter(competition=competition)).select_related("debrief_letter").first()
    return bid


def _confidential_prefetches(user: Viewer) -> "list[str | Prefetch[str]]":
    return [
        Prefetch("criteria", queryset=permitted(user, EvaluationCriterion.objects.all()), to_attr="visible_criteria"),
        Prefetch("criteria", queryset=permitted(user, EvaluationCriterion.objects.all())),
        Prefetch("clarifications", queryset=Clarification.objects.select_related("asked_by", "answered_by").order_by("logged_at", "id"), to_attr="visible_clarifications"),
        Prefetch("notices", queryset=Notice.objects.order_by("published_at", "id"), to_attr="visible_notices"),
        Prefetch("business_cases", queryset=permitted(user, BusinessCase.objects.select_related("approved_by")).prefetch_related(
            Prefetch("benefits", queryset=Benefit.objects.select_related("owner", "measure").prefetch_related("actuals")))),
        Prefetch("board_decisions", queryset=Decision.objects.select_related("meeting__body", "recorded_by")),
        "treasury_approvals", "assurance_plan", "challenges__challenger", "conflict_declarations", "participation_questions",
        Prefetch("gateway_reviews", queryset=permitted(user, GatewayReview.objects.prefetch_related("recommendations").select_related("recovery_action"))),
        Prefetch(
            "bids",
            queryset=permitted(user, Bid.objects.select_related("bidder", "debrief_letter")).prefetch_related(
                "participants__organisation", "cost_adjustments", "participation_answers__question",
                Prefetch("scores", queryset=permitted(user, Score.objects.all())),
                Prefetch("moderated_scores", queryset=permitted(user, ModeratedScore.objects.all())),
                Prefetch("documents", queryset=permitted(user, BidDocument.objects.all())),
            ),
        ),
        Prefetch("events", queryset=CompetitionEvent.objects.select_related("actor")),
    ]


def _public_prefetches(user: Viewer) -> "list[str | Prefetch[str]]":
    return [
        Prefetch("criteria", queryset=EvaluationCriterion.objects.filter(published=True), to_attr="visible_criteria"),
        Prefetch("clarifications", queryset=clarification_queryset(user, confidential=False), to_attr="visible_clarifications"),
        Prefetch("notices", queryset=Notice.objects.order_by("published_at", "id"), to_attr="visible_notices"),
        # A bid team sees its own bid (and its documents and debrief letter), nobody else's.
        Prefetch(
            "bids",
            queryset=permitted(user, Bid.objects.select_related("bidder", "debrief_letter")).prefetch_related(
                Prefetch("documents", queryset=permitted(user, BidDocument.objects.all())),
            ),
            to_attr="own_bids",
        ),
    ]


def existing_competition_id(pk: int | str) -> int | None:
    """The id a refused look-up is logged against, so it shows on that competition's breach view (None if no such competition)."""
    try:
        found: int | None = Competition.objects.filter(pk=pk).values_list("pk", flat=True).first()
        return found
    except (ValueError, TypeError):
        return None


def competition_get(*, user: Viewer, pk: int | str, channel: str = audit.Channel.PAGE, path: str = "", audit_view: bool = True) -> Competition:
    """One competition with everything its page shows for this user, in a fixed number of queries.

    Viewing a competition's confidential side is written to the audit log; a
    competition the user may not see is a refused attempt and answers 404.
    """
    competitions = _visible_competitions(user).select_related("service_area", "lead_commissioner", "sro", "programme")
    competition = get_or_404(user, competitions, pk=pk, channel=channel, path=path, object_type="competitions.competition",
                             competition_id=lambda: existing_competition_id(pk))
    confidential = sees_confidential(user, competition)
    prefetch_related_objects([competition], *(_confidential_prefetches(user) if confidential else _public_prefetches(user)))
    if confidential:
        for name in ("procurement_strategy", "tie_break", "award_recommendation", "benefits_report", "wall", "conflicts_assessment"):
            _load_optional(competition, name)
    if confidential and audit_view:
        audit.viewed(actor=user, channel=channel, obj=competition, path=path, detail="Confidential view of the competition")
    return competition


def _load_optional(competition: Competition, name: str) -> None:
    """Touch a reverse one-to-one so templates read it without a query each (None when absent)."""
    try:
        getattr(competition, name)
    except ObjectDoesNotExist:  # the absence is now cached too
        pass


def award_recommendation_for(user: Viewer, competition: Competition) -> AwardRecommendation | None:
    return permitted(user, AwardRecommendation.objects.filter(competition=competition)).select_related("bid__bidder").first()


def _own_questions(user: Viewer) -> Q:
    """A bidder's own questions, answered or not (issue #18): the people acting for its bid see them; nobody else's."""
    own = Q(pk__in=[])
    for competition_id, bidder_id in bids_of(user).values_list("competition_id", "bidder_id"):
        own |= Q(competition_id=competition_id, asked_by_id=bidder_id)
    organisation_id = acting_organisation_id(user, BIDDER_ROLES)
    return own if organisation_id is None else own | (Q(asked_by_id=organisation_id) & ~Q(asked_by__sector=Sector.PUBLIC))


def clarification_queryset(user: Viewer, *, confidential: bool) -> QuerySet[Clarification]:
    clarifications = Clarification.objects.order_by("logged_at", "id")
    if confidential:
        return clarifications
    # Every bidder sees answered, non-sensitive clarifications, the asker left out; and its own questions.
    return clarifications.filter(Q(published_at__isnull=False, commercially_sensitive=False) | _own_questions(user))


def clarification_list(*, user: Viewer, competition: Competition | None = None) -> QuerySet[Clarification]:
    public = Q(published_at__isnull=False, commercially_sensitive=False, competition__state__in=LAUNCHED)
    own = _own_questions(user) & Q(competition__state__in=LAUNCHED)
    clarifications = Clarification.objects.filter(public | own | Q(competition__in=confidential_competition_ids(user)))
    clarifications = clarifications.select_related("competition", "asked_by").order_by("logged_at", "id")
    if competition is not None:
        clarifications = clarifications.filter(competition=competition)
    return clarifications


def bid_list(*, user: Viewer, competition: Competition | None = None) -> QuerySet[Bid]:
    """The commissioning side's bids, and a bid team's own bid."""
    bids = permitted(user, Bid.objects.select_related("bidder", "competition")).prefetch_related("participants__organisation")
    if competition is not None:
        bids = bids.filter(competition=competition)
    return bids


def bid_document_list(*, user: Viewer, competition: Competition) -> QuerySet[BidDocument]:
    documents = permitted(user, BidDocument.objects.filter(bid__competition=competition)).select_related("bid__competition")
    # Rule 2: the tender's documents are sealed from the evaluators until the bid deadline.
    return documents.filter(pk__in=[d.pk for d in documents if tender_visible(user, d.bid)])


def debrief_letter_list(*, user: Viewer, competition: Competition) -> QuerySet[DebriefLetter]:
    return permitted(user, DebriefLetter.objects.filter(bid__competition=competition))


def gateway_review_list(*, user: Viewer, competition: Competition | None = None) -> QuerySet[GatewayReview]:
    reviews = permitted(user, GatewayReview.objects.select_related("competition", "programme", "recorded_by", "recovery_action")).prefetch_related("recommendations")
    if competition is not None:
        reviews = reviews.filter(competition=competition)
    return reviews


def notice_list(*, user: Viewer, competition: Competition) -> QuerySet[Notice]:
    return Notice.objects.filter(competition=competition, competition__in=_visible_competitions(user))


def portfolio_summary(*, user: Viewer) -> dict[str, tuple[int, Decimal]]:
    """Count and estimated value by phase for the portfolio, over what the user may see."""
    competitions = _visible_competitions(user)
    rows = competitions.values("state").annotate(n=Count("id"), value=Sum("estimated_value")).values_list("state", "n", "value")
    by_state = {state: (n, value or Decimal(0)) for state, n, value in rows}
    return {phase: (sum(by_state.get(s, (0, 0))[0] for s in states), sum((by_state.get(s, (0, Decimal(0)))[1] for s in states), Decimal(0)))
            for phase, states in PHASES.items()}


def portfolio_list(*, user: Viewer) -> QuerySet[Competition]:
    """The portfolio's rows, each with the delivery confidence its latest Gateway or keyholder review gave.

    The rating alone, as the Infrastructure and Projects Authority publishes it for major projects; the review's
    report stays behind the wall. Only staff open the portfolio (PORTFOLIO_ROLES), never the bid side.
    """
    latest = GatewayReview.objects.filter(competition=OuterRef("pk")).order_by("-held_on", "-pk").values("delivery_confidence")[:1]
    competitions: QuerySet[Competition] = competition_list(user=user).annotate(confidence=Subquery(latest))
    return competitions


# The records a competition page's "record" forms act on, by the kind its URL names (read through the wall by get_or_404).
RECORD_TARGETS: dict[str, Callable[[Competition], QuerySet[Model]]] = {
    "bid": lambda competition: Bid.objects.filter(competition=competition),
    "challenge": lambda competition: Challenge.objects.filter(competition=competition),
    "clarification": lambda competition: Clarification.objects.filter(competition=competition),
    "criterion": lambda competition: EvaluationCriterion.objects.filter(competition=competition),
    "recommendation": lambda competition: Recommendation.objects.filter(review__competition=competition),
    "benefit": lambda competition: Benefit.objects.filter(business_case__competition=competition, measure__isnull=True),
}


def record_targets(competition: Competition, kind: str) -> QuerySet[Model]:
    return RECORD_TARGETS[kind](competition)


def own_scores(bid: Bid, user: Viewer) -> dict[str, Any]:
    """An evaluator's scores of a bid so far, as the evaluation grid's values (`score_<criterion>`, `rationale_<criterion>`)."""
    initial: dict[str, Any] = {}
    for score in Score.objects.filter(bid=bid, evaluator_id=user.pk):
        initial |= {f"score_{score.criterion_id}": score.score, f"rationale_{score.criterion_id}": score.rationale}
    return initial


def business_case_of(competition: Competition, *, kind: str) -> BusinessCase | None:
    return BusinessCase.objects.filter(competition=competition, kind=kind).first()


# --- benefits (issue #21) ------------------------------------------------------------------------------

def benefit_list(*, user: Viewer, competition: Competition | None = None) -> QuerySet[Benefit]:
    """The benefits of the business cases this user may see (the commissioning side's: the bid team sees none)."""
    benefits = Benefit.objects.filter(business_case__in=permitted(user, BusinessCase.objects.all())).select_related(
        "business_case__competition", "owner").prefetch_related("actuals").order_by("business_case__competition__reference", "pk")
    return benefits.filter(business_case__competition=competition) if competition is not None else benefits


@dataclass(frozen=True)
class BoardMatter:
    """A matter a body must decide for this competition (issue #21), the body whose it is, and the decision that stands."""

    matter: Matter
    body: Body
    decision: Decision | None


def board_matters(competition: Competition) -> list[BoardMatter]:
    """The board decisions the competition's guards read, in the order they fall due, each with the decision that stands."""
    matters = [Matter.MANDATE, *([Matter.STARTING_GATE] if competition.is_major_project else []), Matter.COMPETE,
               *([Matter.CRITERIA] if competition.award_basis == AwardBasis.MEAT else []), *([Matter.AWARD] if competition.is_major_project else [])]
    bodies = {body.kind: body for body in Body.objects.all()}
    decisions = list(competition.board_decisions.all())
    return [BoardMatter(matter, bodies[MATTER_BODY[matter]], standing(decisions, matter)) for matter in matters]
