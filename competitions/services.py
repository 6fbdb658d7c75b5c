"""Every write to a competition and its records (SPEC §3).

Transitions follow one pattern: open a transaction, take the row as the caller
saw it (the FSM's optimistic check, plus the version the caller read), check the
guard and say which conditions are missing, apply the transition and its
effects, save, and write the timeline event with the acting user.
"""

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from competitions import guards, notices
from competitions.evaluation import rank_bids, recorded_tie_break, tied_for_first
from competitions.models import (
    DELIVERY_CONFIDENCE_SCALES,
    PROCEDURES_BY_REGIME,
    AwardBasis,
    AwardRecommendation,
    Bid,
    BidDocument,
    BidParticipant,
    BenefitsReport,
    BusinessCase,
    Challenge,
    Clarification,
    Competition,
    CompetitionEvent,
    CostAdjustment,
    DebriefLetter,
    EvaluationCriterion,
    GatewayReview,
    ModeratedScore,
    Notice,
    PlannedReview,
    ProcurementStrategy,
    Recommendation,
    RecoveryAction,
    Regime,
    Score,
    State,
    TieBreak,
    TreasuryApproval,
)
from competitions.standstill import PARTICIPATION, TENDERING, deadline_problem, standstill_ends_on
from core import dates, transitions
from core.errors import PermissionDenied
from core.models import Sector
from core.sequences import next_value
from core.signals import published_facts_changed
from core.pdf import render_pdf
from core.roles import Role
from ethical_walls import services as wall
from ethical_walls import selectors as wall_selectors
from ethical_walls.selectors import sees_confidential

# Who may move a competition along (seed: "The Competition Lifecycle"): commissioners
# run pre-procurement and mobilisation, MoJ Procurement leads the procurement phase,
# the SRO closes the competition when benefits are reported.
TRANSITION_ROLES = {
    "start_pre_procurement": {Role.COMMISSIONER},
    "launch": {Role.PROCUREMENT},
    "open_dialogue": {Role.PROCUREMENT},
    "invite_tenders": {Role.PROCUREMENT},
    "call_for_bafo": {Role.PROCUREMENT},
    "start_evaluation": {Role.PROCUREMENT},
    "recommend_award": {Role.PROCUREMENT},
    "start_standstill": {Role.PROCUREMENT},
    "award": {Role.PROCUREMENT},
    "start_mobilisation": {Role.COMMISSIONER},
    "go_live": {Role.COMMISSIONER},
    "close": {Role.SRO},
    "abandon": {Role.COMMISSIONER, Role.SRO, Role.PROCUREMENT},
}
TRANSITION_LABELS = {
    "start_pre_procurement": "Start pre-procurement",
    "launch": "Launch the procurement",
    "open_dialogue": "Open dialogue",
    "invite_tenders": "Invite tenders",
    "call_for_bafo": "Call for best and final offers",
    "start_evaluation": "Start evaluation",
    "recommend_award": "Recommend award",
    "start_standstill": "Start standstill",
    "award": "Award the contract",
    "start_mobilisation": "Start mobilisation",
    "go_live": "Go live",
    "close": "Close the competition",
    "abandon": "Abandon the competition",
}


def require_role(actor, *roles: Role) -> None:
    if not actor.has_role(*roles):
        names = " or ".join(Role(r).label for r in roles)
        raise PermissionDenied(f"Only {names} can do this.")


def require_commissioning_side(actor, competition, *roles: Role) -> None:
    """The role, and a place on this competition's commissioning side (SPEC §4)."""
    require_role(actor, *roles)
    if not sees_confidential(actor, competition):
        raise PermissionDenied(f"Only people on the commissioning side of {competition.reference} can do this.")


def _event(competition, actor, action: str, description: str, *, from_state="", to_state="", reason="") -> CompetitionEvent:
    event = CompetitionEvent.objects.create(
        competition=competition, actor=actor, action=action, description=description[:300],
        from_state=from_state, to_state=to_state, reason=reason,
    )
    # Whatever it was, what the competition publishes may have changed with it (ocds stores the releases).
    published_facts_changed.send(sender=CompetitionEvent, competition_id=competition.pk)
    return event


def record_wall_event(sender, *, competition, actor, action: str, description: str, **_signal) -> None:
    """The wall's changes on the competition's timeline (sent by ethical_walls.signals.wall_recorded)."""
    _event(competition, actor, action, description)


def _reload(competition: Competition, *, expected_version: int | None = None) -> Competition:
    """The competition as the database has it now, locked until the transaction ends, with the relations guards read."""
    return transitions.lock(
        Competition.objects.prefetch_related(
            "business_cases", "treasury_approvals", "gateway_reviews", "criteria", "challenges",
            "bids__scores", "bids__moderated_scores", "bids__cost_adjustments", "bids__bidder", "conflict_declarations",
        ).select_related("procurement_strategy", "benefits_report", "wall", "conflicts_assessment", "tie_break"),
        competition.pk, expected_version=expected_version, record=f"Competition {competition.reference}",
    )


# --- creating and editing a competition ------------------------------------------------

def _next_reference() -> str:
    """COMP-<year>-<n>: n from the year's sequence, so competitions created at the same moment never clash."""
    year = timezone.localdate().year
    return f"COMP-{year}-{next_value(f'competition-{year}'):03d}"


def _validate_procedure(regime: str, procedure: str) -> None:
    if procedure not in PROCEDURES_BY_REGIME[Regime(regime)]:
        raise ValidationError({"procedure": f"The {Regime(regime).label} has no such procedure; choose one of its own."})


@transaction.atomic
def competition_create(
    *, actor, title: str, service_area, estimated_value: Decimal, regime: str = Regime.PA_2023,
    procedure: str = "competitive_flexible", award_basis: str = AwardBasis.MEAT, is_major_project: bool = False,
    public_sector_bid_possible: bool = False, description: str = "", programme=None, reference: str | None = None,
    declaration_nature: str = "nil", declaration_details: str = "",
) -> Competition:
    """Create a competition, its ethical wall, and put its creator (having declared) on the commissioning side."""
    require_role(actor, Role.COMMISSIONER)
    _validate_procedure(regime, procedure)
    fields = {
        "title": title, "description": description, "service_area": service_area, "programme": programme,
        "regime": regime, "procedure": procedure, "award_basis": award_basis, "estimated_value": estimated_value,
        "is_major_project": is_major_project, "public_sector_bid_possible": public_sector_bid_possible,
        "lead_commissioner": actor,
    }
    for _attempt in range(20):  # a number taken by hand (an explicit reference) is skipped
        candidate = reference or _next_reference()
        try:
            # A savepoint: a clash with a competition created at the same moment is retried.
            with transaction.atomic():
                competition = Competition.objects.create(reference=candidate, ocid=f"{settings.OCID_PREFIX}-{candidate}", **fields)
            break
        except IntegrityError:
            if reference:
                raise ValidationError({"reference": f"A competition {reference} already exists."}) from None
    else:
        raise ValidationError("Could not allocate a competition reference; try again.")
    wall.wall_create(competition=competition, actor=actor, declaration_nature=declaration_nature, declaration_details=declaration_details)
    _event(competition, actor, "created", f"Competition created by {actor}")
    return competition


GOVERNANCE_FIELDS = {
    "title", "description", "mandate", "mandate_issued_on", "sro", "sro_appointed_on",
    "principles_of_competition_published_on", "bid_deadline", "participation_deadline", "time_limit_reduction",
    "estimated_value", "is_major_project", "public_sector_bid_possible", "regime", "procedure", "award_basis", "programme",
}
# Once bidders know of the competition, its basis cannot change under them.
FIXED_AFTER_LAUNCH = {"regime", "procedure", "award_basis", "public_sector_bid_possible", "time_limit_reduction"}


UPDATE_ROLES = (Role.COMMISSIONER, Role.PROCUREMENT, Role.SRO)


@transaction.atomic
def competition_update(*, competition: Competition, actor, expected_version: int | None = None, **changes) -> Competition:
    require_commissioning_side(actor, competition, *UPDATE_ROLES)
    if not changes:
        return competition
    unknown = set(changes) - GOVERNANCE_FIELDS
    if unknown:
        raise ValidationError({name: "This field cannot be changed here." for name in unknown})
    # The version the caller read: theirs, or that of the competition they hold.
    seen = expected_version if expected_version is not None else competition.version
    locked = transitions.lock(Competition.objects, competition.pk, expected_version=seen, record=f"Competition {competition.reference}")
    if locked.is_launched:
        fixed = {name for name in FIXED_AFTER_LAUNCH & set(changes) if changes[name] != getattr(locked, name)}
        if fixed:
            raise ValidationError({name: "Cannot change once the procurement has been launched." for name in fixed})
    if changes.get("public_sector_bid_possible") and not locked.public_sector_bid_possible:
        try:
            wall.check_bid_team_off_commissioning_side(locked)
        except ValidationError as refusal:
            raise ValidationError({"public_sector_bid_possible": refusal.messages}) from None
    new_sro = changes.get("sro")
    if new_sro is not None and new_sro.pk != locked.sro_id:
        if not new_sro.has_role(Role.SRO):
            raise ValidationError({"sro": f"{new_sro} does not hold the SRO role."})
        # The SRO is on the commissioning side: that needs their declaration, like anyone's.
        if wall_selectors.membership(new_sro, locked) is None:
            try:
                wall.wall_join(competition=locked, user=new_sro, side="commissioning", role="sro", actor=actor)
            except ValidationError as refusal:
                raise ValidationError({"sro": refusal.message_dict.get("user", refusal.messages)}) from None
    _validate_procedure(changes.get("regime", locked.regime), changes.get("procedure", locked.procedure))
    for name, value in changes.items():
        setattr(locked, name, value)
    _check_governance_dates(locked, changed=set(changes))
    locked.full_clean(exclude=["state"])
    locked.version += 1
    locked.save(update_fields=[*changes, "version"])
    _event(locked, actor, "updated", "Updated " + ", ".join(sorted(Competition._meta.get_field(n).verbose_name for n in changes)))
    return locked


def _check_governance_dates(competition: Competition, *, changed: set[str]) -> None:
    """Dates in the order things happen: a mandate before the SRO it appoints, both not in the future; a deadline set
    now falls after now, tenders after requests to participate (the minimum periods are the transitions' guards)."""
    dates.check_not_in_future("mandate_issued_on", competition.mandate_issued_on, "A mandate's issue")
    dates.check_not_in_future("sro_appointed_on", competition.sro_appointed_on, "The SRO's appointment")
    dates.check_not_in_future("principles_of_competition_published_on", competition.principles_of_competition_published_on,
                              "The publication of the Principles of Competition")
    dates.check_order("sro_appointed_on", competition.sro_appointed_on, competition.mandate_issued_on,
                      "The SRO is appointed by the mandate: on or after the day it was issued.")
    now = timezone.now()
    for field in ("participation_deadline", "bid_deadline"):
        value = getattr(competition, field)
        dates.check_plausible(field, value)
        if field in changed and value is not None and value <= now:
            raise ValidationError({field: "A deadline set now must be in the future."})
    if competition.participation_deadline and competition.bid_deadline and competition.bid_deadline <= competition.participation_deadline:
        raise ValidationError({"bid_deadline": "Tenders close after requests to participate do: set the tender deadline later."})
    _check_running_period(competition, changed=changed)


# While a period runs, its deadline may move but never inside the regime's minimum from the day the period began:
# requests to participate from the launch (the tender notice); tenders from the launch in the open procedure and
# from the invitation otherwise.
RUNNING_STATES = {State.PRE_QUALIFICATION, State.DIALOGUE, State.TENDER}


def _check_running_period(competition: Competition, *, changed: set[str]) -> None:
    if competition.state not in RUNNING_STATES:
        return
    periods = {"participation_deadline": (PARTICIPATION, "launch"),
               "bid_deadline": (TENDERING, "launch" if competition.procedure == "open" else "invite_tenders")}
    for field, (period, started_by) in periods.items():
        if field not in changed:
            continue
        began = competition.events.filter(action=started_by).order_by("-at", "-id").first()
        if began is None:
            continue
        problem = deadline_problem(regime=competition.regime, procedure=competition.procedure, period=period,
                                   reduction=competition.time_limit_reduction, from_day=timezone.localdate(began.at),
                                   deadline=getattr(competition, field))
        if problem:
            raise ValidationError({field: problem})


# --- transitions ----------------------------------------------------------------------------

def _transition(
    name: str, *, competition: Competition, actor, expected_version: int | None = None, reason: str = "",
    before_save=None, after_save=None,
) -> Competition:
    """Apply one transition. `before_save` may set fields; `after_save` creates dependent records."""
    require_commissioning_side(actor, competition, *TRANSITION_ROLES[name])
    with transaction.atomic():
        current = _reload(competition)
        from_state = transitions.take(current, name, seen_state=competition.state, expected_version=expected_version,
                                      record=f"Competition {competition.reference}", unmet=guards.unmet, before_save=before_save)
        if after_save:
            after_save(current)
        _event(
            current, actor, name, f"{TRANSITION_LABELS[name]}: {State(from_state).label} to {State(current.state).label}",
            from_state=from_state, to_state=current.state, reason=reason,
        )
    return current


def competition_start_pre_procurement(*, competition, actor, expected_version=None):
    return _transition("start_pre_procurement", competition=competition, actor=actor, expected_version=expected_version)


def competition_launch(*, competition, actor, expected_version=None):
    def publish(current):
        current.criteria.update(published=True)
        if current.regime == Regime.PA_2023:
            notices.notice_publish(competition=current, notice_type="UK4", actor=actor)

    return _transition("launch", competition=competition, actor=actor, expected_version=expected_version, after_save=publish)


def competition_open_dialogue(*, competition, actor, expected_version=None):
    return _transition("open_dialogue", competition=competition, actor=actor, expected_version=expected_version)


def competition_invite_tenders(*, competition, actor, expected_version=None):
    return _transition("invite_tenders", competition=competition, actor=actor, expected_version=expected_version)


def competition_call_for_bafo(*, competition, actor, expected_version=None):
    return _transition("call_for_bafo", competition=competition, actor=actor, expected_version=expected_version)


def competition_start_evaluation(*, competition, actor, expected_version=None):
    return _transition("start_evaluation", competition=competition, actor=actor, expected_version=expected_version)


def competition_recommend_award(*, competition, actor, bid: Bid | None = None, rationale: str = "", expected_version=None):
    """MoJ Procurement recommends the highest-ranked bid unless it names another and says why.

    A tie for first is broken first (the guard's `tie_broken`): the recorded tie-break's bid is then the highest ranked.
    """

    def record(current):
        ranking = rank_bids(current)
        first = ranking[0] if ranking else None
        chosen = bid or (first.bid if first else None)
        if chosen is None or chosen.competition_id != current.pk or not chosen.compliant:
            raise ValidationError({"bid": "Choose a compliant bid in this competition."})
        if first and chosen.pk != first.bid.pk and not rationale.strip():
            raise ValidationError({"rationale": "Say why the recommended bid is not the highest ranked."})
        recommendation = AwardRecommendation.objects.create(
            competition=current, bid=chosen, made_by=actor, made_on=timezone.localdate(),
            rationale=rationale or _ranked_first_rationale(current, ranking),
        )
        wall.wall_protect(recommendation)

    return _transition("recommend_award", competition=competition, actor=actor, expected_version=expected_version, after_save=record)


def _ranked_first_rationale(competition, ranking) -> str:
    first = ranking[0]
    figure = f"{first.total}" if competition.award_basis == AwardBasis.MEAT else f"adjusted price £{first.adjusted_price:,.2f}"
    tied = tied_for_first(ranking)
    if not tied:
        return f"Highest ranked compliant bid ({figure})."
    others = ", ".join(str(r.bid.bidder) for r in tied if r is not first)
    tie_break = competition.tie_break
    return f"Tied for first ({figure}) with {others}; placed first by the tie-break ({tie_break.method}): {tie_break.reason}"


@transaction.atomic
def tie_break_record(*, competition, actor, bid: Bid, method: str, reason: str) -> TieBreak:
    """Separate bids tied for first, by the method the tender documents published, saying why (replaces an earlier one)."""
    require_commissioning_side(actor, competition, Role.PROCUREMENT)
    current = _reload(competition)
    if current.state != State.EVALUATION:
        raise ValidationError("A tie is broken during evaluation, before the award is recommended.")
    tied = tied_for_first(rank_bids(current))
    if not tied:
        raise ValidationError({"bid": "No bids are tied for first place: there is no tie to break."})
    if bid.pk not in {r.bid.pk for r in tied}:
        names = " and ".join(str(r.bid.bidder) for r in tied)
        raise ValidationError({"bid": f"Choose one of the bids tied for first place: {names}."})
    errors = {name: "Say " + what for name, what, given in (
        ("method", "which tie-break method the tender documents published.", method),
        ("reason", "why the method puts this bid first.", reason),
    ) if not given.strip()}
    if errors:
        raise ValidationError(errors)
    tie_break, _ = TieBreak.objects.update_or_create(competition=current, defaults={
        "bid": bid, "method": method.strip(), "reason": reason.strip(), "recorded_by": actor, "recorded_on": timezone.localdate(),
    })
    wall.wall_protect(tie_break)
    _event(current, actor, "evaluation", f"Tie for first broken in favour of {bid.bidder}: {tie_break.method}")
    return tie_break


def competition_start_standstill(*, competition, actor, expected_version=None):
    """Standstill starts now; under the 2023 Act, from publication of the contract award notice (UK6)."""
    today = timezone.localdate()

    def set_period(current):
        current.standstill_started_on = today
        current.standstill_ends_on = standstill_ends_on(regime=current.regime, starts_on=today)

    def publish(current):
        if current.regime == Regime.PA_2023:
            notices.notice_publish(competition=current, notice_type="UK6", actor=actor)

    return _transition(
        "start_standstill", competition=competition, actor=actor, expected_version=expected_version,
        before_save=set_period, after_save=publish,
    )


def competition_award(*, competition, actor, expected_version=None):
    """Award creates the agreement: a contract for a non-crown provider, an SLA for a crown body."""
    from contracts.interface import agreement_create_from_award  # contracts builds on competitions: imported when awarding

    def create_agreement(current):
        agreement_create_from_award(competition=current, recommendation=current.award_recommendation, actor=actor)

    return _transition("award", competition=competition, actor=actor, expected_version=expected_version, after_save=create_agreement)


def competition_start_mobilisation(*, competition, actor, expected_version=None):
    return _transition("start_mobilisation", competition=competition, actor=actor, expected_version=expected_version)


def competition_go_live(*, competition, actor, expected_version=None):
    return _transition("go_live", competition=competition, actor=actor, expected_version=expected_version)


def competition_close(*, competition, actor, expected_version=None):
    return _transition("close", competition=competition, actor=actor, expected_version=expected_version)


def competition_abandon(*, competition, actor, reason: str, expected_version=None):
    require_commissioning_side(actor, competition, *TRANSITION_ROLES["abandon"])
    if not (reason or "").strip():
        raise ValidationError({"reason": "Give the reason for abandoning the competition."})

    def record_reason(current):
        current.abandoned_reason = reason.strip()

    def publish(current):
        # Bidders knew of it only once launched: then the 2023 Act needs a UK12 notice.
        if current.regime == Regime.PA_2023 and current.notices.filter(notice_type="UK4").exists():
            notices.notice_publish(competition=current, notice_type="UK12", actor=actor)

    return _transition(
        "abandon", competition=competition, actor=actor, expected_version=expected_version, reason=reason.strip(),
        before_save=record_reason, after_save=publish,
    )


TRANSITION_SERVICES = {
    "start_pre_procurement": competition_start_pre_procurement,
    "launch": competition_launch,
    "open_dialogue": competition_open_dialogue,
    "invite_tenders": competition_invite_tenders,
    "call_for_bafo": competition_call_for_bafo,
    "start_evaluation": competition_start_evaluation,
    "recommend_award": competition_recommend_award,
    "start_standstill": competition_start_standstill,
    "award": competition_award,
    "start_mobilisation": competition_start_mobilisation,
    "go_live": competition_go_live,
    "close": competition_close,
    "abandon": competition_abandon,
}


# --- governance records -------------------------------------------------------------------

@transaction.atomic
def business_case_record(*, competition, actor, kind: str, summary: str) -> BusinessCase:
    require_commissioning_side(actor, competition, Role.COMMISSIONER, Role.SRO)
    case, created = BusinessCase.objects.update_or_create(
        competition=competition, kind=kind,
        defaults={"summary": summary, "status": BusinessCase.Status.DRAFT, "approved_by": None, "approved_on": None},
    )
    wall.wall_protect(case)
    _event(competition, actor, "business_case", f"{case.get_kind_display()} {'drafted' if created else 'revised (back to draft)'}")
    return case


@transaction.atomic
def business_case_approve(*, business_case: BusinessCase, actor, approved_on: date | None = None) -> BusinessCase:
    require_commissioning_side(actor, business_case.competition, Role.SRO)
    dates.check_not_in_future("approved_on", approved_on, "An approval")
    business_case.status = BusinessCase.Status.APPROVED
    business_case.approved_by = actor
    business_case.approved_on = approved_on or timezone.localdate()
    business_case.save()
    _event(business_case.competition, actor, "business_case", f"{business_case.get_kind_display()} approved by {actor}")
    return business_case


@transaction.atomic
def procurement_strategy_record(*, competition, actor, route: str, lots: str = "") -> ProcurementStrategy:
    require_commissioning_side(actor, competition, Role.PROCUREMENT, Role.COMMISSIONER)
    strategy, _ = ProcurementStrategy.objects.update_or_create(
        competition=competition,
        defaults={"route": route, "lots": lots, "recorded_by": actor, "recorded_on": timezone.localdate()},
    )
    _event(competition, actor, "procurement_strategy", "Procurement strategy recorded")
    return strategy


@transaction.atomic
def planned_review_add(*, competition, actor, review_type: str, before_state: str, planned_on: date, gate: int | None = None) -> PlannedReview:
    require_commissioning_side(actor, competition, Role.COMMISSIONER, Role.SRO)
    if review_type in ("gateway", "keyholder") and gate is None:
        raise ValidationError({"gate": "Say which gate this review is."})
    dates.check_plausible("planned_on", planned_on)
    review = PlannedReview.objects.create(competition=competition, review_type=review_type, gate=gate, before_state=before_state, planned_on=planned_on)
    _event(competition, actor, "assurance_plan", f"Assurance plan: {review.get_review_type_display()} planned for {planned_on:%d %B %Y}")
    return review


@transaction.atomic
def treasury_approval_record(*, competition, actor, stage: str, reference: str, approved_on: date) -> TreasuryApproval:
    require_commissioning_side(actor, competition, Role.SRO, Role.COMMISSIONER)
    dates.check_not_in_future("approved_on", approved_on, "A Treasury approval")
    approval, _ = TreasuryApproval.objects.update_or_create(
        competition=competition, stage=stage, defaults={"reference": reference, "approved_on": approved_on},
    )
    _event(competition, actor, "treasury_approval", f"Treasury approval (TAP) of the {approval.get_stage_display()} recorded")
    return approval


@transaction.atomic
def gateway_review_record(
    *, actor, gate: int, held_on: date, review_team: str, delivery_confidence: str, competition=None, programme=None,
    review_type: str = GatewayReview.ReviewType.GATEWAY, summary: str = "", recommendations: list[dict] = (),
) -> GatewayReview:
    """Record a Gateway or keyholder review; a Red rating opens a recovery action.

    Reviewers record reviews of the competitions whose commissioning side they are on.
    """
    if competition is not None:
        require_commissioning_side(actor, competition, Role.GATEWAY_REVIEWER, Role.SRO)
    else:
        require_role(actor, Role.GATEWAY_REVIEWER, Role.SRO)
    scale = DELIVERY_CONFIDENCE_SCALES[settings.DELIVERY_CONFIDENCE_SCALE]
    if delivery_confidence not in scale:
        allowed = ", ".join(c.label for c in scale)
        raise ValidationError({"delivery_confidence": f"Use the {settings.DELIVERY_CONFIDENCE_SCALE.replace('_', '-')} scale: {allowed}."})
    if (competition is None) == (programme is None):
        raise ValidationError({"competition": "A review is of one competition, or (Gate 0 only) of a programme."})
    if programme is not None and gate != 0:
        raise ValidationError({"gate": "Only Gate 0 (strategic assessment) is held for a programme."})
    # A review recorded is a review held: not one to come (a future one is planned in the assurance plan).
    dates.check_not_in_future("held_on", held_on, "A review that has been held")
    review = GatewayReview(
        competition=competition, programme=programme, review_type=review_type, gate=gate, held_on=held_on,
        review_team=review_team, delivery_confidence=delivery_confidence, summary=summary, recorded_by=actor,
    )
    review.full_clean()
    review.save()
    for item in recommendations:
        Recommendation.objects.create(review=review, text=item["text"], urgency=item["urgency"], status=item.get("status", "open"))
    if delivery_confidence == "red":
        RecoveryAction.objects.create(
            review=review, opened_on=timezone.localdate(),
            description="Recovery action opened by a Red delivery confidence rating: address the critical recommendations before the next gate.",
        )
    if competition is not None:
        wall.wall_protect(review)
        _event(competition, actor, "gateway_review", f"{review} recorded")
    return review


@transaction.atomic
def recommendation_set_status(*, recommendation: Recommendation, actor, status: str) -> Recommendation:
    review = recommendation.review
    if review.competition is None:  # a programme's Gate 0
        require_role(actor, Role.GATEWAY_REVIEWER, Role.SRO)
    else:
        require_commissioning_side(actor, review.competition, Role.GATEWAY_REVIEWER, Role.SRO)
    recommendation.status = status
    recommendation.save(update_fields=["status"])
    if review.competition is not None:
        _event(review.competition, actor, "assurance",
               f"Gate {review.gate} recommendation marked {recommendation.get_status_display().lower()}: {recommendation.text}")
    return recommendation


# --- evaluation criteria ---------------------------------------------------------------------

def _criteria_editable(competition) -> None:
    if competition.is_launched:
        raise ValidationError("The evaluation criteria were published at launch and cannot change now.")


@transaction.atomic
def criterion_add(*, competition, actor, name: str, kind: str, weight: Decimal, description: str = "") -> EvaluationCriterion:
    require_commissioning_side(actor, competition, Role.COMMISSIONER, Role.PROCUREMENT)
    _criteria_editable(competition)
    if competition.award_basis == AwardBasis.LOWEST_PRICE:
        raise ValidationError({"kind": "A lowest-tender competition is decided on price alone: it has no weighted criteria."})
    if EvaluationCriterion.objects.filter(competition=competition, name=name).exists():
        raise ValidationError({"name": "This competition already has a criterion with that name."})
    criterion = EvaluationCriterion(competition=competition, name=name, kind=kind, weight=weight, description=description)
    criterion.full_clean()
    criterion.save()
    wall.wall_protect(criterion)
    # Changing the criteria needs them agreed again.
    Competition.objects.filter(pk=competition.pk).update(criteria_agreed_on=None)
    competition.criteria_agreed_on = None
    _event(competition, actor, "criteria", f"Criterion added: {criterion}")
    return criterion


@transaction.atomic
def criterion_remove(*, criterion: EvaluationCriterion, actor) -> None:
    require_commissioning_side(actor, criterion.competition, Role.COMMISSIONER, Role.PROCUREMENT)
    competition = criterion.competition
    _criteria_editable(competition)
    criterion.delete()
    Competition.objects.filter(pk=competition.pk).update(criteria_agreed_on=None)
    _event(competition, actor, "criteria", f"Criterion removed: {criterion.name}")


@transaction.atomic
def criteria_agree(*, competition, actor) -> Competition:
    require_commissioning_side(actor, competition, Role.COMMISSIONER, Role.PROCUREMENT)
    _criteria_editable(competition)
    criteria = list(competition.criteria.all())
    if competition.award_basis == AwardBasis.MEAT:
        total = sum((c.weight for c in criteria), Decimal(0))
        kinds = {c.kind for c in criteria}
        if total != 100:
            raise ValidationError({"weight": f"The MEAT weights must sum to 100; they sum to {total.normalize():f}."})
        if kinds != {"quality", "price"}:
            raise ValidationError({"kind": "MEAT needs at least one quality criterion and one price criterion."})
    Competition.objects.filter(pk=competition.pk).update(criteria_agreed_on=timezone.localdate())
    competition.criteria_agreed_on = timezone.localdate()
    _event(competition, actor, "criteria", "Evaluation criteria agreed")
    return competition


# --- bids ----------------------------------------------------------------------------------------

@transaction.atomic
def bid_register(*, competition, actor, bidder, structure: str = Bid.Structure.SINGLE, participants: list[dict] = ()) -> Bid:
    """MoJ Procurement logs a bidder's expression of interest."""
    require_commissioning_side(actor, competition, Role.PROCUREMENT)
    if not competition.is_launched or competition.state in (State.ABANDONED, State.CLOSED):
        raise ValidationError("Expressions of interest are taken once the procurement has been launched.")
    if bidder.sector == Sector.PUBLIC:
        try:
            wall.check_bid_team_off_commissioning_side(competition)
        except ValidationError as refusal:
            raise ValidationError({"bidder": refusal.messages}) from None
    try:
        with transaction.atomic():
            bid = Bid.objects.create(competition=competition, bidder=bidder, structure=structure)
    except IntegrityError:
        raise ValidationError({"bidder": f"{bidder} has already expressed interest."}) from None
    wall.wall_protect(bid)
    for participant in participants:
        bid_participant_add(bid=bid, actor=actor, **participant)
    _event(competition, actor, "bid", "Expression of interest registered")
    return bid


@transaction.atomic
def bid_participant_add(*, bid: Bid, actor, organisation, role: str, funding_share: Decimal, risk_share: Decimal) -> BidParticipant:
    require_commissioning_side(actor, bid.competition, Role.PROCUREMENT)
    participant = BidParticipant(bid=bid, organisation=organisation, role=role, funding_share=funding_share, risk_share=risk_share)
    participant.full_clean()
    participant.save()
    _event(bid.competition, actor, "bid", f"{organisation} added to the bid of {bid.bidder} as {participant.get_role_display().lower()}")
    return participant


@transaction.atomic
def bid_document_add(*, bid: Bid, actor, title: str, file) -> BidDocument:
    """A bid's document, as submitted to MoJ Procurement (stored under a name we choose)."""
    require_commissioning_side(actor, bid.competition, Role.PROCUREMENT)
    document = BidDocument(bid=bid, title=title, file=file, uploaded_by=actor)
    document.full_clean()
    document.save()
    wall.wall_protect(document)
    _event(bid.competition, actor, "bid", f"Bid document received: {title}")
    return document


@transaction.atomic
def bid_prequalify(*, bid: Bid, actor, passed: bool, reasons: str) -> Bid:
    require_commissioning_side(actor, bid.competition, Role.PROCUREMENT)
    if not reasons.strip():
        raise ValidationError({"reasons": "Give the reasons for the pre-qualification decision."})
    bid.pre_qualification = Bid.PreQualification.PASSED if passed else Bid.PreQualification.FAILED
    bid.pre_qualification_reasons = reasons
    if passed:
        bid.stage = Bid.Stage.PRE_QUALIFICATION
    bid.save()
    _event(bid.competition, actor, "bid", f"Pre-qualification {'passed' if passed else 'failed'} for a bidder")
    return bid


@transaction.atomic
def bid_submit_tender(*, bid: Bid, actor, price: Decimal, submitted_at=None) -> Bid:
    require_commissioning_side(actor, bid.competition, Role.PROCUREMENT)
    competition = bid.competition
    if competition.state != State.TENDER:
        raise ValidationError("Tenders are received while the competition is at the tender stage.")
    if competition.procedure != "open" and bid.pre_qualification != Bid.PreQualification.PASSED:
        raise ValidationError({"bid": "Only bidders who passed pre-qualification may tender."})
    if competition.bid_deadline is not None and timezone.now() > competition.bid_deadline:
        raise ValidationError({"price": f"The tender deadline passed at {timezone.localtime(competition.bid_deadline):%H:%M on %d %B %Y}: late tenders are not accepted."})
    bid.tender_price = price
    bid.stage = Bid.Stage.TENDER
    bid.submitted_at = submitted_at or timezone.now()
    bid.full_clean()
    bid.save()
    _event(competition, actor, "bid", "Tender received")
    return bid


@transaction.atomic
def bid_submit_bafo(*, bid: Bid, actor, price: Decimal) -> Bid:
    require_commissioning_side(actor, bid.competition, Role.PROCUREMENT)
    if bid.competition.state != State.BAFO:
        raise ValidationError("Best and final offers are received at the BAFO stage.")
    if bid.tender_price is None:
        raise ValidationError({"bid": "Only bidders who tendered may make a best and final offer."})
    bid.bafo_price = price
    bid.stage = Bid.Stage.BAFO
    bid.full_clean()
    bid.save()
    _event(bid.competition, actor, "bid", "Best and final offer received")
    return bid


@transaction.atomic
def bid_record_compliance(*, bid: Bid, actor, compliant: bool, notes: str = "") -> Bid:
    require_commissioning_side(actor, bid.competition, Role.PROCUREMENT)
    if not compliant and not notes.strip():
        raise ValidationError({"notes": "Say why the bid is not compliant."})
    bid.compliant = compliant
    bid.compliance_notes = notes
    bid.save(update_fields=["compliant", "compliance_notes"])
    _event(bid.competition, actor, "bid", f"Bid compliance recorded: {'compliant' if compliant else 'not compliant'}")
    return bid


@transaction.atomic
def bid_withdraw(*, bid: Bid, actor) -> Bid:
    require_commissioning_side(actor, bid.competition, Role.PROCUREMENT)
    bid.withdrawn = True
    bid.save(update_fields=["withdrawn"])
    _event(bid.competition, actor, "bid", "A bidder withdrew")
    return bid


@transaction.atomic
def cost_adjustment_record(*, bid: Bid, actor, heading: str, amount: Decimal, rationale: str) -> CostAdjustment:
    """Principles of Competition: adjustments apply to public-sector bids only."""
    require_commissioning_side(actor, bid.competition, Role.PROCUREMENT)
    if not bid.is_public_sector:
        raise ValidationError({"bid": "Cost adjustments under the Principles of Competition apply to public-sector bids only."})
    adjustment, _ = CostAdjustment.objects.update_or_create(bid=bid, heading=heading, defaults={"amount": amount, "rationale": rationale})
    _event(bid.competition, actor, "evaluation", f"Cost adjustment recorded: {adjustment.get_heading_display()}")
    return adjustment


# --- scoring and moderation ----------------------------------------------------------------------

def _evaluation_open(bid: Bid) -> None:
    if bid.competition.state != State.EVALUATION:
        raise ValidationError("Scores are recorded while the competition is in evaluation.")
    if not bid.compliant:
        raise ValidationError({"bid": "Only compliant bids are scored."})


@transaction.atomic
def score_record(*, bid: Bid, criterion: EvaluationCriterion, actor, score: int, rationale: str) -> Score:
    require_commissioning_side(actor, bid.competition, Role.PROCUREMENT, Role.COMMISSIONER, Role.SRO)
    _evaluation_open(bid)
    if criterion.competition_id != bid.competition_id or criterion.kind != "quality":
        raise ValidationError({"criterion": "Score against a quality criterion of this competition."})
    result, _ = Score.objects.update_or_create(
        bid=bid, criterion=criterion, evaluator=actor, defaults={"score": score, "rationale": rationale},
    )
    result.full_clean()
    wall.wall_protect(result)
    _event(bid.competition, actor, "evaluation", f"Score recorded against “{criterion.name}”")
    return result


@transaction.atomic
def score_moderate(*, bid: Bid, criterion: EvaluationCriterion, actor, score: int, notes: str) -> ModeratedScore:
    require_commissioning_side(actor, bid.competition, Role.PROCUREMENT)
    _evaluation_open(bid)
    evaluators = Score.objects.filter(bid=bid, criterion=criterion).values("evaluator").distinct().count()
    if evaluators < 2:
        raise ValidationError({"criterion": "Moderation needs scores from at least two evaluators first."})
    moderated, _ = ModeratedScore.objects.update_or_create(
        bid=bid, criterion=criterion, defaults={"score": score, "notes": notes, "moderated_by": actor},
    )
    moderated.full_clean()
    wall.wall_protect(moderated)
    _event(bid.competition, actor, "evaluation", f"Moderated score agreed for “{criterion.name}”")
    return moderated


@transaction.atomic
def debrief_letters_issue(*, competition, actor) -> list[DebriefLetter]:
    """A debrief letter (2023: assessment summary) to every bidder, from their own scores."""
    require_commissioning_side(actor, competition, Role.PROCUREMENT)
    if competition.state != State.AWARD_RECOMMENDED:
        raise ValidationError("Debrief letters are issued once an award has been recommended.")
    competition = _reload(competition)
    ranking = rank_bids(competition)
    results = {r.bid.pk: r for r in ranking}
    winner = competition.award_recommendation.bid
    criteria = list(competition.criteria.all())
    letters = []
    for bid in guards.active_bids(competition):
        if bid.stage not in ("tender", "bafo"):
            continue
        result = results.get(bid.pk)
        pdf = render_pdf(
            "competitions/pdf/debrief_letter.html",
            {
                "competition": competition, "bid": bid, "result": result, "criteria": criteria,
                "winner": winner, "is_winner": bid.pk == winner.pk, "winning_result": results.get(winner.pk),
                "tie_break": recorded_tie_break(competition),
                "issued_on": timezone.localdate(), "regime_2023": competition.regime == Regime.PA_2023,
            },
        )
        DebriefLetter.objects.filter(bid=bid).delete()
        letter = DebriefLetter.objects.create(bid=bid, issued_on=timezone.localdate(), issued_by=actor, document=pdf,
                                              file_name=f"debrief-{competition.reference}-{bid.pk}.pdf")
        wall.wall_protect(letter)
        letters.append(letter)
    _event(competition, actor, "evaluation", f"Debrief letters issued to {len(letters)} bidders")
    return letters


# --- standstill, clarifications, benefits --------------------------------------------------------

@transaction.atomic
def challenge_record(*, competition, actor, challenger, grounds: str, lodged_on: date | None = None) -> Challenge:
    require_commissioning_side(actor, competition, Role.PROCUREMENT)
    challenge = Challenge.objects.create(competition=competition, challenger=challenger, grounds=grounds, lodged_on=lodged_on or timezone.localdate())
    _event(competition, actor, "challenge", "Challenge lodged: award is blocked while it is open")
    return challenge


@transaction.atomic
def challenge_resolve(*, challenge: Challenge, actor, status: str) -> Challenge:
    require_commissioning_side(actor, challenge.competition, Role.PROCUREMENT)
    if status == Challenge.Status.OPEN:
        raise ValidationError({"status": "Choose how the challenge was resolved."})
    challenge.status = status
    challenge.resolved_on = timezone.localdate()
    challenge.save(update_fields=["status", "resolved_on"])
    _event(challenge.competition, actor, "challenge", f"Challenge {challenge.get_status_display().lower()}")
    return challenge


@transaction.atomic
def clarification_log(*, competition, actor, asked_by, question: str, commercially_sensitive: bool = False) -> Clarification:
    """Every bidder question during a live competition goes through MoJ Procurement."""
    require_commissioning_side(actor, competition, Role.PROCUREMENT)
    if not competition.is_launched or competition.state in (State.ABANDONED, State.CLOSED):
        raise ValidationError("Clarifications are taken while the procurement is running.")
    clarification = Clarification.objects.create(
        competition=competition, asked_by=asked_by, question=question, logged_by=actor,
        commercially_sensitive=commercially_sensitive,
    )
    _event(competition, actor, "clarification", "Clarification question logged")
    return clarification


@transaction.atomic
def clarification_answer(*, clarification: Clarification, actor, answer: str) -> Clarification:
    require_commissioning_side(actor, clarification.competition, Role.PROCUREMENT)
    if not answer.strip():
        raise ValidationError({"answer": "Enter the answer."})
    if clarification.published_at is not None:
        # Bidders may already have acted on it: a correction is a new, published clarification.
        raise ValidationError({"answer": "This question has already been answered; publish a further clarification instead."})
    competition = clarification.competition
    if competition.state in (State.ABANDONED, State.CLOSED) or not competition.is_launched:
        raise ValidationError("Clarifications are answered while the procurement is running.")
    clarification.answer = answer
    clarification.answered_by = actor
    clarification.published_at = timezone.now()
    clarification.save(update_fields=["answer", "answered_by", "published_at"])
    audience = "the asker only (commercially sensitive)" if clarification.commercially_sensitive else "all bidders, asker anonymised"
    _event(clarification.competition, actor, "clarification", f"Clarification answered to {audience}")
    return clarification


@transaction.atomic
def benefits_report_submit(*, competition, actor, summary: str) -> BenefitsReport:
    require_commissioning_side(actor, competition, Role.SRO)
    if competition.sro_id != actor.pk:
        raise PermissionDenied("Only the competition's own SRO reports its benefits.")
    report, _ = BenefitsReport.objects.update_or_create(
        competition=competition, defaults={"summary": summary, "submitted_by": actor, "submitted_on": timezone.localdate()},
    )
    _event(competition, actor, "benefits", "Benefits realisation report submitted")
    return report


def next_notice_version(competition, notice_type: str) -> int:
    latest = Notice.objects.filter(competition=competition, notice_type=notice_type).aggregate(v=Max("version"))["v"]
    return (latest or 0) + 1
