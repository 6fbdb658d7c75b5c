"""The evaluation of one agreement on one night: pure functions over prefetched records.

The five criteria of the seed's "Evaluate" stage, where the data exists:

1. Outcomes delivered: each outcome's measures at their latest rating, and the paid
   outcomes against referrals over the last 12 months (payment by results).
2. User and stakeholder feedback: average satisfaction (1 to 5) over the last 12
   months, weighted by respondents, by source; below 3 is a concern.
3. Performance and value for money: the latest period's weighted score, RAG and
   penalties (`contracts.performance`), penalties over 12 months, and the cost per
   outcome: what was paid under the agreement in the last 12 months (its paid claims,
   issue #20) over the paid outcomes of those months — or, before any payment is
   recorded, its annual value over them; and the deductions applied to those payments.
4. Compliance with the agreement: overdue returns, rectification notices past their
   deadline, remedial action plans past their due date.
5. Equality monitoring: over the last 12 months, a group with at least 10% of a
   characteristic's referrals whose outcome rate is under four fifths of the best
   such group's rate (the "four-fifths" test of adverse impact).

Stewardship warnings (risk above funding, creaming, parking) come from
`contracts.performance` and count, with equality findings, as flags.
"""

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal

from dateutil.relativedelta import relativedelta

from contracts import performance
from contracts.models import Feedback, RectificationNotice, RemedialActionPlan

CONCERN_SATISFACTION = Decimal(3)
EQUALITY_MIN_SHARE = Decimal(10)  # percent of the characteristic's referrals
EQUALITY_FRACTION = Decimal("0.8")  # four fifths
TREND_PERIODS = 12
OK, CONCERN, NO_DATA = "ok", "concern", "no_data"


def _money(amount) -> str:
    return str(Decimal(amount).quantize(Decimal("0.01")))


def _day(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def _pounds(amount) -> str:
    return f"£{Decimal(amount):,.2f}"


def _percent(numerator, denominator) -> Decimal:
    return (Decimal(100) * numerator / denominator).quantize(Decimal("0.1"), ROUND_HALF_UP)


def _criterion(name: str, status: str, summary: str, findings: list[str] | None = None) -> dict:
    return {"name": name, "status": status, "summary": summary, "findings": findings or []}


@dataclass
class Findings:
    """What the night's evaluation stores for one agreement (the `Evaluation` model's fields)."""

    period_start: date | None
    rag: str
    score: Decimal | None
    penalties_period: Decimal
    penalties_year: Decimal
    red_measures: int
    overdue_returns: int
    outcomes_delivered: int | None
    cost_per_outcome: Decimal | None
    feedback_score: Decimal | None
    compliance_issues: int
    flags: int
    detail: dict
    turned_red: list = field(default_factory=list)  # (measure, period_start) of measures whose latest return turned red

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.detail)


def fingerprint(detail: dict) -> str:
    """The same figures give the same hash, so an agreement whose figures have not changed keeps its PDF from night to night."""
    return hashlib.sha256(json.dumps(detail, sort_keys=True, default=str).encode()).hexdigest()


def turned_red(measure) -> date | None:
    """The period whose return turned the measure red: its latest return is Red and the one before was not."""
    returns = sorted(measure.returns.all(), key=lambda r: r.period_start)
    if not returns or performance.rag(measure, returns[-1].value) != performance.RED:
        return None
    if len(returns) > 1 and performance.rag(measure, returns[-2].value) == performance.RED:
        return None
    return returns[-1].period_start


def _measures(agreement, on: date) -> tuple[list[dict], list]:
    kpis = performance.kpi_ratings(agreement, on)
    rows, red_turns = [], []
    for measure in agreement.measures.all():
        returns = sorted(measure.returns.all(), key=lambda r: r.period_start)
        latest = returns[-1] if returns else None
        rating = performance.rag(measure, latest.value) if latest else None
        turn = turned_red(measure)
        if turn:
            red_turns.append((measure, turn))
        rows.append({
            "id": measure.pk, "name": measure.name, "outcome": measure.outcome.title if measure.outcome_id else "",
            "unit": measure.unit, "target": str(measure.target), "direction": measure.direction,
            "latest": str(latest.value) if latest else None, "period": latest.period_start.isoformat() if latest else None,
            "rag": rating, "turned_red": bool(turn), "kpi": kpis.get(measure.pk, ""),
        })
    return rows, red_turns


def _outcomes(agreement, rows: list[dict], since: date) -> tuple[dict, int | None, int]:
    by_outcome: dict[str, list] = {}
    for row in rows:
        if row["outcome"] and row["rag"]:
            by_outcome.setdefault(row["outcome"], []).append(row["rag"])
    worst = {title: next(c for c in (performance.RED, performance.AMBER, performance.GREEN) if c in ratings)
             for title, ratings in by_outcome.items()}
    recent = [r for r in agreement.cohort_results.all() if r.period_start >= since]
    referrals = sum(r.referrals for r in recent)
    outcomes = sum(r.outcomes for r in recent) if recent else None
    findings = [f"{title}: {performance.RAG_LABELS[rating]}" for title, rating in sorted(worst.items())]
    if outcomes is not None:
        findings.append(f"{outcomes:,} paid outcomes from {referrals:,} referrals in the last 12 months"
                        + (f" ({_percent(outcomes, referrals)}%)." if referrals else "."))
    if not worst and outcomes is None:
        return _criterion("Outcomes delivered", NO_DATA, "No measure linked to an outcome has a return, and no outcomes are recorded."), None, 0
    red = sum(1 for rating in worst.values() if rating == performance.RED)
    summary = (f"{red} of {len(worst)} outcomes Red." if red else
               f"{len(worst)} outcomes, none Red." if worst else "Outcomes recorded by cohort only.")
    return _criterion("Outcomes delivered", CONCERN if red else OK, summary, findings), outcomes, referrals


def _shown_satisfaction(average: Decimal) -> Decimal:
    """To 0.01 for the report, rounded down so a concern (under 3) never shows as 3.00."""
    return average.quantize(Decimal("0.01"), ROUND_FLOOR)


def _feedback(agreement, since: date, on: date) -> tuple[dict, Decimal | None]:
    recent = [f for f in agreement.feedback.all() if since <= f.received_on <= on]
    if not recent:
        return _criterion("User and stakeholder feedback", NO_DATA, "No feedback recorded in the last 12 months."), None
    findings, concern = [], False
    for source, label in Feedback.Source.choices:
        items = [f for f in recent if f.source == source]
        if items:
            people = sum(f.respondents for f in items)
            average = sum(f.satisfaction * f.respondents for f in items) / people
            concern = concern or average < CONCERN_SATISFACTION  # unrounded: 2.996 is below 3
            findings.append(f"{label}: {_shown_satisfaction(average)} out of 5 from {people:,} respondents.")
    people = sum(f.respondents for f in recent)
    overall = _shown_satisfaction(sum(f.satisfaction * f.respondents for f in recent) / people)
    summary = f"Average satisfaction {overall} out of 5" + (" (below 3: a concern)." if concern else ".")
    return _criterion("User and stakeholder feedback", CONCERN if concern else OK, summary, findings), overall


def annual_value(agreement) -> Decimal:
    """The agreement's value for a year of delivery: its value over its term in months (part months count whole), times 12.

    An agreement of a year or less, or without dates, is valued whole.
    """
    if agreement.start_date and agreement.end_date and agreement.end_date > agreement.start_date:
        term = relativedelta(agreement.end_date, agreement.start_date)
        months = term.years * 12 + term.months + (1 if term.days else 0)
        if months > 12:
            return (agreement.value * 12 / months).quantize(Decimal("0.01"))
    return agreement.value


def _payments(agreement, since) -> tuple[Decimal, Decimal, int]:
    """What was paid under the agreement from `since` (paid claims), the deductions those payments bore, and how many."""
    paid = [claim for claim in getattr(agreement, "paid_claims", []) if claim.paid_on and claim.paid_on >= since]
    deducted = -sum((line.amount for claim in paid for line in claim.lines.all() if line.kind == "deduction"), Decimal(0))
    return sum((claim.total for claim in paid), Decimal(0)), deducted, len(paid)


def _value(agreement, results, rag, outcomes, since) -> tuple[dict, dict]:
    latest = results[-1] if results else None
    year = [r for r in results if r.period_start >= since]
    penalties_year = sum((r.penalties for r in year), Decimal(0))
    yearly = annual_value(agreement)
    paid, deducted, payments = _payments(agreement, since)
    spent = paid if payments else yearly  # real money once it has been paid; the agreement's value until then
    cost = (spent / outcomes).quantize(Decimal("0.01")) if outcomes else None
    findings = []
    if latest:
        findings.append(f"Latest period (from {_day(latest.period_start)}): score {latest.score} out of 100, "
                        f"penalties {_pounds(latest.penalties)}.")
    findings.append(f"Penalties over the last 12 months: {_pounds(penalties_year)}.")
    if payments:
        findings.append(f"Paid over the last 12 months: {_pounds(paid)} in {payments} payment{'s' if payments != 1 else ''}, after "
                        f"deductions of {_pounds(deducted)}" + (f"; cost per paid outcome {_pounds(cost)}." if cost else "; no paid outcomes recorded."))
    else:
        findings.append(f"No payments recorded yet. Annual value {_pounds(yearly)}"
                        + (f"; cost per paid outcome {_pounds(cost)}." if cost else "; no paid outcomes recorded."))
    if not latest:
        status, summary = NO_DATA, "No returns yet."
    else:
        status = CONCERN if rag == performance.RED else OK
        summary = f"{performance.RAG_LABELS[rag]} (the worst measure's latest rating); the latest period scored {latest.score} out of 100."
    figures = {
        "score": latest.score if latest else None, "period_start": latest.period_start if latest else None,
        "penalties_period": latest.penalties if latest else Decimal(0), "penalties_year": penalties_year, "cost_per_outcome": cost,
        "trend": [[r.period_start.isoformat(), str(r.score)] for r in results[-TREND_PERIODS:] if r.score is not None],
        "annual_value": _money(yearly), "paid_year": _money(paid), "deducted_year": _money(deducted),
    }
    return _criterion("Performance and value for money", status, summary, findings), figures


def _compliance(agreement, on: date) -> tuple[dict, int, int]:
    findings, overdue = [], 0
    if agreement.start_date:
        for measure in agreement.measures.all():
            late = performance.overdue(measure, agreement.start_date, on)
            if late:
                overdue += len(late)
                findings.append(f"{measure.name}: {len(late)} return{'s' if len(late) != 1 else ''} overdue, the oldest for the period from {_day(late[0])}.")
    for notice in agreement.rectification_notices.all():
        if notice.status == RectificationNotice.Status.OPEN:
            passed = notice.deadline < on
            findings.append(f"Rectification notice issued {_day(notice.issued_on)}: deadline {_day(notice.deadline)}"
                            + (" has passed." if passed else "."))
    for plan in agreement.remedial_plans.all():
        if plan.status == RemedialActionPlan.Status.OPEN and plan.due_on < on:
            findings.append(f"Remedial action plan agreed {_day(plan.agreed_on)} was due by {_day(plan.due_on)}.")
    if not findings:
        return _criterion("Compliance with the agreement", OK, "Returns are in and nothing is outstanding."), 0, 0
    return _criterion("Compliance with the agreement", CONCERN, f"{len(findings)} matter{'s' if len(findings) != 1 else ''} outstanding.", findings), len(findings), overdue


def equality_findings(results, since: date) -> tuple[list[str], int]:
    """Four-fifths findings from equality results of the last 12 months, and how many groups were monitored."""
    table: dict[str, dict[str, list[int]]] = {}
    for result in results:
        if result.period_start >= since:
            totals = table.setdefault(result.get_characteristic_display(), {}).setdefault(result.group, [0, 0])
            totals[0] += result.referrals
            totals[1] += result.outcomes
    findings, groups = [], 0
    for characteristic, by_group in sorted(table.items()):
        groups += len(by_group)
        referrals = sum(t[0] for t in by_group.values())
        if not referrals:
            continue
        large = {g: Decimal(o) / r for g, (r, o) in by_group.items() if r and Decimal(100) * r / referrals >= EQUALITY_MIN_SHARE}
        if not large:
            continue
        best_group, best = max(large.items(), key=lambda item: (item[1], item[0]))
        for group, rate in sorted(large.items()):
            if rate < best * EQUALITY_FRACTION:
                share = _percent(by_group[group][0], referrals)
                findings.append(f"{characteristic}: {group} ({share}% of referrals) succeed at {rate:.0%} against {best:.0%} for {best_group}, "
                                "under four fifths of the best rate.")
    return findings, groups


def _equality(agreement, since: date) -> tuple[dict, int]:
    findings, groups = equality_findings(agreement.equality_results.all(), since)
    if not groups:
        return _criterion("Equality monitoring", NO_DATA, "No equality monitoring recorded in the last 12 months."), 0
    if findings:
        return _criterion("Equality monitoring", CONCERN, f"{len(findings)} group{'s' if len(findings) != 1 else ''} with a lower success rate.", findings), len(findings)
    return _criterion("Equality monitoring", OK, f"{groups} groups monitored; no group under four fifths of the best rate."), 0


def evaluate(agreement, on: date) -> Findings:
    """Evaluate an agreement as on the night of `on` (reads the records `selectors.for_evaluation` prefetches)."""
    since = on - relativedelta(months=12)
    rows, red_turns = _measures(agreement, on)
    rag = performance.overall_rag(agreement)
    results = performance.by_period(agreement)
    outcomes_criterion, outcomes, _ = _outcomes(agreement, rows, since)
    feedback_criterion, feedback_score = _feedback(agreement, since, on)
    value_criterion, figures = _value(agreement, results, rag, outcomes, since)
    compliance_criterion, issues, overdue = _compliance(agreement, on)
    equality_criterion, equality_flags = _equality(agreement, since)
    stewardship = performance.stewardship_warnings(agreement)
    detail = {
        "reference": agreement.reference, "title": agreement.title, "provider": str(agreement.provider),
        "state": agreement.state, "rag": rag,
        "criteria": [outcomes_criterion, feedback_criterion, value_criterion, compliance_criterion, equality_criterion],
        "measures": rows, "stewardship": stewardship, "trend": figures["trend"], "annual_value": figures["annual_value"],
        "paid_year": figures["paid_year"], "deducted_year": figures["deducted_year"],
    }
    return Findings(
        period_start=figures["period_start"], rag=rag or "none", score=figures["score"],
        penalties_period=figures["penalties_period"], penalties_year=figures["penalties_year"],
        red_measures=sum(1 for row in rows if row["rag"] == performance.RED), overdue_returns=overdue,
        outcomes_delivered=outcomes, cost_per_outcome=figures["cost_per_outcome"], feedback_score=feedback_score,
        compliance_issues=issues, flags=len(stewardship) + equality_flags, detail=detail, turned_red=red_turns,
    )
