"""Returns moved to the periods as now counted (issue #16): each period stepped from the agreement's start.

Before, each period was stepped from the previous one, so from a start late in the month
the periods drifted (31 January, 29 February, 29 March, 29 April…) where they now run
31 January, 29 February, 31 March, 30 April. A return keeps its place in the sequence —
the n-th period's return stays the n-th period's — and takes the corrected start date.
Only agreements starting after the 28th can have drifted. Run once by
`contracts/migrations/0008`, with the migration's historical models.
"""

from dateutil.relativedelta import relativedelta

MONTHS_PER_PERIOD = {"monthly": 1, "quarterly": 3, "annual": 12}


def drifted_starts(start, months: int, until) -> list:
    """The period starts as they used to be counted, each from the previous one, up to `until`."""
    starts, current = [], start
    while current <= until:
        starts.append(current)
        current += relativedelta(months=months)
    return starts


def realign_returns(Measure, Return) -> int:
    """Move each drifted return to the start of its period as now counted; how many moved."""
    moved = 0
    for measure in Measure.objects.filter(agreement__start_date__day__gt=28).select_related("agreement").order_by("pk"):
        start, months = measure.agreement.start_date, MONTHS_PER_PERIOD[measure.frequency]
        returns = list(Return.objects.filter(measure=measure).order_by("-period_start"))
        if not returns:
            continue
        place = {day: n for n, day in enumerate(drifted_starts(start, months, returns[0].period_start))}
        for item in returns:  # latest first: each moves a few days later, never onto a return not yet moved
            n = place.get(item.period_start)
            corrected = None if n is None else start + relativedelta(months=n * months)
            if corrected is not None and corrected != item.period_start:
                Return.objects.filter(pk=item.pk).update(period_start=corrected)
                moved += 1
    return moved
