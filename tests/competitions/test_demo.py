"""The demo competitions (SPEC §7): each at its intended stage, reached through the services, seeded once."""

import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from competitions import guards
from competitions.models import (
    Bid,
    Clarification,
    Competition,
    CompetitionEvent,
    DebriefLetter,
    GatewayReview,
    Notice,
    PlannedReview,
    Recommendation,
    Score,
    State,
)
from contracts.models import Agreement
from core.models import ServiceArea

pytestmark = pytest.mark.django_db

INTENDED_STATES = {
    "DEMO-001": State.EVALUATION,
    "DEMO-002": State.TENDER,
    "DEMO-003": State.PRE_PROCUREMENT,
    "DEMO-004": State.MOBILISATION,
    "DEMO-005": State.STANDSTILL,
    "DEMO-006": State.LIVE,
    "DEMO-007": State.DRAFT,
    "DEMO-008": State.ABANDONED,
}


def seed():
    call_command("seed_demo", stdout=io.StringIO())


def snapshot():
    return {
        "competitions": list(Competition.objects.order_by("reference").values_list("reference", "state", "version")),
        "events": CompetitionEvent.objects.count(),
        "bids": list(Bid.objects.order_by("pk").values_list("competition__reference", "bidder__name", "stage", "withdrawn")),
        "notices": list(Notice.objects.order_by("pk").values_list("competition__reference", "notice_type", "version")),
        "gateway_reviews": GatewayReview.objects.count(),
        "planned_reviews": PlannedReview.objects.count(),
        "scores": Score.objects.count(),
        "clarifications": Clarification.objects.count(),
        "debrief_letters": DebriefLetter.objects.count(),
        "agreements": list(Agreement.objects.order_by("reference").values_list("reference", "state")),
        "service_areas": list(ServiceArea.objects.values_list("name", flat=True)),
    }


def demo(reference) -> Competition:
    return Competition.objects.get(reference=reference)


def test_seed_demo_twice_changes_nothing():
    seed()
    first = snapshot()
    seed()
    assert snapshot() == first
    assert len(first["competitions"]) == len(INTENDED_STATES)


def test_every_demo_competition_is_in_its_intended_state_across_the_three_phases():
    seed()
    assert dict(Competition.objects.filter(reference__startswith="DEMO-").values_list("reference", "state")) == INTENDED_STATES
    phases = {competition.phase for competition in Competition.objects.all()}
    assert {"pre_procurement", "procurement", "mobilisation"} <= phases


def test_every_state_was_reached_by_a_transition_on_the_timeline():
    seed()
    for competition in Competition.objects.all():
        moves = list(competition.events.exclude(to_state="").order_by("at", "id").values_list("from_state", "to_state"))
        path = [State.DRAFT] + [to_state for _, to_state in moves]
        assert [from_state for from_state, _ in moves] == path[:-1], competition.reference
        assert path[-1] == competition.state, competition.reference


def test_demo_002_has_an_hmps_bid_behind_the_ethical_wall_and_clarifications():
    seed()
    competition = demo("DEMO-002")
    bidders = set(competition.bids.filter(pre_qualification="passed").values_list("bidder__name", flat=True))
    assert bidders == {"HMPS Business Development Group", "Serco Justice Services", "G4S Care and Justice Services"}
    hmps_bid = competition.bids.get(bidder__name="HMPS Business Development Group")
    assert hmps_bid.is_public_sector and hmps_bid.bidder.is_crown_body
    assert competition.public_sector_bid_possible and competition.is_major_project
    assert competition.wall is not None and competition.conflicts_assessment.completed_on is not None
    assert competition.principles_of_competition_published_on is not None
    assert competition.bid_deadline > timezone.now()
    assert list(competition.notices.values_list("notice_type", flat=True)) == ["UK4"]
    clarifications = list(competition.clarifications.all())
    published_to_all = [c for c in clarifications if c.published_at and not c.commercially_sensitive]
    to_asker_only = [c for c in clarifications if c.published_at and c.commercially_sensitive]
    unanswered = [c for c in clarifications if not c.published_at]
    assert (len(published_to_all), len(to_asker_only), len(unanswered)) == (1, 1, 1)


def test_each_competition_holds_the_records_of_its_stage():
    seed()
    # DEMO-001: scoring under way, so award cannot yet be recommended.
    community_payback = demo("DEMO-001")
    assert [c.code for c in guards.unmet(community_payback, "recommend_award")] == ["scoring"]
    assert Score.objects.filter(bid__competition=community_payback).exists()
    # DEMO-003: the launch checklist names what is missing, starting with the Outline Business Case.
    monitoring = demo("DEMO-003")
    missing = [c.code for c in guards.unmet(monitoring, "launch")]
    assert "outline_business_case" in missing and "gate_2" in missing and "tap_outline" in missing
    assert monitoring.business_cases.get(kind="outline").status == "draft"
    # DEMO-004: awarded under the 2011 rules, every bidder debriefed, the contract mobilising.
    bass = demo("DEMO-004")
    agreement = Agreement.objects.get(competition=bass)
    assert (agreement.kind, agreement.state, agreement.provider.name) == ("contract", "mobilising", "Nacro")
    tendered = bass.bids.exclude(tender_price=None)
    assert DebriefLetter.objects.filter(bid__in=tendered).count() == tendered.count() == 3
    assert bass.standstill_ends_on < timezone.localdate()
    # DEMO-005: at standstill from its UK6 notice, with one OCID for the procurement.
    rehabilitation = demo("DEMO-005")
    assert rehabilitation.estimated_value == 66_000_000 and not rehabilitation.is_major_project
    notices = list(rehabilitation.notices.all())
    assert [n.notice_type for n in notices] == ["UK4", "UK6"]
    assert {n.content["ocid"] for n in notices} == {rehabilitation.ocid}
    assert rehabilitation.standstill_ends_on >= timezone.localdate()
    # DEMO-006: live after a green Gate 4; Gate 5 not yet held, so it cannot close.
    pecs = demo("DEMO-006")
    assert pecs.gateway_reviews.get(gate=4).delivery_confidence == "green"
    assert not pecs.gateway_reviews.filter(gate=5).exists()
    assert "gate_5" in [c.code for c in guards.unmet(pecs, "close")]
    # DEMO-007: only a mandate; DEMO-008: abandoned with its reason and a UK12 notice.
    victim_contact = demo("DEMO-007")
    assert victim_contact.mandate and victim_contact.sro is None
    buckley_hall = demo("DEMO-008")
    assert buckley_hall.abandoned_reason
    assert list(buckley_hall.notices.values_list("notice_type", flat=True)) == ["UK4", "UK12"]


def test_gateway_reviews_include_an_amber_red_with_a_critical_recommendation_and_a_red_re_reviewed():
    seed()
    amber_red = GatewayReview.objects.get(delivery_confidence="amber_red")
    assert amber_red.recommendations.filter(urgency=Recommendation.Urgency.CRITICAL).exists()
    red = GatewayReview.objects.get(delivery_confidence="red")
    assert red.recovery_action.opened_on is not None
    re_review = GatewayReview.objects.get(competition=red.competition, gate=red.gate, held_on__gt=red.held_on)
    assert re_review.delivery_confidence == "amber"
    assert PlannedReview.objects.filter(review_type="tap").exists()
    assert GatewayReview.objects.filter(review_type="keyholder").exists()
