"""Where the layer above adds to the contracts pages, without contracts importing it (pyproject's `layers` contract).

The nightly evaluation (evaluations/apps.py) registers how the contract managers' dashboard
gets last night's ratings and how an agreement's page lists its evaluations. With nothing
registered the dashboard shows no ratings and the page no evaluations.
"""

from collections.abc import Callable
from typing import Any

Ratings = Callable[[Any, Any, Callable[..., None]], None]  # (board, running agreements, listed)
AgreementEvaluations = Callable[..., list[Any]]  # (user, agreement, limit=…)

_ratings: Ratings | None = None
_agreement_evaluations: AgreementEvaluations | None = None
_provider_evaluations: AgreementEvaluations | None = None


def register(*, ratings: Ratings, agreement_evaluations: AgreementEvaluations, provider_evaluations: AgreementEvaluations) -> None:
    """`ratings(board, running, listed)` fills the dashboard's run, RAG counts, overdue and stewardship lists;
    `agreement_evaluations(user, agreement, limit=…)` gives an agreement's latest evaluations, newest first;
    `provider_evaluations(user, agreement, limit=…)` the same for the provider's own people (with their PDF)."""
    global _ratings, _agreement_evaluations, _provider_evaluations
    _ratings, _agreement_evaluations, _provider_evaluations = ratings, agreement_evaluations, provider_evaluations


def fill_ratings(board: Any, running: Any, listed: Callable[..., None]) -> None:
    if _ratings is not None:
        _ratings(board, running, listed)


def agreement_evaluations(user: Any, agreement: Any, *, limit: int) -> list[Any]:
    return _agreement_evaluations(user, agreement, limit=limit) if _agreement_evaluations is not None else []


def provider_evaluations(user: Any, agreement: Any, *, limit: int) -> list[Any]:
    return _provider_evaluations(user, agreement, limit=limit) if _provider_evaluations is not None else []
