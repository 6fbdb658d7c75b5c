"""Each state machine declared once: its steps, who may take each, its label, its guards and its service.

A `Machine` is the one declaration a record's lifecycle is read from (STYLE.md, "Where a rule
lives"): the model's FSM graph (`fsm(name)` gives django-fsm its source, target and guard), the
services (`roles`, `label`, the service each step `service`-registers), the pages' buttons and
checklists (`possible`, `conditions`, `may`) and the API's actions (`services`). The guards stay
where they are written, as lists of `core.conditions.Condition` per step (each app's guards.py),
and the machine refuses a guard for a step it does not declare.

Competitions (competitions/machine.py), commissioning cycles (cycle/machine.py) and agreements
(contracts/machine.py) each declare one.
"""

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

from core.conditions import Condition, ConditionResult, checklist
from core.roles import Role, roles_text

F = TypeVar("F", bound=Callable[..., Any])

# How the pages offer a step: a button (confirm), a form (with a reason or a choice), a record form whose
# saving takes the step, closing a notice, overnight by a scheduled task, or a step back to an earlier stage.
How = Literal["button", "form", "record", "close", "automatic", "back"]


@dataclass(frozen=True)
class Step:
    name: str
    source: Any  # a state, a collection of states, or "*"
    target: Any  # a state, or django-fsm's RETURN_VALUE for a step whose caller names where it goes
    label: str
    roles: tuple[Role, ...] = ()  # who may take it; () for nobody in person (a scheduled task's step)
    how: How = "button"
    hint: str = ""  # for steps not taken by a button: how they happen
    regime_labels: Mapping[str, str] = field(default_factory=dict)  # the label in a regime's own words, where it has them

    def leaves(self, state: str) -> bool:
        return self.source == "*" or state == self.source or (not isinstance(self.source, str) and state in self.source)


class Machine:
    """A record's lifecycle (see the module's docstring)."""

    def __init__(self, record: str, steps: Sequence[Step], *, guards: Mapping[str, Sequence[Condition]],
                 state_field: str = "state") -> None:
        self.record = record
        self.state_field = state_field
        self._steps = {step.name: step for step in steps}
        unknown = set(guards) - set(self._steps)
        if unknown:
            raise ValueError(f"{record}: guards for steps the machine does not declare: {sorted(unknown)}")
        self._guards = guards
        self._services: dict[str, Callable[..., Any]] = {}

    # --- the declaration -------------------------------------------------------------------------
    @property
    def names(self) -> list[str]:
        """Every step, in lifecycle order."""
        return list(self._steps)

    def __contains__(self, name: object) -> bool:
        return name in self._steps

    def step(self, name: str) -> Step:
        return self._steps[name]

    def label(self, name: str, default: str = "", *, regime: str | None = None) -> str:
        """The step's label (in the regime's words, given one that has its own); `default` for a name that is not a step."""
        step = self._steps.get(name)
        if step is None:
            return default
        return step.regime_labels.get(regime, step.label) if regime else step.label

    def roles(self, name: str) -> tuple[Role, ...]:
        return self._steps[name].roles

    def roles_text(self, name: str) -> str:
        return roles_text(self.roles(name))

    def may(self, user: Any, name: str) -> bool:
        """Whether the user's roles allow the step (the service also checks the wall and the record)."""
        roles = self.roles(name)
        return bool(roles) and bool(user.has_role(*roles))

    def possible(self, state: str, *, how: Collection[How] | None = None) -> list[str]:
        """The steps leaving `state`, in lifecycle order (only those offered `how`, if given)."""
        return [s.name for s in self._steps.values() if s.leaves(state) and (how is None or s.how in how)]

    # --- the guards --------------------------------------------------------------------------------
    def guards(self, name: str) -> Sequence[Condition]:
        return self._guards.get(name, ())

    def conditions(self, record: object, name: str) -> list[ConditionResult]:
        return checklist(self.guards(name), record)

    def unmet(self, record: object, name: str) -> list[ConditionResult]:
        return [result for result in self.conditions(record, name) if not result.met]

    def passes(self, name: str) -> Callable[[object], bool]:
        def guard(record: object) -> bool:
            return not self.unmet(record, name)

        guard.__name__ = f"guard_{name}"
        return guard

    def fsm(self, name: str) -> dict[str, Any]:
        """django-fsm's `@transition` arguments for the step: where from, where to, and its guard."""
        step = self._steps[name]
        return {"source": step.source, "target": step.target, "conditions": [self.passes(name)] if name in self._guards else []}

    # --- the services --------------------------------------------------------------------------------
    def service(self, name: str) -> Callable[[F], F]:
        """Register the service function that takes step `name` (its side effects live there)."""
        if name not in self._steps:
            raise ValueError(f"{self.record}: no step {name!r} to take")

        def register(function: F) -> F:
            self._services[name] = function
            return function

        return register

    @property
    def services(self) -> dict[str, Callable[..., Any]]:
        """The steps a person takes by calling a service, in lifecycle order, each with its service."""
        return {name: self._services[name] for name in self._steps if name in self._services}
