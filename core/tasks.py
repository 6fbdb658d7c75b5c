"""Notifications (core/notifications.py): collected from everyone's inbox and delivered every few minutes; digests daily."""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from core import notifications


@shared_task(acks_late=True, autoretry_for=(OperationalError, InterfaceError), retry_backoff=True, max_retries=3)
def notify() -> dict[str, int]:
    written = notifications.collect()
    return {"written": written, "sent": notifications.deliver()}


@shared_task(acks_late=True, autoretry_for=(OperationalError, InterfaceError), retry_backoff=True, max_retries=3)
def notify_digests() -> dict[str, int]:
    notifications.collect()
    return {"digests": notifications.deliver_digests()}
