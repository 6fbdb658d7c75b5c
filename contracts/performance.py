"""Performance arithmetic for agreements (SPEC §5), pure functions over loaded records.

- RAG of a return: on or better than target is Green; short of target by no more
  than the tolerance is Amber; further short is Red ("better" follows the measure's
  direction). Exactly at target − tolerance is still Amber.
- Agreement score for a period: the weighted mean of its measures' points (Green 100,
  Amber 50, Red 0) over the measures with a return for that period.
- Penalties: each measure's rule charges its Amber or Red amount for each period so rated.
- Periods run from the agreement's start date in steps of the measure's frequency, each
  stepped from the start itself (the n-th monthly period of an agreement starting on
  31 January starts on the 31st, or the month's last day when it has none — 29 February,
  31 March, 30 April — never drifting to the 29th); a period ends the day before the
  next starts, and its return is due `RETURN_GRACE_DAYS` after it ends, then overdue.
- KPI rating for a UK9 contract performance notice, from the RAG of the last twelve
  *completed* reporting periods (ended by the day before the assessment; the same
  whatever day of a period it runs):
  Inadequate if more than a third of periods are Red; Requires improvement if any is Red;
  Approaching target if none is Red but fewer than three quarters are Green; otherwise Good.
- Stewardship: a sub-prime or member carrying a larger share of risk than of funding;
  creaming, when the easiest cohort's share of outcomes exceeds its share of referrals
  by more than 20 percentage points; parking, when a cohort with at least 10% of
  referrals gets outcomes at under a quarter of the agreement's overall rate.
"""

from calendar import monthrange
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from contracts.models import MONTHS_PER_PERIOD, Direction

GREEN, AMBER, RED = "green", "amber", "red"
POINTS = {GREEN: Decimal(100), AMBER: Decimal(50), RED: Decimal(0)}
RAG_LABELS = {GREEN: "Green", AMBER: "Amber", RED: "Red"}
RETURN_GRACE_DAYS = 10


def rag(measure, value: Decimal) -> str:
    shortfall = (measure.target - value) if measure.direction == Direction.HIGHER_IS_BETTER else (value - measure.target)
    if shortfall <= 0:
        return GREEN
    return AMBER if shortfall <= measure.tolerance else RED


def _step(measure) -> int:
    return MONTHS_PER_PERIOD[measure.frequency]


def _add_months(day: date, months: int) -> date:
    """`day` moved on whole months, clamped to the month's last day: relativedelta(months=…)'s answer, a tenth of its cost
    (the inbox and the dashboard step through every period of many agreements)."""
    year, month = divmod(day.month - 1 + months, 12)
    year += day.year
    return date(year, month + 1, min(day.day, monthrange(year, month + 1)[1]))


def period_start(measure, start: date, number: int) -> date:
    """The start of the measure's `number`-th period (0 is the first), stepped from the agreement's start."""
    return _add_months(start, number * _step(measure))


def period_end(measure, start: date, begins: date) -> date:
    """The last day of the period beginning on `begins`: the day before the next period starts."""
    number = max(((begins.year - start.year) * 12 + begins.month - start.month) // _step(measure) - 1, 0)  # at most one short
    while period_start(measure, start, number) < begins:
        number += 1
    return period_start(measure, start, number + 1) - timedelta(days=1)


def periods(measure, start: date, until: date) -> list[date]:
    """The start dates of the measure's periods that have ended before `until`."""
    starts, number = [], 0
    current, following = start, period_start(measure, start, 1)
    while following <= until:
        starts.append(current)
        number += 1
        current, following = following, period_start(measure, start, number + 1)
    return starts


def due_date(measure, start: date, begins: date) -> date:
    """When the return for the period beginning on `begins` is due: `RETURN_GRACE_DAYS` after the period ends."""
    return period_end(measure, start, begins) + timedelta(days=RETURN_GRACE_DAYS)


def awaited(measure, start: date, today: date) -> list[date]:
    """Periods that have ended by today and have no return yet, oldest first (reads the measure's prefetched returns)."""
    received = {r.period_start for r in measure.returns.all()}
    return [p for p in periods(measure, start, today + timedelta(days=1)) if p not in received]


def overdue(measure, start: date, today: date) -> list[date]:
    """Periods whose return is past due and not in (reads the measure's prefetched returns)."""
    received = {r.period_start for r in measure.returns.all()}
    return [p for p in periods(measure, start, today) if p not in received and due_date(measure, start, p) < today]


def penalty(measure, rating: str) -> Decimal:
    return {AMBER: measure.penalty_amber, RED: measure.penalty_red}.get(rating, Decimal(0))


@dataclass
class PeriodResult:
    period_start: date
    ratings: dict  # measure id -> rag
    score: Decimal | None
    penalties: Decimal


def by_period(agreement) -> list[PeriodResult]:
    """Each period with returns: ratings, weighted score and penalties (reads prefetched measures and returns)."""
    table: dict[date, dict] = {}
    for measure in agreement.measures.all():
        for item in measure.returns.all():
            table.setdefault(item.period_start, {})[measure.pk] = (measure, rag(measure, item.value))
    results = []
    for period_start in sorted(table):
        rows = table[period_start].values()
        weight = sum((m.weight for m, _ in rows), Decimal(0))
        score = (sum((m.weight * POINTS[r] for m, r in rows), Decimal(0)) / weight).quantize(Decimal("0.1")) if weight else None
        results.append(PeriodResult(
            period_start, {m.pk: r for m, r in rows}, score, sum((penalty(m, r) for m, r in rows), Decimal(0)),
        ))
    return results


def latest_ratings(agreement) -> dict:
    """Each measure's most recent RAG (None without a return)."""
    latest = {}
    for measure in agreement.measures.all():
        returns = list(measure.returns.all())
        latest[measure.pk] = rag(measure, max(returns, key=lambda r: r.period_start).value) if returns else None
    return latest


def overall_rag(agreement) -> str | None:
    """The agreement's RAG: its worst measure's latest rating."""
    ratings = [r for r in latest_ratings(agreement).values() if r]
    for colour in (RED, AMBER, GREEN):
        if colour in ratings:
            return colour
    return None


class KpiRating:
    GOOD = "Good"
    APPROACHING = "Approaching target"
    REQUIRES_IMPROVEMENT = "Requires improvement"
    INADEQUATE = "Inadequate"
    OTHER = "Other"


def kpi_rating(ratings: list[str]) -> str:
    if not ratings:
        return KpiRating.OTHER
    red = ratings.count(RED) / len(ratings)
    green = ratings.count(GREEN) / len(ratings)
    if red > 1 / 3:
        return KpiRating.INADEQUATE
    if red > 0:
        return KpiRating.REQUIRES_IMPROVEMENT
    if green < 3 / 4:
        return KpiRating.APPROACHING
    return KpiRating.GOOD


ASSESSED_MONTHS = 12


def assessed_periods(measure, start: date, today: date) -> list[date]:
    """The completed periods a UK9 assesses: the last twelve months' worth (12 monthly, 4 quarterly, 1 annual).

    Completed means ended before `today`: the window moves when a period ends, not with the day it runs.
    """
    return periods(measure, start, today)[-(ASSESSED_MONTHS // _step(measure)):]


def kpi_ratings(agreement, today: date) -> dict:
    """Each KPI's rating from its returns for the assessed periods (those without a return are left out)."""
    ratings = {}
    for measure in agreement.measures.all():
        if measure.is_kpi:
            window = set(assessed_periods(measure, agreement.start_date, today))
            ratings[measure.pk] = kpi_rating([rag(measure, r.value) for r in measure.returns.all() if r.period_start in window])
    return ratings


CREAMING_MARGIN = Decimal(20)  # percentage points
PARKING_MIN_REFERRALS_SHARE = Decimal(10)
PARKING_RATE_FRACTION = Decimal("0.25")


def _percent(share: Decimal) -> str:
    return f"{share.normalize():f}%"


def stewardship_warnings(agreement) -> list[str]:
    warnings = []
    for member in agreement.supply_chain.all():
        if member.role in ("sub_prime", "member") and member.risk_share > member.funding_share:
            warnings.append(
                f"{member.organisation} carries {_percent(member.risk_share)} of the risk for {_percent(member.funding_share)} of the funding."
            )
    cohorts: dict[str, list] = {}
    for result in agreement.cohort_results.all():
        totals = cohorts.setdefault(result.cohort, [result.difficulty, 0, 0])
        totals[1] += result.referrals
        totals[2] += result.outcomes
    referrals = sum(t[1] for t in cohorts.values())
    outcomes = sum(t[2] for t in cohorts.values())
    if referrals and outcomes:
        overall_rate = Decimal(outcomes) / referrals
        for cohort, (difficulty, cohort_referrals, cohort_outcomes) in sorted(cohorts.items()):
            referral_share = Decimal(100) * cohort_referrals / referrals
            outcome_share = Decimal(100) * cohort_outcomes / outcomes
            if difficulty == "low" and outcome_share - referral_share > CREAMING_MARGIN:
                warnings.append(
                    f"Creaming: {cohort} (the easiest cohort) has {referral_share:.0f}% of referrals but {outcome_share:.0f}% of paid outcomes."
                )
            rate = Decimal(cohort_outcomes) / cohort_referrals if cohort_referrals else Decimal(0)
            if referral_share >= PARKING_MIN_REFERRALS_SHARE and rate < overall_rate * PARKING_RATE_FRACTION:
                warnings.append(
                    f"Parking: {cohort} has {referral_share:.0f}% of referrals but outcomes at {rate:.0%} against {overall_rate:.0%} overall."
                )
    return warnings
