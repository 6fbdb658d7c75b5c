"""Dates a person could mean: within the years the service keeps, not in the future where they record something held,
and in the order things happen. Services check them; forms and the API show the refusal by field."""

import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone

EARLIEST = datetime.date(2000, 1, 1)
LATEST = datetime.date(2099, 12, 31)


DateLike = datetime.date | datetime.datetime | None


def as_date(value: DateLike) -> datetime.date | None:
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


def check_plausible(field: str, value: DateLike) -> None:
    day = as_date(value)
    if day is not None and not EARLIEST <= day <= LATEST:
        raise ValidationError({field: f"Enter a date between {EARLIEST.year} and {LATEST.year}."})


def check_not_in_future(field: str, value: DateLike, what: str) -> None:
    """Something recorded as having happened (a review held, a mandate issued) cannot have happened after today."""
    check_plausible(field, value)
    day = as_date(value)
    if day is not None and day > timezone.localdate():
        raise ValidationError({field: f"{what} cannot be in the future: enter today's date or an earlier one."})


def check_order(later_field: str, later: DateLike, earlier: DateLike, rule: str) -> None:
    """`later` may not come before `earlier` (both optional): the refusal names the later field and the rule."""
    later_day, earlier_day = as_date(later), as_date(earlier)
    if later_day is not None and earlier_day is not None and later_day < earlier_day:
        raise ValidationError({later_field: rule})


def financial_year_start(day: datetime.date) -> datetime.date:
    """The 1 April that begins the UK government's financial year holding `day` (April to March)."""
    return datetime.date(day.year if day.month >= 4 else day.year - 1, 4, 1)


def financial_year_label(start: datetime.date) -> str:
    """A financial year as government writes it: "2026-27"."""
    return f"{start.year}-{(start.year + 1) % 100:02d}"
