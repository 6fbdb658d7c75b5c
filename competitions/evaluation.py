"""Evaluation arithmetic: adjusted prices, weighted scores and the ranking.

Pure functions over loaded records (no queries of their own beyond the
prefetched relations), used by the award recommendation, debrief letters and pages.

Bids are ranked on their exact totals, kept as fractions and never rounded: a
figure is rounded (to 0.01, half up) only to be shown. Equal totals — under
lowest tender, equal adjusted prices — are a tie: tied bids share a rank, and
only a recorded tie-break (by the method the tender documents published) puts
one of them first. The alphabet orders rows on a page, never a ranking.
"""

import math
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from django.core.exceptions import ObjectDoesNotExist

from competitions.models import SCORE_MAX, Bid, Competition, TieBreak
from competitions.states import AwardBasis


def shown(value: Fraction) -> Decimal:
    """A figure as pages, letters and the API show it: to 0.01, half up. Never used to rank."""
    return Decimal(math.floor(value * 100 + Fraction(1, 2))).scaleb(-2)


@dataclass
class BidResult:
    bid: Bid
    price: Decimal | None
    adjustments: Decimal
    adjusted_price: Decimal | None
    exact_quality: dict[int, Fraction] = field(default_factory=dict)  # criterion id -> weighted points, exactly
    exact_price_points: Fraction = Fraction(0)
    rank: int | None = None  # 1 + the number of bids strictly ahead: tied bids share it
    tied: bool = False
    tie_broken: bool = False  # placed first of a tie for first by the recorded tie-break

    @property
    def exact_total(self) -> Fraction:
        return sum(self.exact_quality.values(), Fraction(0)) + self.exact_price_points

    @property
    def total(self) -> Decimal:
        return shown(self.exact_total)

    @property
    def quality_scores(self) -> dict[int, Decimal]:
        return {criterion: shown(points) for criterion, points in self.exact_quality.items()}

    @property
    def price_points(self) -> Decimal:
        return shown(self.exact_price_points)

    @property
    def rank_label(self) -> str:
        """"1", or "=1" when tied."""
        return f"={self.rank}" if self.tied else str(self.rank)


def adjusted_price(bid: Bid) -> tuple[Decimal | None, Decimal]:
    """The bid price after the Principles of Competition's adjustments (public-sector bids only)."""
    adjustments = sum((a.amount for a in bid.cost_adjustments.all()), Decimal(0)) if bid.is_public_sector else Decimal(0)
    price = bid.price
    return (None if price is None else price + adjustments), adjustments


def recorded_tie_break(competition: Competition) -> TieBreak | None:
    """The competition's tie-break, or None (a loaded reverse one-to-one costs no query)."""
    try:
        return competition.tie_break
    except ObjectDoesNotExist:
        return None


def rank_bids(competition: Competition) -> list[BidResult]:
    """Rank the compliant bids, best first.

    MEAT: each quality criterion gives weight × moderated score / 10; the price
    criteria's weight is shared as lowest adjusted price / this bid's adjusted price.
    Lowest tender: ranked by adjusted price alone.
    """
    bids = [b for b in competition.bids.all() if not b.withdrawn and b.compliant]
    criteria = list(competition.criteria.all())
    price_weight = sum((Fraction(c.weight) for c in criteria if c.kind == "price"), Fraction(0))
    results = []
    for bid in bids:
        adjusted, adjustments = adjusted_price(bid)
        results.append(BidResult(bid=bid, price=bid.price, adjustments=adjustments, adjusted_price=adjusted))
    priced = [r.adjusted_price for r in results if r.adjusted_price]
    lowest = min(priced) if priced else None

    lowest_price = competition.award_basis == AwardBasis.LOWEST_PRICE
    for result in results:
        if lowest_price:
            continue
        moderated = {m.criterion_id: m.score for m in result.bid.moderated_scores.all()}
        for criterion in criteria:
            if criterion.kind == "quality" and criterion.id in moderated:
                result.exact_quality[criterion.id] = Fraction(criterion.weight) * moderated[criterion.id] / SCORE_MAX
        if lowest and result.adjusted_price:
            result.exact_price_points = price_weight * Fraction(lowest) / Fraction(result.adjusted_price)

    def merit(result: BidResult) -> tuple[Decimal | Fraction | int, ...]:
        """What orders bids: smaller is better; equal is a tie."""
        if lowest_price:
            return (result.adjusted_price is None, result.adjusted_price or 0)
        return (-result.exact_total,)

    merits = [merit(r) for r in results]
    for result, own in zip(results, merits):
        result.rank = 1 + sum(1 for other in merits if other < own)
        result.tied = merits.count(own) > 1
    tie_break = recorded_tie_break(competition) if any(r.rank == 1 and r.tied for r in results) else None
    for result in results:
        result.tie_broken = tie_break is not None and result.rank == 1 and result.tied and result.bid.pk == tie_break.bid_id
    results.sort(key=lambda r: (r.rank, not r.tie_broken, r.bid.bidder.name))
    return results


def tied_for_first(ranking: list[BidResult]) -> list[BidResult]:
    """The bids sharing first place, if first place is shared (else none)."""
    first = [r for r in ranking if r.rank == 1]
    return first if len(first) > 1 else []


def tie_unbroken(ranking: list[BidResult]) -> bool:
    """First place is shared and no recorded tie-break separates it."""
    tied = tied_for_first(ranking)
    return bool(tied) and not any(r.tie_broken for r in tied)
