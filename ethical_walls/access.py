"""A person's roles and account flags, and the audit of every change to them (SPEC §4 rules 6 and 7).

Roles decide what the wall lets a person see (oversight reads the whole portfolio; the bid
team's role bars commissioning sides), so a change of role is a change of access: it is
written to the wall's audit log with who made it, whichever way it was made — the admin,
the demo, a script — and nobody may change their own.
"""

from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db import transaction

from core.models import User
from core.roles import Role
from ethical_walls import audit

FLAGS = ("is_active", "is_staff", "is_superuser")


def access_of(user: User) -> dict[str, Any]:
    """What decides a person's access: their roles and account flags, read from the database."""
    return {
        "roles": sorted(user.groups.values_list("name", flat=True)) if user.pk else [],
        **{flag: getattr(user, flag) for flag in FLAGS},
    }


def access_changed(*, user: User, before: dict[str, Any], actor: User | None, channel: str = audit.Channel.ADMIN) -> None:
    """Log the difference between `before` and the person's access now (nothing when nothing changed)."""
    after = access_of(user)
    changes = []
    added, removed = sorted(set(after["roles"]) - set(before["roles"])), sorted(set(before["roles"]) - set(after["roles"]))
    if added:
        changes.append("given " + ", ".join(added))
    if removed:
        changes.append("no longer " + ", ".join(removed))
    changes += [f"{flag.removeprefix('is_')} {'on' if after[flag] else 'off'}" for flag in FLAGS if before[flag] != after[flag]]
    if changes:
        user.__dict__.pop("_role_names", None)
        audit.record(action=audit.Action.ROLE, channel=channel, actor=actor, object_type="core.user", object_id=user.pk,
                     subject=user, detail=f"{user.username}: " + "; ".join(changes))


@transaction.atomic
def user_roles_set(*, user: User, roles: Iterable[str], actor: User | None = None, channel: str = audit.Channel.SERVICE) -> None:
    """Give a person exactly these roles (Django groups), logged."""
    if actor is not None and actor.pk == user.pk:
        raise PermissionDenied("Nobody may change their own roles.")
    before = access_of(user)
    user.groups.set(Group.objects.filter(name__in=[Role(role) for role in roles]))
    access_changed(user=user, before=before, actor=actor, channel=channel)
