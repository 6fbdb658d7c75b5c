"""RAG boundaries, penalty arithmetic, scores, KPI ratings and the stewardship rules."""

import datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest

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
