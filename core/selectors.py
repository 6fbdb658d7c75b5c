"""Reads of people and organisations. Organisations are public records: no wall applies."""

from django.db.models import QuerySet

from core.models import Organisation


def organisation_list(*, sector: str | None = None) -> QuerySet[Organisation]:
    organisations = Organisation.objects.select_related("parent")
    if sector:
        organisations = organisations.filter(sector=sector)
    return organisations
