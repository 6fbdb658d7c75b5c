"""Agreements: contracts with non-crown providers, SLAs with crown bodies (SPEC §5).

Seed: "3 PERFORMANCE MANAGEMENT" and "Market Stewardship". The state graph is
declared in `contracts.machine`; performance arithmetic (RAG, scores, penalties, stewardship) is in
`contracts.performance`; writes in `contracts.services`.
"""

import datetime
from decimal import Decimal
from typing import Any

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from contracts.machine import AGREEMENT
from contracts.states import RUNNING, AgreementState  # noqa: F401  (re-exported)
from core.uploads import RandomName, validate_document
from core.append_only import append_only, append_only_trigger
from core.events import TimelineEvent


class AgreementKind(models.TextChoices):
    CONTRACT = "contract", "Contract"
    SLA = "sla", "Service level agreement"




class PaymentModel(models.TextChoices):
    FIXED = "fixed", "Fixed price"
    VOLUME = "volume", "Volume-based"
    PAYMENT_BY_RESULTS = "pbr", "Payment by results"


class Route(models.TextChoices):
    COMPETITION = "competition", "Competition"
    CONTRACT_CHANGE = "contract_change", "Change to an existing agreement"
    FRAMEWORK = "framework", "Framework call-off"
    GRANT = "grant", "Grant"
    SPV = "spv", "Special purpose vehicle"


class Agreement(ConcurrentTransitionMixin, models.Model):
    reference = models.CharField(max_length=40, unique=True)
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=10, choices=AgreementKind.choices)
    provider = models.ForeignKey("core.Organisation", on_delete=models.PROTECT, related_name="agreements")
    competition = models.OneToOneField("competitions.Competition", null=True, blank=True, on_delete=models.PROTECT, related_name="agreement")
    route = models.CharField(max_length=20, choices=Route.choices, default=Route.COMPETITION)
    service_area = models.ForeignKey("core.ServiceArea", on_delete=models.PROTECT, related_name="agreements")
    specification = models.ForeignKey("cycle.ServiceSpecification", null=True, blank=True, on_delete=models.SET_NULL, related_name="agreements")
    value = models.DecimalField("value (£)", max_digits=14, decimal_places=2, validators=[MinValueValidator(0)])
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    payment_model = models.CharField(max_length=10, choices=PaymentModel.choices, default=PaymentModel.FIXED)
    share_at_risk = models.DecimalField(
        "share of payment at risk (%)", max_digits=5, decimal_places=2, default=Decimal(0),
        validators=[MinValueValidator(0), MaxValueValidator(100)], help_text="For payment by results: the share paid only on outcomes.",
    )
    contract_manager = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="managed_agreements")
    state = FSMField(default=AgreementState.DRAFT, choices=AgreementState.choices, protected=True, db_index=True)
    version = models.PositiveIntegerField(default=1, help_text="Bumped by every change; the API's ETag.")
    ended_reason = models.TextField(blank=True)
    ended_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["reference"]
        # Money is never negative where it is an amount (the database refuses it too).
        constraints = [models.CheckConstraint(condition=models.Q(value__gte=0), name="agreement_value_not_negative")]
        # The running agreements by end date (the dashboard's expiries, listed and counted from the index alone: issue #22).
        indexes = [models.Index(fields=["end_date", "reference"], condition=models.Q(state__in=RUNNING), name="agreement_running_by_end")]

    def __str__(self):
        return f"{self.reference} {self.title}"

    @property
    def regime(self) -> str:
        return self.competition.regime if self.competition_id else "2011"

    @property
    def state_label(self) -> str:
        return AgreementState(self.state).label

    # --- the state graph (SPEC §5) ---------------------------------------------------------------
    @transition(field=state, **AGREEMENT.fsm("mobilise"))
    def mobilise(self):
        pass

    @transition(field=state, **AGREEMENT.fsm("go_live"))
    def go_live(self):
        pass

    @transition(field=state, **AGREEMENT.fsm("start_rectification"))
    def start_rectification(self):
        pass

    @transition(field=state, **AGREEMENT.fsm("end_rectification"))
    def end_rectification(self):
        pass

    @transition(field=state, **AGREEMENT.fsm("terminate"))
    def terminate(self):
        pass

    @transition(field=state, **AGREEMENT.fsm("expire"))
    def expire(self):
        pass

    @transition(field=state, **AGREEMENT.fsm("decommission"))
    def decommission(self):
        pass


def notice_date(on: datetime.date, notice_months: int) -> datetime.date:
    """The last day to give notice for a break on `on` with `notice_months` months' notice."""
    return on - relativedelta(months=notice_months)


class BreakPoint(models.Model):
    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="break_points")
    on = models.DateField()
    notice_months = models.PositiveSmallIntegerField(default=6)
    # Kept by save() (bulk inserts set it with notice_date): the inbox finds the break points whose notice falls due
    # soon by an index range on it, rather than reading every break point's length of notice (issue #22).
    notice_by = models.DateField(editable=False)

    class Meta:
        ordering = ["on"]
        indexes = [
            # The dashboard's "break points ahead" reads the next 20 in date order: an index walk, not a sort of them all.
            models.Index(fields=["on", "id"], name="breakpoint_on_id"),
            models.Index(fields=["notice_by"], name="breakpoint_notice_by"),
        ]

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.notice_by = notice_date(self.on, self.notice_months)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "notice_by"}
        super().save(*args, **kwargs)


class SupplyChainMember(models.Model):
    class Role(models.TextChoices):
        PRIME = "prime", "Prime provider"
        LEAD = "lead", "Lead provider"
        SUB_PRIME = "sub_prime", "Sub-prime"
        MEMBER = "member", "Consortium member"

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="supply_chain")
    organisation = models.ForeignKey("core.Organisation", on_delete=models.PROTECT, related_name="supply_chain_roles")
    role = models.CharField(max_length=10, choices=Role.choices)
    funding_share = models.DecimalField("share of funding (%)", max_digits=5, decimal_places=2, validators=[MinValueValidator(0), MaxValueValidator(100)])
    risk_share = models.DecimalField("share of risk (%)", max_digits=5, decimal_places=2, validators=[MinValueValidator(0), MaxValueValidator(100)])

    class Meta:
        ordering = ["agreement", "role", "organisation__name"]
        constraints = [models.UniqueConstraint(fields=["agreement", "organisation"], name="member_once_per_supply_chain")]


class Direction(models.TextChoices):
    HIGHER_IS_BETTER = "higher", "Higher is better"
    LOWER_IS_BETTER = "lower", "Lower is better"


class Frequency(models.TextChoices):
    MONTHLY = "monthly", "Monthly"
    QUARTERLY = "quarterly", "Quarterly"
    ANNUAL = "annual", "Annual"


MONTHS_PER_PERIOD = {Frequency.MONTHLY: 1, Frequency.QUARTERLY: 3, Frequency.ANNUAL: 12}


class Measure(models.Model):
    """A contract measure, linked to the outcome it serves (so performance rolls up the outcomes tree)."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="measures")
    outcome = models.ForeignKey("cycle.Outcome", null=True, blank=True, on_delete=models.PROTECT, related_name="measures")
    name = models.CharField(max_length=200)
    unit = models.CharField(max_length=40, default="%")
    target = models.DecimalField(max_digits=12, decimal_places=2, validators=[MinValueValidator(0)])
    tolerance = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal(0), validators=[MinValueValidator(0)],
                                    help_text="How far short of target is still Amber rather than Red.")
    direction = models.CharField(max_length=6, choices=Direction.choices, default=Direction.HIGHER_IS_BETTER)
    frequency = models.CharField(max_length=10, choices=Frequency.choices, default=Frequency.MONTHLY)
    weight = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal(1), validators=[MinValueValidator(0)])
    penalty_amber = models.DecimalField("penalty per Amber period (£)", max_digits=12, decimal_places=2, default=Decimal(0), validators=[MinValueValidator(0)])
    penalty_red = models.DecimalField("penalty per Red period (£)", max_digits=12, decimal_places=2, default=Decimal(0), validators=[MinValueValidator(0)])
    is_kpi = models.BooleanField("key performance indicator", default=True, help_text="Published in the UK7 contract details notice.")

    class Meta:
        ordering = ["agreement", "id"]
        constraints = [models.CheckConstraint(condition=models.Q(target__gte=0, tolerance__gte=0), name="measure_target_not_negative")]

    def __str__(self):
        return self.name


class Return(models.Model):
    """The provider's figure for one measure and period: keyed in by the contract manager, or submitted by the
    provider and then validated or queried by the contract manager (a queried return goes back to the provider)."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", "Awaiting the contract manager"
        VALIDATED = "validated", "Validated"
        QUERIED = "queried", "Queried: back with the provider"

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="returns")
    period_start = models.DateField()
    value = models.DecimalField(max_digits=12, decimal_places=2, validators=[MinValueValidator(0)])
    evidence = models.TextField(blank=True)
    evidence_file = models.FileField(upload_to=RandomName("evidence"), validators=[validate_document], blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.VALIDATED)
    query_reason = models.TextField(blank=True, help_text="Why the contract manager queried it (the provider is told).")
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["measure_id", "period_start"]  # the unique index, not the measure's own ordering (a join to agreements)
        constraints = [
            models.UniqueConstraint(fields=["measure", "period_start"], name="one_return_per_measure_period"),
            models.CheckConstraint(condition=models.Q(value__gte=0), name="return_value_not_negative"),
        ]
        # The few returns waiting for a contract manager, found without reading the millions validated (every contract
        # manager's inbox asks on every page: issue #22).
        indexes = [models.Index(fields=["measure"], condition=models.Q(status="submitted"), name="return_awaiting_validation")]


class CohortResult(models.Model):
    """Payment-by-results outcomes by cohort, for the creaming and parking checks."""

    class Difficulty(models.TextChoices):
        LOW = "low", "Lower need (easiest to help)"
        MEDIUM = "medium", "Medium need"
        HIGH = "high", "Higher need"

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="cohort_results")
    period_start = models.DateField()
    cohort = models.CharField(max_length=120)
    difficulty = models.CharField(max_length=6, choices=Difficulty.choices)
    referrals = models.PositiveIntegerField()
    outcomes = models.PositiveIntegerField(help_text="Outcomes paid for in the period.")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["agreement", "period_start", "cohort"], name="one_cohort_result_per_period")]


class RemedialActionPlan(models.Model):
    """Actions to put failing delivery right: agreed by the contract manager, or proposed by the provider (issue #18)
    and accepted or rejected by the contract manager; marked complete when done."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", "Proposed by the provider"
        REJECTED = "rejected", "Rejected"
        OPEN = "open", "Open"
        COMPLETED = "completed", "Completed"

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="remedial_plans")
    measure = models.ForeignKey(Measure, null=True, blank=True, on_delete=models.SET_NULL, related_name="remedial_plans")
    actions = models.TextField()
    agreed_on = models.DateField(null=True, blank=True, help_text="Empty while proposed, or when rejected.")
    due_on = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decision_reason = models.TextField(blank=True, help_text="Why the contract manager rejected it (the provider is told).")
    completed_on = models.DateField(null=True, blank=True)


class RectificationNotice(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "Open"
        SATISFIED = "satisfied", "Satisfied"
        FAILED = "failed", "Failed"

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="rectification_notices")
    failings = models.TextField()
    issued_on = models.DateField()
    deadline = models.DateField()
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    closed_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-issued_on", "-id"]
        indexes = [
            models.Index(fields=["-issued_on", "-id"], name="rectification_latest_first"),  # a page of them, not a sort of all (#22)
            # The open notices by deadline (the dashboard, the inbox), not every notice ever issued sorted.
            models.Index(fields=["deadline", "id"], condition=models.Q(status="open"), name="rectification_open_by_deadline"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["agreement"], condition=models.Q(status="open"), name="one_open_rectification_notice"),
            models.CheckConstraint(condition=models.Q(deadline__gt=models.F("issued_on")), name="rectification_deadline_after_issue"),
        ]


class NoticeOfChange(models.Model):
    """A change to an agreement, issued by MoJ Procurement; a material one needs the lead commissioner's agreement."""

    class Status(models.TextChoices):
        AWAITING_AGREEMENT = "awaiting", "Awaiting the lead commissioner's agreement"
        IN_EFFECT = "in_effect", "In effect"
        REFUSED = "refused", "Refused by the lead commissioner"

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="notices_of_change")
    number = models.PositiveIntegerField()
    summary = models.TextField()
    material = models.BooleanField(help_text="A material change needs the lead commissioner's agreement before it takes effect.")
    changes = models.JSONField(help_text="The new values: value, end_date, and measure targets by measure id.")
    status = models.CharField(max_length=10, choices=Status.choices)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    # The provider's acknowledgement that it has the notice (issue #18).
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    acknowledged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["agreement", "number"]
        constraints = [models.UniqueConstraint(fields=["agreement", "number"], name="noc_number_unique")]
        # The API's list across agreements, latest first: a page of them read in index order (issue #22; by agreement
        # reference, PostgreSQL walked every agreement in order probing for its notices: 5,400 probes for 25 at 10x).
        indexes = [models.Index(fields=["-issued_at", "-id"], name="noticeofchange_latest_first")]


@append_only
class AgreementVersion(models.Model):
    """A numbered version of the agreement: version 1 at creation, one more for each Notice of Change in effect."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    snapshot = models.JSONField()
    notice_of_change = models.OneToOneField(NoticeOfChange, null=True, blank=True, on_delete=models.PROTECT, related_name="resulting_version")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        triggers = [append_only_trigger()]
        ordering = ["agreement", "number"]
        constraints = [models.UniqueConstraint(fields=["agreement", "number"], name="agreement_version_unique")]


@append_only
class AgreementEvent(TimelineEvent):
    """The agreement's timeline (core.events); overnight expiry has no actor."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="events")
    from_state = models.CharField(max_length=30, blank=True, choices=AgreementState.choices)
    to_state = models.CharField(max_length=30, blank=True, choices=AgreementState.choices)

    class Meta(TimelineEvent.Meta):
        triggers = [append_only_trigger()]
        # What changed since a time (the dashboard: agreements moved since last night's evaluation, issue #22).
        indexes = [models.Index(fields=["at"], name="agreementevent_at")]


class Feedback(models.Model):
    """What service users and stakeholders said of the service (seed "Evaluate": how it was received)."""

    class Source(models.TextChoices):
        SERVICE_USER = "service_user", "Service users"
        STAKEHOLDER = "stakeholder", "Stakeholders"

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="feedback")
    received_on = models.DateField()
    source = models.CharField(max_length=20, choices=Source.choices)
    respondents = models.PositiveIntegerField(default=1, validators=[MinValueValidator(1)], help_text="How many people the figure speaks for.")
    satisfaction = models.DecimalField(
        max_digits=3, decimal_places=2, validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text="Average satisfaction from 1 (very dissatisfied) to 5 (very satisfied).",
    )
    summary = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["agreement", "-received_on", "-id"]


class EqualityResult(models.Model):
    """Referrals and outcomes by protected characteristic, for equality monitoring (seed: "equality impacts")."""

    class Characteristic(models.TextChoices):
        AGE = "age", "Age"
        DISABILITY = "disability", "Disability"
        ETHNICITY = "ethnicity", "Ethnicity"
        RELIGION = "religion", "Religion or belief"
        SEX = "sex", "Sex"
        SEXUAL_ORIENTATION = "sexual_orientation", "Sexual orientation"

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="equality_results")
    period_start = models.DateField()
    characteristic = models.CharField(max_length=20, choices=Characteristic.choices)
    group = models.CharField(max_length=120, help_text="For example: 18 to 24, Black or Black British, Female.")
    referrals = models.PositiveIntegerField()
    outcomes = models.PositiveIntegerField(help_text="Successful outcomes in the period.")

    class Meta:
        ordering = ["agreement", "characteristic", "group", "period_start"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "period_start", "characteristic", "group"], name="one_equality_result_per_group_period"),
            models.CheckConstraint(condition=models.Q(outcomes__lte=models.F("referrals")), name="equality_outcomes_within_referrals"),
        ]


# --- money (issue #20): payment terms, claims and their lines --------------------------------------

class FeeFrequency(models.TextChoices):
    MONTHLY = "monthly", "Monthly"
    QUARTERLY = "quarterly", "Quarterly"
    ANNUALLY = "annually", "Annually"


FEE_MONTHS = {FeeFrequency.MONTHLY: 1, FeeFrequency.QUARTERLY: 3, FeeFrequency.ANNUALLY: 12}


class PaymentTerms(models.Model):
    """How an agreement is paid: a fixed service fee per period and, for payment by results, its outcome tariffs.

    Set with the other terms before the agreement goes live; changed only by a Notice of Change after.
    """

    agreement = models.OneToOneField(Agreement, on_delete=models.CASCADE, related_name="payment_terms")
    fee = models.DecimalField("service fee per period (£)", max_digits=14, decimal_places=2, validators=[MinValueValidator(0)])
    fee_frequency = models.CharField("paid", max_length=10, choices=FeeFrequency.choices, default=FeeFrequency.QUARTERLY)
    outcome_cap_per_year = models.DecimalField(
        "cap on outcome payments per financial year (£)", max_digits=14, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(0)], help_text="April to March; leave empty for no cap.",
    )
    cohort = models.CharField("cohort the outcomes are measured on", max_length=200, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(fee__gte=0), name="payment_fee_not_negative"),
            models.CheckConstraint(condition=models.Q(outcome_cap_per_year__isnull=True) | models.Q(outcome_cap_per_year__gte=0),
                                   name="payment_cap_not_negative"),
        ]

    def __str__(self):
        return f"Payment terms of {self.agreement.reference}"


class TariffBasis(models.TextChoices):
    BINARY = "binary", "Per person who achieves the outcome"
    FREQUENCY = "frequency", "Per unit of reduction against the baseline"


class OutcomeTariff(models.Model):
    """A payment-by-results rule: so much per outcome achieved, counted from a measure's validated returns."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="tariffs")
    measure = models.ForeignKey(Measure, on_delete=models.PROTECT, related_name="tariffs")
    basis = models.CharField(max_length=10, choices=TariffBasis.choices)
    tariff = models.DecimalField("tariff per outcome (£)", max_digits=14, decimal_places=4, validators=[MinValueValidator(0)])
    baseline = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True,
                                   help_text="For a frequency outcome: the figure reductions are counted from.")
    cap_per_claim = models.DecimalField("cap per claim (£)", max_digits=14, decimal_places=2, null=True, blank=True,
                                        validators=[MinValueValidator(0)])

    class Meta:
        ordering = ["agreement", "measure"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "measure"], name="one_tariff_per_measure"),
            models.CheckConstraint(condition=models.Q(tariff__gte=0), name="tariff_not_negative"),
            models.CheckConstraint(condition=~models.Q(basis="frequency") | models.Q(baseline__isnull=False), name="frequency_tariff_has_baseline"),
        ]

    def __str__(self):
        return f"{self.measure.name}: £{self.tariff} {self.get_basis_display().lower()}"


class Claim(models.Model):
    """A period's claim for payment: built from the terms and the returns, approved by two people, then paid.

    Segregation of duties: the contract manager who checks it and the procurement officer who
    approves it are two different people, neither of them its author (the database refuses otherwise).
    """

    class Status(models.TextChoices):
        SUBMITTED = "submitted", "Awaiting the contract manager"
        CHECKED = "checked", "Awaiting MoJ Procurement"
        APPROVED = "approved", "Approved for payment"
        PAID = "paid", "Paid"
        QUERIED = "queried", "Queried"

    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="claims")
    period_start = models.DateField()
    period_end = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SUBMITTED, db_index=True)
    total = models.DecimalField("total (£)", max_digits=14, decimal_places=2)
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    raised_at = models.DateTimeField()
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    checked_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)
    paid_on = models.DateField(null=True, blank=True)
    payment_reference = models.CharField(max_length=60, blank=True)
    query_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["agreement", "-period_start"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "period_start"], name="one_claim_per_period"),
            models.CheckConstraint(condition=models.Q(period_end__gte=models.F("period_start")), name="claim_period_in_order"),
            models.CheckConstraint(condition=models.Q(checked_by__isnull=True) | ~models.Q(checked_by=models.F("raised_by")),
                                   name="claim_checked_by_another"),
            models.CheckConstraint(condition=models.Q(approved_by__isnull=True) | (~models.Q(approved_by=models.F("raised_by"))
                                   & ~models.Q(approved_by=models.F("checked_by"))), name="claim_approved_by_a_third"),
            models.CheckConstraint(condition=~models.Q(status="paid") | models.Q(paid_on__isnull=False, approved_by__isnull=False),
                                   name="claim_paid_once_approved"),
        ]

    def __str__(self):
        return f"{self.agreement.reference} claim for {self.period_start:%d %B %Y} to {self.period_end:%d %B %Y}"


class ClaimLine(models.Model):
    class Kind(models.TextChoices):
        FEE = "fee", "Service fee"
        OUTCOME = "outcome", "Outcome payment"
        DEDUCTION = "deduction", "Deduction"
        SERVICE_CREDIT = "service_credit", "Service credit"

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="lines")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    description = models.CharField(max_length=300)
    amount = models.DecimalField("amount (£)", max_digits=14, decimal_places=2)
    reference = models.CharField(max_length=120, blank=True, help_text="Where the line comes from: the measure and period, the penalty, the tariff.")
    # A penalty is deducted once: from the first claim after its return was validated.
    penalised_return = models.OneToOneField(Return, null=True, blank=True, on_delete=models.PROTECT, related_name="deduction")
    # The measure an outcome payment or a deduction is for: what the outcomes tree counts as paid for an outcome (issue #21).
    measure = models.ForeignKey(Measure, null=True, blank=True, on_delete=models.PROTECT, related_name="claim_lines")

    class Meta:
        ordering = ["claim", "id"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(kind__in=["deduction", "service_credit"]) | models.Q(amount__lte=0), name="deductions_reduce_the_claim"),
            models.CheckConstraint(condition=models.Q(kind__in=["deduction", "service_credit"]) | models.Q(amount__gte=0), name="payments_are_not_negative"),
        ]


# --- mobilisation (issue #21) --------------------------------------------------------------------------

class MilestoneKind(models.TextChoices):
    """What a mobilisation plan covers between award and go-live (seed 002, lines 405 and 785–789)."""

    TUPE_CONSULTATION = "tupe_consultation", "TUPE consultation with affected staff"
    TUPE_TRANSFER = "tupe_transfer", "TUPE transfer of staff"
    STAFF_EQUALITY = "staff_equality", "Equality impact on staff assessed"
    IT_AND_DATA = "it_and_data", "IT and data transfer"
    PREMISES = "premises", "Premises ready"
    READINESS_VISIT = "readiness_visit", "Readiness visit, with findings"
    OTHER = "other", "Other"


# The standard plan drawn up at the start of mobilisation, in the order the work usually runs.
STANDARD_MILESTONES = (MilestoneKind.TUPE_CONSULTATION, MilestoneKind.STAFF_EQUALITY, MilestoneKind.IT_AND_DATA, MilestoneKind.PREMISES,
                       MilestoneKind.TUPE_TRANSFER, MilestoneKind.READINESS_VISIT)


class MobilisationMilestone(models.Model):
    """One milestone of an agreement's mobilisation plan: done (with findings, for a readiness visit), or its gap
    accepted by the SRO with a reason; go-live waits until every milestone is one or the other."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="milestones")
    kind = models.CharField(max_length=20, choices=MilestoneKind.choices)
    title = models.CharField(max_length=200)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="milestones_owned")
    due_on = models.DateField()
    done_on = models.DateField(null=True, blank=True)
    findings = models.TextField(blank=True, help_text="What was found (a readiness visit's findings).")
    gap_accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    gap_accepted_at = models.DateTimeField(null=True, blank=True)
    gap_reason = models.TextField(blank=True)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["due_on", "pk"]
        constraints = [
            # Done, or a gap accepted with its reason, never both.
            models.CheckConstraint(name="milestone_done_or_gap_accepted",
                                   condition=models.Q(done_on__isnull=True) | models.Q(gap_accepted_at__isnull=True)),
            models.CheckConstraint(name="milestone_gap_accepted_with_reason",
                                   condition=models.Q(gap_accepted_at__isnull=True) | ~models.Q(gap_reason="")),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def settled(self) -> bool:
        return self.done_on is not None or self.gap_accepted_at is not None

    @property
    def status(self) -> str:
        if self.done_on is not None:
            return "Done"
        return "Gap accepted by the SRO" if self.gap_accepted_at is not None else "Not done"


# --- the contract management log (issue #21) ----------------------------------------------------------------

class LogEntryKind(models.TextChoices):
    """Contract management beyond the figures (seed 002, lines 403–409, 417–419, 543)."""

    REVIEW_MEETING = "review_meeting", "Contract review meeting"
    VISIT = "visit", "Visit"
    ISSUE = "issue", "Issue raised with the provider"
    DEVELOPMENT = "development", "Provider development action"


class LogEntry(models.Model):
    """One entry of an agreement's contract management log: what happened, what was found, and any action agreed
    (with who acts and by when, until it is closed). Shared with the provider's people unless kept internal."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="log_entries")
    kind = models.CharField(max_length=20, choices=LogEntryKind.choices)
    held_on = models.DateField("date")
    summary = models.TextField("what happened")
    findings = models.TextField(blank=True)
    action = models.TextField("action agreed", blank=True)
    action_by = models.CharField("who acts", max_length=200, blank=True)
    due_on = models.DateField(null=True, blank=True)
    closed_on = models.DateField(null=True, blank=True)
    closing_note = models.TextField(blank=True)
    shared_with_provider = models.BooleanField(default=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-held_on", "-pk"]
        constraints = [
            # An action has a due date; only an action can be closed.
            models.CheckConstraint(name="log_action_has_a_due_date", condition=models.Q(action="") | models.Q(due_on__isnull=False)),
            models.CheckConstraint(name="log_only_actions_close", condition=~models.Q(action="") | models.Q(closed_on__isnull=True)),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.held_on:%-d %B %Y}"

    @property
    def open_action(self) -> bool:
        return bool(self.action) and self.closed_on is None


# --- exit and decommissioning (issue #21) ------------------------------------------------------------------

class ExitPlan(models.Model):
    """How an agreement ends well (seed 002, lines 272–276 and 288): what happens to the service's users, the data,
    the staff and the assets. Drawn up by the contract manager or MoJ Procurement, agreed by a commissioner;
    decommissioning needs it agreed, and an agreement nearing its end with no successor asks for it."""

    agreement = models.OneToOneField(Agreement, on_delete=models.CASCADE, related_name="exit_plan")
    service_users = models.TextField("service users' transition")
    data_return = models.TextField("data return")
    staff = models.TextField("staff")
    assets = models.TextField("assets")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    agreed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    agreed_on = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [models.CheckConstraint(name="exit_plan_agreed_by_someone_on_a_day",
                                              condition=models.Q(agreed_by__isnull=True, agreed_on__isnull=True)
                                              | models.Q(agreed_by__isnull=False, agreed_on__isnull=False))]

    def __str__(self) -> str:
        return f"Exit plan for {self.agreement}"

    @property
    def agreed(self) -> bool:
        return self.agreed_on is not None
