"""Standstill by regime: ten calendar days (2011), eight working days from UK6 (2023)."""

import datetime

import pytest

from competitions.models import State
from competitions.standstill import add_working_days, is_working_day, standstill_ends_on
from core.errors import TransitionRefused
from tests.competitions.journey import Journey

D = datetime.date


def test_2011_rules_are_ten_calendar_days_whatever_the_holidays():
    assert standstill_ends_on(regime="2011", starts_on=D(2026, 12, 24)) == D(2027, 1, 3)


def test_2023_counts_eight_working_days_skipping_the_christmas_bank_holidays():
    # Thu 24 Dec 2026 publication: Fri 25 (Christmas), Mon 28 (Boxing Day substitute) and
    # Fri 1 Jan (New Year's Day) are bank holidays, and two weekends intervene.
    assert not is_working_day(D(2026, 12, 25)) and not is_working_day(D(2026, 12, 28))
    assert standstill_ends_on(regime="2023", starts_on=D(2026, 12, 24)) == D(2027, 1, 8)


def test_2023_across_the_easter_bank_holiday_weekend():
    # Good Friday 26 March and Easter Monday 29 March 2027 are not working days.
    assert standstill_ends_on(regime="2023", starts_on=D(2027, 3, 25)) == D(2027, 4, 8)


def test_2023_in_an_ordinary_fortnight():
    assert standstill_ends_on(regime="2023", starts_on=D(2026, 11, 2)) == D(2026, 11, 12)
    assert add_working_days(D(2026, 11, 6), 1) == D(2026, 11, 9)  # Friday to Monday


@pytest.mark.django_db
def test_award_is_refused_until_the_day_after_standstill_ends_across_a_bank_holiday_weekend():
    journey = Journey()
    try:
        journey.advance_to(State.AWARD_RECOMMENDED)
        journey.prepare("start_standstill")
        journey.travel_to(D(2027, 3, 25))  # Thursday before Easter
        competition = journey.run("start_standstill")
        assert (competition.standstill_started_on, competition.standstill_ends_on) == (D(2027, 3, 25), D(2027, 4, 8))
        assert competition.notices.get(notice_type="UK6").content["standstillPeriod"]["endDate"] == "2027-04-08"
        journey.travel_to(D(2027, 4, 8))
        with pytest.raises(TransitionRefused, match="The standstill period has ended"):
            journey.run("award")
        journey.travel_to(D(2027, 4, 9))
        assert journey.run("award").state == State.AWARDED
    finally:
        journey.stop_travel()
