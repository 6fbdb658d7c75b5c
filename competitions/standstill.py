"""Legal time: working days, standstill periods and minimum time limits, by regime, counted as the statutes count.

**Working day.**
- Procurement Act 2023, s.123(1): "“working day” means a day other than— (a) a Saturday or
  Sunday, (b) Christmas Day or Good Friday, or (c) a day which is a bank holiday under the
  Banking and Financial Dealings Act 1971 in any part of the United Kingdom." So a bank holiday
  of Scotland or Northern Ireland (St Andrew's Day, 2 January, St Patrick's Day, the Battle of
  the Boyne) is not a working day for a 2023 competition, wherever it is run.
- The 2011 rules (Public Contracts Regulations 2006, reg 2(1), as for reg 87 of the 2015
  Regulations): a day other than a Saturday, a Sunday, Christmas Day, Good Friday or a bank
  holiday in England and Wales.

**Standstill.**
- Procurement Act 2023, s.51(2)(a): the standstill period is "the period of eight working days
  beginning with the day on which the contract award notice is published". The publication day
  is day one when it is a working day; when it is not, the first working day after it is.
- 2011 rules (PCR 2006 reg 32A(2), reg 87(2) of the 2015 Regulations): the standstill period ends
  at midnight at the end of the tenth day after the relevant sending date (the decision sent
  electronically), and "where the last day of the standstill period is not a working day, the
  standstill period is extended until midnight at the end of the next working day".
Either way award is possible from the day after standstill ends.

**Minimum time limits** (`minimum_days`, `earliest_deadline`): a period of N days "beginning with
the day after" the notice or invitation ends at midnight at the end of the Nth day after it; a
deadline before then is refused, the rule cited.
- Procurement Act 2023, s.54 (the tables of minimum periods) — tenders submitted electronically with the associated
  tender documents provided with the notice or invitation: a participation period (competitive
  flexible procedure) of at least 25 days, and a tendering period of at least 25 days; 10 days
  for either where a qualifying planned procurement notice was published (tendering period
  only), where there is a state of urgency, or for a light touch contract.
- 2011 rules (PCR 2006 reg 16 restricted, reg 18 competitive dialogue), notices sent and
  documents offered electronically: requests to participate at least 30 days after the contract
  notice is sent (37 less the 7 for electronic sending), 10 in urgency (the accelerated restricted
  procedure: 15 less 5); tenders in the restricted procedure at least 35 days after the invitation
  (40 less the 5 for documents offered electronically), 10 in urgency. No statutory minimum applies to the
  final tenders after competitive dialogue.
"""

import datetime
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

import holidays
from django.utils import timezone

RULES_2011 = "2011"
PA_2023 = "2023"
ALCATEL_DAYS = 10  # 2011: the tenth day after the sending date (reg 32A)
PA2023_WORKING_DAYS = 8  # 2023: eight working days beginning with the UK6's publication (s.51)
# Parts of the United Kingdom whose bank holidays are not working days (s.123: "in any part of the United Kingdom").
UK_PARTS = ("ENG", "WLS", "SCT", "NIR")


@lru_cache(maxsize=64)
def _bank_holidays(year: int, parts: tuple[str, ...]) -> frozenset[date]:
    days: set[date] = set()
    for part in parts:
        days.update(holidays.country_holidays("GB", subdiv=part, years=year))  # includes Christmas Day and Good Friday
    return frozenset(days)


def is_working_day(day: date, *, regime: str = PA_2023) -> bool:
    """Not a Saturday, Sunday, Christmas Day, Good Friday or bank holiday (any part of the UK in 2023; England and Wales in 2011)."""
    parts = UK_PARTS if regime == PA_2023 else ("ENG",)
    return day.weekday() < 5 and day not in _bank_holidays(day.year, parts)


def add_working_days(start: date, days: int, *, regime: str = PA_2023) -> date:
    """The day `days` working days after `start` (`start` itself not counted)."""
    day, counted = start, 0
    while counted < days:
        day += timedelta(days=1)
        if is_working_day(day, regime=regime):
            counted += 1
    return day


def working_days_beginning_with(start: date, days: int, *, regime: str = PA_2023) -> date:
    """The last of `days` working days beginning with `start`: `start` is the first when it is a working day."""
    return add_working_days(start - timedelta(days=1), days, regime=regime)


def next_working_day_from(day: date, *, regime: str) -> date:
    """`day` itself when it is a working day, else the next working day."""
    while not is_working_day(day, regime=regime):
        day += timedelta(days=1)
    return day


def standstill_ends_on(*, regime: str, starts_on: date) -> date:
    """The last day of standstill that begins on `starts_on` (2011: the decision sent; 2023: the UK6 published)."""
    if regime == RULES_2011:
        return next_working_day_from(starts_on + timedelta(days=ALCATEL_DAYS), regime=RULES_2011)
    return working_days_beginning_with(starts_on, PA2023_WORKING_DAYS, regime=PA_2023)


# --- minimum time limits --------------------------------------------------------------------------------

PARTICIPATION = "participation"
TENDERING = "tendering"
REDUCTIONS = {
    "": "No reduction",
    "planned_procurement_notice": "A qualifying planned procurement notice was published",
    "urgency": "A state of urgency",
    "light_touch": "A light touch contract",
}


@dataclass(frozen=True)
class TimeLimit:
    days: int
    rule: str  # the provision, as cited in a refusal


def minimum_period(*, regime: str, procedure: str, period: str, reduction: str = "") -> TimeLimit | None:
    """The shortest period the regime allows (None where none is set by statute)."""
    if regime == PA_2023:
        if period == PARTICIPATION and procedure != "competitive_flexible":
            return None  # the open procedure has no participation stage
        if reduction in ("urgency", "light_touch") or (reduction == "planned_procurement_notice" and period == TENDERING):
            return TimeLimit(10, f"Procurement Act 2023, s.54: 10 days ({REDUCTIONS[reduction].lower()})")
        return TimeLimit(25, "Procurement Act 2023, s.54: 25 days")
    if procedure not in ("restricted", "competitive_dialogue") or reduction == "light_touch":
        return None  # Part B services (PCR 2006 reg 5(3)) carry no statutory time limits
    regulation = "reg 16" if procedure == "restricted" else "reg 18"
    if period == PARTICIPATION:
        if reduction == "urgency" and procedure == "restricted":
            return TimeLimit(10, "Public Contracts Regulations 2006, reg 16, accelerated restricted procedure: 15 days, less 5 for a notice sent electronically")
        return TimeLimit(30, f"Public Contracts Regulations 2006, {regulation}: 37 days, less 7 for a notice sent electronically")
    if procedure == "competitive_dialogue":
        return None  # final tenders after dialogue: no statutory minimum
    if reduction == "urgency":
        return TimeLimit(10, "Public Contracts Regulations 2006, reg 16, accelerated restricted procedure: 10 days")
    return TimeLimit(35, "Public Contracts Regulations 2006, reg 16: 40 days, less 5 for documents offered electronically")


def earliest_deadline(limit: TimeLimit, *, from_day: date) -> datetime.datetime:
    """The earliest moment a period of `limit.days` beginning with the day after `from_day` may end: midnight after its last day."""
    return timezone.make_aware(datetime.datetime.combine(from_day + timedelta(days=limit.days + 1), datetime.time.min))


def deadline_problem(*, regime: str, procedure: str, period: str, reduction: str, from_day: date,
                     deadline: datetime.datetime | None) -> str | None:
    """Why `deadline` is too early for this period (the rule cited), or None."""
    limit = minimum_period(regime=regime, procedure=procedure, period=period, reduction=reduction)
    if limit is None or deadline is None:
        return None
    earliest = earliest_deadline(limit, from_day=from_day)
    if deadline < earliest:
        return (f"The {period} period must run at least {limit.days} days from the day after {from_day:%-d %B %Y}: "
                f"the deadline can be no earlier than midnight at the end of {earliest.date() - timedelta(days=1):%-d %B %Y} ({limit.rule}).")
    return None
