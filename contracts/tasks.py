"""Celery tasks for agreements: thin, idempotent, calling the services."""

from celery import shared_task

from contracts import services


@shared_task
def expire_agreements() -> list[str]:
    """Expire running agreements whose end date has passed (scheduled daily by Celery beat)."""
    return [agreement.reference for agreement in services.agreements_expire_due()]
