"""A competition created, edited and moved through its states (SPEC §3): one transition service each.

Transitions follow one pattern: open a transaction, take the row as the caller
saw it (the FSM's optimistic check, plus the version the caller read), check the
guard and say which conditions are missing, apply the transition and its
effects, save, and write the timeline event with the acting user.
"""

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from competitions import guards, notices, outcomes
from competitions.machine import LIFECYCLE
from competitions.evaluation import BidResult, rank_bids, tied_for_first
from competitions.models import (
    AwardRecommendation,
    Bid,
    Competition,
    Programme,
)
from competitions.states import PROCEDURES_BY_REGIME, AwardBasis, NoticeType, Regime, State
from competitions.standstill import PARTICIPATION, TENDERING, deadline_problem, standstill_ends_on
from core import dates, transitions
from core.events import EventKind
from core.models import ServiceArea, User
from core.sequences import next_value
from core.roles import Role
from ethical_walls import services as wall
from ethical_walls import selectors as wall_selectors
from competitions.services._common import _event, _reload, require_commissioning_side, require_role



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
    *, actor: User, title: str, service_area: ServiceArea, estimated_value: Decimal, regime: str = Regime.PA_2023,
    procedure: str = "competitive_flexible", award_basis: str = AwardBasis.MEAT, is_major_project: bool = False,
    public_sector_bid_possible: bool = False, description: str = "", programme: Programme | None = None, reference: str | None = None,
    declaration_nature: str = "nil", declaration_details: str = "",
) -> Competition:
    """Create a competition, its ethical wall, and put its creator (having declared) on the commissioning side."""
    require_role(actor, Role.COMMISSIONER)
    _validate_procedure(regime, procedure)
    fields: dict[str, Any] = {
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
                competition: Competition = Competition.objects.create(reference=candidate, ocid=f"{settings.OCID_PREFIX}-{candidate}", **fields)
            break
        except IntegrityError:
            if reference:
                raise ValidationError({"reference": f"A competition {reference} already exists."}) from None
    else:
        raise ValidationError("Could not allocate a competition reference; try again.")
    wall.wall_create(competition=competition, actor=actor, declaration_nature=declaration_nature, declaration_details=declaration_details)
    _event(competition, actor, EventKind.CREATED, "Competition created")
    return competition


GOVERNANCE_FIELDS = {
    "title", "description", "mandate", "mandate_issued_on", "sro", "sro_appointed_on",
    "principles_of_competition_published_on", "bid_deadline", "bafo_deadline", "participation_deadline", "time_limit_reduction",
    "estimated_value", "is_major_project", "public_sector_bid_possible", "regime", "procedure", "award_basis", "programme",
}
# Once bidders know of the competition, its basis cannot change under them.
FIXED_AFTER_LAUNCH = {"regime", "procedure", "award_basis", "public_sector_bid_possible", "time_limit_reduction"}


UPDATE_ROLES = (Role.COMMISSIONER, Role.PROCUREMENT, Role.SRO)


@transaction.atomic
def competition_update(*, competition: Competition, actor: User, expected_version: int | None = None, **changes: Any) -> Competition:
    require_commissioning_side(actor, competition, *UPDATE_ROLES)
    if not changes:
        return competition
    unknown = set(changes) - GOVERNANCE_FIELDS
    if unknown:
        raise ValidationError({name: "This field cannot be changed here." for name in unknown})
    # The version the caller read: theirs, or that of the competition they hold.
    seen = expected_version if expected_version is not None else competition.version
    locked: Competition = transitions.lock(Competition.objects, competition.pk, expected_version=seen, record=f"Competition {competition.reference}")
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
    _event(locked, actor, EventKind.UPDATED, "Updated " + ", ".join(sorted(Competition._meta.get_field(n).verbose_name for n in changes)))
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
    for field in ("participation_deadline", "bid_deadline", "bafo_deadline"):
        value = getattr(competition, field)
        dates.check_plausible(field, value)
        if field in changed and value is not None and value <= now:
            raise ValidationError({field: "A deadline set now must be in the future."})
    if competition.participation_deadline and competition.bid_deadline and competition.bid_deadline <= competition.participation_deadline:
        raise ValidationError({"bid_deadline": "Tenders close after requests to participate do: set the tender deadline later."})
    if competition.bid_deadline and competition.bafo_deadline and competition.bafo_deadline <= competition.bid_deadline:
        raise ValidationError({"bafo_deadline": "Best and final offers close after tenders do: set their deadline later."})
    opened = {opening.round for opening in competition.tender_box_openings.all()}
    for field, round in (("bid_deadline", "tender"), ("bafo_deadline", "bafo")):
        if field in changed and round in opened:
            raise ValidationError({field: "The tender box for this round is being or has been opened: its deadline cannot move."})
    _check_running_period(competition, changed=changed)


# While a period runs, its deadline may move but never inside the regime's minimum from the day the period began:
# requests to participate from the launch (the tender notice); tenders from the launch in the open procedure and
# from the invitation otherwise.
RUNNING_STATES = {State.PRE_QUALIFICATION, State.DIALOGUE, State.TENDER}


def _check_running_period(competition: Competition, *, changed: set[str]) -> None:
    if competition.state not in RUNNING_STATES:
        return
    periods = {"participation_deadline": (PARTICIPATION, EventKind.LAUNCH),
               "bid_deadline": (TENDERING, EventKind.LAUNCH if competition.procedure == "open" else EventKind.INVITE_TENDERS)}
    for field, (period, started_by) in periods.items():
        if field not in changed:
            continue
        if started_by == EventKind.LAUNCH:
            began_at = competition.launched_at
        else:
            began = competition.events.filter(action=started_by).order_by("-at", "-id").first()
            began_at = began.at if began else None
        if began_at is None:
            continue
        problem = deadline_problem(regime=competition.regime, procedure=competition.procedure, period=period,
                                   reduction=competition.time_limit_reduction, from_day=timezone.localdate(began_at),
                                   deadline=getattr(competition, field))
        if problem:
            raise ValidationError({field: problem})


# --- transitions ----------------------------------------------------------------------------

def _transition(
    name: str, *, competition: Competition, actor: User, expected_version: int | None = None, reason: str = "",
    before_save: Callable[[Competition], None] | None = None, after_save: Callable[[Competition], None] | None = None,
) -> Competition:
    """Apply one transition. `before_save` may set fields; `after_save` creates dependent records."""
    require_commissioning_side(actor, competition, *LIFECYCLE.roles(name))
    with transaction.atomic():
        current = _reload(competition)
        from_state = transitions.take(current, name, seen_state=competition.state, expected_version=expected_version,
                                      record=f"Competition {competition.reference}", unmet=LIFECYCLE.unmet, before_save=before_save)
        if after_save:
            after_save(current)
        _event(
            current, actor, name, f"{LIFECYCLE.label(name, regime=current.regime)}: {State(from_state).label} to {State(current.state).label}",
            from_state=from_state, to_state=current.state, reason=reason,
        )
    return current


@LIFECYCLE.service("start_pre_procurement")
def competition_start_pre_procurement(*, competition: Competition, actor: User, expected_version: int | None = None) -> Competition:
    return _transition("start_pre_procurement", competition=competition, actor=actor, expected_version=expected_version)


@LIFECYCLE.service("launch")
def competition_launch(*, competition: Competition, actor: User, expected_version: int | None = None) -> Competition:
    def publish(current: Competition) -> None:
        current.criteria.update(published=True)
        if current.regime == Regime.PA_2023:
            notices.notice_publish(competition=current, notice_type=NoticeType.UK4, actor=actor)

    def stamp(current: Competition) -> None:
        current.launched_at = timezone.now()

    return _transition("launch", competition=competition, actor=actor, expected_version=expected_version,
                       before_save=stamp, after_save=publish)


@LIFECYCLE.service("open_dialogue")
def competition_open_dialogue(*, competition: Competition, actor: User, expected_version: int | None = None) -> Competition:
    return _transition("open_dialogue", competition=competition, actor=actor, expected_version=expected_version)


@LIFECYCLE.service("invite_tenders")
def competition_invite_tenders(*, competition: Competition, actor: User, expected_version: int | None = None) -> Competition:
    return _transition("invite_tenders", competition=competition, actor=actor, expected_version=expected_version)


@LIFECYCLE.service("call_for_bafo")
def competition_call_for_bafo(*, competition: Competition, actor: User, expected_version: int | None = None) -> Competition:
    return _transition("call_for_bafo", competition=competition, actor=actor, expected_version=expected_version)


@LIFECYCLE.service("start_evaluation")
def competition_start_evaluation(*, competition: Competition, actor: User, expected_version: int | None = None) -> Competition:
    return _transition("start_evaluation", competition=competition, actor=actor, expected_version=expected_version)


@LIFECYCLE.service("recommend_award")
def competition_recommend_award(
    *, competition: Competition, actor: User, bid: Bid | None = None, rationale: str = "", expected_version: int | None = None,
) -> Competition:
    """MoJ Procurement recommends the highest-ranked bid unless it names another and says why.

    A tie for first is broken first (the guard's `tie_broken`): the recorded tie-break's bid is then the highest ranked.
    """

    def record(current: Competition) -> None:
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


def _ranked_first_rationale(competition: Competition, ranking: list[BidResult]) -> str:
    first = ranking[0]
    figure = f"{first.total}" if competition.award_basis == AwardBasis.MEAT else f"adjusted price £{first.adjusted_price:,.2f}"
    tied = tied_for_first(ranking)
    if not tied:
        return f"Highest ranked compliant bid ({figure})."
    others = ", ".join(str(r.bid.bidder) for r in tied if r is not first)
    tie_break = competition.tie_break
    return f"Tied for first ({figure}) with {others}; placed first by the tie-break ({tie_break.method}): {tie_break.reason}"


@LIFECYCLE.service("start_standstill")
def competition_start_standstill(*, competition: Competition, actor: User, expected_version: int | None = None) -> Competition:
    """Standstill starts now; under the 2023 Act, from publication of the contract award notice (UK6)."""
    today = timezone.localdate()

    def set_period(current: Competition) -> None:
        current.standstill_started_on = today
        current.standstill_ends_on = standstill_ends_on(regime=current.regime, starts_on=today)

    def publish(current: Competition) -> None:
        if current.regime == Regime.PA_2023:
            notices.notice_publish(competition=current, notice_type=NoticeType.UK6, actor=actor)

    return _transition(
        "start_standstill", competition=competition, actor=actor, expected_version=expected_version,
        before_save=set_period, after_save=publish,
    )


@LIFECYCLE.service("award")
def competition_award(*, competition: Competition, actor: User, expected_version: int | None = None) -> Competition:
    """Award creates the agreement: a contract for a non-crown provider, an SLA for a crown body."""
    from contracts.interface import agreement_create_from_award  # contracts builds on competitions: imported when awarding

    def create_agreement(current: Competition) -> None:
        agreement_create_from_award(competition=current, recommendation=current.award_recommendation, actor=actor)
        winner = current.award_recommendation.bid
        outcomes.tell_bidders(current, guards.active_bids(current), "contract awarded",
                              f"The standstill period has ended and {current} has been awarded to {winner.bidder}.")

    return _transition("award", competition=competition, actor=actor, expected_version=expected_version, after_save=create_agreement)


@LIFECYCLE.service("start_mobilisation")
def competition_start_mobilisation(*, competition: Competition, actor: User, expected_version: int | None = None) -> Competition:
    return _transition("start_mobilisation", competition=competition, actor=actor, expected_version=expected_version)


@LIFECYCLE.service("go_live")
def competition_go_live(*, competition: Competition, actor: User, expected_version: int | None = None) -> Competition:
    return _transition("go_live", competition=competition, actor=actor, expected_version=expected_version)


@LIFECYCLE.service("close")
def competition_close(*, competition: Competition, actor: User, expected_version: int | None = None) -> Competition:
    return _transition("close", competition=competition, actor=actor, expected_version=expected_version)


@LIFECYCLE.service("abandon")
def competition_abandon(*, competition: Competition, actor: User, reason: str, expected_version: int | None = None) -> Competition:
    require_commissioning_side(actor, competition, *LIFECYCLE.roles("abandon"))
    if not (reason or "").strip():
        raise ValidationError({"reason": "Give the reason for abandoning the competition."})

    def record_reason(current: Competition) -> None:
        current.abandoned_reason = reason.strip()

    def publish(current: Competition) -> None:
        # Bidders knew of it only once launched: then the 2023 Act needs a UK12 notice.
        if current.regime == Regime.PA_2023 and current.notices.filter(notice_type=NoticeType.UK4).exists():
            notices.notice_publish(competition=current, notice_type=NoticeType.UK12, actor=actor)

    return _transition(
        "abandon", competition=competition, actor=actor, expected_version=expected_version, reason=reason.strip(),
        before_save=record_reason, after_save=publish,
    )


