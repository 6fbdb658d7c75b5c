"""Money as the payment terms compute it (issue #20): the fee, outcome payments, deductions and a claim's lines.

Pure arithmetic on `Decimal`, never floats. Amounts are carried exact until a payment is made of
them: each line of a claim is rounded to the penny once, half up (HMRC VAT Notice 700, section
17.5: "round to the nearest penny", a half penny upwards — the rule most UK finance systems and
the Government Banking Service's payment files follow), and the claim's total is the sum of its
rounded lines, so the lines always add up to the total.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

PENNY = Decimal("0.01")
ZERO = Decimal(0)


def to_penny(amount: Decimal) -> Decimal:
    """An exact amount as a payment makes it: to the penny, a half penny up (and -0.005 to -0.01)."""
    return Decimal(amount).quantize(PENNY, rounding=ROUND_HALF_UP)


def outcome_units(*, basis: str, achieved: Decimal, baseline: Decimal | None) -> Decimal:
    """What a tariff is paid on: a binary outcome per person who achieved it; a frequency outcome per unit of
    reduction against the baseline (none when the figure is at or above it)."""
    if basis == "binary":
        return max(Decimal(achieved), ZERO)
    if baseline is None:
        raise ValueError("A frequency outcome is paid on the reduction against a baseline: it needs one.")
    return max(Decimal(baseline) - Decimal(achieved), ZERO)


def outcome_payment(*, basis: str, tariff: Decimal, achieved: Decimal, baseline: Decimal | None = None,
                    cap: Decimal | None = None) -> Decimal:
    """The outcome payment for one period's validated figure, exact (not yet rounded), capped where the terms cap it."""
    amount = outcome_units(basis=basis, achieved=achieved, baseline=baseline) * Decimal(tariff)
    return min(amount, Decimal(cap)) if cap is not None else amount


@dataclass(frozen=True)
class Line:
    """One line of a claim: a fee, an outcome payment, a deduction or a service credit (negative), with its reason."""

    kind: str
    description: str
    amount: Decimal  # rounded to the penny
    reference: str = ""


def claim_lines(*, fee: Decimal, outcomes: list[tuple[str, Decimal, str]], deductions: list[tuple[str, Decimal, str]],
                credits: tuple[tuple[str, Decimal, str], ...] = (), outcome_room: Decimal | None = None) -> list[Line]:
    """A claim's lines from the terms' figures: each (description, exact amount, reference), rounded once here.

    `outcome_room` is what the terms' yearly cap on outcome payments leaves this claim: outcome lines
    beyond it are cut to it, in order. Deductions and credits reduce the claim, in full: a claim whose
    deductions exceed what it pays is a sum the provider owes back.
    """
    lines = [Line("fee", "Service fee", to_penny(fee))] if fee else []
    room = None if outcome_room is None else max(Decimal(outcome_room), ZERO)
    for description, amount, reference in outcomes:
        amount = Decimal(amount)
        if room is not None:
            amount, room = min(amount, room), room - min(amount, room)
        lines.append(Line("outcome", description, to_penny(amount), reference))
    lines += [Line("deduction", description, -to_penny(amount), reference) for description, amount, reference in deductions]
    lines += [Line("service_credit", description, -to_penny(amount), reference) for description, amount, reference in credits]
    return lines


def total(lines: list[Line]) -> Decimal:
    """A claim's total: the sum of its (rounded) lines, so the lines always add up to it."""
    return sum((line.amount for line in lines), ZERO)
