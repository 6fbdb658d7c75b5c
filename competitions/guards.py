"""The conditions of each competition transition (SPEC §3), each with its own message.

A transition's guard is the list of its conditions (`GUARDS[name]`); the lifecycle
(`competitions.machine.LIFECYCLE`) gives the FSM graph its guard and pages, the API
and services the checklist that says which condition is missing. Conditions read
only the competition and its related records; they change nothing.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, cast

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Model
from django.utils import timezone

from boards.models import MATTER_BODY, Matter
from boards.selectors import standing
from competitions.standstill import PARTICIPATION, TENDERING, deadline_problem, minimum_period
from competitions.states import (
    PROCEDURES_BY_REGIME,
    AwardBasis,
    BidStage,
    BusinessCaseStatus,
    ChallengeStatus,
    CriterionKind,
    DeliveryConfidence,
    PreQualification,
    Procedure,
    Regime,
    State,
    ReviewType,
)
from core.conditions import Condition, ConditionResult, checklist

if TYPE_CHECKING:  # competitions.models imports the machine, which imports these guards
    from competitions.models import Bid, Competition, GatewayReview


# --- helpers read by several conditions ------------------------------------------------

def _latest_review(competition: Competition, gate: int) -> GatewayReview | None:
    """The most recent review at this gate that counts for this competition.

    Major projects need an MPA Gateway review; below the threshold an internal
    keyholder review stands in for it (SPEC §3).
    """
    reviews = [r for r in competition.gateway_reviews.all() if r.gate == gate]
    if competition.is_major_project:
        reviews = [r for r in reviews if r.review_type == ReviewType.GATEWAY]
    return max(reviews, key=lambda r: (r.held_on, r.id), default=None)


def gate_not_red(gate: int) -> Callable[[Competition], bool]:
    def check(competition: Competition) -> bool:
        review = _latest_review(competition, gate)
        return review is not None and review.delivery_confidence != DeliveryConfidence.RED

    return check


def gate_recorded(gate: int) -> Callable[[Competition], bool]:
    return lambda competition: _latest_review(competition, gate) is not None


def _business_case_approved(kind: str) -> Callable[[Competition], bool]:
    return lambda c: any(bc.kind == kind and bc.status == BusinessCaseStatus.APPROVED for bc in c.business_cases.all())


def _tap(stage: str) -> Callable[[Competition], bool]:
    return lambda c: any(t.stage == stage for t in c.treasury_approvals.all())


def _has_related(name: str) -> Callable[[Model], bool]:
    def check(competition: Model) -> bool:
        try:
            return getattr(competition, name) is not None
        except ObjectDoesNotExist:
            return False

    return check


def _mobilisation(check_name: str) -> Callable[[Competition], bool]:
    """Whether the agreement this competition let has its mobilisation plan drawn up (or complete): contracts' record (issue #21)."""
    def check(competition: Competition) -> bool:
        from contracts import interface as contracts  # contracts imports competitions' models: read it when asked

        agreement = contracts.Agreement.objects.filter(competition_id=competition.pk).prefetch_related("milestones").first()
        return agreement is not None and bool(getattr(contracts, check_name)(agreement))

    return check


def _decided(matter: Matter) -> Callable[[Competition], bool]:
    """Whether the decision that stands on `matter` — the latest its body took — approves it (issue #21)."""
    def check(competition: Competition) -> bool:
        decision = standing(competition.board_decisions.all(), matter)
        return decision is not None and decision.approved

    return check


def _explain_decision(matter: Matter) -> Callable[[Competition], str]:
    """What stands instead: no decision yet (and whose it is), or the body's rejection or deferral and when."""
    def explain(competition: Competition) -> str:
        decision = standing(competition.board_decisions.all(), matter)
        if decision is None:
            return f"No decision recorded: it is the {MATTER_BODY[matter].label}'s to take at one of its meetings."
        return f"{decision.get_outcome_display()} at the meeting of {decision.meeting.held_on:%-d %B %Y}: {decision.minute[:200]}"

    return explain


def criteria_weights_total(competition: Competition) -> Decimal:
    return sum((c.weight for c in competition.criteria.all()), Decimal(0))


def _criteria_agreed(competition: Competition) -> bool:
    """The Competition Programme Board agreed the criteria as they now stand: a change since needs agreeing again."""
    if competition.award_basis == AwardBasis.LOWEST_PRICE:
        return True
    return (competition.criteria_agreed_on is not None and criteria_weights_total(competition) == 100
            and _decided(Matter.CRITERIA)(competition))


def _procedure_fits_regime(competition: Competition) -> bool:
    # The field holds a Regime value (a plain str when read back): TextChoices look up as their values.
    return competition.procedure in PROCEDURES_BY_REGIME[cast(Regime, competition.regime)]


def _wall_in_place(competition: Competition) -> bool:
    from ethical_walls.selectors import wall_in_place

    return wall_in_place(competition)


def _conflicts_assessed(competition: Competition) -> bool:
    from ethical_walls.selectors import conflicts_assessment_complete

    return conflicts_assessment_complete(competition)


def active_bids(competition: Competition) -> list[Bid]:
    return [b for b in competition.bids.all() if not b.withdrawn]


def compliant_bids(competition: Competition) -> list[Bid]:
    return [b for b in active_bids(competition) if b.compliant]


def _some_bid_prequalified(competition: Competition) -> bool:
    return any(b.pre_qualification == PreQualification.PASSED for b in active_bids(competition))


def _tender_received(competition: Competition) -> bool:
    return any(b.tender_price is not None for b in active_bids(competition))


def _every_bid_checked_for_compliance(competition: Competition) -> bool:
    tendered = [b for b in active_bids(competition) if b.price is not None]
    return bool(tendered) and all(b.compliant is not None for b in tendered)


def scoring_missing(competition: Competition) -> list[str]:
    """Exactly what scoring still lacks: each compliant bid's criteria short of two evaluators' scores or a moderated one."""
    if competition.award_basis == AwardBasis.LOWEST_PRICE:
        return [f"{b.bidder}: no price" for b in compliant_bids(competition) if b.price is None]
    criteria = [c for c in competition.criteria.all() if c.kind == CriterionKind.QUALITY]
    missing = []
    for bid in compliant_bids(competition):
        evaluators: dict[int, set[int]] = {}
        for score in bid.scores.all():
            evaluators.setdefault(score.criterion_id, set()).add(score.evaluator_id)
        moderated = {m.criterion_id for m in bid.moderated_scores.all()}
        for criterion in criteria:
            scored = len(evaluators.get(criterion.id, ()))
            lacking = (["one more evaluator's score" if scored == 1 else "two evaluators' scores"] if scored < 2 else []) + (
                ["the moderated score"] if criterion.id not in moderated else [])
            if lacking:
                missing.append(f"{bid.bidder}, {criterion.name}: {' and '.join(lacking)}")
        if bid.price is None:
            missing.append(f"{bid.bidder}: no price")
    return missing


def _explain_scoring(competition: Competition) -> str:
    missing = scoring_missing(competition)
    if not compliant_bids(competition):
        return "No bid is compliant yet."
    return "Still to do — " + "; ".join(missing[:8]) + (f"; and {len(missing) - 8} more" if len(missing) > 8 else "") + "."


def _scoring_complete(competition: Competition) -> bool:
    """Every compliant bid scored on every criterion by two or more evaluators, and moderated (and priced)."""
    return bool(compliant_bids(competition)) and not scoring_missing(competition)


def _tie_for_first_broken(competition: Competition) -> bool:
    """Bids tied for first are separated by a recorded tie-break (nothing to break when first is not shared)."""
    from competitions.evaluation import rank_bids, tie_unbroken

    return not tie_unbroken(rank_bids(competition))


def _every_bidder_debriefed(competition: Competition) -> bool:
    bids = [b for b in active_bids(competition) if b.stage in (BidStage.TENDER, BidStage.BAFO)]
    return bool(bids) and all(_has_related("debrief_letter")(b) for b in bids)


def _deadline_passed(competition: Competition) -> bool:
    from ethical_walls.selectors import tenders_open

    return tenders_open(competition)


def _tender_box_opened(competition: Competition) -> bool:
    """Tenders sealed in the box of the round now closing have been unsealed by the two-person opening (or none were sealed)."""
    round = "bafo" if competition.state == State.BAFO else "tender"
    sealed = competition.sealed_tenders.filter(round=round, withdrawn_at__isnull=True).exists()
    return not sealed or competition.tender_box_openings.filter(round=round, opened_at__isnull=False).exists()


TENDER_BOX_OPENED = "The tender box has been opened by two procurement officers (when tenders were sealed in it)"


def _standstill_elapsed(competition: Competition) -> bool:
    return competition.standstill_ends_on is not None and timezone.localdate() > competition.standstill_ends_on


def _no_open_challenge(competition: Competition) -> bool:
    return not any(ch.status == ChallengeStatus.OPEN for ch in competition.challenges.all())


def _period_problem(competition: Competition, period: str, deadline: datetime.datetime | None) -> str | None:
    return deadline_problem(regime=competition.regime, procedure=competition.procedure, period=period,
                            reduction=competition.time_limit_reduction, from_day=timezone.localdate(), deadline=deadline)


def _participation_period_long_enough(competition: Competition) -> bool:
    """Requests to participate close no sooner than the regime's minimum after the tender notice (launch is today)."""
    limit = minimum_period(regime=competition.regime, procedure=competition.procedure, period=PARTICIPATION,
                           reduction=competition.time_limit_reduction)
    if limit is None:
        return True
    return competition.participation_deadline is not None and _period_problem(competition, PARTICIPATION, competition.participation_deadline) is None


def _tendering_period_long_enough(competition: Competition) -> bool:
    """Tenders close no sooner than the regime's minimum after the tender notice (open procedure) or the invitation (today).

    A deadline not yet set passes here: at invitation the `bid_deadline` condition names that gap; at
    the launch of an open procedure `_open_tendering_period` requires it."""
    return _period_problem(competition, TENDERING, competition.bid_deadline) is None


def _open_tendering_period(competition: Competition) -> bool:
    return competition.bid_deadline is not None and _tendering_period_long_enough(competition)


def _open_procedure(competition: Competition) -> bool:
    return competition.procedure == Procedure.OPEN


def _is_major(competition: Competition) -> bool:
    return competition.is_major_project


def _public_bid_possible(competition: Competition) -> bool:
    return competition.public_sector_bid_possible


def _regime_2023(competition: Competition) -> bool:
    return competition.regime == Regime.PA_2023


def _dialogue_procedure(competition: Competition) -> bool:
    return competition.procedure in (Procedure.COMPETITIVE_DIALOGUE, Procedure.COMPETITIVE_FLEXIBLE)


def _has_participation_stage(competition: Competition) -> bool:
    return competition.procedure != Procedure.OPEN


GUARDS: dict[str, list[Condition]] = {
    "start_pre_procurement": [
        # Seed 002, lines 604–618 and 645: the Competition Programme Board authorises the mandate; the MPA's Starting Gate for major projects.
        Condition("mandate", "The Offender Services Competition Programme Board has authorised the mandate",
                  lambda c: bool(c.mandate.strip()) and _decided(Matter.MANDATE)(c), "board-decisions", explain=_explain_decision(Matter.MANDATE)),
        Condition("starting_gate", "The Major Projects Authority's Starting Gate review has cleared it, as a major project",
                  _decided(Matter.STARTING_GATE), "board-decisions", applies=_is_major, explain=_explain_decision(Matter.STARTING_GATE)),
        Condition("sro", "A Senior Responsible Officer has been appointed", lambda c: c.sro_id is not None and c.sro_appointed_on is not None, "governance"),
    ],
    "launch": [
        Condition("procedure", "The procedure belongs to the competition's regime", _procedure_fits_regime, "governance"),
        # Seed 002, lines 501–511: the decision to compete is the Commissioning and Commercial Sub-Committee's.
        Condition("decision_to_compete", "The Commissioning and Commercial Sub-Committee has decided to compete the service",
                  _decided(Matter.COMPETE), "board-decisions", explain=_explain_decision(Matter.COMPETE)),
        Condition("outline_business_case", "The Outline Business Case is approved", _business_case_approved("outline"), "business-cases"),
        Condition("procurement_strategy", "The procurement strategy is recorded", _has_related("procurement_strategy"), "procurement-strategy"),
        Condition("gate_2", "Gate 2 (or a keyholder review below the major-project threshold) rates delivery confidence other than Red", gate_not_red(2), "gateway-reviews"),
        Condition("tap_outline", "Treasury approval (TAP) of the Outline Business Case, as a major project", _tap("outline"), "treasury-approvals", applies=_is_major),
        Condition("criteria", "The Offender Services Competition Programme Board has agreed the evaluation criteria (MEAT weights sum to 100), "
                  "or it is decided on the lowest tender", _criteria_agreed, "criteria"),
        Condition("principles_of_competition", "The Principles of Competition are published, as a public-sector bid is possible", lambda c: c.principles_of_competition_published_on is not None, "governance", applies=_public_bid_possible),
        Condition("ethical_wall", "The ethical wall is in place, as a public-sector bid is possible", _wall_in_place, "wall", applies=_public_bid_possible),
        Condition("conflicts_assessment", "The conflicts assessment (Procurement Act 2023, s.83) is complete before the tender notice", _conflicts_assessed, "wall", applies=_regime_2023),
        Condition("participation_period", "Requests to participate close no sooner than the minimum participation period after the tender notice "
                  "(Procurement Act 2023 s.54; 2011 rules: Public Contracts Regulations 2006 regs 16 and 18)",
                  _participation_period_long_enough, "governance", applies=_has_participation_stage),
        Condition("tendering_period", "Tenders close no sooner than the minimum tendering period after the tender notice (Procurement Act 2023 s.54)",
                  _open_tendering_period, "governance", applies=_open_procedure),
    ],
    "open_dialogue": [
        Condition("dialogue_procedure", "The procedure allows dialogue (competitive dialogue or competitive flexible)", _dialogue_procedure, "governance"),
        Condition("prequalified_bidder", "At least one bidder has passed pre-qualification", _some_bid_prequalified, "bids"),
    ],
    "invite_tenders": [
        Condition("prequalified_bidder", "At least one bidder has passed pre-qualification", _some_bid_prequalified, "bids", applies=_has_participation_stage),
        Condition("bid_deadline", "The tender deadline is set", lambda c: c.bid_deadline is not None, "governance"),
        Condition("tendering_period", "Tenders close no sooner than the minimum tendering period after the invitation "
                  "(Procurement Act 2023 s.54; 2011 rules: Public Contracts Regulations 2006 reg 16)",
                  _tendering_period_long_enough, "governance", applies=_has_participation_stage),
    ],
    "call_for_bafo": [
        Condition("tenders", "At least one tender has been received with a price", _tender_received, "bids"),
        # Tenders are sealed until the deadline (SPEC §4 rule 2): nobody evaluates before it.
        Condition("deadline_passed", "The tender deadline has passed", _deadline_passed, "governance"),
        Condition("tender_box", TENDER_BOX_OPENED, _tender_box_opened, "tender-box"),
    ],
    "start_evaluation": [
        Condition("tender_box", TENDER_BOX_OPENED, _tender_box_opened, "tender-box"),
        Condition("compliance", "Every priced bid has been checked for compliance", _every_bid_checked_for_compliance, "bids"),
        Condition("compliant_bid", "At least one bid is compliant", lambda c: bool(compliant_bids(c)), "bids"),
    ],
    "recommend_award": [
        Condition("scoring", "Every compliant bid is scored on every criterion by at least two evaluators and moderated", _scoring_complete, "evaluation",
                  explain=_explain_scoring),
        Condition("tie_broken", "Bids tied for first place are separated by a tie-break recorded with its reason, "
                  "by the method the tender documents published", _tie_for_first_broken, "evaluation"),
    ],
    "start_standstill": [
        Condition("full_business_case", "The Full Business Case is approved", _business_case_approved("full"), "business-cases"),
        Condition("gate_3", "Gate 3 (or a keyholder review below the major-project threshold) rates delivery confidence other than Red", gate_not_red(3), "gateway-reviews"),
        Condition("tap_full", "Treasury approval (TAP) of the Full Business Case, as a major project", _tap("full"), "treasury-approvals", applies=_is_major),
        Condition("debriefs", "Every bidder has been sent a debrief letter", _every_bidder_debriefed, "evaluation"),
        # Seed 002, lines 509–511: the Sub-Committee escalates a major award to the MoJ Procurement Committee, before it is notified.
        Condition("award_approval", "The MoJ Procurement Committee has approved the award, as a major contract",
                  _decided(Matter.AWARD), "board-decisions", applies=_is_major, explain=_explain_decision(Matter.AWARD)),
    ],
    "award": [
        Condition("standstill_elapsed", "The standstill period has ended", _standstill_elapsed, "standstill"),
        Condition("no_open_challenge", "No challenge is open", _no_open_challenge, "standstill"),
    ],
    # Seed 002, lines 405 and 785–789: mobilisation is planned (TUPE, staff, IT and data, premises, readiness) and done (issue #21).
    "start_mobilisation": [
        Condition("mobilisation_plan", "The agreement's mobilisation plan is drawn up", _mobilisation("mobilisation_planned"), "mobilisation"),
    ],
    "go_live": [
        Condition("gate_4", "Gate 4 (readiness for service) rates delivery confidence other than Red", gate_not_red(4), "gateway-reviews"),
        Condition("mobilisation", "The agreement's mobilisation plan is complete: every milestone done or its gap accepted by the SRO",
                  _mobilisation("mobilisation_complete"), "mobilisation"),
    ],
    "close": [
        Condition("gate_5", "Gate 5 (benefits realisation) has been held", gate_recorded(5), "gateway-reviews"),
        Condition("benefits_report", "The SRO has reported the benefits realised", _has_related("benefits_report"), "benefits"),
    ],
    "abandon": [],
}


def conditions(record: Competition, name: str) -> list[ConditionResult]:
    """The checklist of step `name`'s guard (the machine reads the same GUARDS)."""
    return checklist(GUARDS[name], record)


def unmet(record: Competition, name: str) -> list[ConditionResult]:
    return [result for result in conditions(record, name) if not result.met]
