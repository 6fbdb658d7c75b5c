"""An agreement's contract management log (issue #21): review meetings, visits, issues raised with the provider and
provider-development actions, with what was found and the actions agreed (seed 002, lines 403–409, 417–419, 543).

Contract managers keep it; an action agreed has who acts and a due date, is a deadline in the
contract manager's inbox while open, and is closed with a note. Entries are shared with the
provider's contract leads (their own agreement's page) unless recorded as internal.
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from contracts.machine import RECORD_ROLES
from contracts.models import Agreement, LogEntry
from contracts.services import _event, require_role
from core import dates
from core.events import EventKind
from core.models import User


@transaction.atomic
def log_entry_record(*, agreement: Agreement, actor: User, kind: str, held_on: date, summary: str, findings: str = "", action: str = "",
                     action_by: str = "", due_on: date | None = None, shared_with_provider: bool = True) -> LogEntry:
    require_role(actor, *RECORD_ROLES["log-entry"], agreement=agreement)
    dates.check_plausible("held_on", held_on)
    if held_on > timezone.localdate():
        raise ValidationError({"held_on": "The date cannot be in the future: record it once it has happened."})
    if action.strip() and due_on is None:
        raise ValidationError({"due_on": "Enter when the action is due."})
    if action.strip() and not action_by.strip():
        raise ValidationError({"action_by": "Enter who acts."})
    entry = LogEntry(agreement=agreement, kind=kind, held_on=held_on, summary=summary.strip(), findings=findings.strip(),
                     action=action.strip(), action_by=action_by.strip() if action.strip() else "",
                     due_on=due_on if action.strip() else None, shared_with_provider=shared_with_provider, recorded_by=actor)
    entry.full_clean()
    entry.save()
    _event(agreement, actor, EventKind.RECORD, f"{entry.get_kind_display()} on {held_on:%-d %B %Y} logged"
           + (f"; action for {entry.action_by} due {entry.due_on:%-d %B %Y}" if entry.due_on else ""))
    return entry


@transaction.atomic
def log_action_close(*, entry: LogEntry, actor: User, closed_on: date, closing_note: str) -> LogEntry:
    require_role(actor, *RECORD_ROLES["close-log-action"], agreement=entry.agreement)
    entry = LogEntry.objects.select_for_update().get(pk=entry.pk)
    if not entry.open_action:
        raise ValidationError("This entry has no open action to close.")
    if closed_on > timezone.localdate():
        raise ValidationError({"closed_on": "The date it was closed cannot be in the future."})
    if not closing_note.strip():
        raise ValidationError({"closing_note": "Say what was done."})
    entry.closed_on, entry.closing_note = closed_on, closing_note.strip()
    entry.save(update_fields=["closed_on", "closing_note"])
    _event(entry.agreement, actor, EventKind.RECORD, f"Action of the {entry.get_kind_display().lower()} on {entry.held_on:%-d %B %Y} closed")
    return entry
