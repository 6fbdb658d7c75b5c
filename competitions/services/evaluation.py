"""Evaluation: the criteria, each evaluator's scores, moderation, the tie-break and the debrief letters."""

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from competitions import guards
from competitions.evaluation import rank_bids, recorded_tie_break, tied_for_first
from competitions.models import (
    Bid,
    Competition,
    DebriefLetter,
    EvaluationCriterion,
    ModeratedScore,
    Score,
    TieBreak,
)
from competitions import outcomes
from competitions.states import AwardBasis, Regime, State
from core.events import EventKind
from core.models import User
from core.pdf import render_pdf
from ethical_walls import services as wall
from competitions.machine import RECORD_ROLES
from competitions.services._common import _event, _reload, require_commissioning_side


# --- evaluation criteria ---------------------------------------------------------------------

def _criteria_editable(competition: Competition) -> None:
    if competition.is_launched:
        raise ValidationError("The evaluation criteria were published at launch and cannot change now.")


@transaction.atomic
def criterion_add(*, competition: Competition, actor: User, name: str, kind: str, weight: Decimal, description: str = "") -> EvaluationCriterion:
    require_commissioning_side(actor, competition, *RECORD_ROLES["criterion"])
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
    _event(competition, actor, EventKind.CRITERIA, f"Criterion added: {criterion}")
    return criterion


@transaction.atomic
def criterion_update(*, criterion: EvaluationCriterion, actor: User, name: str, kind: str, weight: Decimal, description: str = "") -> EvaluationCriterion:
    """Put a criterion right until the criteria are published at launch: they need agreeing again after."""
    require_commissioning_side(actor, criterion.competition, *RECORD_ROLES["criterion"])
    competition = criterion.competition
    _criteria_editable(competition)
    if EvaluationCriterion.objects.filter(competition=competition, name=name).exclude(pk=criterion.pk).exists():
        raise ValidationError({"name": "This competition already has a criterion with that name."})
    before = f"{criterion.name} ({criterion.weight.normalize():f}%)"
    criterion.name, criterion.kind, criterion.weight, criterion.description = name, kind, weight, description
    criterion.full_clean()
    criterion.save()
    Competition.objects.filter(pk=competition.pk).update(criteria_agreed_on=None)
    _event(competition, actor, EventKind.CRITERIA, f"Criterion changed: {before} is now {criterion.name} ({Decimal(criterion.weight).normalize():f}%)")
    return criterion


@transaction.atomic
def criterion_remove(*, criterion: EvaluationCriterion, actor: User) -> None:
    require_commissioning_side(actor, criterion.competition, *RECORD_ROLES["criterion"])
    competition = criterion.competition
    _criteria_editable(competition)
    criterion.delete()
    Competition.objects.filter(pk=competition.pk).update(criteria_agreed_on=None)
    _event(competition, actor, EventKind.CRITERIA, f"Criterion removed: {criterion.name}")


def criteria_agree(*, competition: Competition, actor: User, decision: str, on: date) -> Competition:
    """The Competition Programme Board agreed the criteria on `on` (`decision`: its meeting): they must add up first.

    Called when the board's decision is recorded (`board_decision_take_effect`): a refusal here undoes it.
    """
    _criteria_editable(competition)
    criteria = list(competition.criteria.all())
    if competition.award_basis == AwardBasis.MEAT:
        total = sum((c.weight for c in criteria), Decimal(0))
        kinds = {c.kind for c in criteria}
        if total != 100:
            raise ValidationError({"matter": f"The board cannot agree these criteria: the MEAT weights must sum to 100; they sum to {total.normalize():f}."})
        if kinds != {"quality", "price"}:
            raise ValidationError({"matter": "The board cannot agree these criteria: MEAT needs at least one quality criterion and one price criterion."})
    Competition.objects.filter(pk=competition.pk).update(criteria_agreed_on=on)
    competition.criteria_agreed_on = on
    _event(competition, actor, EventKind.CRITERIA, f"Evaluation criteria agreed ({decision})")
    return competition


# --- scoring and moderation ----------------------------------------------------------------------

def _evaluation_open(bid: Bid) -> None:
    if bid.competition.state != State.EVALUATION:
        raise ValidationError("Scores are recorded while the competition is in evaluation.")
    if not bid.compliant:
        raise ValidationError({"bid": "Only compliant bids are scored."})


@transaction.atomic
def score_record(*, bid: Bid, criterion: EvaluationCriterion, actor: User, score: int, rationale: str) -> Score:
    require_commissioning_side(actor, bid.competition, *RECORD_ROLES["score"])
    _evaluation_open(bid)
    if criterion.competition_id != bid.competition_id or criterion.kind != "quality":
        raise ValidationError({"criterion": "Score against a quality criterion of this competition."})
    result, _ = Score.objects.update_or_create(
        bid=bid, criterion=criterion, evaluator=actor, defaults={"score": score, "rationale": rationale},
    )
    result.full_clean()
    wall.wall_protect(result)
    _event(bid.competition, actor, EventKind.EVALUATION, f"Score recorded for {bid.bidder} against “{criterion.name}”")
    return result


@transaction.atomic
def scores_record(*, bid: Bid, actor: User, scores: dict[EvaluationCriterion, tuple[int, str]]) -> list[Score]:
    """The evaluation grid: an evaluator's scores for several criteria of one bid, all saved or none."""
    return [score_record(bid=bid, criterion=criterion, actor=actor, score=score, rationale=rationale)
            for criterion, (score, rationale) in scores.items()]


@transaction.atomic
def score_moderate(*, bid: Bid, criterion: EvaluationCriterion, actor: User, score: int, notes: str) -> ModeratedScore:
    require_commissioning_side(actor, bid.competition, *RECORD_ROLES["moderate"])
    _evaluation_open(bid)
    evaluators = Score.objects.filter(bid=bid, criterion=criterion).values("evaluator").distinct().count()
    if evaluators < 2:
        raise ValidationError({"criterion": "Moderation needs scores from at least two evaluators first."})
    moderated, _ = ModeratedScore.objects.update_or_create(
        bid=bid, criterion=criterion, defaults={"score": score, "notes": notes, "moderated_by": actor},
    )
    moderated.full_clean()
    wall.wall_protect(moderated)
    _event(bid.competition, actor, EventKind.EVALUATION, f"Moderated score agreed for {bid.bidder} against “{criterion.name}”")
    return moderated


@transaction.atomic
def debrief_letters_issue(*, competition: Competition, actor: User) -> list[DebriefLetter]:
    """A debrief letter (2023: assessment summary) to every bidder, from their own scores."""
    require_commissioning_side(actor, competition, *RECORD_ROLES["debriefs"])
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
    _event(competition, actor, EventKind.EVALUATION, f"Debrief letters issued to {len(letters)} bidders")
    outcomes.tell_bidders(competition, [letter.bid for letter in letters], "your debrief letter and the award decision",
                          f"MoJ Procurement intends to award {competition} to {winner.bidder}. The debrief letter for {{bidder}} "
                          "sets out your scores and the reasons; it is on your opportunity page. The standstill period runs "
                          "before the contract is awarded: you may challenge the decision during it.")
    return letters



@transaction.atomic
def tie_break_record(*, competition: Competition, actor: User, bid: Bid, method: str, reason: str) -> TieBreak:
    """Separate bids tied for first, by the method the tender documents published, saying why (replaces an earlier one)."""
    require_commissioning_side(actor, competition, *RECORD_ROLES["tie-break"])
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
    _event(current, actor, EventKind.EVALUATION, f"Tie for first broken in favour of {bid.bidder}: {tie_break.method}")
    return tie_break
