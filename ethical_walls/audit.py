"""Writing the append-only audit log (SPEC §4 rule 6). Reads are in ethical_walls.selectors."""

from contextvars import ContextVar, Token
from typing import Any, Literal, cast

from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.db.models import Model
from django.http import Http404

from core.models import User
from ethical_walls import registry
from ethical_walls.models import AuditEvent

Actor = User | AnonymousUser | None
Subject = type[Model] | Model | str

# Refusals written inside a transaction that may yet roll back: (id, what was written), kept for the
# end of the request (or task), when any the rollback took are written again (`keep_refusals`).
_pending_refusals: ContextVar[list[Any] | None] = ContextVar("pending_refusals", default=None)

Channel = AuditEvent.Channel
Action = AuditEvent.Action


def object_type_of(obj_or_type: Subject) -> str:
    if isinstance(obj_or_type, str):
        return obj_or_type
    meta = obj_or_type._meta
    return f"{meta.app_label}.{meta.model_name}"


def _competition_id(obj: Model | str | None) -> int | None:
    """The competition an event is filed under: by the record's registered path, else its own or its bid's competition."""
    if obj is None or isinstance(obj, str):
        return None
    if registry.competition_path(obj) is not None:
        return registry.competition_id_in_memory(obj)
    found: int | None = getattr(obj, "competition_id", None) or getattr(getattr(obj, "bid", None), "competition_id", None)
    return found


def record(*, action: str, channel: str, actor: Actor = None, obj: Model | None = None, object_type: Subject | None = None,
           object_id: object = "", competition_id: int | None = None, subject: User | None = None, detail: str = "",
           path: str = "") -> AuditEvent:
    about = object_type or obj
    return AuditEvent.objects.create(
        action=action, channel=channel, actor=cast(User, actor) if getattr(actor, "is_authenticated", False) else None,
        object_type=object_type_of(about) if about is not None else "",
        object_id=str(object_id or getattr(obj, "pk", "") or "")[:40],
        competition_id=competition_id if competition_id is not None else _competition_id(obj),
        subject=subject, detail=detail[:300], path=path[:300],
    )


def refused(*, actor: Actor, channel: str, object_type: Subject, object_id: object = "", competition_id: int | None = None,
            path: str = "", detail: str = "") -> AuditEvent:
    """A refused attempt: shown on the SRO's and oversight's breach view.

    A refusal is the one event that must outlive the transaction it happened in: the refused
    write rolls back, its refusal does not (see `keep_refusals`).
    """
    fields: dict[str, Any] = dict(
        action=Action.REFUSED, channel=channel, actor=actor, object_type=object_type, object_id=object_id,
        competition_id=competition_id, path=path, detail=detail or "No access: answered 404",
    )
    event = record(**fields)
    pending = _pending_refusals.get()
    if pending is not None and len(connection.atomic_blocks) > pending[0]:
        pending.append((event.pk, event.at, fields))  # inside a transaction begun since keep_refusals: it may yet roll back
    return event


class keep_refusals:
    """Around a request or a task: refusals logged inside a transaction that then rolled back are written again after it.

    (The audit row and the refused write share the transaction; whether the row with its id and
    time is still there tells whether it survived.)
    """

    _depth: int
    _token: Token[list[Any] | None]

    def __enter__(self) -> "keep_refusals":
        self._depth = len(connection.atomic_blocks)  # transactions already open (a test's own) are not the request's
        self._token = _pending_refusals.set([self._depth])
        return self

    def __exit__(self, *exc_info: object) -> Literal[False]:
        pending = (_pending_refusals.get() or [0])[1:]
        _pending_refusals.reset(self._token)
        if pending and len(connection.atomic_blocks) <= self._depth:
            kept = set(AuditEvent.objects.filter(pk__in=[pk for pk, _, _ in pending]).values_list("pk", "at"))
            for pk, at, fields in pending:
                if (pk, at) not in kept:  # (an id a rollback freed may have been given again: SQLite)
                    record(**fields)
        return False


class Refused(Http404):
    """A 404 whose refusal is in the audit log already (the middleware and the API log any other)."""


def refuse(*, actor: Actor, channel: str, object_type: Subject, object_id: object = "", competition_id: int | None = None,
           path: str = "", detail: str = "") -> Refused:
    """Log a refused attempt and give the 404 to raise: `raise audit.refuse(...)`."""
    refused(actor=actor, channel=channel, object_type=object_type, object_id=object_id, competition_id=competition_id, path=path, detail=detail)
    return Refused("Not found")


def viewed(*, actor: Actor, channel: str, obj: Model, path: str = "", detail: str = "") -> AuditEvent:
    return record(action=Action.VIEW, channel=channel, actor=actor, obj=obj, path=path, detail=detail)


# How each action reads in a sentence about the person who did it (the audit log's "what happened").
VERBS = {
    "grant": "was given access to", "revoke": "lost access to", "view": "viewed", "refused": "was refused",
    "declare": "declared interests on", "assess": "assessed a declared conflict:", "export": "exported",
    "request": "was asked to declare and join", "role": "had their roles changed:",
}


def kind_label(object_type: str) -> str:
    """An object type ("contracts.agreement") as people say it ("agreement")."""
    from django.apps import apps

    try:
        return str(apps.get_model(object_type)._meta.verbose_name)
    except (LookupError, ValueError):
        return object_type.rsplit(".", 1)[-1].replace("_", " ")


def sentence(event: AuditEvent, reference: str = "") -> str:
    """One audit event as a sentence a person reads: who did what, to what, where, how."""
    who = str(event.actor) if event.actor_id else "Someone not signed in"
    what = kind_label(event.object_type) if event.object_type else "the service"
    if event.object_id not in ("", None):
        what += f" {event.object_id}"
    where = f" of {reference}" if reference else ""
    about = f" (about {event.subject})" if event.subject_id else ""
    return f"{who} {VERBS.get(event.action, event.get_action_display().lower())} {what}{where}{about}, by {event.get_channel_display()}."
