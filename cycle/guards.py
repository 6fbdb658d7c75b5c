"""The conditions of each forward move of a commissioning cycle (SPEC §2), each with its message.

As for competitions: `passes(name)` is the FSM condition, `conditions()` the checklist.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from core.conditions import Condition, ConditionResult, checklist

if TYPE_CHECKING:  # cycle.models imports the machine, which imports these guards
    from cycle.models import CommissioningCycle, Priority, ServiceSpecification

AWARDED_STATES = {"awarded", "mobilisation", "live", "closed"}


def budget(cycle: CommissioningCycle) -> Decimal:
    """The resources priorities must fit: the cycle's own plus partners' pooled funding.

    Aligned funding stays in each partner's own budget, so it does not count here.
    """
    pooled = sum((p.contribution for p in cycle.partners.all() if p.arrangement == "pooled"), Decimal(0))
    return cycle.available_resources + pooled


def funded(cycle: CommissioningCycle) -> list[Priority]:
    return [p for p in cycle.priorities.all() if p.funded]


def _needs_assessed(cycle: CommissioningCycle) -> bool:
    return any(n.demand is not None and n.provision is not None and n.gap_analysis.strip() for n in cycle.needs_assessments.all())


def _priorities_ranked(cycle: CommissioningCycle) -> bool:
    return bool(funded(cycle))


def _allocation_fits(cycle: CommissioningCycle) -> bool:
    return sum((p.cost for p in funded(cycle)), Decimal(0)) <= budget(cycle)


def _equality_assessed(cycle: CommissioningCycle) -> bool:
    return getattr(cycle, "equality_impact_assessment", None) is not None


def _every_funded_priority_specified(cycle: CommissioningCycle) -> bool:
    specified = {s.priority_id for s in cycle.specifications.all() if s.outcomes.all()}
    return bool(funded(cycle)) and all(p.pk in specified for p in funded(cycle))


def _route_secured(spec: ServiceSpecification) -> bool:
    if spec.securing_route == "competition":
        return spec.competition is not None and spec.competition.state in AWARDED_STATES
    if spec.securing_route == "contract_change":
        return spec.agreement_id is not None
    return bool(spec.securing_route)


def _every_specification_secured(cycle: CommissioningCycle) -> bool:
    specifications = list(cycle.specifications.all())
    return bool(specifications) and all(_route_secured(s) for s in specifications)


def _closing_evaluation_recorded(cycle: CommissioningCycle) -> bool:
    record = getattr(cycle, "closing_evaluation_record", None)
    return record is not None and all(getattr(record, name).strip() for name in record.CRITERIA)


GUARDS: dict[str, list[Condition]] = {
    "assess_needs": [],
    "prioritise": [
        Condition("needs", "A needs assessment records demand, provision and a gap analysis", _needs_assessed, "needs"),
    ],
    "design_services": [
        Condition("priorities", "Priorities are ranked and the funded ones chosen", _priorities_ranked, "priorities"),
        Condition("allocation", "The funded priorities fit the available resources (with pooled funding)", _allocation_fits, "priorities"),
        Condition("equality", "An equality impact assessment is complete", _equality_assessed, "equality"),
    ],
    "review_supply": [
        Condition("specifications", "Every funded priority has a service specification linked to outcomes", _every_funded_priority_specified, "specifications"),
    ],
    "secure_services": [],
    "deliver": [
        Condition("routes", "Every specification has a securing route, and every competition route its award", _every_specification_secured, "specifications"),
    ],
    "manage_performance": [],
    "closing_evaluation": [],
    "close": [
        Condition("closing_evaluation", "The closing evaluation covers all five criteria", _closing_evaluation_recorded, "evaluation"),
    ],
}


def conditions(record: CommissioningCycle, name: str) -> list[ConditionResult]:
    """The checklist of step `name`'s guard (the machine reads the same GUARDS)."""
    return checklist(GUARDS[name], record)


def unmet(record: CommissioningCycle, name: str) -> list[ConditionResult]:
    return [result for result in conditions(record, name) if not result.met]
