"""Celery tasks for agreements: thin, idempotent, calling the services."""

from celery import shared_task

from contracts import services


@shared_task
def expire_agreements() -> list[str]:
    """Expire running agreements whose end date has passed (scheduled daily by Celery beat)."""
    return [agreement.reference for agreement in services.agreements_expire_due()]


@shared_task
def publish_due_performance_notices() -> list[int]:
    """UK9 contract performance notices falling due (Procurement Act 2023: at least every 12 months)."""
    return [notice.pk for notice in services.performance_notices_publish_due()]
