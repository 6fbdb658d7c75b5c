"""When standstill ends, by regime (SPEC §3).

- 2011 rules: ten calendar days (the "Alcatel period") from the notification of the decision.
- Procurement Act 2023: eight working days from publication of the contract award notice
  (UK6), where working days exclude weekends and England and Wales bank holidays.
Award is possible on the day after standstill ends.
"""

from datetime import date, timedelta
from functools import lru_cache

import holidays

ALCATEL_DAYS = 10
PA2023_WORKING_DAYS = 8


@lru_cache(maxsize=16)
def _bank_holidays(year: int):
    # England and Wales share their bank holidays; the holidays library maintains them.
    return holidays.country_holidays("GB", subdiv="ENG", years=year)


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


def add_working_days(start: date, days: int) -> date:
    day = start
    counted = 0
    while counted < days:
        day += timedelta(days=1)
        if is_working_day(day):
            counted += 1
    return day


def standstill_ends_on(*, regime: str, starts_on: date) -> date:
    """The last day of standstill that begins on `starts_on`."""
    if regime == "2011":
        return starts_on + timedelta(days=ALCATEL_DAYS)
    return add_working_days(starts_on, PA2023_WORKING_DAYS)
