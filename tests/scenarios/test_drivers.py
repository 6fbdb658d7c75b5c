"""The competition drivers every scenario shares (scenarios.drivers): the demo, the tests' journeys and the load seed."""

import datetime

import pytest

from competitions.models import Competition, State
from scenarios import drivers
from tests.competitions.journey import Journey


def test_the_way_forward_is_the_lifecycle_without_abandoning_and_each_state_has_the_step_into_it():
    assert drivers.FORWARD[0] == "start_pre_procurement" and drivers.FORWARD[-1] == "close" and "abandon" not in drivers.FORWARD
    entered = {state: drivers.step_into(state) for state in State if state not in (State.DRAFT, State.ABANDONED)}
    assert entered[State.TENDER] == "invite_tenders" and entered[State.PRE_QUALIFICATION] == "launch"
    assert sorted(entered.values(), key=drivers.FORWARD.index) == drivers.FORWARD
    with pytest.raises(StopIteration):
        drivers.step_into(State.ABANDONED)  # not a way forward


@pytest.mark.django_db
def test_joining_declares_first_and_moving_goes_through_the_service():
    journey = Journey()
    someone = journey.second_evaluator  # joined through the drivers: declared nil first
    assert journey.competition.conflict_declarations.filter(user=someone, nature="nil").exists()
    journey.prepare("start_pre_procurement")
    moved = drivers.move(journey.competition, "start_pre_procurement", journey.commissioner)
    assert moved.state == State.PRE_PROCUREMENT and moved.events.filter(action="start_pre_procurement").count() == 1


@pytest.mark.django_db
def test_back_dating_the_standstill_recounts_its_end_by_the_regimes_rules():
    journey = Journey()
    Competition.objects.filter(pk=journey.competition.pk).update(standstill_started_on=datetime.date(2025, 6, 17))
    drivers.back_date_standstill(journey.competition, days=15)
    back = drivers.fresh(journey.competition)
    # 2 June 2025 (a Monday) under the 2023 Act: eight working days beginning with that day end on Wednesday 11 June.
    assert back.standstill_started_on == datetime.date(2025, 6, 2) and back.standstill_ends_on == datetime.date(2025, 6, 11)
