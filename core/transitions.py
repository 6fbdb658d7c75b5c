"""The step each state machine (competitions, cycles, agreements) takes the same way.

Each app's services reload the record inside their transaction, check who may act, and
record the event and any dependent records; `take` is what lies between: the state and
version the caller saw are still the database's, the transition is possible from here,
its guards are met, and the record is saved with its version bumped.
"""

from collections.abc import Callable

from django_fsm import ConcurrentTransition, can_proceed

from core.errors import StaleObject, TransitionRefused


def take(current, name: str, *, seen_state: str, expected_version, record: str, unmet: Callable, state_field: str = "state",
         arguments: dict | None = None, before_save: Callable | None = None) -> str:
    """Take transition `name` on `current`; returns the state it left.

    `seen_state` is the state the caller read and `expected_version` the version it says it
    read (None: any); either differing, or another request saving first, is StaleObject
    naming `record`. `unmet(current, name)` gives the guard conditions not met, each
    named in the TransitionRefused. `before_save(current)` may set fields after the move.
    """
    if seen_state != getattr(current, state_field) or (expected_version is not None and int(expected_version) != current.version):
        raise StaleObject(record)
    method = getattr(current, name)
    if not can_proceed(method, check_conditions=False):
        raise TransitionRefused(name, [f"Not possible from “{getattr(current, f'{state_field}_label')}”"])
    missing = unmet(current, name)
    if missing:
        raise TransitionRefused(name, [m.label for m in missing])
    left = getattr(current, state_field)
    method(**(arguments or {}))
    if before_save:
        before_save(current)
    current.version += 1
    try:
        current.save()
    except ConcurrentTransition as exc:
        raise StaleObject(record) from exc
    return left
