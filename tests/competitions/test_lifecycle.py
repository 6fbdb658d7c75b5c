"""A competition walks from draft to closed; each guard refuses, naming what is missing."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from competitions import guards
from competitions.models import ABANDONABLE, Bid, Challenge, Competition, CompetitionEvent, Notice, SealedTender, State
from competitions.standstill import next_working_day_from
from contracts.models import Agreement
from core import sealing
from core.errors import PermissionDenied, StaleObject, TransitionRefused
from tests.competitions.journey import PATH, SOURCE_STATE, Journey

pytestmark = pytest.mark.django_db


def test_one_competition_walks_through_every_state_to_closed(journey):
    visited = [journey.competition.state]
    for transition in PATH:
        journey.prepare(transition)
        journey.run(transition)
        visited.append(journey.refresh().state)
    assert visited == [
        "draft", "pre_procurement", "pre_qualification", "dialogue", "tender", "bafo", "evaluation",
        "award_recommended", "standstill", "awarded", "mobilisation", "live", "closed",
    ]
    competition = journey.refresh()
    # Every transition is on the timeline with who, from and to.
    moves = list(CompetitionEvent.objects.filter(competition=competition).exclude(to_state="").values_list("action", "from_state", "to_state"))
    assert [m[0] for m in moves] == PATH
    assert all(m[1] and m[2] for m in moves)
    # Award made the agreement with the recommended bidder: an SLA for a crown body, else a contract.
    agreement = Agreement.objects.get(competition=competition)
    assert agreement.provider == competition.award_recommendation.bid.bidder
    assert agreement.kind == ("sla" if agreement.provider.is_crown_body else "contract")
    assert agreement.state == "mobilising"
    # 2023 regime: tender (UK4) and award (UK6) notices under the one OCID.
    assert list(Notice.objects.filter(competition=competition).values_list("notice_type", flat=True)) == ["UK4", "UK6"]
    assert all(n.content["ocid"] == competition.ocid for n in Notice.objects.filter(competition=competition))
    assert competition.version > len(PATH)


CASES = [(transition, code) for transition in PATH for code in [c.code for c in guards.GUARDS[transition]]]

# Conditions that already hold by the time they are checked are made to fail by changing the records directly.
BREAK = {
    ("invite_tenders", "prequalified_bidder"): lambda j: Bid.objects.filter(competition=j.competition).update(withdrawn=True),
    # A tender cannot arrive after the deadline, so leave the prices out once the deadline has passed.
    ("call_for_bafo", "tenders"): lambda j: Bid.objects.filter(competition=j.competition).update(tender_price=None),
    ("start_evaluation", "compliance"): lambda j: Bid.objects.filter(pk=j.bids()[0].pk).update(compliant=None),
    "procedure": lambda j: Competition.objects.filter(pk=j.competition.pk).update(procedure="restricted"),
    "dialogue_procedure": lambda j: Competition.objects.filter(pk=j.competition.pk).update(procedure="open"),
    # The open procedure's tendering period runs from the tender notice: checked at launch.
    ("launch", "tendering_period"): lambda j: Competition.objects.filter(pk=j.competition.pk).update(procedure="open", bid_deadline=None),
    # A deadline too soon after the invitation (set directly: the service would refuse it).
    ("invite_tenders", "tendering_period"): lambda j: Competition.objects.filter(pk=j.competition.pk).update(
        bid_deadline=timezone.now() + datetime.timedelta(days=5)),
    # Equal totals are a tie: nothing but a recorded tie-break puts one first.
    ("recommend_award", "tie_broken"): lambda j: j.tie_for_first(),
    "compliant_bid": lambda j: Bid.objects.filter(competition=j.competition).update(compliant=False),
    # A tender sealed in the box of the round now closing, never opened.
    "tender_box": lambda j: SealedTender.objects.create(
        competition=j.competition, round="bafo" if j.refresh().state == State.BAFO else "tender",
        sealed=sealing.seal_json({"bid": j.bids()[0].pk}), received_at=timezone.now()),
    "no_open_challenge": lambda j: Challenge.objects.create(
        competition=j.competition, challenger=j.private_bidder, grounds="Scoring error", lodged_on=j.competition.standstill_started_on
    ),
}


@pytest.mark.parametrize("transition, code", CASES, ids=[f"{t}-{c}" for t, c in CASES])
def test_each_guard_refuses_with_its_own_message_until_its_condition_is_met(journey, transition, code):
    journey.advance_to(SOURCE_STATE[transition])
    breaker = BREAK.get((transition, code)) or BREAK.get(code)
    if breaker:
        journey.prepare(transition)
        breaker(journey)
    else:
        journey.prepare(transition, leave_out=code)
    label = next(c.label for c in guards.GUARDS[transition] if c.code == code)

    with pytest.raises(TransitionRefused) as refused:
        journey.run(transition)
    assert refused.value.missing == [label]
    assert label in str(refused.value)
    assert journey.refresh().state == SOURCE_STATE[transition]  # nothing changed

    if not breaker:
        journey.satisfy(code)
        journey.run(transition)
        assert journey.refresh().state != SOURCE_STATE[transition]


ALL_STATES_IN_ORDER = [SOURCE_STATE[t] for t in PATH] + [State.CLOSED]


@pytest.mark.parametrize("state", ALL_STATES_IN_ORDER)
def test_abandon_works_from_every_pre_award_state_and_nowhere_else(journey, state):
    journey.advance_to(state)
    if state in ABANDONABLE:
        competition = journey.run("abandon", reason="The service is to be decommissioned.")
        assert competition.state == State.ABANDONED
        assert competition.abandoned_reason == "The service is to be decommissioned."
        event = CompetitionEvent.objects.filter(competition=competition, action="abandon").get()
        assert event.reason == "The service is to be decommissioned." and event.from_state == state
        # Once bidders knew of it (a UK4 tender notice), the 2023 Act needs a UK12 termination notice.
        launched = competition.notices.filter(notice_type="UK4").exists()
        assert competition.notices.filter(notice_type="UK12").exists() == launched
    else:
        with pytest.raises(TransitionRefused, match="Not possible from"):
            journey.run("abandon", reason="Too late")
        assert journey.refresh().state == state


def test_abandon_needs_a_reason(journey):
    with pytest.raises(ValidationError) as error:
        journey.run("abandon", reason="   ")
    assert "reason" in error.value.message_dict
    assert journey.refresh().state == State.DRAFT


def test_a_transition_out_of_order_is_refused_by_name(journey):
    with pytest.raises(TransitionRefused, match="Not possible from “Draft”"):
        journey.run("launch")


def test_only_the_roles_that_own_a_transition_may_make_it(journey):
    journey.prepare("start_pre_procurement")
    from competitions import services

    with pytest.raises(PermissionDenied):
        services.competition_start_pre_procurement(competition=journey.refresh(), actor=journey.procurement)
    assert journey.refresh().state == State.DRAFT


def test_a_second_user_acting_on_what_they_read_earlier_gets_reload_not_a_lost_update(journey):
    from competitions import services

    journey.prepare("start_pre_procurement")
    seen_by_first = journey.refresh()
    seen_by_second = journey.refresh()
    services.competition_start_pre_procurement(competition=seen_by_first, actor=journey.commissioner)
    with pytest.raises(StaleObject, match="changed by someone else"):
        services.competition_abandon(competition=seen_by_second, actor=journey.sro, reason="Not needed")
    assert journey.refresh().state == State.PRE_PROCUREMENT


def test_an_edit_with_an_old_version_is_refused(journey):
    from competitions import services

    version = journey.refresh().version
    journey.update(title="HMP Birmingham operation and maintenance")
    with pytest.raises(StaleObject):
        services.competition_update(competition=journey.refresh(), actor=journey.commissioner, expected_version=version, title="Lost update")
    assert journey.refresh().title == "HMP Birmingham operation and maintenance"


def test_red_gateway_rating_opens_a_recovery_action_and_blocks_launch(journey):
    journey.advance_to(State.PRE_PROCUREMENT)
    journey.prepare("launch", leave_out="gate_2")
    review = journey.review(2, "red")
    assert review.recovery_action.status == "open"
    with pytest.raises(TransitionRefused) as refused:
        journey.run("launch")
    assert refused.value.missing == [next(c.label for c in guards.GUARDS["launch"] if c.code == "gate_2")]
    journey.review(2, "amber_green")  # the re-review after recovery
    assert journey.run("launch").state == State.PRE_QUALIFICATION


def test_below_the_major_project_threshold_a_keyholder_review_stands_in_for_gate_2():
    trip = Journey(major=False)
    trip.advance_to(State.PRE_PROCUREMENT)
    trip.prepare("launch", leave_out="gate_2")
    trip.review(2, "amber", review_type="keyholder")
    assert trip.run("launch").state == State.PRE_QUALIFICATION


def test_a_major_project_does_not_accept_a_keyholder_review_for_gate_2(journey):
    journey.advance_to(State.PRE_PROCUREMENT)
    journey.prepare("launch", leave_out="gate_2")
    journey.review(2, "green", review_type="keyholder")
    with pytest.raises(TransitionRefused):
        journey.run("launch")


def test_2011_rules_competition_needs_no_conflicts_assessment_and_publishes_no_notices():
    trip = Journey(regime="2011", procedure="competitive_dialogue")
    try:
        for transition in PATH:
            trip.prepare(transition)
            assert "conflicts_assessment" not in trip.codes(transition)
            trip.run(transition)
        competition = trip.refresh()
        assert competition.state == State.CLOSED
        assert not competition.notices.exists()
        # PCR 2006 reg 32A: the tenth day after the decision, run on to a working day.
        tenth = competition.standstill_started_on + datetime.timedelta(days=10)
        assert competition.standstill_ends_on == next_working_day_from(tenth, regime="2011")
    finally:
        trip.stop_travel()


def test_lowest_tender_competition_needs_no_weighted_criteria():
    trip = Journey(award_basis="lowest_price", public_bid=False)
    try:
        trip.advance_to(State.AWARD_RECOMMENDED)
        competition = trip.refresh()
        assert not competition.criteria.exists()
        # Lowest adjusted price wins: Serco's BAFO is £225m, HMPS's £235m plus a £3m pensions adjustment.
        assert competition.award_recommendation.bid.bidder == trip.private_bidder
        from competitions.evaluation import rank_bids

        ranking = rank_bids(competition)
        assert [(r.bid.bidder.name, r.adjusted_price) for r in ranking] == [
            ("Serco Justice Services", Decimal("225000000")),
            ("HMPS Business Development Group", Decimal("238000000")),
        ]
    finally:
        trip.stop_travel()
