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
    explain: Callable[[Any], str] | None = None  # the record -> exactly what is still missing, when not met


@dataclass(frozen=True)
class ConditionResult:
    code: str
    label: str
    met: bool
    fix: str
    detail: str = ""  # what exactly is still missing (an unmet condition that can say)


def checklist(conditions: Iterable[Condition], record: object) -> list[ConditionResult]:
    """Each condition that applies to the record, met or not: the checklist pages show and refusals name."""
    results = []
    for condition in conditions:
        if condition.applies(record):
            met = bool(condition.check(record))
            detail = condition.explain(record) if condition.explain is not None and not met else ""
            results.append(ConditionResult(condition.code, condition.label, met, condition.fix, detail))
    return results
