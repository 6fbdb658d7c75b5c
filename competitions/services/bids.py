"""Bids from expression of interest to best and final offer, and what bidders ask and challenge."""

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import IntegrityError, transaction
from django.utils import timezone

from competitions.models import (
    Bid,
    BidDocument,
    BidParticipant,
    BidShare,
    Challenge,
    Clarification,
    Competition,
    CostAdjustment,
    ParticipationAnswer,
    ParticipationQuestion,
)
from competitions import outcomes
from competitions.states import State
from core.events import EventKind
from core.models import Organisation, Sector, User
from core.roles import Role
from ethical_walls import services as wall
from ethical_walls.selectors import bid_team_bid_ids
from competitions.machine import RECORD_ROLES
from competitions.services._common import _event, require_commissioning_side


# --- bids ----------------------------------------------------------------------------------------

@transaction.atomic
def bid_register(
    *, competition: Competition, actor: User, bidder: Organisation, structure: str = Bid.Structure.SINGLE,
    participants: Sequence[dict[str, Any]] = (),
) -> Bid:
    """MoJ Procurement logs a bidder's expression of interest."""
    require_commissioning_side(actor, competition, *RECORD_ROLES["bid"])
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
    _event(competition, actor, EventKind.BID, f"Expression of interest registered for {bidder}")
    return bid


@transaction.atomic
def bid_participant_add(*, bid: Bid, actor: User, organisation: Organisation, role: str, funding_share: Decimal, risk_share: Decimal) -> BidParticipant:
    require_commissioning_side(actor, bid.competition, *RECORD_ROLES["participant"])
    participant = BidParticipant(bid=bid, organisation=organisation, role=role, funding_share=funding_share, risk_share=risk_share)
    participant.full_clean()
    participant.save()
    _event(bid.competition, actor, EventKind.BID, f"{organisation} added to the bid of {bid.bidder} as {participant.get_role_display().lower()}")
    return participant


@transaction.atomic
def bid_document_add(*, bid: Bid, actor: User, title: str, file: "File[Any]") -> BidDocument:
    """A bid's document, as submitted to MoJ Procurement (stored under a name we choose)."""
    require_commissioning_side(actor, bid.competition, *RECORD_ROLES["bid-document"])
    document = BidDocument(bid=bid, title=title, file=file, uploaded_by=actor)
    document.full_clean()
    document.save()
    wall.wall_protect(document)
    _event(bid.competition, actor, EventKind.BID, f"Bid document received: {title}")
    return document


@transaction.atomic
def bid_prequalify(*, bid: Bid, actor: User, passed: bool, reasons: str) -> Bid:
    require_commissioning_side(actor, bid.competition, *RECORD_ROLES["prequalify"])
    if not reasons.strip():
        raise ValidationError({"reasons": "Give the reasons for the pre-qualification decision."})
    unanswered = unanswered_questions(bid)
    if passed and unanswered:
        raise ValidationError({"passed": f"{bid.bidder} has not answered {len(unanswered)} of the published conditions-of-participation "
                                         "questions: a bid passes only on its answers."})
    bid.pre_qualification = Bid.PreQualification.PASSED if passed else Bid.PreQualification.FAILED
    bid.pre_qualification_reasons = reasons
    if passed:
        bid.stage = Bid.Stage.PRE_QUALIFICATION
    bid.save()
    outcome = "was successful: you will be invited to tender" if passed else "was not successful"
    outcomes.tell_bidders(bid.competition, [bid], "your request to participate",
                          f"The request of {{bidder}} to participate in {bid.competition} {outcome}.\n\nMoJ Procurement's reasons: {reasons}")
    _event(bid.competition, actor, EventKind.BID, f"Pre-qualification {'passed' if passed else 'failed'} for {bid.bidder}")
    return bid


@transaction.atomic
def bid_submit_tender(*, bid: Bid, actor: User, price: Decimal, submitted_at: datetime | None = None) -> Bid:
    require_commissioning_side(actor, bid.competition, *RECORD_ROLES["tender"])
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
    _event(competition, actor, EventKind.BID, f"Tender received from {bid.bidder}")
    return bid


@transaction.atomic
def bid_submit_bafo(*, bid: Bid, actor: User, price: Decimal) -> Bid:
    require_commissioning_side(actor, bid.competition, *RECORD_ROLES["bafo"])
    if bid.competition.state != State.BAFO:
        raise ValidationError("Best and final offers are received at the BAFO stage.")
    if bid.tender_price is None:
        raise ValidationError({"bid": "Only bidders who tendered may make a best and final offer."})
    bid.bafo_price = price
    bid.stage = Bid.Stage.BAFO
    bid.full_clean()
    bid.save()
    _event(bid.competition, actor, EventKind.BID, f"Best and final offer received from {bid.bidder}")
    return bid


@transaction.atomic
def bid_record_compliance(*, bid: Bid, actor: User, compliant: bool, notes: str = "") -> Bid:
    require_commissioning_side(actor, bid.competition, *RECORD_ROLES["compliance"])
    if not compliant and not notes.strip():
        raise ValidationError({"notes": "Say why the bid is not compliant."})
    bid.compliant = compliant
    bid.compliance_notes = notes
    bid.save(update_fields=["compliant", "compliance_notes"])
    _event(bid.competition, actor, EventKind.BID, f"Bid of {bid.bidder} recorded as {'compliant' if compliant else 'not compliant'}")
    return bid


@transaction.atomic
def bid_withdraw(*, bid: Bid, actor: User) -> Bid:
    require_commissioning_side(actor, bid.competition, *RECORD_ROLES["withdraw-bid"])
    bid.withdrawn = True
    bid.save(update_fields=["withdrawn"])
    _event(bid.competition, actor, EventKind.BID, f"{bid.bidder} withdrew its bid")
    return bid


@transaction.atomic
def cost_adjustment_record(*, bid: Bid, actor: User, heading: str, amount: Decimal, rationale: str) -> CostAdjustment:
    """Principles of Competition: adjustments apply to public-sector bids only."""
    require_commissioning_side(actor, bid.competition, *RECORD_ROLES["cost-adjustment"])
    if not bid.is_public_sector:
        raise ValidationError({"bid": "Cost adjustments under the Principles of Competition apply to public-sector bids only."})
    adjustment, _ = CostAdjustment.objects.update_or_create(bid=bid, heading=heading, defaults={"amount": amount, "rationale": rationale})
    _event(bid.competition, actor, EventKind.EVALUATION, f"Cost adjustment recorded for {bid.bidder}: {adjustment.get_heading_display()}")
    return adjustment



# --- standstill, clarifications, benefits --------------------------------------------------------

@transaction.atomic
def challenge_record(*, competition: Competition, actor: User, challenger: Organisation, grounds: str, lodged_on: date | None = None) -> Challenge:
    require_commissioning_side(actor, competition, *RECORD_ROLES["challenge"])
    challenge = Challenge.objects.create(competition=competition, challenger=challenger, grounds=grounds, lodged_on=lodged_on or timezone.localdate())
    _event(competition, actor, EventKind.CHALLENGE, f"Challenge lodged by {challenger}: award is blocked while it is open")
    return challenge


@transaction.atomic
def challenge_resolve(*, challenge: Challenge, actor: User, status: str) -> Challenge:
    require_commissioning_side(actor, challenge.competition, *RECORD_ROLES["resolve-challenge"])
    if status == Challenge.Status.OPEN:
        raise ValidationError({"status": "Choose how the challenge was resolved."})
    challenge.status = status
    challenge.resolved_on = timezone.localdate()
    challenge.save(update_fields=["status", "resolved_on"])
    _event(challenge.competition, actor, EventKind.CHALLENGE, f"Challenge by {challenge.challenger} {challenge.get_status_display().lower()}")
    return challenge


def _require_bid_manager(actor: User) -> Organisation:
    """A supplier's bid manager acts for its organisation in competitions (issue #18); returns the organisation."""
    organisation = actor.organisation
    if not (actor.is_active and actor.has_role(Role.BID_MANAGER) and organisation is not None):
        raise PermissionDenied("Only a bid manager of a bidding organisation can do this.")
    if organisation.sector == Sector.PUBLIC:
        raise PermissionDenied("Public-sector bids are made through MoJ Procurement, behind the ethical wall.")
    return organisation


def _bidding_organisation(actor: User, competition: Competition) -> Organisation:
    """Who the actor speaks for in this competition: the crown bid it is on the bid side of, or its own organisation."""
    team_bid = Bid.objects.filter(competition=competition, pk__in=bid_team_bid_ids(actor)).select_related("bidder").first()
    return team_bid.bidder if team_bid is not None else _require_bid_manager(actor)


@transaction.atomic
def challenge_lodge(*, competition: Competition, actor: User, grounds: str) -> Challenge:
    """A bidder challenges the award decision during standstill (issue #18): the award waits while it is open."""
    organisation = _bidding_organisation(actor, competition)
    competition = Competition.objects.select_for_update().get(pk=competition.pk)
    if competition.state != State.STANDSTILL:
        raise ValidationError("A challenge is lodged during the standstill period, before the contract is awarded.")
    if not Bid.objects.filter(competition=competition, bidder=organisation).exists():
        raise PermissionDenied(f"{organisation} did not bid in {competition.reference}.")
    if not grounds.strip():
        raise ValidationError({"grounds": "Set out the grounds of the challenge."})
    challenge = Challenge.objects.create(competition=competition, challenger=organisation, grounds=grounds.strip(), lodged_on=timezone.localdate())
    _event(competition, actor, EventKind.CHALLENGE, f"Challenge lodged by {organisation} itself: award is blocked while it is open")
    return challenge


# --- consortia: the lead shares its bid with its members ------------------------------------------

def _require_lead(actor: User, bid: Bid) -> None:
    """Only the lead's bid managers act for a consortium's bid (a crown bid is never a supplier's to share)."""
    organisation = _require_bid_manager(actor)
    if bid.bidder_id != organisation.pk:
        raise PermissionDenied(f"Only {bid.bidder}'s bid managers act for this bid: it leads the consortium.")


@transaction.atomic
def bid_share(*, bid: Bid, actor: User, organisation: Organisation) -> BidShare:
    """The lead shares its bid with a member of its consortium (or a sub-prime): their bid managers read it from now on."""
    _require_lead(actor, bid)
    if not bid.participants.filter(organisation=organisation).exclude(organisation=bid.bidder).exists():
        raise ValidationError({"organisation": f"{organisation} is not a member of this bid's consortium or supply chain."})
    share, created = BidShare.objects.get_or_create(bid=bid, organisation=organisation,
                                                    defaults={"shared_by": actor, "shared_at": timezone.now()})
    if created:
        _event(bid.competition, actor, EventKind.BID, f"{bid.bidder} shared its bid with {organisation}")
    return share


@transaction.atomic
def bid_unshare(*, bid: Bid, actor: User, organisation: Organisation) -> None:
    _require_lead(actor, bid)
    deleted, _ = BidShare.objects.filter(bid=bid, organisation=organisation).delete()
    if deleted:
        _event(bid.competition, actor, EventKind.BID, f"{bid.bidder} stopped sharing its bid with {organisation}")


# --- conditions of participation (pre-qualification questions) -----------------------------------

@transaction.atomic
def participation_question_add(*, competition: Competition, actor: User, question: str, guidance: str = "", required: bool = True) -> ParticipationQuestion:
    """A question bidders answer to take part, published with the tender notice: fixed once the procurement is launched."""
    require_commissioning_side(actor, competition, *RECORD_ROLES["participation-question"])
    if competition.is_launched:
        raise ValidationError("The conditions of participation are published with the tender notice: they cannot change after launch.")
    if not question.strip():
        raise ValidationError({"question": "Write the question."})
    position = competition.participation_questions.count() + 1
    added = ParticipationQuestion.objects.create(competition=competition, question=question.strip(), guidance=guidance.strip(),
                                                 required=required, position=position)
    _event(competition, actor, EventKind.RECORD, f"Condition-of-participation question {position} added")
    return added


def unanswered_questions(bid: Bid) -> list[ParticipationQuestion]:
    answered = set(bid.participation_answers.values_list("question_id", flat=True))
    return [q for q in bid.competition.participation_questions.all() if q.required and q.pk not in answered]


@transaction.atomic
def participation_answers_submit(*, competition: Competition, actor: User, answers: dict[int, str]) -> list[ParticipationAnswer]:
    """The bidder answers the published questions while requests to participate are open; it may revise them until then."""
    organisation = _bidding_organisation(actor, competition)
    competition = Competition.objects.select_for_update().get(pk=competition.pk)
    if competition.state != State.PRE_QUALIFICATION:
        raise ValidationError("Answers are taken while requests to participate are open; that stage has ended.")
    deadline = competition.participation_deadline
    if deadline is not None and timezone.now() > deadline:
        raise ValidationError(f"Requests to participate closed at {timezone.localtime(deadline):%H:%M on %d %B %Y}.")
    bid = Bid.objects.filter(competition=competition, bidder=organisation).first()
    if bid is None:
        raise PermissionDenied(f"{organisation} has not registered an interest in {competition.reference}.")
    if bid.pre_qualification != Bid.PreQualification.PENDING:
        raise ValidationError("MoJ Procurement has already decided your request to participate.")
    questions = list(competition.participation_questions.all())
    missing = {f"question_{q.pk}": "Answer this question." for q in questions if q.required and not str(answers.get(q.pk, "")).strip()}
    if missing:
        raise ValidationError(missing)
    saved = []
    for question in questions:
        text = str(answers.get(question.pk, "")).strip()
        if text:
            answer, _ = ParticipationAnswer.objects.update_or_create(
                bid=bid, question=question, defaults={"answer": text, "answered_by": actor, "answered_at": timezone.now()})
            saved.append(answer)
    _event(competition, actor, EventKind.BID, f"Answers to the conditions of participation submitted by {organisation}")
    return saved


def _require_published(competition: Competition) -> None:
    if not competition.is_launched or competition.state in (State.ABANDONED, State.CLOSED):
        raise ValidationError("This competition is not open to bidders.")


@transaction.atomic
def bid_express_interest(*, competition: Competition, actor: User) -> Bid:
    """A bidder registers its own interest while requests to participate are open (the record MoJ Procurement keyed in before)."""
    organisation = _require_bid_manager(actor)
    competition = Competition.objects.select_for_update().get(pk=competition.pk)
    _require_published(competition)
    if competition.state != State.PRE_QUALIFICATION:
        raise ValidationError("Expressions of interest are taken while requests to participate are open; that stage has ended.")
    deadline = competition.participation_deadline
    if deadline is not None and timezone.now() > deadline:
        raise ValidationError(f"Requests to participate closed at {timezone.localtime(deadline):%H:%M on %d %B %Y}.")
    if Bid.objects.filter(competition=competition, bidder=organisation).exists():
        raise ValidationError(f"{organisation} has already expressed interest.")
    bid = Bid.objects.create(competition=competition, bidder=organisation)
    wall.wall_protect(bid)
    _event(competition, actor, EventKind.BID, f"Expression of interest registered by {organisation}")
    return bid


@transaction.atomic
def clarification_ask(*, competition: Competition, actor: User, question: str) -> Clarification:
    """A bidder asks a question itself; MoJ Procurement answers it to the bidder or to all (the asker left out)."""
    organisation = _bidding_organisation(actor, competition)
    _require_published(competition)
    if not question.strip():
        raise ValidationError({"question": "Write your question."})
    clarification = Clarification.objects.create(competition=competition, asked_by=organisation, question=question.strip(), logged_by=actor)
    _event(competition, actor, EventKind.CLARIFICATION, f"Clarification question asked by {organisation}")
    return clarification


@transaction.atomic
def clarification_log(*, competition: Competition, actor: User, asked_by: Organisation, question: str, commercially_sensitive: bool = False) -> Clarification:
    """Every bidder question during a live competition goes through MoJ Procurement."""
    require_commissioning_side(actor, competition, *RECORD_ROLES["clarification"])
    if not competition.is_launched or competition.state in (State.ABANDONED, State.CLOSED):
        raise ValidationError("Clarifications are taken while the procurement is running.")
    clarification = Clarification.objects.create(
        competition=competition, asked_by=asked_by, question=question, logged_by=actor,
        commercially_sensitive=commercially_sensitive,
    )
    _event(competition, actor, EventKind.CLARIFICATION, f"Clarification question from {asked_by} logged")
    return clarification


@transaction.atomic
def clarification_answer(*, clarification: Clarification, actor: User, answer: str) -> Clarification:
    require_commissioning_side(actor, clarification.competition, *RECORD_ROLES["answer"])
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
    _event(clarification.competition, actor, EventKind.CLARIFICATION, f"Clarification answered to {audience}")
    return clarification
