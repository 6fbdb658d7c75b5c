"""Where the layer above adds to the contracts pages, without contracts importing it (pyproject's `layers` contract).

The nightly evaluation (evaluations/apps.py) registers how the contract managers' dashboard
gets last night's ratings and how an agreement's page lists its evaluations. With nothing
registered the dashboard shows no ratings and the page no evaluations.
"""

from collections.abc import Callable

_ratings: Callable | None = None
_agreement_evaluations: Callable | None = None


def register(*, ratings: Callable, agreement_evaluations: Callable) -> None:
    """`ratings(board, running, listed)` fills the dashboard's run, RAG counts, overdue and stewardship lists;
    `agreement_evaluations(user, agreement, limit=…)` gives an agreement's latest evaluations, newest first."""
    global _ratings, _agreement_evaluations
    _ratings, _agreement_evaluations = ratings, agreement_evaluations


def fill_ratings(board, running, listed) -> None:
    if _ratings is not None:
        _ratings(board, running, listed)


def agreement_evaluations(user, agreement, *, limit: int) -> list:
    return _agreement_evaluations(user, agreement, limit=limit) if _agreement_evaluations is not None else []
