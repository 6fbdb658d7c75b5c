"""The demo competitions (SPEC §7): each at its intended stage, reached through the services, seeded once,
with the ethical wall (SPEC §4) built as it would be in use."""

import io

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
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
from core.models import ServiceArea, User
from ethical_walls import selectors as wall_selectors
from ethical_walls import services as wall_services
from ethical_walls.models import AuditEvent, CompetitionUserObjectPermission, ConflictDeclaration, Membership

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
    "DEMO-009": State.PRE_PROCUREMENT,
}


def seed():
    call_command("seed_demo", stdout=io.StringIO())


def user_permission_models():
    return [m for m in apps.get_app_config("ethical_walls").get_models() if m.__name__.endswith("UserObjectPermission")]


def user(username) -> User:
    """A fresh instance each time: access is cached per user object."""
    return User.objects.get(username=username)


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
        "memberships": list(Membership.objects.order_by("pk").values_list(
            "wall__competition__reference", "user__username", "side", "role", "bid__bidder__name", "joined_at", "left_at",
        )),
        "declarations": list(ConflictDeclaration.objects.order_by("pk").values_list(
            "competition__reference", "user__username", "nature", "assessment", "declared_at",
        )),
        "audit_events": list(AuditEvent.objects.order_by("pk").values_list("action", "channel", "object_type", "object_id", "at")),
        "permission_rows": {model.__name__: model.objects.count() for model in user_permission_models()},
    }


def demo(reference) -> Competition:
    return Competition.objects.get(reference=reference)


def test_seed_demo_twice_changes_nothing():
    seed()
    first = snapshot()
    seed()
    assert snapshot() == first
    assert len(first["competitions"]) == len(INTENDED_STATES)
    assert first["memberships"] and first["declarations"] and first["audit_events"]
    assert first["permission_rows"]["CompetitionUserObjectPermission"] == CompetitionUserObjectPermission.objects.count() > 0


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
    # DEMO-004: awarded under the 2011 rules, every bidder debriefed, the contract since taken live by the contracts demo.
    bass = demo("DEMO-004")
    agreement = Agreement.objects.get(competition=bass)
    assert (agreement.kind, agreement.state, agreement.provider.name) == ("contract", "live", "Nacro")
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


# --- the ethical wall ---------------------------------------------------------------------------

def test_every_demo_competition_is_run_by_its_commissioning_side_each_having_declared_first():
    seed()
    procurement = user("procurement")
    for competition in Competition.objects.all():
        members = list(wall_selectors.current_members(competition))
        side = {(m.user.username, m.role) for m in members if m.side == "commissioning"}
        assert {("commissioner", "commissioner"), ("procurement", "procurement")} <= side, competition.reference
        assert (competition.sro_id is None) != (("sro", "sro") in side), competition.reference
        assert competition.is_major_project == (("gateway_reviewer", "gateway_reviewer") in side), competition.reference
        # No declaration, no access (SPEC §4 rule 4).
        declarations = {d.user_id: d for d in competition.conflict_declarations.all()}
        assert all(declarations[m.user_id].allows_access for m in members), competition.reference
        assert set(wall_selectors.permitted(procurement, Bid.objects.filter(competition=competition))) == set(competition.bids.all())


def test_demo_002_wall_is_established_and_the_hmps_bid_team_sees_only_its_own_bid():
    seed()
    competition = demo("DEMO-002")
    assert competition.wall.established_on is not None and "separate premises" in competition.wall.arrangements
    hmps_bid = competition.bids.get(bidder__name="HMPS Business Development Group")
    serco_bid = competition.bids.get(bidder__name="Serco Justice Services")
    bid_team = user("bid_team")
    member = wall_selectors.membership(bid_team, competition)
    assert (member.side, member.role, member.bid, member.added_by.username) == ("bid", "bid_team", hmps_bid, "procurement")
    assert competition.conflict_declarations.get(user=bid_team).nature == "nil"
    visible = set(wall_selectors.permitted(bid_team, Bid.objects.all()))
    assert hmps_bid in visible and serco_bid not in visible
    assert visible == {hmps_bid}
    assert not wall_selectors.sees_confidential(bid_team, competition)
    assert not wall_selectors.permitted(bid_team, GatewayReview.objects.filter(competition=competition)).exists()


def test_demo_002_register_has_a_mitigated_and_an_excluded_conflict_assessed_before_launch():
    seed()
    competition = demo("DEMO-002")
    conflicts = competition.conflict_declarations.filter(nature=ConflictDeclaration.Nature.CONFLICT).order_by("user__username")
    assert [(d.user.username, d.assessment, d.assessed_by.username) for d in conflicts] == [
        ("mark.fletcher", "excluded", "sro"), ("rebecca.holt", "mitigated", "sro"),
    ]
    mitigated = conflicts.get(assessment="mitigated")
    assert "Serco" in mitigated.details and "Serco" in mitigated.conditions
    assert wall_selectors.membership(mitigated.user, competition).role == "evaluator"
    assessment = competition.conflicts_assessment
    assert assessment.completed_by.username == "sro" and wall_selectors.conflicts_assessment_complete(competition)
    launch = competition.events.get(action="launch")
    assert all(d.assessed_at < launch.at for d in conflicts)


def test_demo_002_excluded_commissioner_has_no_access_and_cannot_join():
    seed()
    competition = demo("DEMO-002")
    excluded = user("mark.fletcher")
    assert wall_selectors.membership(excluded, competition) is None
    assert not wall_selectors.permitted(excluded, Competition.objects.filter(pk=competition.pk)).exists()
    assert not wall_selectors.permitted(excluded, Bid.objects.filter(competition=competition)).exists()
    assert sum(model.objects.filter(user=excluded).count() for model in user_permission_models()) == 0
    with pytest.raises(ValidationError, match="excluded from DEMO-002"):
        wall_services.wall_join(
            competition=competition, user=excluded, side="commissioning", role="evaluator", actor=user("commissioner"),
        )


def test_demo_002_former_commissioner_is_in_quarantine_from_the_hmps_bid_team():
    seed()
    competition = demo("DEMO-002")
    former = user("sian.pritchard")
    earlier = Membership.objects.get(user=former, wall__competition__reference="DEMO-009")
    assert earlier.side == "commissioning" and earlier.left_at is not None
    assert earlier.wall.competition.service_area == competition.service_area
    assert wall_selectors.membership(former, competition) is None
    hmps_bid = competition.bids.get(bidder__name="HMPS Business Development Group")
    with pytest.raises(ValidationError) as refusal:
        wall_services.wall_join(
            competition=competition, user=former, side="bid", role="bid_team", bid=hmps_bid, actor=user("procurement"),
        )
    assert "quarantine until" in " ".join(refusal.value.messages)
    # Both refusals (the demo's and this one) are on record as refused attempts, with the reason.
    recorded = AuditEvent.objects.filter(action="refused", competition_id=competition.pk, object_type="ethical_walls.membership")
    assert recorded.count() == 2 and all("quarantine until" in event.detail for event in recorded)


def test_demo_002_refused_attempts_are_on_the_breach_view():
    seed()
    competition = demo("DEMO-002")
    serco_bid = competition.bids.get(bidder__name="Serco Justice Services")
    refused = AuditEvent.objects.filter(action=AuditEvent.Action.REFUSED, competition_id=competition.pk)
    assert refused.count() >= 3
    by_bid_team = refused.filter(actor__username="bid_team")
    assert set(by_bid_team.values_list("channel", flat=True)) == {"page", "api", "pdf"}
    assert set(by_bid_team.values_list("object_id", flat=True)) >= {str(serco_bid.pk)}
    assert all(event.path for event in by_bid_team)
    assert set(wall_selectors.breach_list(user=user("sro")).filter(competition_id=competition.pk)) == set(refused)
    assert set(wall_selectors.breach_list(user=user("oversight")).filter(competition_id=competition.pk)) == set(refused)
