"""Stored dates corrected where the rules of issue #16 count them differently.

A competition in standstill keeps the day its standstill started; its end is counted again
as the statutes count it (`standstill.standstill_ends_on`: s.51 of the 2023 Act, reg 32A of
the 2006 Regulations), and, where it moves, the version is bumped so nobody writes over it
with an older read. Competitions already awarded are history and are left as they are.
Run once by `competitions/migrations/0009`, with the migration's historical model.
"""

from django.db.models import F

from competitions.standstill import standstill_ends_on


def standstill_ends_recompute(Competition) -> list[int]:
    """The ids of the competitions in standstill whose end moved."""
    moved = []
    for competition in Competition.objects.filter(state="standstill", standstill_started_on__isnull=False).order_by("pk"):
        ends = standstill_ends_on(regime=competition.regime, starts_on=competition.standstill_started_on)
        if ends != competition.standstill_ends_on:
            Competition.objects.filter(pk=competition.pk).update(standstill_ends_on=ends, version=F("version") + 1)
            moved.append(competition.pk)
    return moved
