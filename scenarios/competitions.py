"""Demo competitions (SPEC §7): nine competitions at different stages of the lifecycle.

Each competition is driven only through `competitions.services` and
`ethical_walls.services`, by the demo user whose role does that work, so every
guard is met as it would be in use: nothing here sets a state or a version.
The two shortcuts are time a seed cannot wait for: the tender deadline of the
competitions past it and the standstill of those already awarded (see
`scenarios.drivers`). Dates of records
(mandates, reviews, approvals) are set relative to today so the demo reads as a
live portfolio; timeline events and audit events carry the time the seed ran.

The ethical wall (SPEC §4): every confidential service needs its actor on the
competition's commissioning side, so each competition's side is built as it
would be in use. The lead commissioner creates it (with a nil declaration);
MoJ Procurement, the gateway reviewer (major projects) and evaluators declare
their interests and are then added by the lead commissioner; the SRO declares
before being appointed. DEMO-002, the competition with an HMPS bid, shows the
rest of the wall: its arrangements, the HMPS bid team, a conflicts register
with a mitigated and an excluded conflict, a former commissioner in quarantine
(from her work on DEMO-009), and refused attempts in the audit log.

Idempotent: a competition whose fixed reference (DEMO-001…) exists is skipped,
and everything a competition's scenario writes (its wall, register and audit
events) is written only when the competition is first created.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from competitions import services
from competitions.models import (
    DELIVERY_CONFIDENCE_SCALES,
    AwardBasis,
    Bid,
    BidParticipant,
    BusinessCase,
    Challenge,
    Competition,
    DeliveryConfidence,
    EvaluationCriterion,
    GatewayReview,
    Procedure,
    Programme,
    Recommendation,
    Regime,
    State,
)
from ethical_walls.access import user_roles_set
from core.models import Organisation, ServiceArea, User
from core.roles import Role
from ethical_walls import audit
from ethical_walls import selectors as wall_selectors
from ethical_walls import services as wall_services
from ethical_walls.models import ConflictDeclaration, Side, SideRole
from boards.models import Matter
from scenarios import boards, drivers

M = Decimal(1_000_000)

PROGRAMME_NAME = "Offender Services Competition Programme"

MPA_TEAM = "Margaret Ellis (review team leader)\nSimon Patel\nJoanna Wright"
MPA_TEAM_2 = "Anthony Greaves (review team leader)\nFiona MacLeod\nRajesh Kumar"
KEYHOLDER_TEAM = "Deputy Director, Commissioning and Commercial\nHead of Competition Assurance, MoJ Procurement"

# Two evaluators mark each bid (MoJ Procurement and the commissioner); MoJ Procurement moderates.
FIRST_EVALUATOR_RATIONALE = "Evidence in the method statement; the proposal is specific about staffing and volumes."
SECOND_EVALUATOR_RATIONALE = "Scored against the published descriptors; one or two answers lacked supporting evidence."


@dataclass
class Cast:
    """The demo users who do the work, each in their own role (scenarios/core.py)."""

    commissioner: User
    sro: User
    procurement: User
    reviewer: User
    bid_team: User
    # DEMO-002's conflicts register and quarantine (SPEC §4 rules 3 and 4).
    conflicted_evaluator: User
    excluded_commissioner: User
    former_commissioner: User

    USERNAMES = {
        "commissioner": "commissioner", "sro": "sro", "procurement": "procurement", "reviewer": "gateway_reviewer",
        "bid_team": "bid_team", "conflicted_evaluator": "rebecca.holt", "excluded_commissioner": "mark.fletcher",
        "former_commissioner": "sian.pritchard",
    }

    @classmethod
    def load(cls) -> "Cast":
        users = {u.username: u for u in User.objects.filter(username__in=cls.USERNAMES.values())}
        return cls(**{part: users[username] for part, username in cls.USERNAMES.items()})


# --- small helpers ---------------------------------------------------------------------------

def _today() -> datetime.date:
    return timezone.localdate()


def _days_ago(days: int) -> datetime.date:
    return _today() - datetime.timedelta(days=days)


def _days_ahead(days: int) -> datetime.date:
    return _today() + datetime.timedelta(days=days)


def _moment(day: datetime.date, hour: int = 12) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))




def _organisation(name: str) -> Organisation:
    return Organisation.objects.get(name=name)


def _bid(competition: Competition, bidder: str) -> Bid:
    return Bid.objects.select_related("competition", "bidder").get(competition=competition, bidder__name=bidder)


def _criterion(competition: Competition, name: str) -> EvaluationCriterion:
    return EvaluationCriterion.objects.get(competition=competition, name=name)


def _confidence(rating: str) -> str:
    """The rating on the configured scale: the three-point scale has no Amber/Green or Amber/Red."""
    scale = DELIVERY_CONFIDENCE_SCALES[settings.DELIVERY_CONFIDENCE_SCALE]
    return rating if rating in scale else DeliveryConfidence.AMBER




# --- the commissioning side -------------------------------------------------------------------





# --- pre-procurement --------------------------------------------------------------------------

def _create(
    cast: Cast, *, reference: str, title: str, service_area: str, description: str, estimated_value: Decimal,
    regime: str, procedure: str, major: bool = False, public_bid: bool = False, programme: Programme | None = None,
) -> Competition:
    """The lead commissioner creates the competition (declaring nil) and builds its commissioning side:
    MoJ Procurement, and for a major project the MPA gateway reviewer (smaller ones have keyholder reviews by the SRO)."""
    competition = services.competition_create(
        actor=cast.commissioner, reference=reference, title=title, description=description,
        service_area=ServiceArea.objects.get(name=service_area), estimated_value=estimated_value,
        regime=regime, procedure=procedure, award_basis=AwardBasis.MEAT, is_major_project=major,
        public_sector_bid_possible=public_bid, programme=programme,
        declaration_nature=ConflictDeclaration.Nature.NIL,
    )
    drivers.join(competition, cast.procurement, SideRole.PROCUREMENT, actor=cast.commissioner)
    if major:
        drivers.join(competition, cast.reviewer, SideRole.GATEWAY_REVIEWER, actor=cast.commissioner)
    return drivers.fresh(competition)


def _start_pre_procurement(cast: Cast, competition: Competition, *, mandate: str, mandate_days_ago: int) -> Competition:
    """The Competition Programme Board issues the mandate and appoints the SRO (seed, "Pre-Procurement").

    Appointing the SRO puts them on the commissioning side, so they declare their interests first.
    """
    services.competition_update(
        competition=drivers.fresh(competition), actor=cast.commissioner,
        mandate=mandate, mandate_issued_on=_days_ago(mandate_days_ago),
    )
    drivers.declare_nil(competition, cast.sro)
    services.competition_update(
        competition=drivers.fresh(competition), actor=cast.commissioner,
        sro=cast.sro, sro_appointed_on=_days_ago(mandate_days_ago - 7),
    )
    # The Competition Programme Board authorised the mandate; a major project passed the MPA's Starting Gate (issue #21).
    boards.decide(competition, Matter.MANDATE, cast.commissioner, days_ago=mandate_days_ago,
                  minute="The Board authorised the project mandate and confirmed the SRO's appointment.")
    if competition.is_major_project:
        boards.decide(competition, Matter.STARTING_GATE, cast.commissioner, days_ago=mandate_days_ago - 3,
                      minute="Starting Gate review: the policy is deliverable as a competition; proceed to the business case.")
    return drivers.move(competition, "start_pre_procurement", cast.commissioner)


def _after_mandate(competition: Competition, days: int) -> int:
    """How many days ago it was `days` after the competition's mandate was issued (today at the latest)."""
    issued = drivers.fresh(competition).mandate_issued_on or timezone.localdate()
    return max((timezone.localdate() - issued).days - days, 0)


def _decide_to_compete(cast: Cast, competition: Competition) -> None:
    boards.decide(competition, Matter.COMPETE, cast.commissioner, days_ago=_after_mandate(competition, 21),
                  minute="The Sub-Committee decided to compete the service, on the Outline Business Case and the market's response.")


def _approve_award(cast: Cast, competition: Competition) -> None:
    """A major award escalated by the Sub-Committee to the MoJ Procurement Committee, before it is notified (seed 002, line 509)."""
    if competition.is_major_project:
        boards.decide(competition, Matter.AWARD, cast.commissioner, days_ago=20,
                      minute="The Committee approved the award recommended by the evaluation, within the Full Business Case's affordability.")


def _business_case(cast: Cast, competition: Competition, *, kind: str, summary: str, approved_days_ago: int | None) -> BusinessCase:
    case = services.business_case_record(competition=drivers.fresh(competition), actor=cast.commissioner, kind=kind, summary=summary)
    if approved_days_ago is not None:
        case = services.business_case_approve(business_case=case, actor=cast.sro, approved_on=_days_ago(approved_days_ago))
    return case


def _review(
    cast: Cast, competition: Competition, *, gate: int, held_days_ago: int, confidence: str, summary: str,
    recommendations: list[tuple[str, str]] = (), keyholder: bool = False, team: str = MPA_TEAM,
) -> GatewayReview:
    """An MPA Gateway review, recorded by the gateway reviewer; or an internal keyholder review, by the SRO."""
    return services.gateway_review_record(
        actor=cast.sro if keyholder else cast.reviewer, competition=drivers.fresh(competition), gate=gate,
        held_on=_days_ago(held_days_ago), review_team=KEYHOLDER_TEAM if keyholder else team,
        delivery_confidence=_confidence(confidence), summary=summary,
        review_type=GatewayReview.ReviewType.KEYHOLDER if keyholder else GatewayReview.ReviewType.GATEWAY,
        recommendations=[{"text": text, "urgency": urgency} for urgency, text in recommendations],
    )


def _plan(cast: Cast, competition: Competition, reviews: list[tuple[str, int | None, str, int]]) -> None:
    """Integrated Assurance and Approval Plan lines: (type, gate, before state, days from today)."""
    for review_type, gate, before_state, days in reviews:
        services.planned_review_add(
            competition=drivers.fresh(competition), actor=cast.sro, review_type=review_type, gate=gate,
            before_state=before_state, planned_on=_days_ahead(days),
        )


def _criteria(cast: Cast, competition: Competition, criteria: list[tuple[str, str, int, str]], *, agree: bool = True) -> None:
    for name, kind, weight, description in criteria:
        services.criterion_add(
            competition=drivers.fresh(competition), actor=cast.procurement, name=name, kind=kind,
            weight=Decimal(weight), description=description,
        )
    if agree:
        # Agreed by the Competition Programme Board, recorded by MoJ Procurement (seed, "The Offender Services Competition Programme Board").
        boards.decide(competition, Matter.CRITERIA, cast.procurement, days_ago=_after_mandate(competition, 28),
                      minute="The Board agreed the evaluation criteria, their weights and how cost elements are treated.")


# --- procurement ------------------------------------------------------------------------------

def _register(cast: Cast, competition: Competition, bids: list[dict]) -> None:
    """Expressions of interest: {"bidder", optional "structure" and "participants": [(name, role, funding, risk)]}."""
    for spec in bids:
        participants = [
            {"organisation": _organisation(name), "role": role, "funding_share": Decimal(funding), "risk_share": Decimal(risk)}
            for name, role, funding, risk in spec.get("participants", [])
        ]
        services.bid_register(
            competition=drivers.fresh(competition), actor=cast.procurement, bidder=_organisation(spec["bidder"]),
            structure=spec.get("structure", Bid.Structure.SINGLE), participants=participants,
        )


def _prequalify(cast: Cast, competition: Competition, decisions: dict[str, tuple[bool, str]]) -> None:
    for bidder, (passed, reasons) in decisions.items():
        services.bid_prequalify(bid=_bid(competition, bidder), actor=cast.procurement, passed=passed, reasons=reasons)


def _tenders(cast: Cast, competition: Competition, prices: dict[str, Decimal], *, deadline: datetime.datetime) -> None:
    for hours_early, (bidder, price) in enumerate(prices.items(), start=2):
        services.bid_submit_tender(
            bid=_bid(competition, bidder), actor=cast.procurement, price=price,
            submitted_at=deadline - datetime.timedelta(hours=hours_early),
        )


def _bafos(cast: Cast, competition: Competition, prices: dict[str, Decimal]) -> None:
    for bidder, price in prices.items():
        services.bid_submit_bafo(bid=_bid(competition, bidder), actor=cast.procurement, price=price)
    for bidder in prices:
        services.bid_record_compliance(
            bid=_bid(competition, bidder), actor=cast.procurement, compliant=True,
            notes="All mandatory documents returned; pricing schedule complete.",
        )


def _score(cast: Cast, competition: Competition, marks: dict[str, dict[str, tuple]]) -> None:
    """marks[bidder][criterion] = (first evaluator, second evaluator or None, moderated or None)."""
    for bidder, by_criterion in marks.items():
        for criterion_name, (first, second, moderated) in by_criterion.items():
            criterion = _criterion(competition, criterion_name)
            services.score_record(
                bid=_bid(competition, bidder), criterion=criterion, actor=cast.procurement, score=first,
                rationale=FIRST_EVALUATOR_RATIONALE,
            )
            if second is not None:
                services.score_record(
                    bid=_bid(competition, bidder), criterion=criterion, actor=cast.commissioner, score=second,
                    rationale=SECOND_EVALUATOR_RATIONALE,
                )
            if moderated is not None:
                services.score_moderate(
                    bid=_bid(competition, bidder), criterion=criterion, actor=cast.procurement, score=moderated,
                    notes="Consensus reached at the moderation meeting against the published descriptors.",
                )


def _set_time_limits(cast: Cast, competition: Competition) -> None:
    """Before launch: the participation period (or, for the open procedure, the tendering period) the regime's minimum allows."""
    field = "bid_deadline" if competition.procedure == Procedure.OPEN else "participation_deadline"
    services.competition_update(competition=drivers.fresh(competition), actor=cast.procurement, **{field: _moment(_days_ahead(40))})


def _launch_and_prequalify(
    cast: Cast, competition: Competition, *, bids: list[dict], prequalification: dict, dialogue: bool,
) -> Competition:
    """Launch, expressions of interest and pre-qualification, then (optionally) the dialogue stage."""
    _set_time_limits(cast, competition)
    _decide_to_compete(cast, competition)
    competition = drivers.move(competition, "launch", cast.procurement)
    _register(cast, competition, bids)
    _prequalify(cast, competition, prequalification)
    if dialogue:
        competition = drivers.move(competition, "open_dialogue", cast.procurement)
    return competition


def _tender_to_evaluation(
    cast: Cast, competition: Competition, *, tender_prices: dict, bafo_prices: dict, deadline_days_ago: int,
) -> Competition:
    """Invitation to tender, tenders by the deadline, best and final offers, compliance checks.

    Tenders are received only before the deadline and opened only after it, so the deadline is set
    ahead (leaving the minimum tendering period), the tenders received, and the deadline then
    back-dated (`drivers.back_date_tender_deadline`).
    """
    deadline = _moment(_days_ago(deadline_days_ago))
    services.competition_update(
        competition=drivers.fresh(competition), actor=cast.procurement, bid_deadline=_moment(_days_ahead(41)),
    )
    competition = drivers.move(competition, "invite_tenders", cast.procurement)
    _tenders(cast, competition, tender_prices, deadline=deadline)
    drivers.back_date_tender_deadline(competition, deadline)
    competition = drivers.move(competition, "call_for_bafo", cast.procurement)
    _bafos(cast, competition, bafo_prices)
    return drivers.move(competition, "start_evaluation", cast.procurement)


def _clarify(cast: Cast, competition: Competition, *, asked_by: str, question: str, answer: str = "", sensitive: bool = False) -> None:
    clarification = services.clarification_log(
        competition=drivers.fresh(competition), actor=cast.procurement, asked_by=_organisation(asked_by),
        question=question, commercially_sensitive=sensitive,
    )
    if answer:
        services.clarification_answer(clarification=clarification, actor=cast.procurement, answer=answer)






# --- the competitions ---------------------------------------------------------------------------

def _demo_001_community_payback(cast: Cast, programme: Programme) -> None:
    """2011 rules, competitive dialogue, six cross-regional lots (seed 000): in evaluation, scoring under way."""
    competition = _create(
        cast, reference="DEMO-001", programme=programme,
        title="Community payback in six cross-regional lots",
        service_area="Community payback (unpaid work)",
        description=(
            "Delivery of community payback (unpaid work) in six cross-regional lots covering England and Wales, "
            "with Probation Trusts retaining offender management and enforcement. Providers source placements "
            "the community can see and help choose, supervise work parties and report hours completed to the "
            "Trust. Four years with an option to extend by two."
        ),
        estimated_value=Decimal(420) * M, regime=Regime.RULES_2011, procedure=Procedure.COMPETITIVE_DIALOGUE, major=True,
    )
    _start_pre_procurement(
        cast, competition, mandate_days_ago=330,
        mandate=(
            "Compete the delivery of community payback in six cross-regional lots, as set out in the "
            "Competition Strategy for Offender Services (13 July 2011), to secure mid- to long-term savings "
            "and more visible unpaid work without reducing the quality of supervision."
        ),
    )
    _business_case(
        cast, competition, kind=BusinessCase.Kind.OUTLINE, approved_days_ago=190,
        summary=(
            "Outcomes: more hours completed and more visible schemes; Benefits: savings of 10–15% on current "
            "unpaid work spend across the 35 Probation Trusts; Costs: £420m over four years, plus transition costs."
        ),
    )
    services.procurement_strategy_record(
        competition=drivers.fresh(competition), actor=cast.procurement,
        route="Competitive dialogue under the Public Contracts Regulations 2006, with pre-qualification and one round of dialogue.",
        lots="\n".join([
            "Lot 1: London", "Lot 2: South East and Eastern", "Lot 3: South West and Wales",
            "Lot 4: Midlands", "Lot 5: North West", "Lot 6: North East, Yorkshire and Humberside",
        ]),
    )
    _review(
        cast, competition, gate=1, held_days_ago=300, confidence=DeliveryConfidence.AMBER_GREEN,
        summary="A clear business need and a credible case for competing unpaid work.",
        recommendations=[(Recommendation.Urgency.RECOMMENDED, "Set out how the lots were sized, with the market sounding that supports it.")],
    )
    # Justice Select Committee, July 2011 (seed 000): complaints about communication with bidders and the
    # decision to tender six very large cross-regional contracts. Gate 2 is Red, then re-reviewed.
    red = _review(
        cast, competition, gate=2, held_days_ago=230, confidence=DeliveryConfidence.RED,
        summary=(
            "Probation Trusts were not consulted on the six-lot structure, and potential bidders report "
            "inconsistent information. The procurement should not launch until both are resolved."
        ),
        recommendations=[
            (Recommendation.Urgency.CRITICAL, "Consult the Probation Trusts on the lot structure and record how their views changed it."),
            (Recommendation.Urgency.CRITICAL, "Route every communication with potential bidders through MoJ Procurement, with a published clarification log."),
            (Recommendation.Urgency.ESSENTIAL, "Test that lots of this size leave room for voluntary and community sector providers, as members or sub-contractors."),
        ],
    )
    for recommendation in red.recommendations.all():
        services.recommendation_set_status(recommendation=recommendation, actor=cast.sro, status=Recommendation.Status.DONE)
    _review(
        cast, competition, gate=2, held_days_ago=170, confidence=DeliveryConfidence.AMBER,
        summary="Re-review after the recovery action: Trusts consulted, a single bidder channel in place. Lot sizes remain a risk to watch.",
        recommendations=[
            (Recommendation.Urgency.ESSENTIAL, "Publish the rationale for the lots with the pre-qualification questionnaire."),
            (Recommendation.Urgency.RECOMMENDED, "Plan the Gate 3 review early enough not to delay award."),
        ],
    )
    services.treasury_approval_record(
        competition=drivers.fresh(competition), actor=cast.sro, stage="outline", reference="HMT-TAP-2011-CP-OBC", approved_on=_days_ago(160),
    )
    _plan(cast, competition, [
        ("gateway", 3, State.STANDSTILL, 45), ("tap", None, State.STANDSTILL, 60), ("gateway", 4, State.LIVE, 210),
    ])
    _criteria(cast, competition, [
        ("Delivery model for unpaid work placements", "quality", 30, "Sourcing, supervising and recording placements; visibility to communities."),
        ("Working with Probation Trusts, sentencers and communities", "quality", 15, "How the provider works with the Trust that manages the offender."),
        ("Mobilisation, TUPE and continuity of service", "quality", 10, "Transfer of staff and schemes without a gap in delivery."),
        ("Voluntary and community sector supply chain", "quality", 5, "Opportunities for VCS organisations as members or sub-contractors."),
        ("Price", "price", 40, "Whole-life price across the lots bid for."),
    ])
    competition = _launch_and_prequalify(
        cast, competition, dialogue=True,
        bids=[
            {"bidder": "Serco Justice Services", "structure": Bid.Structure.PRIME, "participants": [
                ("Serco Justice Services", BidParticipant.Role.PRIME, 80, 85),
                ("London Probation Trust", BidParticipant.Role.SUB_PRIME, 20, 15),
            ]},
            {"bidder": "Sodexo Justice Services", "structure": Bid.Structure.CONSORTIUM, "participants": [
                ("Sodexo Justice Services", BidParticipant.Role.LEAD, 75, 80),
                ("Nacro", BidParticipant.Role.MEMBER, 25, 20),
            ]},
            {"bidder": "G4S Care and Justice Services"},
            {"bidder": "Catch22"},
            {"bidder": "Community Links Social Enterprise"},
        ],
        prequalification={
            "Serco Justice Services": (True, "Meets the minimum criteria for financial standing, experience and capacity."),
            "Sodexo Justice Services": (True, "Meets the minimum criteria; consortium agreement with Nacro in place."),
            "G4S Care and Justice Services": (True, "Meets the minimum criteria for financial standing, experience and capacity."),
            "Catch22": (True, "Meets the minimum criteria for the lots of interest."),
            "Community Links Social Enterprise": (False, "Turnover below the minimum for a cross-regional lot; pointed to the consortium and sub-contracting routes."),
        },
    )
    _clarify(
        cast, competition, asked_by="Catch22",
        question="May a bidder tender for one lot only, or must it bid for several lots?",
        answer="Bidders may tender for any number of lots, from one to six. Each lot is evaluated separately.",
    )
    # Lot sizes kept smaller providers out (seed 000, 004): Catch22 withdrew during dialogue.
    services.bid_withdraw(bid=_bid(competition, "Catch22"), actor=cast.procurement)
    competition = _tender_to_evaluation(
        cast, competition, deadline_days_ago=35,
        tender_prices={
            "G4S Care and Justice Services": Decimal("401500000"),
            "Serco Justice Services": Decimal("396000000"),
            "Sodexo Justice Services": Decimal("404250000"),
        },
        bafo_prices={
            "G4S Care and Justice Services": Decimal("394800000"),
            "Serco Justice Services": Decimal("389900000"),
            "Sodexo Justice Services": Decimal("392600000"),
        },
    )
    # Scoring under way: Serco fully moderated, Sodexo part-moderated, G4S scored by one evaluator so far.
    _score(cast, competition, {
        "Serco Justice Services": {
            "Delivery model for unpaid work placements": (7, 8, 7),
            "Working with Probation Trusts, sentencers and communities": (8, 8, 8),
            "Mobilisation, TUPE and continuity of service": (6, 7, 7),
            "Voluntary and community sector supply chain": (6, 5, 6),
        },
        "Sodexo Justice Services": {
            "Delivery model for unpaid work placements": (8, 7, 8),
            "Working with Probation Trusts, sentencers and communities": (7, 6, None),
            "Mobilisation, TUPE and continuity of service": (7, 7, None),
            "Voluntary and community sector supply chain": (8, 8, None),
        },
        "G4S Care and Justice Services": {
            "Delivery model for unpaid work placements": (7, None, None),
            "Working with Probation Trusts, sentencers and communities": (6, None, None),
        },
    })


def _demo_002_prisons(cast: Cast, programme: Programme) -> None:
    """Procurement Act 2023, competitive flexible, major, HMPS in-house bid behind the ethical wall: at tender."""
    competition = _create(
        cast, reference="DEMO-002", programme=programme,
        title="HMP Birmingham and HMP Wolds operation",
        service_area="Prison operation",
        description=(
            "Operation of HMP Birmingham (category B local) and HMP Wolds (category C training) as one "
            "competition in two lots, open to bids from the public, private and voluntary sectors, including "
            "a public-sector bid led by the HMPS Business Development Group. Fifteen years from service commencement."
        ),
        estimated_value=Decimal(470) * M, regime=Regime.PA_2023, procedure=Procedure.COMPETITIVE_FLEXIBLE,
        major=True, public_bid=True,
    )
    _start_pre_procurement(
        cast, competition, mandate_days_ago=280,
        mandate=(
            "Compete the operation of HMP Birmingham and HMP Wolds on expiry of the current contracts, "
            "with the public sector able to bid, to improve rehabilitation outcomes and secure savings."
        ),
    )
    _demo_002_register(cast, competition)
    _business_case(
        cast, competition, kind=BusinessCase.Kind.OUTLINE, approved_days_ago=120,
        summary=(
            "Outcomes: safe, decent and secure prisons with better resettlement; Benefits: savings of 8–12% "
            "against the current operating cost; Costs: £470m over fifteen years, plus competition costs."
        ),
    )
    services.procurement_strategy_record(
        competition=drivers.fresh(competition), actor=cast.procurement,
        route="Competitive flexible procedure (Procurement Act 2023): conditions of participation, one negotiation round, tenders.",
        lots="Lot 1: HMP Birmingham\nLot 2: HMP Wolds",
    )
    _review(
        cast, competition, gate=1, held_days_ago=250, confidence=DeliveryConfidence.GREEN,
        summary="Strong business justification, well supported by the prisons competition of 2011.",
    )
    gate_2 = _review(
        cast, competition, gate=2, held_days_ago=110, confidence=DeliveryConfidence.AMBER, team=MPA_TEAM_2,
        summary="Sound procurement strategy; the in-house bid raises conflicts that must be managed before launch.",
        recommendations=[
            (Recommendation.Urgency.ESSENTIAL, "Complete the conflicts assessment, with a declaration from everyone with access, before the tender notice."),
            (Recommendation.Urgency.ESSENTIAL, "Publish the Principles of Competition's treatment of pensions and indirect costs with the tender notice."),
            (Recommendation.Urgency.RECOMMENDED, "Give the HMPS bid team the same data room as every other bidder, and nothing more."),
        ],
    )
    for recommendation in gate_2.recommendations.filter(urgency=Recommendation.Urgency.ESSENTIAL):
        services.recommendation_set_status(recommendation=recommendation, actor=cast.sro, status=Recommendation.Status.DONE)
    services.treasury_approval_record(
        competition=drivers.fresh(competition), actor=cast.sro, stage="outline", reference="HMT-TAP-PRISONS-OBC", approved_on=_days_ago(100),
    )
    _plan(cast, competition, [
        ("gateway", 3, State.STANDSTILL, 150), ("tap", None, State.STANDSTILL, 165), ("gateway", 4, State.LIVE, 330),
    ])
    _criteria(cast, competition, [
        ("Safety, decency and security", "quality", 25, "Keeping prisoners and staff safe; decent conditions; security."),
        ("Rehabilitation and resettlement outcomes", "quality", 20, "Education, work and resettlement that reduce re-offending."),
        ("Workforce, staffing model and TUPE", "quality", 10, "A safe staffing model and a fair transfer of staff."),
        ("Estate maintenance and asset management", "quality", 5, "Keeping the estate in good repair over the term."),
        ("Social value", "quality", 5, "Local employment and supply chain opportunities."),
        ("Price", "price", 35, "Price after the Principles of Competition's adjustments for public-sector bids."),
    ])
    # Seed, "Competition" and "Ethical Wall Arrangements": a public-sector bid needs the Principles of
    # Competition published and the wall in place before launch; the 2023 Act needs the conflicts assessment.
    services.competition_update(
        competition=drivers.fresh(competition), actor=cast.procurement, principles_of_competition_published_on=_days_ago(90),
    )
    wall_services.wall_establish(
        competition=drivers.fresh(competition), actor=cast.sro,
        arrangements=(
            "The HMPS Business Development Group bids from separate premises with separate line management, "
            "systems and document stores. No one on the commissioning side may join the bid team within the "
            "quarantine period. All bidder communication goes through MoJ Procurement."
        ),
    )
    # Procurement Act 2023 s.83: every declared conflict assessed before the tender notice.
    wall_services.conflicts_assessment_complete(
        competition=drivers.fresh(competition), actor=cast.sro,
        summary=(
            "Declarations received from everyone on the commissioning side and from the evaluators. Two conflicts "
            "declared: Rebecca Holt's (her husband works for Serco Justice Services) is mitigated, as she will not "
            "score or moderate Serco's tender; Mark Fletcher, seconded to the HMPS bid unit last year, is excluded."
        ),
    )
    competition = _launch_and_prequalify(
        cast, competition, dialogue=True,
        bids=[
            {"bidder": "HMPS Business Development Group"},
            {"bidder": "Serco Justice Services"},
            {"bidder": "G4S Care and Justice Services"},
            {"bidder": "Interserve Justice"},
        ],
        prequalification={
            "HMPS Business Development Group": (True, "Meets the conditions of participation for operating a category B local prison."),
            "Serco Justice Services": (True, "Meets the conditions of participation for both lots."),
            "G4S Care and Justice Services": (True, "Meets the conditions of participation for both lots."),
            "Interserve Justice": (False, "No experience of operating a custodial establishment of a comparable category."),
        },
    )
    hmps_bid = _bid(competition, "HMPS Business Development Group")
    _demo_002_bid_side(cast, competition, hmps_bid)
    services.competition_update(competition=drivers.fresh(competition), actor=cast.procurement, bid_deadline=_moment(_days_ahead(45)))
    competition = drivers.move(competition, "invite_tenders", cast.procurement)
    _clarify(
        cast, competition, asked_by="G4S Care and Justice Services",
        question="Will staff at HMP Wolds who work across both the prison and the neighbouring court transfer under TUPE?",
        answer="Only staff wholly or mainly assigned to HMP Wolds transfer. The staff list in the data room has been updated to show assignment.",
    )
    _clarify(
        cast, competition, asked_by="Serco Justice Services", sensitive=True,
        question="May our tender price the HMP Birmingham healthcare sub-contract at the confidential rates of our existing national healthcare partner?",
        answer="Yes, provided the rates are fixed for the first three contract years and the partner is named in the supply chain schedule.",
    )
    _clarify(
        cast, competition, asked_by="HMPS Business Development Group",
        question="Will the data room include the current HMP Birmingham estate condition survey and maintenance backlog?",
    )
    _demo_002_refused_attempts(cast, competition)


def _demo_002_register(cast: Cast, competition: Competition) -> None:
    """The conflicts register (SPEC §4 rule 4): one conflict mitigated with conditions, one excluded.

    Both declare before being given access; the SRO assesses; only the mitigated evaluator joins.
    """
    evaluator = wall_services.conflict_declare(
        competition=drivers.fresh(competition), actor=cast.conflicted_evaluator, nature=ConflictDeclaration.Nature.CONFLICT,
        details=(
            "My husband, Daniel Holt, is Head of Operations for Serco Justice Services at HMP Thameside. "
            "He has no part in Serco's bid for this competition."
        ),
    )
    seconded = wall_services.conflict_declare(
        competition=drivers.fresh(competition), actor=cast.excluded_commissioner, nature=ConflictDeclaration.Nature.CONFLICT,
        details=(
            "Seconded to the HMPS Business Development Group's bid unit from January to September last year, "
            "where I worked on its operating and cost model for a bid for HMP Birmingham."
        ),
    )
    wall_services.conflict_assess(
        declaration=evaluator, actor=cast.sro, outcome=ConflictDeclaration.Assessment.MITIGATED,
        conditions=(
            "Will not score or moderate Serco Justice Services' tender and leaves the moderation meeting while it is "
            "discussed; scores the other tenders only. Declares at once any change in her husband's role."
        ),
    )
    wall_services.conflict_assess(declaration=seconded, actor=cast.sro, outcome=ConflictDeclaration.Assessment.EXCLUDED)
    drivers.join(competition, cast.conflicted_evaluator, SideRole.EVALUATOR, declare=False, actor=cast.commissioner)


def _demo_002_bid_side(cast: Cast, competition: Competition, hmps_bid: Bid) -> None:
    """The HMPS bid's side of the wall: MoJ Procurement adds the bid team, each having declared first.

    Sian Pritchard did commissioning-side work on DEMO-009 (prison operation too) and has just left it: her
    joining is refused (SPEC §4 rule 3) and the refusal is in the audit log. She is not added.
    """
    drivers.declare_nil(competition, cast.bid_team)
    wall_services.wall_join(
        competition=drivers.fresh(competition), user=cast.bid_team, side=Side.BID, role=SideRole.BID_TEAM,
        bid=hmps_bid, actor=cast.procurement,
    )
    drivers.declare_nil(competition, cast.former_commissioner)
    if wall_selectors.quarantine_ends(cast.former_commissioner, competition) is None:
        return  # no quarantine configured (WALL_QUARANTINE_MONTHS = 0): nothing to refuse
    try:
        wall_services.wall_join(
            competition=drivers.fresh(competition), user=cast.former_commissioner, side=Side.BID, role=SideRole.BID_TEAM,
            bid=hmps_bid, actor=cast.procurement,
        )
    except ValidationError:
        pass  # the service refused her and logged the refused attempt itself
    else:
        raise AssertionError("The quarantine should have kept a former commissioner off the bid team.")


def _demo_002_refused_attempts(cast: Cast, competition: Competition) -> None:
    """What the breach view shows (SPEC §4 rules 6 and 7): the bid team reaching past the wall, answered 404.

    Each names the record asked for, its id and the address, as the breach view lists them.
    """
    serco_bid = _bid(competition, "Serco Justice Services")
    gate_2 = competition.gateway_reviews.get(gate=2)
    attempts = [
        (audit.Channel.PAGE, "competitions.bid", serco_bid.pk, f"/competitions/{competition.pk}/records/tender/{serco_bid.pk}/",
         "Another bidder's tender page, reached by changing the bid number in the address of the team's own: answered 404"),
        (audit.Channel.API, "competitions.gatewayreview", gate_2.pk, f"/api/v1/gateway-reviews/{gate_2.pk}/",
         "Gate 2 review report requested through the REST API: answered 404"),
        (audit.Channel.PDF, "competitions.debriefletter", serco_bid.pk, f"/competitions/{competition.pk}/debriefs/{serco_bid.pk}.pdf",
         "Another bidder's debrief letter requested as a PDF: answered 404"),
    ]
    for channel, object_type, object_id, path, detail in attempts:
        audit.refused(
            actor=cast.bid_team, channel=channel, object_type=object_type, object_id=object_id,
            competition_id=competition.pk, path=path, detail=detail,
        )


def _demo_003_electronic_monitoring(cast: Cast, programme: Programme) -> None:
    """Procurement Act 2023, open procedure, major: pre-procurement, Outline Business Case not yet approved."""
    competition = _create(
        cast, reference="DEMO-003", programme=programme,
        title="Electronic monitoring services",
        service_area="Electronic monitoring",
        description=(
            "Fitting, monitoring and removing electronic tags for curfews and other requirements of court "
            "orders, bail and licences in England and Wales, with the tags and monitoring technology bought "
            "separately so that they can be refreshed during the contract. Six years with an option to extend by two."
        ),
        estimated_value=Decimal(600) * M, regime=Regime.PA_2023, procedure=Procedure.OPEN, major=True,
    )
    _start_pre_procurement(
        cast, competition, mandate_days_ago=150,
        mandate=(
            "Re-compete electronic monitoring before the current national contracts expire, correcting the "
            "weaknesses in value for money and contract management identified by the Justice Select Committee."
        ),
    )
    _business_case(
        cast, competition, kind=BusinessCase.Kind.OUTLINE, approved_days_ago=None,
        summary=(
            "Draft for Gate 2. Outcomes: reliable monitoring and prompt reporting of breaches; Benefits: lower "
            "unit costs per monitored person-day; Costs: £600m over six years. Cost model being re-baselined."
        ),
    )
    services.procurement_strategy_record(
        competition=drivers.fresh(competition), actor=cast.procurement,
        route="Open procedure (Procurement Act 2023) in two lots, with a conflicts assessment before the tender notice.",
        lots="Lot 1: Monitoring and field services\nLot 2: Tags and monitoring technology",
    )
    # The Amber/Red review: the critical recommendation stands in the way of the business case's approval.
    _review(
        cast, competition, gate=1, held_days_ago=60, confidence=DeliveryConfidence.AMBER_RED,
        summary="The case for change is clear, but the costs rest on volumes from 2011 and the current contracts' charging is not understood.",
        recommendations=[
            (Recommendation.Urgency.CRITICAL, "Re-baseline the cost model on current monitoring volumes and charges before the Outline Business Case is approved."),
            (Recommendation.Urgency.ESSENTIAL, "Put open-book access to the provider's costs and charges into the draft contract."),
            (Recommendation.Urgency.RECOMMENDED, "Appoint a contract manager for the new contracts before launch."),
        ],
    )
    _plan(cast, competition, [
        ("gateway", 2, State.PRE_QUALIFICATION, 40), ("tap", None, State.PRE_QUALIFICATION, 70),
        ("gateway", 3, State.STANDSTILL, 260),
    ])
    # Drafted but not yet agreed: the launch checklist shows it.
    _criteria(cast, competition, [
        ("Reliability and accuracy of monitoring", "quality", 30, "Availability of the monitoring centre and timeliness of alerts."),
        ("Field service and breach reporting", "quality", 20, "Fitting and removal times; evidence packs for breach proceedings."),
        ("Transparency of costs and charges", "quality", 10, "Open-book reporting of costs and charges."),
        ("Price", "price", 40, "Price per monitored person-day at the published volumes."),
    ], agree=False)


def _demo_004_bass(cast: Cast, programme: Programme) -> None:
    """2011 rules, restricted, below the major-project threshold: awarded, in mobilisation, debriefed."""
    competition = _create(
        cast, reference="DEMO-004",
        title="Bail accommodation and support services (BASS)",
        service_area="Bail accommodation and support (BASS)",
        description=(
            "Supported accommodation for people granted bail or released on home detention curfew who have "
            "no suitable address, with support to manage risk and move on to settled housing. Three lots "
            "across England and Wales; three years with an option to extend by two."
        ),
        estimated_value=Decimal(48) * M, regime=Regime.RULES_2011, procedure=Procedure.RESTRICTED,
    )
    _start_pre_procurement(
        cast, competition, mandate_days_ago=420,
        mandate="Re-compete the Bail Accommodation and Support Service, paying for occupancy and move-on rather than beds provided.",
    )
    _business_case(
        cast, competition, kind=BusinessCase.Kind.OUTLINE, approved_days_ago=330,
        summary="Outcomes: bail and HDC granted where accommodation was the only obstacle; Benefits: fewer remand places; Costs: £48m over three years.",
    )
    services.procurement_strategy_record(
        competition=drivers.fresh(competition), actor=cast.procurement,
        route="Restricted procedure under the Public Contracts Regulations 2006: pre-qualification, invitation to tender, best and final offers.",
        lots="Lot 1: North\nLot 2: Midlands and Wales\nLot 3: South",
    )
    _review(
        cast, competition, gate=2, held_days_ago=300, confidence=DeliveryConfidence.AMBER_GREEN, keyholder=True,
        summary="Keyholder review below the major-project threshold: the strategy is sound.",
        recommendations=[(Recommendation.Urgency.ESSENTIAL, "Measure occupancy and move-on in the contract, not beds made available.")],
    )
    _plan(cast, competition, [("keyholder", 4, State.LIVE, 20)])
    _criteria(cast, competition, [
        ("Quality and safety of accommodation", "quality", 30, "Standard of properties, neighbourhood and safeguarding."),
        ("Support, risk management and move-on", "quality", 25, "Support plans, managing risk, moving on to settled housing."),
        ("Geographical coverage, including rural areas", "quality", 10, "Properties where the courts need them."),
        ("Price", "price", 35, "Price for the published occupancy volumes."),
    ])
    competition = _launch_and_prequalify(
        cast, competition, dialogue=False,
        bids=[
            {"bidder": "Nacro", "structure": Bid.Structure.PRIME, "participants": [
                ("Nacro", BidParticipant.Role.PRIME, 70, 75),
                ("Shelter", BidParticipant.Role.SUB_PRIME, 30, 25),
            ]},
            {"bidder": "St Giles Trust", "structure": Bid.Structure.CONSORTIUM, "participants": [
                ("St Giles Trust", BidParticipant.Role.LEAD, 60, 60),
                ("Catch22", BidParticipant.Role.MEMBER, 40, 40),
            ]},
            {"bidder": "Sodexo Justice Services"},
        ],
        prequalification={
            "Nacro": (True, "Meets the minimum criteria; housing management through Shelter as sub-prime."),
            "St Giles Trust": (True, "Meets the minimum criteria as a consortium with Catch22."),
            "Sodexo Justice Services": (True, "Meets the minimum criteria for financial standing, experience and capacity."),
        },
    )
    competition = _tender_to_evaluation(
        cast, competition, deadline_days_ago=120,
        tender_prices={"Nacro": Decimal("46100000"), "St Giles Trust": Decimal("48200000"), "Sodexo Justice Services": Decimal("44700000")},
        bafo_prices={"Nacro": Decimal("45200000"), "St Giles Trust": Decimal("47500000"), "Sodexo Justice Services": Decimal("43900000")},
    )
    _score(cast, competition, {
        "Nacro": {
            "Quality and safety of accommodation": (8, 8, 8), "Support, risk management and move-on": (7, 8, 7),
            "Geographical coverage, including rural areas": (7, 6, 7),
        },
        "St Giles Trust": {
            "Quality and safety of accommodation": (7, 7, 7), "Support, risk management and move-on": (8, 8, 8),
            "Geographical coverage, including rural areas": (6, 5, 6),
        },
        "Sodexo Justice Services": {
            "Quality and safety of accommodation": (6, 6, 6), "Support, risk management and move-on": (6, 5, 6),
            "Geographical coverage, including rural areas": (5, 5, 5),
        },
    })
    competition = drivers.move(competition, "recommend_award", cast.procurement)
    _business_case(
        cast, competition, kind=BusinessCase.Kind.FULL, approved_days_ago=30,
        summary="As determined by the recommended bid: Nacro with Shelter, £45.2m over three years, occupancy-based payment.",
    )
    _review(
        cast, competition, gate=3, held_days_ago=32, confidence=DeliveryConfidence.GREEN, keyholder=True,
        summary="Keyholder review of the investment decision: the evaluation was sound and the award affordable.",
    )
    services.debrief_letters_issue(competition=drivers.fresh(competition), actor=cast.procurement)
    _approve_award(cast, competition)
    competition = drivers.move(competition, "start_standstill", cast.procurement)
    drivers.back_date_standstill(competition)
    competition = drivers.fresh(competition)
    # A challenge in standstill, dismissed: award waits until no challenge is open.
    challenge = services.challenge_record(
        competition=competition, actor=cast.procurement, challenger=_organisation("Sodexo Justice Services"),
        grounds="The rural coverage criterion was applied inconsistently between lots.",
        lodged_on=competition.standstill_started_on + datetime.timedelta(days=4),
    )
    services.challenge_resolve(challenge=challenge, actor=cast.procurement, status=Challenge.Status.DISMISSED)
    competition = drivers.move(competition, "award", cast.procurement)
    drivers.plan_mobilisation(competition, cast.procurement)
    drivers.move(competition, "start_mobilisation", cast.commissioner)


def _demo_005_rehabilitation(cast: Cast, programme: Programme) -> None:
    """Procurement Act 2023, competitive flexible, £66m, open to small providers (seed 003): at standstill."""
    competition = _create(
        cast, reference="DEMO-005",
        title="Rehabilitation services for the National Probation Service (2020, five years, open to small providers)",
        service_area="Rehabilitation services",
        description=(
            "Sourcing and managing unpaid work placements, running accredited programmes and other structured "
            "interventions (emotional management, domestic abuse, behavioural change) for the National Probation "
            "Service in England and Wales. Five years; small firms, community groups and social enterprises may bid."
        ),
        estimated_value=Decimal(66) * M, regime=Regime.PA_2023, procedure=Procedure.COMPETITIVE_FLEXIBLE,
    )
    _start_pre_procurement(
        cast, competition, mandate_days_ago=260,
        mandate="Secure rehabilitation services that work with the National Probation Service, with less variation in quality than under the Community Rehabilitation Companies.",
    )
    _business_case(
        cast, competition, kind=BusinessCase.Kind.OUTLINE, approved_days_ago=200,
        summary="Outcomes: consistent, good-quality interventions; Benefits: fewer breaches and lower re-offending; Costs: £66m over five years.",
    )
    services.procurement_strategy_record(
        competition=drivers.fresh(competition), actor=cast.procurement,
        route="Competitive flexible procedure (Procurement Act 2023) with conditions of participation proportionate to small providers.",
        lots="Lot 1: Unpaid work sourcing and management\nLot 2: Accredited programmes\nLot 3: Structured interventions",
    )
    _review(
        cast, competition, gate=2, held_days_ago=190, confidence=DeliveryConfidence.GREEN, keyholder=True,
        summary="Keyholder review below the major-project threshold: the strategy opens the market to small providers.",
    )
    _plan(cast, competition, [("keyholder", 3, State.STANDSTILL, -15), ("keyholder", 4, State.LIVE, 90)])
    _criteria(cast, competition, [
        ("Quality and effectiveness of interventions", "quality", 35, "Evidence-based interventions and how quality is assured."),
        ("Partnership with the National Probation Service", "quality", 15, "Working with probation practitioners and sentencers."),
        ("Social value and local supply chain", "quality", 10, "Opportunities for local voluntary and community organisations."),
        ("Price", "price", 40, "Price for the published volumes over five years."),
    ])
    wall_services.conflicts_assessment_complete(
        competition=drivers.fresh(competition), actor=cast.sro,
        summary="Declarations received from everyone with access; no conflicts declared.",
    )
    competition = _launch_and_prequalify(
        cast, competition, dialogue=True,
        bids=[
            {"bidder": "Catch22", "structure": Bid.Structure.CONSORTIUM, "participants": [
                ("Catch22", BidParticipant.Role.LEAD, 40, 40),
                ("St Giles Trust", BidParticipant.Role.MEMBER, 35, 35),
                ("Community Links Social Enterprise", BidParticipant.Role.MEMBER, 25, 25),
            ]},
            {"bidder": "Nacro"},
            {"bidder": "Interserve Justice"},
        ],
        prequalification={
            "Catch22": (True, "Meets the conditions of participation as a consortium."),
            "Nacro": (True, "Meets the conditions of participation."),
            "Interserve Justice": (True, "Meets the conditions of participation."),
        },
    )
    _clarify(
        cast, competition, asked_by="Nacro",
        question="Can a consortium member also bid in its own right?",
        answer="No. An organisation may take part in one bid only, as a bidder, consortium member or sub-contractor.",
    )
    competition = _tender_to_evaluation(
        cast, competition, deadline_days_ago=60,
        tender_prices={"Catch22": Decimal("64900000"), "Nacro": Decimal("65700000"), "Interserve Justice": Decimal("60400000")},
        bafo_prices={"Catch22": Decimal("63800000"), "Nacro": Decimal("64900000"), "Interserve Justice": Decimal("59600000")},
    )
    _score(cast, competition, {
        "Catch22": {
            "Quality and effectiveness of interventions": (8, 8, 8), "Partnership with the National Probation Service": (8, 7, 8),
            "Social value and local supply chain": (9, 9, 9),
        },
        "Nacro": {
            "Quality and effectiveness of interventions": (7, 7, 7), "Partnership with the National Probation Service": (7, 7, 7),
            "Social value and local supply chain": (7, 6, 7),
        },
        "Interserve Justice": {
            "Quality and effectiveness of interventions": (5, 5, 5), "Partnership with the National Probation Service": (5, 6, 5),
            "Social value and local supply chain": (4, 4, 4),
        },
    })
    competition = drivers.move(competition, "recommend_award", cast.procurement)
    _business_case(
        cast, competition, kind=BusinessCase.Kind.FULL, approved_days_ago=10,
        summary="As determined by the recommended bid: the Catch22 consortium with St Giles Trust and Community Links, £63.8m over five years.",
    )
    _review(
        cast, competition, gate=3, held_days_ago=12, confidence=DeliveryConfidence.AMBER_GREEN, keyholder=True,
        summary="Keyholder review of the investment decision: sound, with a watch on the consortium's mobilisation capacity.",
        recommendations=[(Recommendation.Urgency.RECOMMENDED, "Agree a joint mobilisation plan with the consortium's three members.")],
    )
    services.debrief_letters_issue(competition=drivers.fresh(competition), actor=cast.procurement)
    # Standstill runs from the UK6 contract award notice published now: 8 working days.
    _approve_award(cast, competition)
    drivers.move(competition, "start_standstill", cast.procurement)


def _demo_006_pecs(cast: Cast, programme: Programme) -> None:
    """2011 rules, restricted, major: live, Gate 4 green, Gate 5 not yet held."""
    competition = _create(
        cast, reference="DEMO-006", programme=programme,
        title="Prisoner escort and custody services (PECS)",
        service_area="Prisoner escort and custody services (PECS)",
        description=(
            "Escorting prisoners between police custody, courts and prisons, and their custody in court cells, "
            "in England and Wales. Seven years with an option to extend by three."
        ),
        estimated_value=Decimal(900) * M, regime=Regime.RULES_2011, procedure=Procedure.RESTRICTED, major=True,
    )
    _start_pre_procurement(
        cast, competition, mandate_days_ago=540,
        mandate="Re-compete prisoner escort and custody services on expiry of the current contracts, to improve punctuality at court and value for money.",
    )
    _business_case(
        cast, competition, kind=BusinessCase.Kind.OUTLINE, approved_days_ago=450,
        summary="Outcomes: prisoners delivered safely and on time; Benefits: savings on the current contracts; Costs: £900m over seven years.",
    )
    services.procurement_strategy_record(
        competition=drivers.fresh(competition), actor=cast.procurement,
        route="Restricted procedure under the Public Contracts Regulations 2006.",
        lots="Lot 1: North\nLot 2: Midlands and Wales\nLot 3: South East and East of England\nLot 4: London and the South West",
    )
    _review(cast, competition, gate=1, held_days_ago=500, confidence=DeliveryConfidence.GREEN, summary="A clear business need for re-competing.")
    _review(
        cast, competition, gate=2, held_days_ago=400, confidence=DeliveryConfidence.AMBER_GREEN, team=MPA_TEAM_2,
        summary="A sound procurement strategy; the market is concentrated.",
        recommendations=[(Recommendation.Urgency.RECOMMENDED, "Hold a market engagement day to encourage new entrants.")],
    )
    services.treasury_approval_record(
        competition=drivers.fresh(competition), actor=cast.sro, stage="outline", reference="HMT-TAP-PECS-OBC", approved_on=_days_ago(390),
    )
    _plan(cast, competition, [("gateway", 5, State.CLOSED, 330)])
    _criteria(cast, competition, [
        ("Safe and secure custody", "quality", 30, "Escapes, incidents and the care of vulnerable prisoners."),
        ("Punctuality of delivery to court", "quality", 15, "Prisoners at court in time for the first hearing."),
        ("Vehicle fleet and technology", "quality", 10, "Fleet, tracking and electronic person escort records."),
        ("Price", "price", 45, "Price for the published escort volumes."),
    ])
    competition = _launch_and_prequalify(
        cast, competition, dialogue=False,
        bids=[
            {"bidder": "GEOAmey PECS"},
            {"bidder": "Serco Justice Services"},
            {"bidder": "G4S Care and Justice Services"},
        ],
        prequalification={name: (True, "Meets the minimum criteria for financial standing, experience and capacity.") for name in (
            "GEOAmey PECS", "Serco Justice Services", "G4S Care and Justice Services",
        )},
    )
    competition = _tender_to_evaluation(
        cast, competition, deadline_days_ago=150,
        tender_prices={
            "GEOAmey PECS": Decimal("884000000"), "Serco Justice Services": Decimal("889000000"),
            "G4S Care and Justice Services": Decimal("921000000"),
        },
        bafo_prices={
            "GEOAmey PECS": Decimal("860000000"), "Serco Justice Services": Decimal("875000000"),
            "G4S Care and Justice Services": Decimal("905000000"),
        },
    )
    _score(cast, competition, {
        "GEOAmey PECS": {"Safe and secure custody": (8, 8, 8), "Punctuality of delivery to court": (8, 7, 8), "Vehicle fleet and technology": (7, 7, 7)},
        "Serco Justice Services": {"Safe and secure custody": (8, 7, 8), "Punctuality of delivery to court": (7, 7, 7), "Vehicle fleet and technology": (7, 8, 7)},
        "G4S Care and Justice Services": {"Safe and secure custody": (7, 7, 7), "Punctuality of delivery to court": (7, 6, 7), "Vehicle fleet and technology": (8, 8, 8)},
    })
    competition = drivers.move(competition, "recommend_award", cast.procurement)
    _review(
        cast, competition, gate=3, held_days_ago=30, confidence=DeliveryConfidence.AMBER,
        summary="The investment decision is sound; exit from the incumbent's contracts needs firmer planning.",
        recommendations=[
            (Recommendation.Urgency.ESSENTIAL, "Agree the exit plan and asset transfer with the incumbent provider before award."),
            (Recommendation.Urgency.RECOMMENDED, "Test court-custody handovers with HM Courts Service before go-live."),
        ],
    )
    _business_case(
        cast, competition, kind=BusinessCase.Kind.FULL, approved_days_ago=25,
        summary="As determined by the recommended bid: GEOAmey PECS, £860m over seven years.",
    )
    services.treasury_approval_record(
        competition=drivers.fresh(competition), actor=cast.sro, stage="full", reference="HMT-TAP-PECS-FBC", approved_on=_days_ago(22),
    )
    services.debrief_letters_issue(competition=drivers.fresh(competition), actor=cast.procurement)
    _approve_award(cast, competition)
    competition = drivers.move(competition, "start_standstill", cast.procurement)
    drivers.back_date_standstill(competition)
    competition = drivers.move(competition, "award", cast.procurement)
    drivers.plan_mobilisation(competition, cast.procurement)
    competition = drivers.move(competition, "start_mobilisation", cast.commissioner)
    drivers.complete_mobilisation(drivers.agreement_of(competition), cast.procurement)
    _review(
        cast, competition, gate=4, held_days_ago=2, confidence=DeliveryConfidence.GREEN,
        summary="Ready for service: staff transferred, fleet delivered, court custody suites handed over.",
    )
    drivers.move(competition, "go_live", cast.commissioner)


def _demo_007_victim_contact(cast: Cast, programme: Programme) -> None:
    """A draft: the mandate issued, no SRO yet, so pre-procurement cannot start."""
    competition = _create(
        cast, reference="DEMO-007",
        title="Victim contact service",
        service_area="Victim contact",
        description="Contact with victims of serious violent and sexual offences about the offender's sentence, release and licence conditions.",
        estimated_value=Decimal(12) * M, regime=Regime.PA_2023, procedure=Procedure.OPEN,
    )
    services.competition_update(
        competition=drivers.fresh(competition), actor=cast.commissioner, mandate_issued_on=_days_ago(14),
        mandate="Test whether the victim contact service can be delivered more consistently across England and Wales by a single provider.",
    )


def _demo_008_buckley_hall(cast: Cast, programme: Programme) -> None:
    """Procurement Act 2023, open procedure: launched, then abandoned with a reason (UK12 notice)."""
    competition = _create(
        cast, reference="DEMO-008",
        title="Accredited programmes in HMP Buckley Hall",
        service_area="Accredited programmes",
        description="Delivery of accredited offending behaviour programmes at HMP Buckley Hall for three years.",
        estimated_value=Decimal("1800000"), regime=Regime.PA_2023, procedure=Procedure.OPEN,
    )
    _start_pre_procurement(
        cast, competition, mandate_days_ago=200,
        mandate="Compete the accredited programmes delivered at HMP Buckley Hall to widen the range of providers.",
    )
    _business_case(
        cast, competition, kind=BusinessCase.Kind.OUTLINE, approved_days_ago=150,
        summary="Outcomes: more completions of accredited programmes; Benefits: lower re-offending; Costs: £1.8m over three years.",
    )
    services.procurement_strategy_record(
        competition=drivers.fresh(competition), actor=cast.procurement, route="Open procedure (Procurement Act 2023), one lot.",
    )
    _review(
        cast, competition, gate=2, held_days_ago=130, confidence=DeliveryConfidence.AMBER, keyholder=True,
        summary="Keyholder review: proceed, but demand forecasts are uncertain.",
        recommendations=[(Recommendation.Urgency.ESSENTIAL, "Confirm programme demand with the prison before the tender deadline.")],
    )
    _criteria(cast, competition, [
        ("Programme delivery and completion rates", "quality", 50, "Facilitators, scheduling and completions."),
        ("Price", "price", 50, "Price for the published number of programme places."),
    ])
    wall_services.conflicts_assessment_complete(
        competition=drivers.fresh(competition), actor=cast.sro, summary="Declarations received; no conflicts declared.",
    )
    _set_time_limits(cast, competition)
    _decide_to_compete(cast, competition)
    competition = drivers.move(competition, "launch", cast.procurement)
    services.competition_update(competition=drivers.fresh(competition), actor=cast.procurement, bid_deadline=_moment(_days_ahead(41)))
    competition = drivers.move(competition, "invite_tenders", cast.procurement)
    _register(cast, competition, [{"bidder": "Nacro"}, {"bidder": "St Giles Trust"}])
    drivers.move(
        competition, "abandon", cast.commissioner,
        reason=(
            "The refreshed needs analysis for HMP Buckley Hall found demand for these programmes too low to "
            "sustain a separate contract. They will be delivered under the prison's service level agreement and "
            "reconsidered in the next commissioning round."
        ),
    )


def _demo_009_dartmoor(cast: Cast, programme: Programme) -> None:
    """Procurement Act 2023, a prison competition in pre-procurement, worked on by a commissioner who has just
    moved to the HMPS Business Development Group: her quarantine from DEMO-002's bid team starts here."""
    competition = _create(
        cast, reference="DEMO-009", programme=programme,
        title="HMP Dartmoor operation",
        service_area="Prison operation",
        description=(
            "Operation of HMP Dartmoor (category C training) for ten years, open to bids from the public, private "
            "and voluntary sectors, with the estate's listed buildings maintained by the operator."
        ),
        estimated_value=Decimal(210) * M, regime=Regime.PA_2023, procedure=Procedure.COMPETITIVE_FLEXIBLE,
        major=True, public_bid=True,
    )
    drivers.join(competition, cast.former_commissioner, SideRole.COMMISSIONER, actor=cast.commissioner)
    _start_pre_procurement(
        cast, competition, mandate_days_ago=75,
        mandate=(
            "Compete the operation of HMP Dartmoor, with the public sector able to bid, to reduce the cost of "
            "operating and maintaining the estate while improving purposeful activity."
        ),
    )
    services.business_case_record(
        competition=drivers.fresh(competition), actor=cast.former_commissioner, kind=BusinessCase.Kind.OUTLINE,
        summary=(
            "Draft for Gate 1. Outcomes: safe and decent conditions, more prisoners in work and education; "
            "Benefits: savings against the current operating and maintenance cost; Costs: £210m over ten years."
        ),
    )
    _plan(cast, competition, [("gateway", 1, State.PRE_QUALIFICATION, 30), ("gateway", 2, State.PRE_QUALIFICATION, 120)])
    member = wall_selectors.membership(cast.former_commissioner, competition)
    wall_services.wall_leave(member=member, actor=cast.commissioner, reason="moved to the HMPS Business Development Group")
    # Her new role, given by the administrator (and in the audit log as a change of roles).
    user_roles_set(user=cast.former_commissioner, roles=[Role.COMMISSIONER, Role.BID_TEAM], actor=User.objects.filter(username="admin").first())


SCENARIOS = [
    ("DEMO-001", _demo_001_community_payback),
    # Before DEMO-002: the commissioning-side work on DEMO-009 is what keeps Sian Pritchard off its HMPS bid team.
    ("DEMO-009", _demo_009_dartmoor),
    ("DEMO-002", _demo_002_prisons),
    ("DEMO-003", _demo_003_electronic_monitoring),
    ("DEMO-004", _demo_004_bass),
    ("DEMO-005", _demo_005_rehabilitation),
    ("DEMO-006", _demo_006_pecs),
    ("DEMO-007", _demo_007_victim_contact),
    ("DEMO-008", _demo_008_buckley_hall),
]


def _programme(cast: Cast) -> Programme:
    """The portfolio the major competitions belong to, with its Gate 0 (strategic assessment).

    No service creates programmes yet: like the service areas, it is reference data.
    """
    programme, created = Programme.objects.get_or_create(
        name=PROGRAMME_NAME,
        defaults={"description": "The national competitions of the Competition Strategy for Offender Services (13 July 2011)."},
    )
    if created:
        services.gateway_review_record(
            actor=cast.reviewer, programme=programme, gate=0, held_on=_days_ago(760), review_team=MPA_TEAM,
            delivery_confidence=_confidence(DeliveryConfidence.AMBER_GREEN),
            summary="The portfolio of competitions is well aligned with the strategy; capacity in MoJ Procurement is a risk.",
            recommendations=[{"text": "Stagger the competitions so that MoJ Procurement is not running more than three at once.", "urgency": Recommendation.Urgency.ESSENTIAL}],
        )
    return programme


def seed_competitions() -> None:
    """Create each demo competition not yet present; one transaction per competition."""
    cast = Cast.load()
    with transaction.atomic():
        programme = _programme(cast)
    for reference, build in SCENARIOS:
        if Competition.objects.filter(reference=reference).exists():
            continue
        with transaction.atomic():
            build(cast, programme)


@transaction.atomic
def seed_benefits() -> None:
    """The awarded competitions' benefits (issue #21): DEMO-004's full business case with recorded actuals and one benefit read
    from the BASS contract's measure, and DEMO-006's. Runs after the agreements exist."""
    from competitions.models import Benefit, BusinessCase
    from contracts.models import Measure

    if Benefit.objects.exists():
        return
    cast = Cast.load()
    today = timezone.localdate()
    bass = BusinessCase.objects.get(competition__reference="DEMO-004", kind=BusinessCase.Kind.FULL)
    remand = services.benefit_add(
        business_case=bass, actor=cast.commissioner, description="Fewer people remanded for want of an address",
        how_measured="Bail refused for no fixed address, per quarter (court data)", unit="refusals", baseline=Decimal(1200),
        target=Decimal(900), owner=cast.sro)
    for days, value in ((60, 1150), (30, 1080)):
        services.benefit_actual_record(benefit=remand, actor=cast.sro, measured_on=today - datetime.timedelta(days=days), value=Decimal(value))
    services.benefit_add(
        business_case=bass, actor=cast.commissioner, description="People moved on to settled accommodation",
        how_measured="The contract's measure of moves to settled accommodation", unit="%", baseline=Decimal(55), target=Decimal(70),
        owner=cast.sro, measure=Measure.objects.filter(agreement__competition=bass.competition, name__startswith="Moved on").first())
    cost = services.benefit_add(
        business_case=bass, actor=cast.commissioner, description="Lower cost per bed night", how_measured="Contract price ÷ bed nights used",
        unit="£", baseline=Decimal(46), target=Decimal(41), owner=cast.commissioner)
    services.benefit_actual_record(benefit=cost, actor=cast.commissioner, measured_on=today - datetime.timedelta(days=14), value=Decimal("44.50"))
    pecs = BusinessCase.objects.get(competition__reference="DEMO-006", kind=BusinessCase.Kind.FULL)
    services.benefit_add(
        business_case=pecs, actor=cast.commissioner, description="Prisoners at court in time for their hearing",
        how_measured="Share delivered before the first hearing", unit="%", baseline=Decimal(89), target=Decimal(95), owner=cast.sro)
