"""Numbers handed out once each, however many requests ask at the same moment (competition references)."""

from django.db import IntegrityError, transaction

from core.models import Sequence


def next_value(name: str) -> int:
    """The next number of the named sequence (1 first). The counter's row is locked until the caller's transaction ends,
    so concurrent callers queue for it rather than both reading the same last value."""
    with transaction.atomic():
        try:
            with transaction.atomic():  # a savepoint: another request may create the counter at the same moment
                Sequence.objects.get_or_create(name=name)
        except IntegrityError:
            pass
        counter = Sequence.objects.select_for_update().get(name=name)
        counter.last += 1
        counter.save(update_fields=["last"])
        return counter.last
