"""Every write to a commissioning cycle and its records (SPEC §2)."""

from collections.abc import Callable, Iterable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, TYPE_CHECKING, TypeVar, cast

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, Model
from django.utils import timezone

from competitions.interface import Competition, live_competition_in
from core import dates, events, transitions
from core.events import EventKind
from core.models import Organisation, ServiceArea, User
from core.roles import Role
from cycle import allocation, guards
from cycle.machine import CYCLE, FORWARD
from cycle.models import (
    ClosingEvaluation,
    CommissioningCycle,
    CycleEvent,
    EqualityImpactAssessment,
    MarketAnalysis,
    MarketSounding,
    NeedsAssessment,
    Outcome,
    Partner,
    Priority,
    ServiceSpecification,
    StimulationAction,
)
from cycle.states import STAGE_ORDER, Stage
from ethical_walls.selectors import sees_commissioning_material

if TYPE_CHECKING:
    from contracts.interface import Agreement  # only to type: cycle reads agreements through contracts.interface

# The funded set is chosen while prioritising (and may be prepared while assessing needs).
ALLOCATION_STAGES = (Stage.EVALUATE, Stage.ASSESS_NEEDS, Stage.PRIORITISE)
# Competitions between launch and award: commissioners may not sound the market directly then.

R = TypeVar("R", bound=Model)  # the record _save saves and returns


def require_commissioner(actor: User, cycle: CommissioningCycle | None = None) -> None:
    """Commissioners plan (several may work on one cycle; its owner leads it).

    Someone who is also in the HMPS bid team is behind the wall: plans are the
    commissioner's confidential material (SPEC §4), so they may not write them either.
    """
    if not actor.has_role(Role.COMMISSIONER):
        raise PermissionDenied("Only a commissioner can do this.")
    if not sees_commissioning_material(actor):
        raise PermissionDenied("Members of the HMPS bid team cannot work on commissioning plans.")


def _event(cycle: CommissioningCycle, actor: User, action: str, description: str, *, from_stage: str = "", to_stage: str = "",
           reason: str = "") -> CycleEvent:
    return events.write(CycleEvent, cycle=cycle, actor=actor, kind=action, description=description,
                        from_stage=from_stage, to_stage=to_stage, reason=reason)


def _reload(cycle: CommissioningCycle, *, expected_version: int | None = None) -> CommissioningCycle:
    """The cycle as the database has it now, locked until the transaction ends, with what its guards read."""
    current: CommissioningCycle = transitions.lock(
        CommissioningCycle.objects.prefetch_related(
            "partners", "needs_assessments", "priorities", "specifications__outcomes", "specifications__competition",
        ).select_related("equality_impact_assessment", "closing_evaluation_record"),
        cycle.pk, expected_version=expected_version, record=f"Cycle “{cycle.name}”",
    )
    return current


@transaction.atomic
def cycle_create(*, actor: User, name: str, cycle_type: str, level: str, period_start: date, period_end: date,
                 available_resources: Decimal, area: str = "", previous_cycle: CommissioningCycle | None = None) -> CommissioningCycle:
    require_commissioner(actor)
    dates.check_plausible("period_start", period_start)
    dates.check_plausible("period_end", period_end)
    problem = period_problem(period_start, period_end)
    if problem:
        raise ValidationError({"period_end": problem})
    if previous_cycle is not None:
        if getattr(previous_cycle, "closing_evaluation_record", None) is None:
            raise ValidationError({"previous_cycle": "The previous cycle has no closing evaluation to carry in yet."})
        if CommissioningCycle.objects.filter(previous_cycle=previous_cycle).exists():
            raise ValidationError({"previous_cycle": "The previous cycle already has its next cycle."})
    cycle: CommissioningCycle = CommissioningCycle(
        name=name, cycle_type=cycle_type, level=level, area=area, period_start=period_start, period_end=period_end,
        available_resources=available_resources, owner=actor, previous_cycle=previous_cycle,
        carried_evaluation=previous_cycle.closing_evaluation_record.as_dict() if previous_cycle else {},
    )
    cycle.full_clean(exclude=["stage"])
    cycle.save()
    _event(cycle, actor, EventKind.CREATED, "Cycle created")
    return cycle


def _transition(name: str, *, cycle: CommissioningCycle, actor: User, expected_version: int | None = None,
                after_save: Callable[[CommissioningCycle], CommissioningCycle] | None = None, reason: str = "",
                **arguments: Any) -> CommissioningCycle:
    require_commissioner(actor, cycle)
    with transaction.atomic():
        current = _reload(cycle)
        from_stage = transitions.take(current, name, seen_state=cycle.stage, expected_version=expected_version, record=f"Cycle “{cycle.name}”",
                                      unmet=CYCLE.unmet, state_field="stage", arguments=arguments)
        result = after_save(current) if after_save else None
        _event(current, actor, name, f"{CYCLE.label(name)}: {Stage(from_stage).label} to {Stage(current.stage).label}",
               from_stage=from_stage, to_stage=current.stage, reason=reason)
    return result or current


def cycle_move_on(*, cycle: CommissioningCycle, actor: User, transition: str, expected_version: int | None = None) -> CommissioningCycle:
    """Take the next forward step; `close` also opens the next cycle, the closing evaluation carried in."""
    if transition not in FORWARD:
        raise ValidationError({"transition": "No such step."})
    after = _open_next_cycle(actor) if transition == "close" else None
    return _transition(transition, cycle=cycle, actor=actor, expected_version=expected_version, after_save=after)


def next_period(period_start: date, period_end: date) -> tuple[date, date] | None:
    """The period of the cycle that follows, as long as this one, starting the day after; None past the calendar's end."""
    try:
        start = period_end + timedelta(days=1)
        return start, start + (period_end - period_start)
    except OverflowError:
        return None


def period_problem(period_start: date, period_end: date) -> str | None:
    """What is wrong with a cycle's period, if anything: closing a cycle opens the next, so that one must fit the calendar too."""
    if period_end <= period_start:
        return "The period must end after it starts."
    following = next_period(period_start, period_end)
    if following is None or following[1] > dates.LATEST:
        return f"The period ends too late: the cycle after it, as long as this one, would end after {dates.LATEST:%-d %B %Y}."
    return None


def _open_next_cycle(actor: User) -> Callable[[CommissioningCycle], CommissioningCycle]:
    def open_next(closed: CommissioningCycle) -> CommissioningCycle:
        # cycle_create refused periods without one
        period_start, period_end = cast(tuple[date, date], next_period(closed.period_start, closed.period_end))
        cycle_create(
            actor=actor, name=f"{closed.name} (next cycle)", cycle_type=closed.cycle_type, level=closed.level,
            area=closed.area, period_start=period_start, period_end=period_end,
            available_resources=closed.available_resources, previous_cycle=closed,
        )
        return closed  # the closed cycle is the result; its next_cycle is the new one
    return open_next


@transaction.atomic
def cycle_step_back(*, cycle: CommissioningCycle, actor: User, to_stage: str, reason: str,
                    expected_version: int | None = None) -> CommissioningCycle:
    """Stages run in parallel and iterate (seed): go back to an earlier stage, saying why."""
    if not (reason or "").strip():
        raise ValidationError({"reason": "Say why the cycle is going back a stage."})
    if to_stage not in STAGE_ORDER or STAGE_ORDER.index(to_stage) >= STAGE_ORDER.index(cycle.stage):
        raise ValidationError({"to_stage": f"Choose a stage before “{cycle.stage_label}”."})
    return _transition("step_back", cycle=cycle, actor=actor, expected_version=expected_version, reason=reason.strip(), to_stage=to_stage)


# --- records ----------------------------------------------------------------------------------

def _save(instance: R, cycle: CommissioningCycle, actor: User, description: str) -> R:
    instance.full_clean()
    instance.save()
    _event(cycle, actor, EventKind.RECORD, description)
    return instance


@transaction.atomic
def partner_add(*, cycle: CommissioningCycle, actor: User, organisation: Organisation, arrangement: str, contribution: Decimal,
                responsibilities: str = "") -> Partner:
    require_commissioner(actor, cycle)
    if Partner.objects.filter(cycle=cycle, organisation=organisation).exists():
        raise ValidationError({"organisation": f"{organisation} is already a partner in this cycle."})
    return _save(Partner(cycle=cycle, organisation=organisation, arrangement=arrangement, contribution=contribution,
                         responsibilities=responsibilities), cycle, actor, f"Partner added: {organisation}")


@transaction.atomic
def needs_assessment_record(*, cycle: CommissioningCycle, actor: User, **fields: Any) -> NeedsAssessment:
    require_commissioner(actor, cycle)
    return _save(NeedsAssessment(cycle=cycle, recorded_by=actor, **fields), cycle, actor, "Needs assessment recorded")


@transaction.atomic
def priority_add(*, cycle: CommissioningCycle, actor: User, title: str, service_area: ServiceArea, cost: Decimal,
                 outcome_value: Decimal, weight: Decimal = Decimal(1), evidence: str = "", rank: int | None = None) -> Priority:
    require_commissioner(actor, cycle)
    if rank is None:
        rank = (Priority.objects.filter(cycle=cycle).aggregate(last=Max("rank"))["last"] or 0) + 1
    if Priority.objects.filter(cycle=cycle, rank=rank).exists():
        raise ValidationError({"rank": f"Another priority is already ranked {rank}."})
    return _save(Priority(cycle=cycle, rank=rank, title=title, service_area=service_area, cost=cost, outcome_value=outcome_value,
                          weight=weight, evidence=evidence), cycle, actor, f"Priority {rank} added: {title}")


@transaction.atomic
def priorities_rerank(*, cycle: CommissioningCycle, actor: User, order: list[int]) -> list[Priority]:
    """Set the ranking: `order` lists the cycle's priority ids, first = rank 1."""
    require_commissioner(actor, cycle)
    priorities = {p.pk: p for p in cycle.priorities.all()}
    if sorted(order) != sorted(priorities):
        raise ValidationError({"order": "Rank every priority of the cycle exactly once."})
    offset = len(order) + 1000
    for pk in order:  # two passes keep the unique ranks valid throughout
        Priority.objects.filter(pk=pk).update(rank=priorities[pk].rank + offset)
    for position, pk in enumerate(order, start=1):
        Priority.objects.filter(pk=pk).update(rank=position)
    _event(cycle, actor, EventKind.RECORD, "Priorities re-ranked")
    return list(Priority.objects.filter(cycle=cycle).order_by("rank"))


def allocation_suggest(cycle: CommissioningCycle) -> tuple[frozenset[int], Decimal, Decimal]:
    """The optimal funded set for the cycle's budget (see cycle.allocation)."""
    items = [allocation.Item(key=p.pk, rank=p.rank, cost=p.cost, value=p.weighted_value) for p in cycle.priorities.all()]
    return allocation.suggest(items, guards.budget(cycle))


@transaction.atomic
def allocation_set(*, cycle: CommissioningCycle, actor: User, funded_ids: set[int] | None = None,
                   expected_version: int | None = None) -> list[Priority]:
    """Fund the given priorities (the commissioner's choice), or the suggested allocation when none are given."""
    require_commissioner(actor, cycle)
    cycle = _reload(cycle, expected_version=expected_version)  # locked: one allocation at a time
    if cycle.stage not in ALLOCATION_STAGES:
        raise ValidationError({"funded": f"Priorities are funded while prioritising; the cycle is at “{cycle.stage_label}”: step back to change them."})
    chosen = set(allocation_suggest(cycle)[0]) if funded_ids is None else set(funded_ids)
    priorities = list(cycle.priorities.all())
    unknown = chosen - {p.pk for p in priorities}
    if unknown:
        raise ValidationError({"funded": "Choose priorities of this cycle."})
    total = sum((p.cost for p in priorities if p.pk in chosen), Decimal(0))
    if total > guards.budget(cycle):
        raise ValidationError({"funded": f"The chosen priorities cost £{total:,.2f}, more than the £{guards.budget(cycle):,.2f} available."})
    for priority in priorities:
        priority.funded = priority.pk in chosen
    Priority.objects.bulk_update(priorities, ["funded"])
    CommissioningCycle.objects.filter(pk=cycle.pk).update(version=cycle.version + 1)
    _event(cycle, actor, EventKind.RECORD, "Suggested allocation accepted" if funded_ids is None else "Allocation chosen by the commissioner")
    return priorities


@transaction.atomic
def equality_impact_assessment_record(*, cycle: CommissioningCycle, actor: User, summary: str) -> EqualityImpactAssessment:
    require_commissioner(actor, cycle)
    assessment = EqualityImpactAssessment.objects.filter(cycle=cycle).first() or EqualityImpactAssessment(cycle=cycle)
    assessment.summary, assessment.completed_on, assessment.completed_by = summary, timezone.localdate(), actor
    return _save(assessment, cycle, actor, "Equality impact assessment completed")


@transaction.atomic
def specification_record(*, cycle: CommissioningCycle, actor: User, priority: Priority, title: str, summary: str, outputs: str,
                         outcomes: Iterable[Outcome]) -> ServiceSpecification:
    require_commissioner(actor, cycle)
    if priority.cycle_id != cycle.pk:
        raise ValidationError({"priority": "Choose a priority of this cycle."})
    if not outcomes:
        raise ValidationError({"outcomes": "Link the specification to at least one outcome."})
    specification = _save(ServiceSpecification(cycle=cycle, priority=priority, title=title, summary=summary, outputs=outputs),
                          cycle, actor, f"Service specification recorded: {title}")
    specification.outcomes.set(outcomes)
    return specification


@transaction.atomic
def specification_set_route(*, specification: ServiceSpecification, actor: User, securing_route: str, competition: Competition | None = None,
                            agreement: "Agreement | None" = None, route_notes: str = "") -> ServiceSpecification:
    require_commissioner(actor, specification.cycle)
    if securing_route == "competition" and competition is None:
        raise ValidationError({"competition": "Name the competition that secures this service."})
    if securing_route == "contract_change" and agreement is None:
        raise ValidationError({"agreement": "Name the contract or SLA to be changed."})
    specification.securing_route = securing_route
    specification.competition = competition if securing_route == "competition" else None
    specification.agreement = agreement if securing_route == "contract_change" else None
    specification.route_notes = route_notes
    return _save(specification, specification.cycle, actor, f"Securing route chosen for {specification.title}: {specification.get_securing_route_display()}")


@transaction.atomic
def market_sounding_record(*, cycle: CommissioningCycle, actor: User, service_area: ServiceArea, kind: str, held_on: date,
                           providers: Iterable[Organisation], learned: str) -> MarketSounding:
    """Soundings are for open markets: during a live competition all contact goes through MoJ Procurement."""
    require_commissioner(actor, cycle)
    dates.check_not_in_future("held_on", held_on, "A sounding that has been held")
    live = live_competition_in(service_area)
    if live is not None:
        raise ValidationError({"service_area": f"{live.reference} is a live competition for {service_area}: contact with providers goes through MoJ Procurement until it is awarded."})
    sounding = _save(MarketSounding(cycle=cycle, service_area=service_area, kind=kind, held_on=held_on, learned=learned, recorded_by=actor),
                     cycle, actor, f"Market sounding recorded ({service_area})")
    sounding.providers.set(providers)
    return sounding


@transaction.atomic
def market_analysis_record(*, cycle: CommissioningCycle, actor: User, service_area: ServiceArea, **fields: Any) -> MarketAnalysis:
    """Record a service's market analysis, or replace the one it has."""
    require_commissioner(actor, cycle)
    analysis = MarketAnalysis.objects.filter(cycle=cycle, service_area=service_area).first() or MarketAnalysis(cycle=cycle, service_area=service_area)
    for name, value in fields.items():
        setattr(analysis, name, value)
    return _save(analysis, cycle, actor, f"Market analysis recorded ({service_area})")


@transaction.atomic
def stimulation_action_add(*, cycle: CommissioningCycle, actor: User, service_area: ServiceArea, action: str,
                           description: str = "") -> StimulationAction:
    require_commissioner(actor, cycle)
    return _save(StimulationAction(cycle=cycle, service_area=service_area, action=action, description=description),
                 cycle, actor, f"Market stimulation action: {action}")


@transaction.atomic
def closing_evaluation_record(*, cycle: CommissioningCycle, actor: User, **criteria: Any) -> ClosingEvaluation:
    require_commissioner(actor, cycle)
    evaluation = ClosingEvaluation.objects.filter(cycle=cycle).first() or ClosingEvaluation(cycle=cycle)
    for name, value in criteria.items():
        setattr(evaluation, name, value)
    evaluation.completed_on, evaluation.completed_by = timezone.localdate(), actor
    return _save(evaluation, cycle, actor, "Closing evaluation recorded")
