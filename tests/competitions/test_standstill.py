"""Legal time (competitions/standstill.py): every expected date comes from the provision it applies.

The bank holidays below are copied by hand from gov.uk/bank-holidays for 2025–2027 and the New Year of
2028, which the last periods of 2027 reach (weekdays only: a holiday falling at a weekend appears as
its substitute day), so the service's calendar, which comes
from the `holidays` library, is checked against an independent one.
"""

import datetime
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from competitions.models import State
from competitions.standstill import (
    PARTICIPATION,
    TENDERING,
    add_working_days,
    deadline_problem,
    earliest_deadline,
    is_working_day,
    minimum_period,
    standstill_ends_on,
)
from core.errors import TransitionRefused
from tests.competitions.journey import Journey

D = datetime.date

ENGLAND_AND_WALES = {
    D(2025, 1, 1), D(2025, 4, 18), D(2025, 4, 21), D(2025, 5, 5), D(2025, 5, 26), D(2025, 8, 25), D(2025, 12, 25), D(2025, 12, 26),
    D(2026, 1, 1), D(2026, 4, 3), D(2026, 4, 6), D(2026, 5, 4), D(2026, 5, 25), D(2026, 8, 31), D(2026, 12, 25), D(2026, 12, 28),
    D(2027, 1, 1), D(2027, 3, 26), D(2027, 3, 29), D(2027, 5, 3), D(2027, 5, 31), D(2027, 8, 30), D(2027, 12, 27), D(2027, 12, 28),
    D(2028, 1, 3),
}
SCOTLAND = {
    D(2025, 1, 1), D(2025, 1, 2), D(2025, 4, 18), D(2025, 5, 5), D(2025, 5, 26), D(2025, 8, 4), D(2025, 12, 1), D(2025, 12, 25), D(2025, 12, 26),
    D(2026, 1, 1), D(2026, 1, 2), D(2026, 4, 3), D(2026, 5, 4), D(2026, 5, 25), D(2026, 6, 15), D(2026, 8, 3), D(2026, 11, 30),
    D(2026, 12, 25), D(2026, 12, 28),
    D(2027, 1, 1), D(2027, 1, 4), D(2027, 3, 26), D(2027, 5, 3), D(2027, 5, 31), D(2027, 8, 2), D(2027, 11, 30), D(2027, 12, 27), D(2027, 12, 28),
    D(2028, 1, 3), D(2028, 1, 4),
}
NORTHERN_IRELAND = {
    D(2025, 1, 1), D(2025, 3, 17), D(2025, 4, 18), D(2025, 4, 21), D(2025, 5, 5), D(2025, 5, 26), D(2025, 7, 14), D(2025, 8, 25),
    D(2025, 12, 25), D(2025, 12, 26),
    D(2026, 1, 1), D(2026, 3, 17), D(2026, 4, 3), D(2026, 4, 6), D(2026, 5, 4), D(2026, 5, 25), D(2026, 7, 13), D(2026, 8, 31),
    D(2026, 12, 25), D(2026, 12, 28),
    D(2027, 1, 1), D(2027, 3, 17), D(2027, 3, 26), D(2027, 3, 29), D(2027, 5, 3), D(2027, 5, 31), D(2027, 7, 12), D(2027, 8, 30),
    D(2027, 12, 27), D(2027, 12, 28), D(2028, 1, 3),
}
ANY_PART = ENGLAND_AND_WALES | SCOTLAND | NORTHERN_IRELAND
FIRST, LAST = D(2025, 1, 1), D(2027, 12, 31)
CALENDAR = {"2023": ANY_PART, "2011": ENGLAND_AND_WALES}


def walk(start: D, days: int, *, regime: str) -> D:
    """Brute force: list every calendar day after `start` and take the `days`-th that is neither weekend nor holiday."""
    following = (start + timedelta(days=n) for n in range(1, 10 * days + 20))
    working = [day for day in following if day.weekday() < 5 and day not in CALENDAR[regime]]
    return working[days - 1] if days else start


def oracle_standstill(regime: str, starts_on: D) -> D:
    if regime == "2011":  # reg 32A(2): midnight at the end of the 10th day after; reg 32A(3): to the next working day
        last = starts_on + timedelta(days=10)
        while last.weekday() >= 5 or last in ENGLAND_AND_WALES:
            last += timedelta(days=1)
        return last
    return walk(starts_on - timedelta(days=1), 8, regime="2023")  # s.51(2)(a): eight working days beginning with publication


# --- the worked examples --------------------------------------------------------------------------------

def test_pcr_2006_reg_32a_ten_days_after_the_decision_run_on_past_easter_to_the_next_working_day():
    # Decision sent Tue 23 Mar 2010: the 10th day after is Fri 2 Apr 2010, Good Friday; Mon 5 Apr is Easter Monday;
    # reg 32A(3) extends the period "until midnight at the end of the next working day": Tue 6 Apr 2010.
    assert standstill_ends_on(regime="2011", starts_on=D(2010, 3, 23)) == D(2010, 4, 6)


def test_pcr_2006_reg_32a_tenth_day_a_working_day_is_the_last_day():
    # Decision sent Mon 2 Jun 2025: the 10th day after, Thu 12 Jun 2025, is a working day.
    assert standstill_ends_on(regime="2011", starts_on=D(2025, 6, 2)) == D(2025, 6, 12)


def test_pcr_2006_reg_32a_extends_past_a_weekend_and_counts_only_english_and_welsh_holidays():
    # Wed 17 Dec 2025 + 10 = Sat 27 Dec; Sun 28 Dec; Mon 29 Dec 2025 is a working day.
    assert standstill_ends_on(regime="2011", starts_on=D(2025, 12, 17)) == D(2025, 12, 29)
    # Thu 24 Dec 2026 + 10 = Sun 3 Jan 2027; Mon 4 Jan 2027 is a bank holiday in Scotland only, so a working day
    # under the 2006 Regulations (reg 2(1): England and Wales).
    assert standstill_ends_on(regime="2011", starts_on=D(2026, 12, 24)) == D(2027, 1, 4)


def test_procurement_act_s51_eight_working_days_beginning_with_publication():
    # UK6 published Mon 2 Jun 2025: day 1 is Mon 2 Jun; days 2–5 Tue 3–Fri 6; days 6–8 Mon 9–Wed 11 Jun 2025.
    assert standstill_ends_on(regime="2023", starts_on=D(2025, 6, 2)) == D(2025, 6, 11)


def test_procurement_act_s51_publication_on_a_day_that_is_not_a_working_day_counts_from_the_next():
    # Published Sat 7 Jun 2025: day 1 is Mon 9 Jun; day 8 is Wed 18 Jun 2025.
    assert standstill_ends_on(regime="2023", starts_on=D(2025, 6, 7)) == D(2025, 6, 18)
    # Published Good Friday, 3 Apr 2026 (s.123(1)(b)); Mon 6 Apr is Easter Monday: day 1 is Tue 7 Apr, day 8 Thu 16 Apr 2026.
    assert standstill_ends_on(regime="2023", starts_on=D(2026, 4, 3)) == D(2026, 4, 16)


@pytest.mark.parametrize("published, ends, holiday", [
    (D(2026, 11, 26), D(2026, 12, 8), "St Andrew's Day, Mon 30 Nov 2026 (Scotland)"),
    (D(2026, 3, 16), D(2026, 3, 26), "St Patrick's Day, Tue 17 Mar 2026 (Northern Ireland)"),
    (D(2027, 7, 9), D(2027, 7, 21), "Battle of the Boyne, Mon 12 Jul 2027 (Northern Ireland)"),
    (D(2026, 12, 24), D(2027, 1, 8), "Christmas, Boxing Day (substitute Mon 28 Dec), New Year, and 2 January's substitute Mon 4 Jan 2027 (Scotland)"),
    (D(2027, 3, 25), D(2027, 4, 7), "Good Friday 26 Mar and Easter Monday 29 Mar 2027"),
])
def test_procurement_act_s123_a_bank_holiday_in_any_part_of_the_uk_is_not_a_working_day(published, ends, holiday):
    assert standstill_ends_on(regime="2023", starts_on=published) == ends, holiday


def test_procurement_act_s123_names_christmas_day_and_good_friday_whatever_the_bank_holidays():
    assert not is_working_day(D(2026, 12, 25)) and not is_working_day(D(2026, 4, 3))
    assert not is_working_day(D(2026, 12, 25), regime="2011") and not is_working_day(D(2026, 4, 3), regime="2011")


# --- every boundary, 2025–2027 ----------------------------------------------------------------------------

@pytest.mark.parametrize("regime", ["2023", "2011"])
def test_every_holiday_of_2025_to_2027_is_not_a_working_day_and_every_other_weekday_is(regime):
    day = FIRST
    while day <= LAST:
        expected = day.weekday() < 5 and day not in CALENDAR[regime]
        assert is_working_day(day, regime=regime) == expected, day
        day += timedelta(days=1)


@pytest.mark.parametrize("regime", ["2023", "2011"])
def test_standstill_from_every_day_of_2025_to_2027_matches_the_statute_counted_by_hand(regime):
    # Every publication (or decision) day, weekends and the days either side of every bank holiday included.
    day = FIRST
    while day <= LAST - timedelta(days=20):
        assert standstill_ends_on(regime=regime, starts_on=day) == oracle_standstill(regime, day), day
        day += timedelta(days=1)


@pytest.mark.parametrize("holiday", sorted(d for d in ANY_PART if d <= LAST), ids=str)
def test_standstill_around_each_bank_holiday(holiday):
    for published in (holiday - timedelta(days=1), holiday, holiday + timedelta(days=1)):
        ends = standstill_ends_on(regime="2023", starts_on=published)
        assert ends == oracle_standstill("2023", published)
        assert is_working_day(ends)
        first = published if is_working_day(published) else add_working_days(published, 1)
        counted = [first + timedelta(days=n) for n in range((ends - first).days + 1)]
        assert sum(is_working_day(day) for day in counted) == 8


@settings(max_examples=300, deadline=None)
@given(start=st.dates(min_value=FIRST, max_value=D(2027, 10, 15)), days=st.integers(min_value=0, max_value=40),
       regime=st.sampled_from(["2023", "2011"]))
def test_add_working_days_agrees_with_a_brute_force_calendar_walk(start, days, regime):
    assert add_working_days(start, days, regime=regime) == walk(start, days, regime=regime)


# --- minimum time limits ----------------------------------------------------------------------------------

def _at(day: D, hour: int, minute: int = 0) -> datetime.datetime:
    from django.utils import timezone

    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


@pytest.mark.parametrize("regime, procedure, period, reduction, days, last_day", [
    # Procurement Act 2023, s.54: 25 days beginning with the day after the notice of Mon 2 Jun 2025 end on Fri 27 Jun.
    ("2023", "open", TENDERING, "", 25, D(2025, 6, 27)),
    ("2023", "competitive_flexible", PARTICIPATION, "", 25, D(2025, 6, 27)),
    ("2023", "competitive_flexible", TENDERING, "planned_procurement_notice", 10, D(2025, 6, 12)),
    ("2023", "open", TENDERING, "urgency", 10, D(2025, 6, 12)),
    ("2023", "competitive_flexible", PARTICIPATION, "light_touch", 10, D(2025, 6, 12)),
    # PCR 2006 reg 16: requests 37 days less 7 (notice sent electronically) = 30; tenders 40 less 5 = 35.
    ("2011", "restricted", PARTICIPATION, "", 30, D(2025, 7, 2)),
    ("2011", "restricted", TENDERING, "", 35, D(2025, 7, 7)),
    ("2011", "restricted", PARTICIPATION, "urgency", 10, D(2025, 6, 12)),
    ("2011", "competitive_dialogue", PARTICIPATION, "", 30, D(2025, 7, 2)),  # reg 18
])
def test_minimum_periods_refuse_a_deadline_one_minute_short_and_accept_midnight_after_the_last_day(
    regime, procedure, period, reduction, days, last_day,
):
    notice = D(2025, 6, 2)
    limit = minimum_period(regime=regime, procedure=procedure, period=period, reduction=reduction)
    assert limit.days == days
    assert earliest_deadline(limit, from_day=notice) == _at(last_day + timedelta(days=1), 0)
    problem = deadline_problem(regime=regime, procedure=procedure, period=period, reduction=reduction,
                               from_day=notice, deadline=_at(last_day, 23, 59))
    assert f"{last_day:%-d %B %Y}" in problem and limit.rule in problem
    assert ("Procurement Act 2023, s.54" if regime == "2023" else "Public Contracts Regulations 2006") in problem
    assert deadline_problem(regime=regime, procedure=procedure, period=period, reduction=reduction,
                            from_day=notice, deadline=_at(last_day + timedelta(days=1), 0)) is None


@pytest.mark.parametrize("regime, procedure, period, reduction", [
    ("2023", "open", PARTICIPATION, ""),  # the open procedure has no participation stage
    ("2011", "competitive_dialogue", TENDERING, ""),  # final tenders after dialogue: none set
    ("2011", "restricted", TENDERING, "light_touch"),  # Part B services
    ("2011", "open", TENDERING, ""),  # not a procedure the 2011 competitions used
])
def test_no_statutory_minimum_where_none_is_set(regime, procedure, period, reduction):
    assert minimum_period(regime=regime, procedure=procedure, period=period, reduction=reduction) is None


# --- enforcement -----------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_launch_is_refused_while_requests_to_participate_close_inside_the_minimum_period_naming_the_rule():
    from django.utils import timezone

    journey = Journey()
    journey.advance_to(State.PRE_PROCUREMENT)
    journey.prepare("launch")
    journey.update(participation_deadline=timezone.now() + timedelta(days=20))
    with pytest.raises(TransitionRefused, match=r"Procurement Act 2023 s\.54"):
        journey.run("launch")
    journey.update(participation_deadline=_at(timezone.localdate() + timedelta(days=26), 0))
    assert journey.run("launch").state == State.PRE_QUALIFICATION
    # Once the period runs, its deadline may move later but not inside the minimum from the tender notice.
    with pytest.raises(ValidationError) as refused:
        journey.update(participation_deadline=timezone.now() + timedelta(days=5))
    assert "participation_deadline" in refused.value.message_dict
    assert "s.54" in refused.value.message_dict["participation_deadline"][0]
    assert journey.refresh().participation_deadline == _at(timezone.localdate() + timedelta(days=26), 0)


@pytest.mark.django_db
def test_award_is_refused_until_the_day_after_standstill_ends_across_a_bank_holiday_weekend():
    journey = Journey()
    try:
        journey.advance_to(State.AWARD_RECOMMENDED)
        journey.prepare("start_standstill")
        journey.travel_to(D(2027, 3, 25))  # Thursday before Easter
        competition = journey.run("start_standstill")
        # s.51: Thu 25 Mar is day 1; Good Friday and Easter Monday are not working days; day 8 is Wed 7 Apr 2027.
        assert (competition.standstill_started_on, competition.standstill_ends_on) == (D(2027, 3, 25), D(2027, 4, 7))
        assert competition.notices.get(notice_type="UK6").content["standstillPeriod"]["endDate"] == "2027-04-07"
        journey.travel_to(D(2027, 4, 7))
        with pytest.raises(TransitionRefused, match="The standstill period has ended"):
            journey.run("award")
        journey.travel_to(D(2027, 4, 8))
        assert journey.run("award").state == State.AWARDED
    finally:
        journey.stop_travel()
