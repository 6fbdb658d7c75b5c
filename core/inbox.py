"""Each person's work, derived from the records' state (issue #19): decisions awaiting them and deadlines near them.

There is no to-do table: a task exists while the record that makes it is in the state that makes
it (a declaration awaiting assessment, a return awaiting validation, a tender deadline within the
horizon), and is gone once someone acts. The apps register their sources (each AppConfig.ready);
core knows none of them, as the layers require. A source reads through its app's selectors, so it
offers only what the person may see, and answers in a fixed number of queries however large the
portfolio (tests/core/test_inbox.py counts them).
"""

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone


@dataclass(frozen=True)
class Task:
    """One thing for one person to do: what, where to do it, and by when (a decision may have no date)."""

    title: str
    url: str
    area: str  # where it comes from, as the navigation names it: "Competitions", "Contracts and SLAs"…
    due: datetime.date | None = None
    decision: bool = True  # a decision awaiting the person; otherwise a deadline near them
    key: str = ""  # what makes it the same task from one look to the next (a notification is sent once per key)

    def overdue(self, today: datetime.date) -> bool:
        return self.due is not None and self.due < today

    def identity(self, today: datetime.date) -> str:
        """The task's key (by default its link, title and date), and whether it has passed: notified once each."""
        base = self.key or f"{self.url}|{self.title}|{self.due or ''}"
        return f"{base}|overdue" if self.overdue(today) else base


@dataclass
class Inbox:
    today: datetime.date
    horizon: datetime.date
    decisions: list[Task] = field(default_factory=list)
    deadlines: list[Task] = field(default_factory=list)

    @property
    def days(self) -> int:
        return (self.horizon - self.today).days

    @property
    def count(self) -> int:
        return len(self.decisions) + len(self.deadlines)


# (user, today, horizon) -> the user's tasks from one app
Source = Callable[[Any, datetime.date, datetime.date], Iterable[Task]]
_sources: list[Source] = []


def register(source: Source) -> None:
    if source not in _sources:
        _sources.append(source)


def horizon_days() -> int:
    days: int = getattr(settings, "INBOX_HORIZON_DAYS", 30)
    return days


def _order(task: Task) -> tuple[datetime.date, str]:
    return (task.due or datetime.date.max, task.title)


def inbox_for(user: Any, *, today: datetime.date | None = None) -> Inbox:
    """Everything waiting for the user now: decisions (oldest due first, undated last) and deadlines within the horizon."""
    today = today or timezone.localdate()
    inbox = Inbox(today=today, horizon=today + datetime.timedelta(days=horizon_days()))
    if not getattr(user, "is_authenticated", False):
        return inbox
    for source in _sources:
        for task in source(user, today, inbox.horizon):
            (inbox.decisions if task.decision else inbox.deadlines).append(task)
    inbox.decisions.sort(key=_order)
    inbox.deadlines.sort(key=_order)
    return inbox


def for_request(request: Any) -> Inbox:
    """The signed-in person's inbox, built once per request (the home page lists it), its count kept for the navigation."""
    built: Inbox | None = getattr(request, "_inbox", None)
    if built is None:
        built = inbox_for(request.user)
        request._inbox = built
        _keep_count(request.user, built)
    return built


def _count_key(user: Any) -> str:
    return f"inbox-count:{user.pk}:{timezone.localdate().isoformat()}"


def _keep_count(user: Any, built: Inbox) -> None:
    seconds: int = getattr(settings, "INBOX_COUNT_SECONDS", 0)
    if seconds:
        cache.set(_count_key(user), built.count, seconds)


def count_for_request(request: Any) -> int:
    """How much waits for the signed-in person, as the navigation shows it on every page: the inbox's count, kept for
    INBOX_COUNT_SECONDS (building the inbox reads every source; the home page builds it afresh, and keeps its count)."""
    built: Inbox | None = getattr(request, "_inbox", None)
    if built is not None:
        return built.count
    if getattr(settings, "INBOX_COUNT_SECONDS", 0):
        kept = cache.get(_count_key(request.user))
        if kept is not None:
            return int(kept)
    return for_request(request).count
