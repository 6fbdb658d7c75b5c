"""Evaluation arithmetic: adjusted prices, weighted scores and the ranking.

Pure functions over loaded records (no queries of their own beyond the
prefetched relations), used by the award recommendation, debrief letters and pages.
"""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from competitions.models import SCORE_MAX, AwardBasis


@dataclass
class BidResult:
    bid: object
    price: Decimal | None
    adjustments: Decimal
    adjusted_price: Decimal | None
    quality_scores: dict = field(default_factory=dict)  # criterion id -> weighted points
    price_points: Decimal = Decimal(0)
    total: Decimal = Decimal(0)
    rank: int | None = None


def _q(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def adjusted_price(bid) -> tuple[Decimal | None, Decimal]:
    """The bid price after the Principles of Competition's adjustments (public-sector bids only)."""
    adjustments = sum((a.amount for a in bid.cost_adjustments.all()), Decimal(0)) if bid.is_public_sector else Decimal(0)
    price = bid.price
    return (None if price is None else price + adjustments), adjustments


def rank_bids(competition) -> list[BidResult]:
    """Rank the compliant bids.

    MEAT: each quality criterion gives weight × moderated score / 10; the price
    criteria's weight is shared as lowest adjusted price / this bid's adjusted price.
    Lowest tender: ranked by adjusted price alone.
    """
    bids = [b for b in competition.bids.all() if not b.withdrawn and b.compliant]
    criteria = list(competition.criteria.all())
    price_weight = sum((c.weight for c in criteria if c.kind == "price"), Decimal(0))
    results = []
    for bid in bids:
        adjusted, adjustments = adjusted_price(bid)
        results.append(BidResult(bid=bid, price=bid.price, adjustments=adjustments, adjusted_price=adjusted))
    priced = [r.adjusted_price for r in results if r.adjusted_price]
    lowest = min(priced) if priced else None

    for result in results:
        if competition.award_basis == AwardBasis.LOWEST_PRICE:
            continue
        moderated = {m.criterion_id: m.score for m in result.bid.moderated_scores.all()}
        for criterion in criteria:
            if criterion.kind == "quality" and criterion.id in moderated:
                result.quality_scores[criterion.id] = _q(criterion.weight * moderated[criterion.id] / SCORE_MAX)
        if lowest and result.adjusted_price:
            result.price_points = _q(price_weight * lowest / result.adjusted_price)
        result.total = _q(sum(result.quality_scores.values(), Decimal(0)) + result.price_points)

    if competition.award_basis == AwardBasis.LOWEST_PRICE:
        results.sort(key=lambda r: (r.adjusted_price is None, r.adjusted_price or 0, r.bid.bidder.name))
    else:
        results.sort(key=lambda r: (-r.total, r.bid.bidder.name))
    for position, result in enumerate(results, start=1):
        result.rank = position
    return results
