"""A commissioning cycle walks its eight stages to closed; each guard names what is missing."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from competitions.models import State as CompetitionState
from core.errors import PermissionDenied, StaleObject, TransitionRefused
from core.models import Organisation, ServiceArea
from core.roles import Role
from cycle import guards, services
from cycle.models import CommissioningCycle, CycleEvent, Outcome, Priority, Stage
from tests.competitions.journey import Journey
from tests.core.factories import UserFactory

pytestmark = pytest.mark.django_db

FORWARD = services.FORWARD
SOURCE = dict(zip(FORWARD, [Stage.EVALUATE, Stage.ASSESS_NEEDS, Stage.PRIORITISE, Stage.DESIGN_SERVICES, Stage.REVIEW_SUPPLY,
                            Stage.SECURE_SERVICES, Stage.DELIVER, Stage.MANAGE_PERFORMANCE, Stage.CLOSING_EVALUATION]))


class CycleJourney:
    """Drives one cycle with the services; `satisfy(code)` meets one guard condition."""

    def __init__(self):
        self.commissioner = UserFactory(roles=[Role.COMMISSIONER])
        self.area, _ = ServiceArea.objects.get_or_create(name="Bail accommodation and support (BASS)")
        self.cycle = services.cycle_create(
            actor=self.commissioner, name="BASS 2026–29", cycle_type="service_level", level="national",
            period_start=datetime.date(2026, 4, 1), period_end=datetime.date(2029, 3, 31), available_resources=Decimal("3000000"),
        )
        self.competition_journey = None

    def refresh(self):
        self.cycle = CommissioningCycle.objects.get(pk=self.cycle.pk)
        return self.cycle

    def priorities(self):
        return list(Priority.objects.filter(cycle=self.cycle).order_by("rank"))

    def satisfy(self, code):
        getattr(self, f"_satisfy_{code}")()

    def _satisfy_needs(self):
        services.needs_assessment_record(
            cycle=self.refresh(), actor=self.commissioner, service_area=self.area, location="England and Wales",
            cohort="Defendants bailed without an address", demand=2400, provision=1700, unit="bed spaces",
            gap_analysis="700 bed spaces short: courts remand where no address exists.", evidence="Court bail data 2025",
        )

    def _satisfy_priorities(self):
        for title, cost, value in [("Bail accommodation in the North", "1200000", "40"), ("Bail accommodation in London", "1500000", "45"),
                                   ("Support workers for complex needs", "900000", "20")]:
            services.priority_add(cycle=self.refresh(), actor=self.commissioner, title=title, service_area=self.area,
                                  cost=Decimal(cost), outcome_value=Decimal(value))
        services.allocation_set(cycle=self.refresh(), actor=self.commissioner)

    def _satisfy_allocation(self):
        pass  # the suggested allocation always fits

    def _satisfy_equality(self):
        services.equality_impact_assessment_record(cycle=self.refresh(), actor=self.commissioner, summary="Women defendants need separate provision.")

    def _satisfy_specifications(self):
        outcome = Outcome.objects.get(title="Offenders and defendants are held lawfully and safely in custody")
        for priority in [p for p in self.priorities() if p.funded]:
            services.specification_record(cycle=self.refresh(), actor=self.commissioner, priority=priority, title=f"Specification: {priority.title}",
                                          summary="Accommodation and support for defendants on bail.", outputs="Bed spaces\nSupport hours", outcomes=[outcome])

    def _satisfy_routes(self):
        trip = Journey(regime="2011", procedure="restricted", major=False, public_bid=False)
        trip.advance_to(CompetitionState.AWARDED)
        self.competition_journey = trip
        for specification in self.refresh().specifications.all():
            services.specification_set_route(specification=specification, actor=self.commissioner, securing_route="competition", competition=trip.refresh())

    def _satisfy_closing_evaluation(self):
        services.closing_evaluation_record(
            cycle=self.refresh(), actor=self.commissioner, outcomes_delivered="Remands without an address fell by a third.",
            user_reception="Courts and residents positive.", value_for_money="£52 a night against £110 on remand.",
            compliance="All SLAs met.", equality_public_value="Separate provision for women opened.",
        )

    def codes(self, transition):
        return [c.code for c in guards.GUARDS[transition]]

    def prepare(self, transition, *, leave_out=None):
        for code in self.codes(transition):
            if code != leave_out:
                self.satisfy(code)

    def move(self, transition):
        return services.cycle_move_on(cycle=self.refresh(), actor=self.commissioner, transition=transition)

    def advance_to(self, stage):
        for transition in FORWARD:
            if self.refresh().stage == stage:
                return
            self.prepare(transition)
            self.move(transition)

    def stop(self):
        if self.competition_journey:
            self.competition_journey.stop_travel()


@pytest.fixture
def journey():
    trip = CycleJourney()
    yield trip
    trip.stop()


def test_a_cycle_walks_all_eight_stages_to_closed_and_opens_the_next(journey):
    visited = [journey.cycle.stage]
    for transition in FORWARD:
        journey.prepare(transition)
        journey.move(transition)
        visited.append(journey.refresh().stage)
    assert visited == list(Stage.values)
    closed = journey.refresh()
    follow_on = closed.next_cycle
    assert follow_on.stage == Stage.EVALUATE and follow_on.previous_cycle == closed
    assert follow_on.carried_evaluation["value_for_money"] == "£52 a night against £110 on remand."
    assert follow_on.period_start == closed.period_end + datetime.timedelta(days=1)
    # Every move is on the timeline.
    assert list(CycleEvent.objects.filter(cycle=closed).exclude(to_stage="").values_list("action", flat=True)) == FORWARD


CASES = [(t, c.code) for t in FORWARD for c in guards.GUARDS[t] if c.code != "allocation"]


@pytest.mark.parametrize("transition, code", CASES, ids=[f"{t}-{c}" for t, c in CASES])
def test_each_guard_refuses_with_its_message_until_met(journey, transition, code):
    journey.advance_to(SOURCE[transition])
    journey.prepare(transition, leave_out=code)
    label = next(c.label for c in guards.GUARDS[transition] if c.code == code)
    with pytest.raises(TransitionRefused) as refused:
        journey.move(transition)
    assert label in refused.value.missing
    assert journey.refresh().stage == SOURCE[transition]
    journey.satisfy(code)
    journey.move(transition)
    assert journey.refresh().stage != SOURCE[transition]


def test_an_allocation_over_budget_is_refused_and_the_guard_holds(journey):
    journey.advance_to(Stage.PRIORITISE)
    journey.prepare("design_services")
    everything = {p.pk for p in journey.priorities()}
    with pytest.raises(ValidationError, match="more than the £3,000,000.00 available"):
        services.allocation_set(cycle=journey.refresh(), actor=journey.commissioner, funded_ids=everything)
    # Even if the funded flags were set behind the service's back, the guard refuses.
    Priority.objects.filter(cycle=journey.cycle).update(funded=True)
    with pytest.raises(TransitionRefused, match="fit the available resources"):
        journey.move("design_services")


def test_pooled_partner_funding_counts_towards_the_budget_and_aligned_does_not(journey):
    sfa = Organisation.objects.create(name="Skills Funding Agency", sector="public", organisation_type="government_department")
    dwp = Organisation.objects.create(name="Jobcentre Plus", sector="public", organisation_type="government_department")
    services.partner_add(cycle=journey.cycle, actor=journey.commissioner, organisation=sfa, arrangement="pooled", contribution=Decimal("500000"))
    services.partner_add(cycle=journey.cycle, actor=journey.commissioner, organisation=dwp, arrangement="aligned", contribution=Decimal("900000"))
    assert guards.budget(journey.refresh()) == Decimal("3500000")


def test_the_suggested_allocation_funds_the_best_value_within_budget(journey):
    journey.advance_to(Stage.PRIORITISE)
    journey.satisfy("priorities")
    funded = {p.title for p in journey.priorities() if p.funded}
    # £3m: London (£1.5m, 45) + North (£1.2m, 40) = 85 beats any pair with support workers.
    assert funded == {"Bail accommodation in London", "Bail accommodation in the North"}


def test_step_back_to_an_earlier_stage_needs_a_reason_and_is_recorded(journey):
    journey.advance_to(Stage.DESIGN_SERVICES)
    with pytest.raises(ValidationError) as error:
        services.cycle_step_back(cycle=journey.refresh(), actor=journey.commissioner, to_stage=Stage.ASSESS_NEEDS, reason=" ")
    assert "reason" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.cycle_step_back(cycle=journey.refresh(), actor=journey.commissioner, to_stage=Stage.REVIEW_SUPPLY, reason="Later")
    assert "to_stage" in error.value.message_dict
    cycle = services.cycle_step_back(cycle=journey.refresh(), actor=journey.commissioner, to_stage=Stage.ASSESS_NEEDS,
                                     reason="New court data shows higher demand in Wales.")
    assert cycle.stage == Stage.ASSESS_NEEDS
    event = CycleEvent.objects.get(cycle=cycle, action="step_back")
    assert (event.from_stage, event.to_stage, event.reason) == (Stage.DESIGN_SERVICES, Stage.ASSESS_NEEDS, "New court data shows higher demand in Wales.")


def test_only_commissioners_plan_and_stale_moves_are_refused(journey):
    with pytest.raises(PermissionDenied):
        services.cycle_move_on(cycle=journey.cycle, actor=UserFactory(roles=[Role.BID_TEAM]), transition="assess_needs")
    seen = journey.refresh()
    journey.move("assess_needs")
    with pytest.raises(StaleObject):
        services.cycle_move_on(cycle=seen, actor=journey.commissioner, transition="assess_needs")


def test_soundings_stop_while_a_competition_for_the_service_is_live(journey):
    trip = Journey()
    try:
        trip.advance_to(CompetitionState.PRE_QUALIFICATION)
        with pytest.raises(ValidationError, match="goes through MoJ Procurement"):
            services.market_sounding_record(cycle=journey.cycle, actor=journey.commissioner, service_area=trip.service_area, kind="forum",
                                            held_on=timezone.localdate(), providers=[], learned="Interest from charities")
        sounding = services.market_sounding_record(cycle=journey.cycle, actor=journey.commissioner, service_area=journey.area, kind="forum",
                                                   held_on=timezone.localdate(), providers=[], learned="Interest from charities")
        assert sounding.pk
    finally:
        trip.stop_travel()


def test_the_next_period_starts_the_day_after_and_is_as_long():
    assert services.next_period(datetime.date(2026, 4, 1), datetime.date(2029, 3, 31)) == (datetime.date(2029, 4, 1), datetime.date(2032, 3, 31))
    assert services.next_period(datetime.date(9999, 1, 1), datetime.date(9999, 6, 30)) == (datetime.date(9999, 7, 1), datetime.date(9999, 12, 28))
    assert services.next_period(datetime.date(9999, 1, 1), datetime.date(9999, 12, 31)) is None


def test_a_cycle_whose_next_would_pass_the_calendars_end_is_refused_on_period_end(commissioner):
    with pytest.raises(ValidationError) as refused:
        services.cycle_create(actor=commissioner, name="Forever", cycle_type="strategic", level="national",
                              period_start=datetime.date(2090, 1, 1), period_end=datetime.date(2099, 12, 31), available_resources=Decimal("5"))
    assert list(refused.value.message_dict) == ["period_end"]
    assert "would end after 31 December 2099" in refused.value.message_dict["period_end"][0]
    assert not CommissioningCycle.objects.exists()
