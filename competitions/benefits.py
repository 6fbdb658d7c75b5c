"""Benefits realisation (issue #21): each benefit's actuals over time and how far it has come from baseline to target.

A benefit linked to an agreement's measure takes its actuals from that measure's validated returns
(through `contracts.interface`); otherwise from the actuals its owner records. Progress is the share
of the way from baseline to target the latest actual has come (either direction: a target below the
baseline is a reduction), not capped, so overshooting shows as more than 100%.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from competitions.models import Benefit


@dataclass(frozen=True)
class Progress:
    benefit: Benefit
    actuals: list[tuple[date, Decimal]]  # oldest first
    source: str  # "measure" or "recorded"

    @property
    def latest(self) -> tuple[date, Decimal] | None:
        return self.actuals[-1] if self.actuals else None

    @property
    def share(self) -> Decimal | None:
        """How far the latest actual has come from baseline to target, in per cent (one decimal place)."""
        if self.latest is None:
            return None
        span = self.benefit.target - self.benefit.baseline
        return ((self.latest[1] - self.benefit.baseline) / span * 100).quantize(Decimal("0.1"))

    def as_reported(self) -> dict[str, Any]:
        latest = self.latest
        return {"description": self.benefit.description, "unit": self.benefit.unit, "owner": str(self.benefit.owner),
                "baseline": str(self.benefit.baseline), "target": str(self.benefit.target),
                "latest_actual": str(latest[1]) if latest else None, "measured_on": latest[0].isoformat() if latest else None,
                "share_of_target": str(self.share) if self.share is not None else None, "source": self.source}


def progress_of(benefits: list[Benefit]) -> list[Progress]:
    """Each benefit's progress: one query for the linked measures' returns however many benefits (recorded actuals prefetched)."""
    from contracts.interface import validated_series  # the measures' returns are contracts' records

    if not benefits:
        return []
    linked = Benefit.objects.filter(pk__in=[b.pk for b in benefits], measure__isnull=False).values("measure_id")
    series = validated_series(linked)
    found = []
    for benefit in benefits:
        if benefit.measure_id is not None:
            found.append(Progress(benefit, series.get(benefit.measure_id, []), "measure"))
        else:
            found.append(Progress(benefit, [(a.measured_on, a.value) for a in benefit.actuals.all()], "recorded"))
    return found
