"""How every versioned record (competition, cycle, agreement) is changed: locked, checked, saved field by field.

Two people holding the same version of a record can never both change it. Every write —
an edit, a move, a Notice of Change taking effect, a rectification notice closing — first
takes the row's lock inside its transaction (`lock`), so a second writer waits and then
reads what the first one saved; the version the caller read is compared with the locked
row's, never with an unlocked read; and the save writes only the columns this write
changed (`save_changed`), so it can never put back a value another write replaced.
(money-to-prisoners' credit managers lock the same way; STYLE.md, "Where a rule lives".)

`take` is the step each state machine shares: the transition is possible from here, its
guards are met, and the record is saved with its version bumped.
"""

from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django_fsm import ConcurrentTransition, can_proceed

from core.conditions import ConditionResult
from core.errors import StaleObject, TransitionRefused

M = TypeVar("M", bound=models.Model)


def lock(queryset: models.QuerySet[M], pk: object, *, expected_version: int | str | None = None, record: str) -> M:
    """The row, locked until the transaction ends (its own table's row only: optional joins stay unlocked).

    `expected_version` is the version the caller read (None: whatever it is now); another,
    or a row that has gone, is StaleObject naming `record`.
    """
    try:
        current = queryset.select_for_update(of=("self",)).get(pk=pk)
    except ObjectDoesNotExist:
        raise StaleObject(record) from None
    if expected_version is not None and int(expected_version) != getattr(current, "version"):
        raise StaleObject(record)
    return current


def field_values(instance: models.Model) -> dict[str, Any]:
    return {field.attname: getattr(instance, field.attname) for field in instance._meta.concrete_fields if not field.primary_key}


def save_changed(instance: models.Model, before: dict[str, Any], *, also: Iterable[str] = ()) -> list[str]:
    """Save the columns that differ from `before` (and `also`): never a column this write did not change."""
    changed = [name for name, value in field_values(instance).items() if before.get(name) != value]
    fields = sorted({*changed, *also})
    if fields:
        instance.save(update_fields=fields)
    return fields


def take(current: Any, name: str, *, seen_state: str, expected_version: int | str | None, record: str,
         unmet: Callable[[Any, str], Sequence[ConditionResult]], state_field: str = "state",
         arguments: dict[str, Any] | None = None, before_save: Callable[[Any], None] | None = None) -> str:
    """Take transition `name` on `current`, a row `lock` returned; returns the state it left.

    `seen_state` is the state the caller read and `expected_version` the version it says it
    read (None: any); either differing from the locked row is StaleObject naming `record`.
    `unmet(current, name)` gives the guard conditions not met, each named in the
    TransitionRefused. `before_save(current)` may set fields after the move.
    """
    if seen_state != getattr(current, state_field) or (expected_version is not None and int(expected_version) != current.version):
        raise StaleObject(record)
    method = getattr(current, name)
    if not can_proceed(method, check_conditions=False):
        raise TransitionRefused(name, [f"Not possible from “{getattr(current, f'{state_field}_label')}”"])
    missing = unmet(current, name)
    if missing:
        raise TransitionRefused(name, [m.label for m in missing])
    before = field_values(current)
    left: str = getattr(current, state_field)
    method(**(arguments or {}))
    if before_save:
        before_save(current)
    current.version += 1
    try:
        save_changed(current, before)
    except ConcurrentTransition as moved:  # only if a caller skipped `lock`: the state changed under it
        raise StaleObject(record) from moved
    return left
