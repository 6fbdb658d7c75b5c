"""Stored dates corrected by the data migrations of issue #16 (the functions they run, on today's models)."""

import datetime

import pytest

from competitions.corrections import standstill_ends_recompute
from competitions.models import Competition, State
from competitions.standstill import standstill_ends_on
from contracts.models import Measure, Return
from contracts.realign import drifted_starts, realign_returns
from ocds.models import PublishedRelease
from ocds.services import publish
from tests.competitions.journey import Journey

pytestmark = pytest.mark.django_db


def test_a_running_standstill_is_recounted_and_the_change_published():
    trip = Journey()
    try:
        trip.advance_to(State.STANDSTILL)
        competition = trip.refresh()
        right = standstill_ends_on(regime=competition.regime, starts_on=competition.standstill_started_on)
        # As the old rule stored it (counted from the day after the UK6), and published so.
        wrong = right + datetime.timedelta(days=1)
        Competition.objects.filter(pk=competition.pk).update(standstill_ends_on=wrong)
        publish(competition.pk)
        published = PublishedRelease.objects.filter(competition=competition).count()

        assert standstill_ends_recompute(Competition) == [competition.pk]
        corrected = trip.refresh()
        assert corrected.standstill_ends_on == right and corrected.version == competition.version + 1
        assert standstill_ends_recompute(Competition) == []  # the second run changes nothing

        publish(competition.pk)
        releases = PublishedRelease.objects.filter(competition=competition).order_by("published_at", "pk")
        assert releases.count() == published + 1
        assert f'"dueDate": "{right.isoformat()}' in releases.last().body
    finally:
        trip.stop_travel()


def test_an_awarded_competitions_standstill_is_history_and_left_alone():
    trip = Journey()
    try:
        trip.advance_to(State.AWARDED)
        Competition.objects.filter(pk=trip.competition.pk).update(standstill_ends_on=datetime.date(2026, 1, 1))
        assert standstill_ends_recompute(Competition) == []
        assert trip.refresh().standstill_ends_on == datetime.date(2026, 1, 1)
    finally:
        trip.stop_travel()


def test_the_old_drifting_periods_were_stepped_from_each_other():
    assert drifted_starts(datetime.date(2024, 1, 31), 1, datetime.date(2024, 5, 1)) == [
        datetime.date(2024, 1, 31), datetime.date(2024, 2, 29), datetime.date(2024, 3, 29), datetime.date(2024, 4, 29)]


def test_returns_of_drifted_periods_move_to_the_periods_as_now_counted(people):
    from tests.contracts.test_pages import add_measure, go_live, make_agreement

    agreement = make_agreement(people, start=datetime.date(2024, 1, 31), months=36)
    measure = add_measure(agreement, people)
    go_live(agreement, people)
    old = drifted_starts(datetime.date(2024, 1, 31), 1, datetime.date(2024, 6, 1))  # 31 Jan, 29 Feb, 29 Mar, 29 Apr, 29 May
    Return.objects.bulk_create(Return(measure=measure, period_start=day, value=90, submitted_by=people["manager"]) for day in old)
    untouched = make_agreement(people, reference="FW-002", start=datetime.date(2024, 1, 15))
    steady = add_measure(untouched, people)
    Return.objects.create(measure=steady, period_start=datetime.date(2024, 2, 15), value=90, submitted_by=people["manager"])

    assert realign_returns(Measure, Return) == 3
    assert list(Return.objects.filter(measure=measure).values_list("period_start", flat=True)) == [
        datetime.date(2024, 1, 31), datetime.date(2024, 2, 29), datetime.date(2024, 3, 31), datetime.date(2024, 4, 30), datetime.date(2024, 5, 31)]
    assert Return.objects.get(measure=steady).period_start == datetime.date(2024, 2, 15)
    assert realign_returns(Measure, Return) == 0


def test_launched_at_is_set_by_the_launch_and_filled_from_the_timeline_for_earlier_competitions(journey):
    import importlib

    from django.apps import apps

    from competitions import selectors

    fill = importlib.import_module("competitions.migrations.0010_launched_at").fill
    journey.advance_to(State.PRE_QUALIFICATION)
    launched = journey.refresh()
    launch = launched.events.get(action="launch")
    assert abs(launched.launched_at - launch.at).total_seconds() < 1  # stamped by the launch, with its timeline entry
    never = Competition.objects.create(reference="X-1", title="Abandoned in draft", service_area=launched.service_area,
                                       estimated_value=1, state=State.ABANDONED, lead_commissioner=journey.commissioner)
    Competition.objects.filter(pk=launched.pk).update(launched_at=None)  # as before the column existed

    fill(apps, None)
    assert journey.refresh().launched_at == launch.at and Competition.objects.get(pk=never.pk).launched_at is None
    assert set(Competition.objects.filter(selectors.published_competitions()).values_list("pk", flat=True)) == {launched.pk}
