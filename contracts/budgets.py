"""Budgets against commitments and spend (issue #20), by financial year (April to March).

- **Committed**: what the agreements bind the public purse to — each agreement's value spread
  evenly over the days of its term, so a year holds the share of its days that fall in it
  (whole-life: the value itself).
- **Accrued**: claims raised and awaiting approval; **approved**: approved, not yet paid; **paid**:
  paid. A claim counts in the financial year its period starts in.
- A cycle's **resources**: its own available resources and its partners' *pooled* contributions
  (aligned funding stays in each partner's own budget, so it is listed, not counted), spread over the
  cycle's period the same way. A **warning** when the whole-life commitments exceed the resources, or
  when a year's commitments exceed that year's share of them.

Amounts are `Decimal`: a year's share to the penny, the shares of an amount always adding up to it.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import QuerySet

from contracts.models import Agreement, Claim
from contracts.payments import to_penny
from core.dates import financial_year_label, financial_year_start

ZERO = Decimal(0)
SPEND = {Claim.Status.SUBMITTED: "accrued", Claim.Status.CHECKED: "accrued", Claim.Status.QUERIED: "accrued",
         Claim.Status.APPROVED: "approved", Claim.Status.PAID: "paid"}


def spread_by_year(amount: Decimal, start: datetime.date, end: datetime.date) -> dict[datetime.date, Decimal]:
    """An amount spread evenly over the days from `start` to `end` (both included), by financial year: each year's share
    to the penny (half up), the last year taking what rounding left, so the shares always add up to the amount."""
    days = (end - start).days + 1
    if days <= 0:
        return {}
    shares: dict[datetime.date, Decimal] = {}
    year = financial_year_start(start)
    while year <= end:
        first, last = max(start, year), min(end, datetime.date(year.year + 1, 3, 31))
        shares[year] = to_penny(Decimal(amount) * ((last - first).days + 1) / days)
        year = datetime.date(year.year + 1, 4, 1)
    final = max(shares)
    shares[final] = Decimal(amount) - sum((share for year, share in shares.items() if year != final), ZERO)
    return shares


@dataclass
class YearFigures:
    year: datetime.date
    budget: Decimal = ZERO
    committed: Decimal = ZERO
    accrued: Decimal = ZERO
    approved: Decimal = ZERO
    paid: Decimal = ZERO

    @property
    def label(self) -> str:
        return financial_year_label(self.year)

    @property
    def over(self) -> bool:
        return self.committed > self.budget


@dataclass
class Budget:
    """A set of agreements' figures by year and by service area, against resources (none for the portfolio as a whole)."""

    years: dict[datetime.date, YearFigures] = field(default_factory=dict)
    by_area: dict[str, dict[str, Decimal]] = field(default_factory=dict)
    resources: Decimal | None = None
    committed: Decimal = ZERO
    funding: list[tuple[str, str, Decimal]] = field(default_factory=list)  # (who, how, amount)

    @property
    def by_funder(self) -> list[tuple[str, Decimal, Decimal]]:
        """Each counted funder (own resources, pooled partners) with its contribution and its share of the commitments,
        in proportion to what it put in (aligned partners fund from their own budgets: not here)."""
        if not self.resources:
            return []
        return [(who, amount, to_penny(self.committed * amount / self.resources)) for who, how, amount in self.funding if how in ("own", "pooled")]

    def year(self, start: datetime.date) -> YearFigures:
        return self.years.setdefault(start, YearFigures(start))

    @property
    def ordered_years(self) -> list[YearFigures]:
        return [self.years[start] for start in sorted(self.years)]

    @property
    def totals(self) -> dict[str, Decimal]:
        return {name: sum((getattr(y, name) for y in self.years.values()), ZERO) for name in ("committed", "accrued", "approved", "paid")}

    @property
    def warnings(self) -> list[str]:
        found = []
        if self.resources is not None and self.committed > self.resources:
            found.append(f"The agreements commit £{self.committed:,.2f} over their lives, £{self.committed - self.resources:,.2f} more "
                         f"than the £{self.resources:,.2f} of resources (own and pooled).")
        if self.resources is not None:
            for figures in self.ordered_years:
                if figures.over:
                    found.append(f"{figures.label}: £{figures.committed:,.2f} committed against a budget of £{figures.budget:,.2f} "
                                 f"(£{figures.committed - figures.budget:,.2f} over).")
        return found


def budget_of(agreements: Iterable[Agreement], claims: Iterable[Claim]) -> Budget:
    """The agreements' commitments and their claims' spend, by financial year and service area (reads loaded rows only)."""
    budget = Budget()
    for agreement in agreements:
        budget.committed += agreement.value
        area = budget.by_area.setdefault(agreement.service_area.name, defaultdict(lambda: ZERO))
        area["committed"] += agreement.value
        if agreement.start_date and agreement.end_date:
            for year, share in spread_by_year(agreement.value, agreement.start_date, agreement.end_date).items():
                budget.year(year).committed += share
    for claim in claims:
        stage = SPEND[Claim.Status(claim.status)]
        figures = budget.year(financial_year_start(claim.period_start))
        setattr(figures, stage, getattr(figures, stage) + claim.total)
        budget.by_area.setdefault(claim.agreement.service_area.name, defaultdict(lambda: ZERO))[stage] += claim.total
    return budget


def with_resources(budget: Budget, *, own: Decimal, partners: Iterable[tuple[str, str, Decimal]], period: tuple[datetime.date, datetime.date]) -> Budget:
    """The budget against a cycle's resources: its own and its partners' pooled contributions, spread over its period."""
    budget.funding = [("Own resources", "own", own)] + [(name, arrangement, amount) for name, arrangement, amount in partners]
    budget.resources = own + sum((amount for _, arrangement, amount in partners if arrangement == "pooled"), ZERO)
    for year, share in spread_by_year(budget.resources, *period).items():
        budget.year(year).budget = share
    return budget


def cycle_budget(*, user: object, cycle_id: int, own: Decimal, partners: Iterable[tuple[str, str, Decimal]],
                 period: tuple[datetime.date, datetime.date]) -> Budget:
    """A cycle's budget: the agreements let for its service specifications (that the user may see) against its resources."""
    from contracts.selectors import visible_agreements

    agreements, claims = agreements_and_claims(visible_agreements(user).filter(specification__cycle_id=cycle_id))
    return with_resources(budget_of(agreements, claims), own=own, partners=list(partners), period=period)


def agreements_and_claims(agreements: "QuerySet[Agreement]") -> tuple[list[Agreement], list[Claim]]:
    """The rows a budget reads, in two queries."""
    loaded = list(agreements.select_related("service_area"))
    claims = list(Claim.objects.filter(agreement__in=[a.pk for a in loaded]).select_related("agreement__service_area"))
    return loaded, claims
