"""Telling people of new work (issue #19): a transactional outbox filled from their inboxes, delivered by Celery.

- **What is told** is what `core.inbox` lists: every task, decision or deadline, is told once (per
  person, per task key; a deadline again when it passes). `collect` writes the new ones to the
  outbox (`Notification`), in one transaction per person, the unique key refusing any duplicate;
  tasks are read through the wall, so a message is only ever built from what its recipient may see.
- **Delivery** (`deliver`) takes pending rows under a row lock that other workers skip, and checks
  again, just before sending, that the task is still in the recipient's inbox: a task done, or a
  competition the person has since left or been excluded from, is withheld, not sent. It sends
  through GOV.UK Notify when `NOTIFY_API_KEY` is set (notifications-python-client), otherwise
  through Django's e-mail backend; a failure is retried on the next run, up to `MAX_ATTEMPTS`.
- **Preferences**: each task as it comes (the default), one e-mail each morning (`deliver_digests`),
  or none (the home page only).

Celery beat runs `core.tasks.notify` every `NOTIFY_EVERY_MINUTES` and `core.tasks.notify_digests`
daily at `NOTIFY_DIGEST_TIME` (README, "Notifications").
"""

import datetime
import logging
from collections.abc import Iterable
from typing import Any, cast

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from core.inbox import Task, inbox_for
from core.models import Notification, NotificationPreference, User

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
BATCH = 200


def _current(user: User, today: datetime.date) -> dict[str, Task]:
    inbox = inbox_for(user, today=today)
    return {task.identity(today): task for task in [*inbox.decisions, *inbox.deadlines]}


def _recipients() -> Iterable[User]:
    return User.objects.filter(is_active=True).exclude(email="").order_by("pk").iterator(chunk_size=200)


def collect(*, today: datetime.date | None = None, users: Iterable[User] | None = None) -> int:
    """Write each person's new tasks to the outbox; returns how many rows were written."""
    today = today or timezone.localdate()
    written = 0
    for user in users if users is not None else _recipients():
        tasks = _current(user, today)
        if not tasks:
            continue
        with transaction.atomic():
            known = set(Notification.objects.filter(recipient=user, key__in=list(tasks)).values_list("key", flat=True))
            rows = [Notification(recipient=user, key=key, subject=task.title[:300], url=task.url[:400], due=task.due)
                    for key, task in tasks.items() if key not in known]
            Notification.objects.bulk_create(rows, ignore_conflicts=True)  # a concurrent collect wrote it first: one row still
        written += len(rows)
    return written


def delivery_of(user: User) -> str:
    preference = NotificationPreference.objects.filter(user=user).values_list("delivery", flat=True).first()
    return preference or NotificationPreference.Delivery.IMMEDIATE


def _link(url: str) -> str:
    return f"{settings.SITE_URL}{url}"


def send_email(*, to: str, subject: str, body: str, reference: str) -> None:
    """One e-mail, through GOV.UK Notify when configured (its template shows `subject` and `body`), else Django's backend."""
    api_key = getattr(settings, "NOTIFY_API_KEY", "")
    if api_key:
        from notifications_python_client.notifications import NotificationsAPIClient

        client = cast(Any, NotificationsAPIClient)(api_key, base_url=settings.NOTIFY_BASE_URL, timeout=10)  # the library is untyped
        client.send_email_notification(email_address=to, template_id=settings.NOTIFY_TEMPLATE_ID,
                                       personalisation={"subject": subject, "body": body}, reference=reference)
    else:
        send_mail(subject=subject, message=body, from_email=None, recipient_list=[to])


def _mark(rows: list[Notification], status: str, *, error: str = "") -> None:
    now = timezone.now()
    for row in rows:
        row.status = status
        if status == Notification.Status.SENT:
            row.sent_at = now
        if error:
            row.attempts += 1
            row.last_error = error[:2000]
            row.status = Notification.Status.FAILED if row.attempts >= MAX_ATTEMPTS else Notification.Status.PENDING
    Notification.objects.bulk_update(rows, ["status", "sent_at", "attempts", "last_error"])


def _still_theirs(rows: list[Notification], today: datetime.date) -> tuple[list[Notification], list[Notification]]:
    """The rows whose task is still in the recipient's inbox now (the wall applied again), and those that are not."""
    current = set(_current(rows[0].recipient, today))
    return [r for r in rows if r.key in current], [r for r in rows if r.key not in current]


def _by_recipient(rows: Iterable[Notification]) -> dict[int, list[Notification]]:
    grouped: dict[int, list[Notification]] = {}
    for row in rows:
        grouped.setdefault(row.recipient_id, []).append(row)
    return grouped


def deliver(*, today: datetime.date | None = None) -> int:
    """Send the pending notifications of people who want each as it comes; returns how many were sent."""
    today = today or timezone.localdate()
    sent = 0
    with transaction.atomic():
        pending = list(Notification.objects.select_for_update(skip_locked=True, of=("self",)).select_related("recipient")
                       .filter(status=Notification.Status.PENDING).order_by("pk")[:BATCH])
        for rows in _by_recipient(pending).values():
            delivery = delivery_of(rows[0].recipient)
            if delivery == NotificationPreference.Delivery.NONE:
                _mark(rows, Notification.Status.OFF)
                continue
            if delivery == NotificationPreference.Delivery.DAILY:
                continue  # the morning digest takes them
            keep, gone = _still_theirs(rows, today)
            _mark(gone, Notification.Status.WITHHELD)
            for row in keep:
                sent += _send_one(row)
    return sent


def _send_one(row: Notification) -> int:
    body = f"{row.subject}.\n\n{'Due ' + row.due.strftime('%d %B %Y') + '. ' if row.due else ''}Open it in NOMS Commissioning: {_link(row.url)}\n"
    try:
        send_email(to=row.recipient.email, subject=f"NOMS Commissioning: {row.subject}"[:200], body=body, reference=f"noms-{row.pk}")
    except Exception as failure:  # a network error, Notify refusing: retried next run, the reason kept
        logger.warning("Notification %s not sent: %s", row.pk, failure)
        _mark([row], row.status, error=f"{type(failure).__name__}: {failure}")
        return 0
    _mark([row], Notification.Status.SENT)
    return 1


def deliver_digests(*, today: datetime.date | None = None) -> int:
    """One e-mail per person who asked for a daily digest, listing their new tasks still theirs; returns how many e-mails."""
    today = today or timezone.localdate()
    sent = 0
    daily = NotificationPreference.objects.filter(delivery=NotificationPreference.Delivery.DAILY).values("user_id")
    with transaction.atomic():
        pending = list(Notification.objects.select_for_update(skip_locked=True, of=("self",)).select_related("recipient")
                       .filter(status=Notification.Status.PENDING, recipient__in=daily).order_by("pk"))
        for rows in _by_recipient(pending).values():
            keep, gone = _still_theirs(rows, today)
            _mark(gone, Notification.Status.WITHHELD)
            if not keep:
                continue
            lines = "\n".join(f"- {row.subject}{' (due ' + row.due.strftime('%d %B %Y') + ')' if row.due else ''}: {_link(row.url)}" for row in keep)
            try:
                send_email(to=keep[0].recipient.email, subject=f"NOMS Commissioning: {len(keep)} new task{'s' if len(keep) != 1 else ''}",
                           body=f"New since yesterday:\n\n{lines}\n", reference=f"noms-digest-{keep[0].recipient_id}-{today.isoformat()}")
            except Exception as failure:
                logger.warning("Digest for user %s not sent: %s", keep[0].recipient_id, failure)
                _mark(keep, Notification.Status.PENDING, error=f"{type(failure).__name__}: {failure}")
                continue
            _mark(keep, Notification.Status.SENT)
            sent += 1
    return sent


def preference_set(*, user: User, delivery: str) -> NotificationPreference:
    preference, _ = NotificationPreference.objects.update_or_create(user=user, defaults={"delivery": NotificationPreference.Delivery(delivery)})
    return preference


def recent_for(user: Any, *, limit: int = 20) -> list[Notification]:
    return list(Notification.objects.filter(recipient=user)[:limit])
