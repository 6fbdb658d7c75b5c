"""The conditions of each agreement transition (SPEC §5), with their messages."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from django.utils import timezone

from core.conditions import Condition, ConditionResult, checklist

if TYPE_CHECKING:  # contracts.models imports the machine, which imports these guards
    from contracts.models import Agreement, Measure, RectificationNotice

UK7_KPI_THRESHOLD = Decimal("5000000")


def _kpis(agreement: Agreement) -> list[Measure]:
    return [m for m in agreement.measures.all() if m.is_kpi]


def _enough_kpis(agreement: Agreement) -> bool:
    # Procurement Act 2023 s.52(1): a contract "of more than £5 million" sets at least three KPIs.
    return len(_kpis(agreement)) >= 3


def _needs_three_kpis(agreement: Agreement) -> bool:
    return agreement.regime == "2023" and agreement.value > UK7_KPI_THRESHOLD


def _open_notice(agreement: Agreement) -> RectificationNotice | None:
    return next((n for n in agreement.rectification_notices.all() if n.status == "open"), None)


def _latest_satisfied(agreement: Agreement) -> bool:
    latest = max(agreement.rectification_notices.all(), key=lambda n: (n.issued_on, n.id), default=None)
    return latest is not None and latest.status == "satisfied"


def mobilisation_planned(agreement: Agreement) -> bool:
    return bool(agreement.milestones.all())


def mobilisation_complete(agreement: Agreement) -> bool:
    """The plan drawn up and every milestone done or its gap accepted: what going live needs (issue #21)."""
    milestones = list(agreement.milestones.all())
    return bool(milestones) and all(m.settled for m in milestones)


def _explain_mobilisation(agreement: Agreement) -> str:
    open_milestones = [m.title for m in agreement.milestones.all() if not m.settled]
    if not open_milestones and not agreement.milestones.all():
        return "No mobilisation plan has been drawn up."
    return "Not done and no gap accepted: " + "; ".join(open_milestones) + "."


def _exit_plan_agreed(agreement: Agreement) -> bool:
    plan = getattr(agreement, "exit_plan", None)
    return plan is not None and plan.agreed_on is not None


GUARDS: dict[str, list[Condition]] = {
    "mobilise": [
        Condition("dates", "The start and end dates are set", lambda a: a.start_date is not None and a.end_date is not None, "details"),
    ],
    "go_live": [
        Condition("dates", "The start and end dates are set", lambda a: a.start_date is not None and a.end_date is not None, "details"),
        Condition("measures", "At least one measure is set, linked to an outcome", lambda a: any(m.outcome_id for m in a.measures.all()), "measures"),
        Condition("kpis", "At least three KPIs, as a Procurement Act 2023 contract of more than £5m (s.52)", _enough_kpis, "measures", applies=_needs_three_kpis),
        Condition("contract_manager", "A contract manager is assigned", lambda a: a.contract_manager_id is not None, "details"),
        # Seed 002, lines 405 and 785–789: TUPE, equality impacts on staff and readiness before the service starts (issue #21).
        Condition("mobilisation", "The mobilisation plan is drawn up and every milestone is done or its gap accepted by the SRO with a reason",
                  mobilisation_complete, "mobilisation", explain=_explain_mobilisation),
    ],
    "start_rectification": [
        Condition("notice", "A rectification notice has been issued", lambda a: _open_notice(a) is not None, "rectification"),
    ],
    "end_rectification": [
        Condition("satisfied", "The latest rectification notice is satisfied", _latest_satisfied, "rectification"),
    ],
    "terminate": [],
    "expire": [
        Condition("ended", "The end date has passed", lambda a: a.end_date is not None and a.end_date < timezone.localdate(), "details"),
    ],
    # Seed 002, lines 272–276 and 288: decommissioning plans for service users, data, staff and assets (issue #21).
    "decommission": [
        Condition("exit_plan", "An exit plan is agreed: service users' transition, data return, staff and assets", _exit_plan_agreed,
                  "exit-plan"),
    ],
}


def conditions(record: Agreement, name: str) -> list[ConditionResult]:
    """The checklist of step `name`'s guard (the machine reads the same GUARDS)."""
    return checklist(GUARDS[name], record)


def unmet(record: Agreement, name: str) -> list[ConditionResult]:
    return [result for result in conditions(record, name) if not result.met]
