"""What every competition service shares: who may act, the timeline, the locked reload."""

from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet

from competitions.models import (
    Competition,
    CompetitionEvent,
)
from core import events, transitions
from core.models import User
from core.signals import published_facts_changed
from core.roles import Role, roles_text
from ethical_walls.selectors import sees_confidential


def require_role(actor: User, *roles: Role) -> None:
    if not actor.has_role(*roles):
        names = roles_text(roles)
        raise PermissionDenied(f"Only {names} can do this.")


def require_commissioning_side(actor: User, competition: Competition, *roles: Role) -> None:
    """The role, and a place on this competition's commissioning side (SPEC §4)."""
    require_role(actor, *roles)
    if not sees_confidential(actor, competition):
        raise PermissionDenied(f"Only people on the commissioning side of {competition.reference} can do this.")


def _event(competition: Competition, actor: User | None, action: str, description: str, *, from_state: str = "", to_state: str = "",
           reason: str = "") -> CompetitionEvent:
    event = events.write(CompetitionEvent, competition=competition, actor=actor, kind=action, description=description,
                         from_state=from_state, to_state=to_state, reason=reason)
    # Whatever it was, what the competition publishes may have changed with it (ocds stores the releases).
    published_facts_changed.send(sender=CompetitionEvent, competition_id=competition.pk)
    return event


def record_wall_event(sender: type[Model], *, competition: Competition, actor: User, action: str, description: str,
                      **_signal: object) -> None:
    """The wall's changes on the competition's timeline (sent by ethical_walls.signals.wall_recorded)."""
    _event(competition, actor, action, description)


def _reload(competition: Competition, *, expected_version: int | None = None) -> Competition:
    """The competition as the database has it now, locked until the transaction ends, with the relations guards read."""
    # Typed here: the model's untyped django-fsm base leaves `Competition.objects` unknown to django-stubs.
    queryset: QuerySet[Competition] = Competition.objects.prefetch_related(
        "business_cases", "treasury_approvals", "gateway_reviews", "criteria", "challenges",
        "bids__scores", "bids__moderated_scores", "bids__cost_adjustments", "bids__bidder", "conflict_declarations",
    ).select_related("procurement_strategy", "benefits_report", "wall", "conflicts_assessment", "tie_break")
    return transitions.lock(queryset, competition.pk, expected_version=expected_version, record=f"Competition {competition.reference}")
