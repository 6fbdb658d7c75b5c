"""What agreements contribute to each outcome of the outcomes tree (issue #21; seed 002, lines 244–252).

For each outcome: the measures linked to it on the agreements the person may see that have gone
live, each with its latest rating (its latest validated return against target and tolerance), its
trend (the latest return against the one before, better or worse in the measure's direction), and
the money paid on it (outcome payments of paid claims, less their deductions). A fixed number of
queries however many outcomes, measures and returns (the last two returns of each measure, by a window).
"""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import F, Sum, Window
from django.db.models.functions import RowNumber

from contracts import performance
from contracts.models import Claim, ClaimLine, Direction, Measure, Return
from contracts.selectors import visible_agreements
from contracts.states import ENDED, RUNNING

IMPROVING, WORSENING, STEADY = "improving", "worsening", "steady"
TREND_LABELS = {IMPROVING: "Improving", WORSENING: "Worsening", STEADY: "Steady"}


@dataclass(frozen=True)
class Contribution:
    agreement_id: int
    agreement: str  # reference and title
    provider: str
    measure: str
    rating: str | None  # green, amber, red; None before the first validated return
    trend: str | None
    paid: Decimal

    @property
    def rating_label(self) -> str:
        return performance.RAG_LABELS[self.rating] if self.rating else "No returns yet"

    @property
    def trend_label(self) -> str:
        return TREND_LABELS[self.trend] if self.trend else ""


def _trend(measure: Measure, latest: Decimal, before: Decimal) -> str:
    if latest == before:
        return STEADY
    better = latest > before if measure.direction == Direction.HIGHER_IS_BETTER else latest < before
    return IMPROVING if better else WORSENING


def outcome_contributions(user: Any) -> dict[int, list[Contribution]]:
    """By outcome id: the contributions of the agreements the user may see, live or ended, best-known first by agreement."""
    measures = list(Measure.objects.filter(agreement__in=visible_agreements(user).filter(state__in=[*RUNNING, *ENDED]),
                                           outcome__isnull=False)
                    .select_related("agreement__provider").order_by("agreement__reference", "pk"))
    ids = [m.pk for m in measures]
    recent: dict[int, list[Decimal]] = defaultdict(list)  # newest first
    latest_returns = (Return.objects.filter(measure_id__in=ids, status=Return.Status.VALIDATED)
                      .annotate(n=Window(RowNumber(), partition_by=F("measure_id"), order_by=F("period_start").desc()))
                      .filter(n__lte=2).order_by("measure_id", "n").values_list("measure_id", "value"))
    for measure_id, value in latest_returns:
        recent[measure_id].append(value)
    paid = dict(ClaimLine.objects.filter(measure_id__in=ids, claim__status=Claim.Status.PAID)
                .values("measure_id").annotate(total=Sum("amount")).values_list("measure_id", "total"))
    found: dict[int, list[Contribution]] = defaultdict(list)
    for measure in measures:
        values = recent.get(measure.pk, [])
        found[int(measure.outcome_id or 0)].append(Contribution(
            agreement_id=measure.agreement_id, agreement=f"{measure.agreement.reference} {measure.agreement.title}",
            provider=measure.agreement.provider.name, measure=measure.name,
            rating=performance.rag(measure, values[0]) if values else None,
            trend=_trend(measure, values[0], values[1]) if len(values) > 1 else None,
            paid=paid.get(measure.pk) or Decimal(0),
        ))
    return dict(found)
