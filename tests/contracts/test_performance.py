"""RAG boundaries, penalty arithmetic, scores, KPI ratings and the stewardship rules."""

import datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dateutil.relativedelta import relativedelta

from contracts import performance
from contracts.performance import AMBER, GREEN, RED, KpiRating

D = Decimal


def measure(target, tolerance, direction="higher", **extra):
    return SimpleNamespace(target=D(target), tolerance=D(tolerance), direction=direction, frequency="monthly",
                           penalty_amber=D(extra.get("amber", 0)), penalty_red=D(extra.get("red", 0)), weight=D(extra.get("weight", 1)))


@pytest.mark.parametrize("value, expected", [
    ("95", GREEN), ("96", GREEN),            # on target, better than target
    ("94.99", AMBER), ("90", AMBER),         # short, within tolerance (exactly target − tolerance is Amber)
    ("89.99", RED), ("0", RED),              # outside tolerance
])
def test_rag_boundaries_when_higher_is_better(value, expected):
    assert performance.rag(measure("95", "5"), D(value)) == expected


@pytest.mark.parametrize("value, expected", [("10", GREEN), ("9", GREEN), ("12", AMBER), ("12.01", RED)])
def test_rag_boundaries_when_lower_is_better(value, expected):
    assert performance.rag(measure("10", "2", direction="lower"), D(value)) == expected


def test_zero_tolerance_has_no_amber_band():
    assert performance.rag(measure("100", "0"), D("99.99")) == RED


def test_penalties_follow_each_measures_rule():
    rule = measure("95", "5", amber="2500", red="10000")
    assert [performance.penalty(rule, r) for r in (GREEN, AMBER, RED)] == [D(0), D(2500), D(10000)]


def returns(*values, start=datetime.date(2026, 1, 1)):
    return [SimpleNamespace(period_start=datetime.date(start.year, start.month + n, 1), value=D(v)) for n, v in enumerate(values)]


class Rel:
    def __init__(self, items):
        self.items = list(items)

    def all(self):
        return self.items


def agreement_with(*measures_and_values):
    measures = []
    for pk, (rule, values) in enumerate(measures_and_values, start=1):
        rule.pk = pk
        rule.is_kpi = True
        rule.returns = Rel(returns(*values))
        measures.append(rule)
    return SimpleNamespace(measures=Rel(measures))


def test_weighted_score_and_penalties_per_period():
    agreement = agreement_with(
        (measure("95", "5", weight=3, red="1000", amber="100"), ["96", "92", "80"]),   # green, amber, red
        (measure("10", "2", direction="lower", weight=1, red="500"), ["9", "13", "9"]),  # green, red, green
    )
    periods = performance.by_period(agreement)
    assert [p.score for p in periods] == [D("100.0"), D("37.5"), D("25.0")]  # (3×100+1×100)/4, (3×50+0)/4, (0+100)/4
    assert [p.penalties for p in periods] == [D(0), D(600), D(1000)]
    assert performance.overall_rag(agreement) == RED


@pytest.mark.parametrize("ratings, expected", [
    ([], KpiRating.OTHER),
    ([GREEN] * 12, KpiRating.GOOD),
    ([GREEN] * 9 + [AMBER] * 3, KpiRating.GOOD),                       # exactly three quarters Green
    ([GREEN] * 8 + [AMBER] * 4, KpiRating.APPROACHING),
    ([GREEN] * 11 + [RED], KpiRating.REQUIRES_IMPROVEMENT),
    ([GREEN] * 8 + [RED] * 4, KpiRating.REQUIRES_IMPROVEMENT),          # exactly a third Red
    ([GREEN] * 7 + [RED] * 5, KpiRating.INADEQUATE),
])
def test_kpi_rating_from_rag_history(ratings, expected):
    assert performance.kpi_rating(ratings) == expected


def test_periods_and_overdue_returns():
    rule = measure("95", "5")
    rule.returns = Rel(returns("96", start=datetime.date(2026, 1, 1)))
    starts = performance.periods(rule, datetime.date(2026, 1, 1), datetime.date(2026, 4, 15))
    assert starts == [datetime.date(2026, 1, 1), datetime.date(2026, 2, 1), datetime.date(2026, 3, 1)]
    # February's return was due 10 March; March's is due 10 April: both overdue on 15 April.
    assert performance.overdue(rule, datetime.date(2026, 1, 1), datetime.date(2026, 4, 15)) == [datetime.date(2026, 2, 1), datetime.date(2026, 3, 1)]
    assert performance.overdue(rule, datetime.date(2026, 1, 1), datetime.date(2026, 4, 10)) == [datetime.date(2026, 2, 1)]


def chain(*members, cohorts=()):
    return SimpleNamespace(
        supply_chain=Rel(SimpleNamespace(organisation=name, role=role, funding_share=D(f), risk_share=D(r)) for name, role, f, r in members),
        cohort_results=Rel(SimpleNamespace(cohort=c, difficulty=d, referrals=ref, outcomes=out) for c, d, ref, out in cohorts),
    )


def test_a_sub_prime_carrying_more_risk_than_funding_is_warned():
    warnings = performance.stewardship_warnings(chain(("St Giles Trust", "prime", 70, 50), ("Local charity", "sub_prime", 10, 25), ("Catch22", "sub_prime", 20, 20)))
    assert warnings == ["Local charity carries 25% of the risk for 10% of the funding."]


def test_creaming_and_parking_rules():
    cohorts = [("First-time offenders", "low", 300, 240), ("Prolific offenders", "high", 400, 20), ("Women", "medium", 300, 140)]
    warnings = performance.stewardship_warnings(chain(cohorts=cohorts))
    # Easiest cohort: 30% of referrals, 60% of outcomes (margin 30 points > 20): creaming.
    assert any(w.startswith("Creaming: First-time offenders") for w in warnings)
    # Prolific: 40% of referrals, 5% rate against 40% overall (< a quarter): parking.
    assert any(w.startswith("Parking: Prolific offenders") for w in warnings)
    balanced = [("First-time offenders", "low", 300, 120), ("Prolific offenders", "high", 400, 120), ("Women", "medium", 300, 120)]
    assert performance.stewardship_warnings(chain(cohorts=balanced)) == []


# --- periods stepped from the start (issue #16) --------------------------------------------------------------

def every(frequency):
    return SimpleNamespace(frequency=frequency)


@pytest.mark.parametrize("frequency, start, expected", [
    # From 31 January 2024 (a leap year): the 31st, or the month's last day when it has none; never the 29th after February.
    ("monthly", datetime.date(2024, 1, 31), ["2024-01-31", "2024-02-29", "2024-03-31", "2024-04-30", "2024-05-31", "2024-06-30"]),
    # From 30 November 2023, quarterly: 29 February (2024 is a leap year), then back to the 30th.
    ("quarterly", datetime.date(2023, 11, 30), ["2023-11-30", "2024-02-29", "2024-05-30", "2024-08-30", "2024-11-30"]),
    # From 29 February 2024, annually: 28 February in common years, 29 February again in 2028.
    ("annual", datetime.date(2024, 2, 29), ["2024-02-29", "2025-02-28", "2026-02-28", "2027-02-28", "2028-02-29"]),
])
def test_each_period_is_stepped_from_the_start_not_from_the_previous_period(frequency, start, expected):
    starts = performance.periods(every(frequency), start, datetime.date(2029, 12, 31))
    assert [day.isoformat() for day in starts[:len(expected)]] == expected


def test_periods_are_contiguous_each_ending_the_day_before_the_next_starts():
    rule, start = every("monthly"), datetime.date(2024, 1, 31)
    starts = performance.periods(rule, start, datetime.date(2025, 3, 1))
    for this, following in zip(starts, starts[1:]):
        assert performance.period_end(rule, start, this) == following - datetime.timedelta(days=1)
    # The period from 29 February ends on 30 March; its return is due ten days later.
    assert performance.period_end(rule, start, datetime.date(2024, 2, 29)) == datetime.date(2024, 3, 30)
    assert performance.due_date(rule, start, datetime.date(2024, 2, 29)) == datetime.date(2024, 4, 9)
    # A period counts once it has ended: the one from 31 March ends on 29 April (the next starts on the 30th).
    assert performance.periods(rule, start, datetime.date(2024, 4, 29))[-1] == datetime.date(2024, 2, 29)
    assert performance.periods(rule, start, datetime.date(2024, 4, 30))[-1] == datetime.date(2024, 3, 31)


def kpi_agreement(start, values, frequency="monthly"):
    rule = measure("95", "5")
    rule.frequency, rule.pk, rule.is_kpi = frequency, 1, True
    starts = performance.periods(rule, start, datetime.date(2099, 1, 1))
    rule.returns = Rel(SimpleNamespace(period_start=day, value=D(v)) for day, v in zip(starts, values))
    return SimpleNamespace(start_date=start, measures=Rel([rule]))


def test_the_uk9_window_is_the_last_twelve_completed_periods_whatever_day_it_runs():
    # Monthly from 1 June 2024: June 2024 was Red, July 2024 to June 2025 Green (issue #16's example).
    agreement = kpi_agreement(datetime.date(2024, 6, 1), ["80"] + ["96"] * 12 + ["80"])
    # On 1 and 2 June 2025 the completed months are the same twelve, June 2024 to May 2025, so the rating is too
    # (a window of "the last 12 months before the run day" dropped June 2024 on the 2nd and said Good).
    first, second = (performance.kpi_ratings(agreement, datetime.date(2025, 6, day))[1] for day in (1, 2))
    assert first == second == KpiRating.REQUIRES_IMPROVEMENT
    # Every day of June 2025 gives the same rating; it changes only when June's period has ended.
    june = {performance.kpi_ratings(agreement, datetime.date(2025, 6, day))[1] for day in range(1, 31)}
    assert len(june) == 1
    assert performance.assessed_periods(agreement.measures.all()[0], agreement.start_date, datetime.date(2025, 6, 15)) == [
        datetime.date(2024, 6, 1) + relativedelta(months=n) for n in range(12)]
    assert performance.kpi_ratings(agreement, datetime.date(2025, 6, 15))[1] == KpiRating.REQUIRES_IMPROVEMENT  # June 2024's Red is in
    assert performance.kpi_ratings(agreement, datetime.date(2025, 7, 1))[1] == KpiRating.GOOD  # July 2024 to June 2025: all Green


def test_the_uk9_window_is_twelve_months_of_quarterly_periods():
    agreement = kpi_agreement(datetime.date(2024, 1, 1), ["80", "96", "96", "96", "96"], frequency="quarterly")
    rule = agreement.measures.all()[0]
    # On 1 April 2025 five quarters have ended; the last four (April 2024 to March 2025) are assessed.
    assert performance.assessed_periods(rule, agreement.start_date, datetime.date(2025, 4, 1)) == [
        datetime.date(2024, 4, 1), datetime.date(2024, 7, 1), datetime.date(2024, 10, 1), datetime.date(2025, 1, 1)]
    assert performance.kpi_ratings(agreement, datetime.date(2025, 4, 1))[1] == KpiRating.GOOD
    assert performance.kpi_ratings(agreement, datetime.date(2025, 3, 31))[1] == KpiRating.REQUIRES_IMPROVEMENT


@pytest.mark.parametrize("value, needed", [("5000000.00", False), ("5000000.01", True), ("4999999.99", False)])
def test_three_kpis_are_needed_for_a_2023_contract_of_more_than_five_million(value, needed):
    # Procurement Act 2023 s.52(1): "a public contract with an estimated value of more than £5 million".
    from contracts import guards

    condition = next(c for c in guards.GUARDS["go_live"] if c.code == "kpis")
    assert condition.applies(SimpleNamespace(regime="2023", value=D(value))) is needed
    assert condition.applies(SimpleNamespace(regime="2011", value=D(value))) is False


@pytest.mark.parametrize("frequency", ["monthly", "quarterly", "annual"])
@pytest.mark.parametrize("start", [datetime.date(2024, 1, 31), datetime.date(2023, 11, 30), datetime.date(2024, 2, 29), datetime.date(2025, 3, 1)])
def test_every_period_ends_the_day_before_the_next_starts(frequency, start):
    rule = every(frequency)
    starts = performance.periods(rule, start, datetime.date(2040, 1, 1))
    assert [performance.period_end(rule, start, day) for day in starts[:-1]] == [day - datetime.timedelta(days=1) for day in starts[1:]]


@settings(max_examples=300, derandomize=True, deadline=None)
@given(day=st.dates(min_value=datetime.date(2000, 1, 1), max_value=datetime.date(2090, 12, 31)), months=st.integers(min_value=0, max_value=120))
def test_stepping_months_agrees_with_relativedelta_at_every_month_end(day, months):
    """The periods' own month arithmetic (faster, for the inbox and the dashboard) answers as python-dateutil does."""
    assert performance._add_months(day, months) == day + relativedelta(months=months)
