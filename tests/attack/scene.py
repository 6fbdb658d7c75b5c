"""The scene every attack test plays in, its attackers, and what each of them must never read.

An awarded competition with an HMPS bid behind the wall (its agreement mobilising), a draft
competition in the same service area, and another commissioner's own draft elsewhere. The
attackers are every kind the wall must hold against (SPEC §4): the bid team, someone the
SRO excluded, a quarantined former commissioner now in the bid team, a superuser, staff
who never declared on anything (a contract manager, a gateway reviewer), the commissioner
of another competition, and a commissioner who also holds the bid team's role.

What an attacker must not read is worked out here from the facts of the scene — who is on
which side of which wall, what has been published, who was excluded — and read from the
records themselves (titles, mandates, summaries, rationales, references, questions), never
from the selectors under test.
"""

from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from competitions import services
from competitions.models import (
    AwardRecommendation,
    Bid,
    BidDocument,
    BusinessCase,
    Challenge,
    Clarification,
    Competition,
    CostAdjustment,
    EvaluationCriterion,
    GatewayReview,
    ModeratedScore,
    ProcurementStrategy,
    Recommendation,
    Score,
    State,
    TieBreak,
    TreasuryApproval,
)
from contracts.models import Agreement
from core.models import Organisation, ServiceArea
from core.roles import Role
from ethical_walls import services as wall
from ethical_walls.models import ConflictDeclaration, Membership
from tests.competitions.journey import Journey
from tests.core.factories import UserFactory

# Confidential material planted in the scene; none of it may reach an attacker.
MARKERS = {
    "business_case": "Outcomes, benefits, costs.",
    "score": "Evidence in section 3.",
    "moderation": "Consensus.",
    "gateway_team": "A. Reviewer",
    "cost_model": "Employer pension contributions.",
    "draft_criterion": "Draft social value criterion",
    "draft_mandate": "Confidential draft mandate for victim contact",
    "other_bid_document": "Serco method statement",
    "unpublished_question": "Serco asks about TUPE liabilities",
    "timeline": "Score recorded for",
    "tie_break_method": "Highest mark on the mobilisation criterion",
    "tie_break_reason": "Serco's mobilisation plan was marked higher",
    "risk": "Incumbent's staff may not transfer under TUPE",  # a competition's risk register (issue #21)
    "board_paper": "Options appraisal: the incumbent's pension deficit",  # a board paper about the competition (issue #21)
    "board_interest": "Partner is a director of a bidder",  # an interest declared in it at a board meeting
}

ATTACKERS = [
    "bid_team", "excluded", "quarantined", "superuser",
    "contract_manager", "gateway_reviewer", "other_commissioner", "dual_role", "supplier",
]


@dataclass
class Scene:
    journey: Journey
    draft: object
    elsewhere: object  # another commissioner's own draft competition, in another service area
    hmps_bid: Bid
    serco_bid: Bid
    attackers: dict = field(default_factory=dict)

    @property
    def live(self):
        return self.journey.refresh()


def build_scene() -> Scene:
    journey = Journey()
    journey.advance_to(State.DIALOGUE)
    bids = {b.bidder.name: b for b in journey.bids()}
    hmps_bid, serco_bid = bids["HMPS Business Development Group"], bids["Serco Justice Services"]

    bid_team = UserFactory(username="attacker_bid_team", roles=[Role.BID_TEAM])
    journey.join(bid_team, "bid_team", side="bid", bid=hmps_bid)
    services.bid_document_add(bid=serco_bid, actor=journey.procurement, title=MARKERS["other_bid_document"],
                              file=SimpleUploadedFile("method.pdf", b"%PDF-1.7 Serco", content_type="application/pdf"))
    services.clarification_log(competition=journey.refresh(), actor=journey.procurement, asked_by=journey.private_bidder, question=MARKERS["unpublished_question"])

    # An evaluator who later declares a conflict and is excluded by the SRO.
    excluded = UserFactory(username="attacker_excluded", roles=[Role.COMMISSIONER])
    journey.join(excluded, "evaluator")
    declaration = wall.conflict_declare(competition=journey.refresh(), actor=excluded, nature="conflict", details="Spouse works for Serco")
    wall.conflict_assess(declaration=declaration, actor=journey.sro, outcome="excluded")

    # The two bids tie for first, and MoJ Procurement records the tie-break: evaluation material too.
    journey.advance_to(State.EVALUATION)
    journey.prepare("recommend_award", leave_out="tie_broken")
    journey.tie_for_first()
    services.tie_break_record(competition=journey.refresh(), actor=journey.procurement, bid=serco_bid,
                              method=MARKERS["tie_break_method"], reason=MARKERS["tie_break_reason"])
    journey.advance_to(State.AWARDED)
    # A risk on the competition's register (issue #21), raised after award so it stays the competition's.
    from governance.services import risk_raise

    risk_raise(actor=journey.commissioner, subject="competition", record=journey.refresh(), title=MARKERS["risk"],
               description="The incumbent's staff list is late; mobilisation would slip.", owner=journey.commissioner,
               likelihood=4, impact=5, proximity="near")
    # A board paper about the competition, with a file, and an interest declared in it at the meeting that agreed its criteria (issue #21).
    from boards import services as board_services
    from boards.models import Decision, Matter

    meeting = Decision.objects.get(competition=journey.competition, matter=Matter.CRITERIA).meeting
    board_services.paper_add(actor=journey.commissioner, meeting=meeting, competition=journey.refresh(), title=MARKERS["board_paper"],
                             summary="The cost treatment the board is asked to agree.",
                             file=SimpleUploadedFile("paper.pdf", b"%PDF-1.7 options appraisal", content_type="application/pdf"))
    board_services.interest_declare(actor=journey.commissioner, meeting=meeting, person=journey.second_evaluator, competition=journey.refresh(),
                                    interest=MARKERS["board_interest"], withdrew=True)

    # A draft competition in the same service area, with confidential draft material.
    draft = services.competition_create(actor=journey.commissioner, title="Victim contact service", service_area=journey.service_area, estimated_value=Decimal("1000000"))
    services.competition_update(competition=draft, actor=journey.commissioner, mandate=MARKERS["draft_mandate"], mandate_issued_on=timezone.localdate())
    services.criterion_add(competition=draft, actor=journey.commissioner, name=MARKERS["draft_criterion"], kind="quality", weight=Decimal(30))

    # A former commissioner on the draft competition's side, who left today and moved to the
    # bid team: in quarantine from bid teams in the service area.
    quarantined = UserFactory(username="attacker_quarantined", roles=[Role.COMMISSIONER])
    wall.conflict_declare(competition=draft, actor=quarantined, nature="nil")
    member = wall.wall_join(competition=draft, user=quarantined, side="commissioning", role="commissioner", actor=journey.commissioner)
    wall.wall_leave(member=member, actor=journey.commissioner)
    from ethical_walls.access import user_roles_set

    user_roles_set(user=quarantined, roles=[Role.COMMISSIONER, Role.BID_TEAM])
    wall.conflict_declare(competition=journey.refresh(), actor=quarantined, nature="nil")
    with pytest.raises(ValidationError, match="in quarantine until"):
        wall.wall_join(competition=journey.refresh(), user=quarantined, side="bid", role="bid_team", bid=hmps_bid, actor=journey.procurement)

    # Another commissioner, with a draft of their own in another service area.
    other_commissioner = UserFactory(username="attacker_other_commissioner", roles=[Role.COMMISSIONER])
    resettlement, _ = ServiceArea.objects.get_or_create(name="Resettlement")
    elsewhere = services.competition_create(actor=other_commissioner, title="Resettlement pilot in the North West",
                                            service_area=resettlement, estimated_value=Decimal("3000000"))
    services.competition_update(competition=elsewhere, actor=other_commissioner, mandate="Pilot resettlement hubs at three prisons.",
                                mandate_issued_on=timezone.localdate())

    return Scene(journey=journey, draft=draft, elsewhere=elsewhere, hmps_bid=hmps_bid, serco_bid=serco_bid, attackers={
        "bid_team": bid_team, "excluded": excluded, "quarantined": quarantined,
        "superuser": UserFactory(username="attacker_superuser", is_superuser=True, is_staff=True),
        "contract_manager": UserFactory(username="attacker_contract_manager", roles=[Role.CONTRACT_MANAGER]),
        "gateway_reviewer": UserFactory(username="attacker_gateway_reviewer", roles=[Role.GATEWAY_REVIEWER]),
        "other_commissioner": other_commissioner,
        "dual_role": UserFactory(username="attacker_dual_role", roles=[Role.COMMISSIONER, Role.BID_TEAM], is_staff=True),
        # A supplier user (issue #18) of a bidder with no bid here, holding every supplier role: a bidder against the
        # others' bids and questions (tests/competitions/test_opportunities.py has two bidders with bids face each other).
        "supplier": UserFactory(username="attacker_supplier", roles=[Role.BID_MANAGER, Role.CONTRACT_LEAD, Role.SUPPLIER_ADMINISTRATOR],
                                organisation=Organisation.objects.create(name="Attacker Supplies Ltd", sector="private", organisation_type="company")),
    })


# --- what each attacker must not read -------------------------------------------------------------------

MIN_LENGTH = 10  # shorter values ("Lot 1", "TAP-1") could occur anywhere; the scene's own are longer


def _texts(*values) -> list[str]:
    return [str(v).strip() for v in values if v and len(str(v).strip()) >= MIN_LENGTH]


def _on_commissioning_side(user, competition) -> bool:
    return Membership.objects.filter(user=user, wall__competition=competition, side="commissioning", left_at__isnull=True).exists()


def _own_bid_ids(user) -> set[int]:
    return set(Membership.objects.filter(user=user, side="bid", left_at__isnull=True).values_list("bid_id", flat=True))


def _confidential_texts(competition, own_bids: set[int]) -> dict[str, str]:
    """Everything of a competition only its commissioning side reads (a bid team reads its own bid's documents)."""
    found: dict[str, str] = {}

    def add(what, *values):
        for text in _texts(*values):
            found.setdefault(text, f"{competition.reference} {what}")

    add("mandate", competition.mandate)
    for case in BusinessCase.objects.filter(competition=competition):
        add("business case", case.summary)
    if not _published(competition):  # the lots are published in the tender notice (UK4) at launch
        for strategy in ProcurementStrategy.objects.filter(competition=competition):
            add("procurement strategy", strategy.lots)
    for approval in TreasuryApproval.objects.filter(competition=competition):
        add("Treasury approval", approval.reference)
    for review in GatewayReview.objects.filter(competition=competition):
        add("gateway review", *review.review_team.splitlines(), review.summary)
    for recommendation in Recommendation.objects.filter(review__competition=competition):
        add("gateway recommendation", recommendation.text)
    for criterion in EvaluationCriterion.objects.filter(competition=competition, published=False):
        add("draft criterion", criterion.name)
    for score in Score.objects.filter(bid__competition=competition):
        add("score rationale", score.rationale)
    for score in ModeratedScore.objects.filter(bid__competition=competition):
        add("moderation notes", score.notes)
    for adjustment in CostAdjustment.objects.filter(bid__competition=competition):
        add("cost adjustment", adjustment.rationale)
    for tie_break in TieBreak.objects.filter(competition=competition):
        add("tie-break", tie_break.method, tie_break.reason)
    for recommendation in AwardRecommendation.objects.filter(competition=competition):
        add("award recommendation", recommendation.rationale)
    for challenge in Challenge.objects.filter(competition=competition):
        add("challenge", challenge.grounds)
    for clarification in Clarification.objects.filter(competition=competition):
        if clarification.published_at is None or clarification.commercially_sensitive:
            add("unpublished clarification", clarification.question)
    for bid in Bid.objects.filter(competition=competition).exclude(pk__in=own_bids):
        add("another bid's notes", bid.compliance_notes, bid.pre_qualification_reasons)
        for document in BidDocument.objects.filter(bid=bid):
            add("another bid's document", document.title)
    # What the bid team's own bid says in the same words is theirs to read.
    for bid in Bid.objects.filter(pk__in=own_bids):
        for text in _texts(bid.compliance_notes, bid.pre_qualification_reasons, *BidDocument.objects.filter(bid=bid).values_list("title", flat=True)):
            found.pop(text, None)
    return found


def _published(competition) -> bool:
    return competition.state != State.DRAFT and competition.state != State.PRE_PROCUREMENT


def protected_texts(scene: Scene, user) -> dict[str, str]:
    """text -> what it is, for everything in the scene this attacker may not read."""
    found: dict[str, str] = {}
    own_bids = _own_bid_ids(user)
    oversight = user.has_role(Role.OVERSIGHT) and not user.has_role(Role.BID_TEAM)
    excluded_from = set(ConflictDeclaration.objects.filter(user=user, assessment="excluded").values_list("competition_id", flat=True))
    for competition in Competition.objects.filter(pk__in=[scene.live.pk, scene.draft.pk, scene.elsewhere.pk]):
        if _on_commissioning_side(user, competition):
            continue
        found.update(_confidential_texts(competition, own_bids))
        if not _published(competition) and not oversight:
            # Rule 4: a competition not yet launched does not exist outside its commissioning side.
            for text in _texts(competition.title, competition.description, competition.reference):
                found.setdefault(text, f"unlaunched competition {competition.reference}")
        agreement = Agreement.objects.filter(competition=competition).first()
        sees_agreements = user.has_role(Role.COMMISSIONER, Role.SRO, Role.PROCUREMENT, Role.CONTRACT_MANAGER, Role.OVERSIGHT)
        if agreement and (not sees_agreements or user.has_role(Role.BID_TEAM) or competition.pk in excluded_from):
            found.setdefault(agreement.reference, f"agreement {agreement.reference}")
    return found


def leaks(texts: dict[str, str], body: str, where: str) -> list[str]:
    """The protected texts found in `body`, each as a line naming where (an empty list when none)."""
    return [f"{what!r} ({text!r}) via {where}" for text, what in texts.items() if text in body]
