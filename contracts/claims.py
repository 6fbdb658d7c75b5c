"""Payment terms, claims and payments (issue #20): every write, and the figures a claim is built from.

A claim covers one fee period of the agreement (its terms' frequency, counted from the start date).
It is built, never typed: the service fee, each outcome tariff paid on the validated returns of its
measure in the period, and the penalties of validated returns not yet deducted (the performance
rules' figures, each deducted once, from the first claim after its return was validated). The
provider's contract lead raises it, or the contract manager where the provider does not use the
service; a contract manager who did not raise it checks it; a procurement officer who neither raised
nor checked it approves it; procurement marks it paid with the date and the payment reference.
Queried, it goes back to its author, who rebuilds it from the figures as they now stand.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet, Sum
from django.utils import timezone

from contracts import payments, performance
from contracts.machine import RECORD_ROLES
from contracts.models import (
    FEE_MONTHS,
    Agreement,
    Claim,
    ClaimLine,
    FeeFrequency,
    OutcomeTariff,
    PaymentTerms,
    Return,
)
from contracts.services import _by_provider, _event, require_role
from contracts.states import ENDED, RUNNING, AgreementState
from core.dates import financial_year_start
from core.events import EventKind
from core.models import User
from ethical_walls.selectors import sees

CLAIMABLE = (*RUNNING, *ENDED)


# --- the figures ------------------------------------------------------------------------------------

def fee_periods(agreement: Agreement, terms: PaymentTerms, until: date) -> list[tuple[date, date]]:
    """The agreement's fee periods (start, end) that ended before `until`, from its start date to its end."""
    if agreement.start_date is None:
        return []
    step = relativedelta(months=FEE_MONTHS[FeeFrequency(terms.fee_frequency)])
    periods: list[tuple[date, date]] = []
    number = 0
    last = until - timedelta(days=1)
    last = min(last, agreement.end_date) if agreement.end_date else last
    while True:
        start = agreement.start_date + step * number
        end = agreement.start_date + step * (number + 1) - timedelta(days=1)
        if end > last:
            return periods
        periods.append((start, end))
        number += 1


def unclaimed_periods(agreement: Agreement) -> list[tuple[date, date]]:
    """The ended fee periods with no claim yet (none without payment terms)."""
    terms = PaymentTerms.objects.filter(agreement=agreement).first()
    if terms is None:
        return []
    claimed = set(Claim.objects.filter(agreement=agreement).values_list("period_start", flat=True))
    return [(start, end) for start, end in fee_periods(agreement, terms, timezone.localdate()) if start not in claimed]


@dataclass(frozen=True)
class Figures:
    """What a claim for one period is made of: its lines, and the returns whose penalties it deducts."""

    lines: list[payments.Line]
    penalised: dict[str, Return]  # a deduction line's reference -> its return
    measures: dict[str, int] = field(default_factory=dict)  # an outcome or deduction line's reference -> its measure

    @property
    def total(self) -> Decimal:
        return payments.total(self.lines)


def _validated(returns: "QuerySet[Return]", start: date, end: date) -> list[Return]:
    return [r for r in returns if r.status == Return.Status.VALIDATED and start <= r.period_start <= end]


def claim_figures(agreement: Agreement, terms: PaymentTerms, start: date, end: date, *, claim: Claim | None = None) -> Figures:
    """The lines a claim for the period holds as the returns now stand (exact arithmetic in `contracts.payments`)."""
    outcomes = []
    measures: dict[str, int] = {}  # a line's reference -> the measure it is for
    for tariff in OutcomeTariff.objects.filter(agreement=agreement).select_related("measure").order_by("pk"):
        returns = _validated(tariff.measure.returns.all(), start, end)
        if not returns:
            continue
        amount = sum((payments.outcome_payment(basis=tariff.basis, tariff=tariff.tariff, achieved=r.value, baseline=tariff.baseline)
                      for r in returns), payments.ZERO)
        if tariff.cap_per_claim is not None:
            amount = min(amount, tariff.cap_per_claim)
        units = sum((payments.outcome_units(basis=tariff.basis, achieved=r.value, baseline=tariff.baseline) for r in returns), payments.ZERO)
        outcomes.append((f"{tariff.measure.name}: {units.normalize():,f} × £{tariff.tariff.normalize():,f}"
                         + (f", capped at £{tariff.cap_per_claim:,.2f}" if tariff.cap_per_claim is not None and amount == tariff.cap_per_claim else ""),
                         amount, f"{tariff.measure.name}, {len(returns)} validated return{'s' if len(returns) != 1 else ''}"))
        measures[outcomes[-1][2]] = tariff.measure_id
    room = None
    if terms.outcome_cap_per_year is not None:
        year = financial_year_start(start)
        earlier = ClaimLine.objects.filter(claim__agreement=agreement, kind=ClaimLine.Kind.OUTCOME,
                                           claim__period_start__gte=year, claim__period_start__lt=year + relativedelta(years=1))
        if claim is not None:
            earlier = earlier.exclude(claim=claim)
        room = terms.outcome_cap_per_year - (earlier.aggregate(paid=Sum("amount"))["paid"] or payments.ZERO)
    deductions, penalised = [], {}
    for measure in agreement.measures.all():
        for item in measure.returns.all():
            if item.status != Return.Status.VALIDATED or item.period_start > end:
                continue
            if hasattr(item, "deduction") and (claim is None or item.deduction.claim_id != claim.pk):
                continue  # already deducted from another claim
            rating = performance.rag(measure, item.value)
            amount = performance.penalty(measure, rating)
            if amount:
                reference = f"{measure.name}, period from {item.period_start:%-d %B %Y}, {performance.RAG_LABELS[rating]}"
                deductions.append((f"Penalty: {measure.name} {performance.RAG_LABELS[rating]}", amount, reference))
                penalised[reference] = item
                measures[reference] = measure.pk
    lines = payments.claim_lines(fee=terms.fee, outcomes=outcomes, deductions=deductions, outcome_room=room)
    return Figures(lines, penalised, measures)


# --- who may --------------------------------------------------------------------------------------

def _require_raiser(actor: User, agreement: Agreement) -> None:
    """The provider's contract lead raises its own claims; the contract manager raises them where the provider does not."""
    if _by_provider(actor):
        if not sees(actor, agreement):
            raise PermissionDenied("Only the provider of this agreement can claim under it.")
        return
    require_role(actor, *RECORD_ROLES["claim"], agreement=agreement)


def _locked_for(claim: Claim, actor: User, kind: str, *statuses: str, doing: str) -> Claim:
    """The claim locked for a step: the actor holds the step's role (contracts.machine.RECORD_ROLES) and the claim is in one
    of the states the step starts from, else the refusal names what is missing."""
    claim = Claim.objects.select_for_update().select_related("agreement").get(pk=claim.pk)
    require_role(actor, *RECORD_ROLES[kind], agreement=claim.agreement)
    if claim.status not in statuses:
        raise ValidationError(f"This claim is {Claim.Status(claim.status).label.lower()}: it cannot be {doing} now.")
    return claim


# --- the writes -------------------------------------------------------------------------------------

@transaction.atomic
def payment_terms_set(*, agreement: Agreement, actor: User, fee: Decimal, fee_frequency: str, outcome_cap_per_year: Decimal | None = None,
                      cohort: str = "") -> PaymentTerms:
    """The payment terms, set before the agreement goes live (after that, only a Notice of Change changes them)."""
    require_role(actor, *RECORD_ROLES["payment-terms"], agreement=agreement)
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    if agreement.state not in (AgreementState.DRAFT, AgreementState.MOBILISING):
        raise ValidationError("The payment terms are fixed once the agreement is live: change them by a Notice of Change.")
    terms, _ = PaymentTerms.objects.update_or_create(agreement=agreement, defaults={
        "fee": fee, "fee_frequency": fee_frequency, "outcome_cap_per_year": outcome_cap_per_year, "cohort": cohort})
    terms.full_clean()
    _event(agreement, actor, EventKind.PAYMENT, f"Payment terms set: £{fee:,.2f} {FeeFrequency(fee_frequency).label.lower()}")
    return terms


@transaction.atomic
def outcome_tariff_set(*, agreement: Agreement, actor: User, measure_id: int, basis: str, tariff: Decimal,
                       baseline: Decimal | None = None, cap_per_claim: Decimal | None = None) -> OutcomeTariff:
    """A payment-by-results tariff on one of the agreement's measures, before it goes live."""
    require_role(actor, *RECORD_ROLES["payment-terms"], agreement=agreement)
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    if agreement.state not in (AgreementState.DRAFT, AgreementState.MOBILISING):
        raise ValidationError("The payment terms are fixed once the agreement is live: change them by a Notice of Change.")
    if agreement.payment_model != "pbr":
        raise ValidationError("Outcome tariffs are for payment-by-results agreements.")
    if not agreement.measures.filter(pk=measure_id).exists():
        raise ValidationError({"measure": "Choose one of this agreement's measures."})
    if basis == "frequency" and baseline is None:
        raise ValidationError({"baseline": "A frequency outcome is paid on the reduction against a baseline: enter the baseline."})
    found, _ = OutcomeTariff.objects.update_or_create(agreement=agreement, measure_id=measure_id, defaults={
        "basis": basis, "tariff": tariff, "baseline": baseline, "cap_per_claim": cap_per_claim})
    found.full_clean()
    _event(agreement, actor, EventKind.PAYMENT, f"Outcome tariff set on {found.measure.name}: £{tariff:,f} {found.get_basis_display().lower()}")
    return found


def _write_lines(claim: Claim, figures: Figures) -> None:
    ClaimLine.objects.filter(claim=claim).delete()  # a rebuilt claim frees the penalties it deducted, then takes them again
    ClaimLine.objects.bulk_create([
        ClaimLine(claim=claim, kind=line.kind, description=line.description, amount=line.amount, reference=line.reference,
                  penalised_return=figures.penalised.get(line.reference) if line.kind == ClaimLine.Kind.DEDUCTION else None,
                  measure_id=figures.measures.get(line.reference))
        for line in figures.lines
    ])
    claim.total = figures.total


@transaction.atomic
def claim_raise(*, agreement: Agreement, actor: User, period_start: date) -> Claim:
    """A claim for one ended fee period, built from the terms and the validated returns."""
    _require_raiser(actor, agreement)
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    if agreement.state not in CLAIMABLE:
        raise ValidationError("Claims are raised once the agreement is live.")
    terms = PaymentTerms.objects.filter(agreement=agreement).first()
    if terms is None:
        raise ValidationError("This agreement has no payment terms yet: they are set with its other terms.")
    periods = dict(fee_periods(agreement, terms, timezone.localdate()))
    if period_start not in periods:
        raise ValidationError({"period_start": "Choose a fee period of this agreement that has ended."})
    claim = Claim(agreement=agreement, period_start=period_start, period_end=periods[period_start], total=payments.ZERO,
                  raised_by=actor, raised_at=timezone.now())
    try:
        with transaction.atomic():
            claim.save()
    except IntegrityError:
        raise ValidationError({"period_start": "A claim for this period is already in."}) from None
    _write_lines(claim, claim_figures(agreement, terms, claim.period_start, claim.period_end, claim=claim))
    claim.save(update_fields=["total"])
    _event(agreement, actor, EventKind.PAYMENT, f"Claim for {claim.period_start:%-d %B %Y} to {claim.period_end:%-d %B %Y} raised: £{claim.total:,.2f}")
    return claim


@transaction.atomic
def claim_check(*, claim: Claim, actor: User) -> Claim:
    """The contract manager's approval: the first of two, never by the claim's author."""
    claim = _locked_for(claim, actor, "check-claim", Claim.Status.SUBMITTED, doing="checked")
    if claim.raised_by_id == actor.pk:
        raise PermissionDenied("You raised this claim: another contract manager must check it.")
    claim.status, claim.checked_by, claim.checked_at = Claim.Status.CHECKED, actor, timezone.now()
    claim.save(update_fields=["status", "checked_by", "checked_at"])
    _event(claim.agreement, actor, EventKind.PAYMENT, f"Claim for {claim.period_start:%-d %B %Y} checked by the contract manager")
    return claim


@transaction.atomic
def claim_credit_add(*, claim: Claim, actor: User, description: str, amount: Decimal) -> Claim:
    """A service credit the contract manager applies to a claim before checking it (a failure the contract credits back,
    not a measure's penalty): a line reducing the claim, with its reason."""
    claim = _locked_for(claim, actor, "credit-claim", Claim.Status.SUBMITTED, doing="credited")
    if not description.strip():
        raise ValidationError({"description": "Say what the service credit is for."})
    if amount <= 0:
        raise ValidationError({"amount": "A service credit is an amount greater than £0 that the claim is reduced by."})
    line = payments.claim_lines(fee=payments.ZERO, outcomes=[], deductions=[], credits=((description.strip(), amount, "Service credit"),))[0]
    ClaimLine.objects.create(claim=claim, kind=line.kind, description=line.description, amount=line.amount, reference=line.reference)
    claim.total += line.amount
    claim.save(update_fields=["total"])
    _event(claim.agreement, actor, EventKind.PAYMENT, f"Service credit of £{-line.amount:,.2f} applied to the claim for {claim.period_start:%-d %B %Y}",
           reason=description.strip())
    return claim


@transaction.atomic
def claim_approve(*, claim: Claim, actor: User) -> Claim:
    """MoJ Procurement's approval for payment: the second of two, by neither the author nor the checker."""
    claim = _locked_for(claim, actor, "approve-claim", Claim.Status.CHECKED, doing="approved")
    if actor.pk in (claim.raised_by_id, claim.checked_by_id):
        raise PermissionDenied("You raised or checked this claim: a different procurement officer must approve it.")
    claim.status, claim.approved_by, claim.approved_at = Claim.Status.APPROVED, actor, timezone.now()
    claim.save(update_fields=["status", "approved_by", "approved_at"])
    _event(claim.agreement, actor, EventKind.PAYMENT, f"Claim for {claim.period_start:%-d %B %Y} approved for payment: £{claim.total:,.2f}")
    return claim


@transaction.atomic
def claim_query(*, claim: Claim, actor: User, reason: str) -> Claim:
    """A checker or approver sends the claim back to its author with the reason; its approvals so far fall away."""
    claim = _locked_for(claim, actor, "query-claim", Claim.Status.SUBMITTED, Claim.Status.CHECKED, doing="queried")
    if not reason.strip():
        raise ValidationError({"reason": "Say what is wrong with the claim."})
    claim.status, claim.query_reason, claim.checked_by, claim.checked_at = Claim.Status.QUERIED, reason.strip(), None, None
    claim.save(update_fields=["status", "query_reason", "checked_by", "checked_at"])
    _event(claim.agreement, actor, EventKind.PAYMENT, f"Claim for {claim.period_start:%-d %B %Y} queried", reason=reason.strip())
    return claim


@transaction.atomic
def claim_amend(*, claim: Claim, actor: User) -> Claim:
    """The author's answer to a query: the claim rebuilt from the terms and the returns as they now stand, submitted again."""
    claim = Claim.objects.select_for_update().select_related("agreement").get(pk=claim.pk)
    _require_raiser(actor, claim.agreement)
    if claim.status != Claim.Status.QUERIED:
        raise ValidationError(f"This claim is {Claim.Status(claim.status).label.lower()}: it cannot be amended now.")
    agreement = claim.agreement
    _write_lines(claim, claim_figures(agreement, agreement.payment_terms, claim.period_start, claim.period_end, claim=claim))
    claim.status, claim.raised_by, claim.raised_at = Claim.Status.SUBMITTED, actor, timezone.now()
    claim.save(update_fields=["status", "total", "raised_by", "raised_at"])
    _event(agreement, actor, EventKind.PAYMENT, f"Claim for {claim.period_start:%-d %B %Y} amended: £{claim.total:,.2f}")
    return claim


@transaction.atomic
def claim_pay(*, claim: Claim, actor: User, paid_on: date, payment_reference: str) -> Claim:
    """An approved claim marked paid, with the date and the payment's reference."""
    claim = _locked_for(claim, actor, "pay-claim", Claim.Status.APPROVED, doing="marked paid")
    if paid_on > timezone.localdate():
        raise ValidationError({"paid_on": "The payment date cannot be in the future."})
    if not payment_reference.strip():
        raise ValidationError({"payment_reference": "Enter the payment's reference."})
    claim.status, claim.paid_on, claim.payment_reference = Claim.Status.PAID, paid_on, payment_reference.strip()
    claim.save(update_fields=["status", "paid_on", "payment_reference"])
    _event(claim.agreement, actor, EventKind.PAYMENT, f"Claim for {claim.period_start:%-d %B %Y} paid on {paid_on:%-d %B %Y}: £{claim.total:,.2f}")
    return claim
