"""The shape of every guard: a condition with its own message, and its result as a checklist line.

Each state machine's guards are lists of `Condition`s (competitions, cycles, agreements): pages
show them as checklists, services refuse a move naming the unmet ones, the API answers 409 with them.
"""

from dataclasses import dataclass
from typing import Callable


@dataclass(frozen=True)
class Condition:
    code: str
    label: str  # what must be true, as a checklist line
    check: Callable  # competition -> bool
    fix: str = ""  # the section of the competition page where it is put right
    applies: Callable = lambda competition: True  # noqa: E731


@dataclass(frozen=True)
class ConditionResult:
    code: str
    label: str
    met: bool
    fix: str
