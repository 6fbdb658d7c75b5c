"""The shape of every guard: a condition with its own message, and its result as a checklist line.

Each state machine's guards are lists of `Condition`s (competitions, cycles, agreements): pages
show them as checklists, services refuse a move naming the unmet ones, the API answers 409 with them.
"""

from dataclasses import dataclass
from collections.abc import Iterable
from typing import Any, Callable


@dataclass(frozen=True)
class Condition:
    code: str
    label: str  # what must be true, as a checklist line
    check: Callable[[Any], bool]  # the record (a competition, cycle or agreement) -> met?
    fix: str = ""  # the section of the record's page where it is put right
    applies: Callable[[Any], bool] = lambda record: True  # noqa: E731


@dataclass(frozen=True)
class ConditionResult:
    code: str
    label: str
    met: bool
    fix: str


def checklist(conditions: Iterable[Condition], record: object) -> list[ConditionResult]:
    """Each condition that applies to the record, met or not: the checklist pages show and refusals name."""
    return [ConditionResult(c.code, c.label, bool(c.check(record)), c.fix) for c in conditions if c.applies(record)]
