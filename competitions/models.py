"""Competitions (SPEC §3): the lifecycle state machine and the records its guards read.

The state graph is declared once in `competitions.machine` (the FSM methods here take
its steps); the guards' conditions are in `competitions.guards` so that pages can show
each one as a checklist item. Writes go through
`competitions.services`, never through these models directly.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from competitions.machine import LIFECYCLE
from competitions.standstill import REDUCTIONS
from competitions.states import (  # noqa: F401  (re-exported: models are where most callers look)
    Regime,
    Procedure,
    PROCEDURES_BY_REGIME,
    AwardBasis,
    State,
    STATE_LABELS_2023,
    PHASES,
    PHASE_LABELS,
    ABANDONABLE,
    LAUNCHED,
    DeliveryConfidence,
    DELIVERY_CONFIDENCE_SCALES,
    BusinessCaseKind,
    BusinessCaseStatus,
    ReviewType,
    CriterionKind,
    BidStage,
    PreQualification,
    ChallengeStatus,
    NoticeType,
)
from core.uploads import RandomName, validate_document
from core.append_only import append_only, append_only_trigger
from core.events import TimelineEvent


class Programme(models.Model):
    """A programme of competitions; Gate 0 (strategic assessment) may attach to it."""

    name = models.CharField(max_length=200, unique=True)
    description = models.TextField(blank=True)

    def __str__(self):
        return self.name


class Competition(ConcurrentTransitionMixin, models.Model):
    reference = models.CharField(max_length=30, unique=True)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    service_area = models.ForeignKey("core.ServiceArea", on_delete=models.PROTECT, related_name="competitions")
    programme = models.ForeignKey(Programme, null=True, blank=True, on_delete=models.SET_NULL, related_name="competitions")
    regime = models.CharField(max_length=4, choices=Regime.choices, default=Regime.PA_2023)
    procedure = models.CharField(max_length=30, choices=Procedure.choices, default=Procedure.COMPETITIVE_FLEXIBLE)
    award_basis = models.CharField(max_length=20, choices=AwardBasis.choices, default=AwardBasis.MEAT)
    estimated_value = models.DecimalField("estimated value (£)", max_digits=14, decimal_places=2, validators=[MinValueValidator(0)])
    is_major_project = models.BooleanField("major project (Government Major Projects Portfolio)", default=False)
    public_sector_bid_possible = models.BooleanField(default=False)
    lead_commissioner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="led_competitions")
    ocid = models.CharField("OCID", max_length=80, unique=True)

    state = FSMField(default=State.DRAFT, choices=State.choices, protected=True, db_index=True)
    # Bumped by every service write: the API's ETag and the pages' "changed by someone else".
    version = models.PositiveIntegerField(default=1)

    # Pre-procurement governance (seed, "The Competition Lifecycle").
    mandate = models.TextField(blank=True, help_text="The mandate drawn from the published competition strategy.")
    mandate_issued_on = models.DateField(null=True, blank=True)
    sro = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="sro_competitions", verbose_name="Senior Responsible Officer",
    )
    sro_appointed_on = models.DateField(null=True, blank=True)
    principles_of_competition_published_on = models.DateField(null=True, blank=True)
    criteria_agreed_on = models.DateField(null=True, blank=True)

    # Time limits (competitions/standstill.py): the deadlines of the participation and tendering periods,
    # and any reduction of the minimum periods the regime allows, with its ground.
    participation_deadline = models.DateTimeField(
        "deadline for requests to participate", null=True, blank=True,
        help_text="Procedures with a participation stage: when requests to participate close.",
    )
    time_limit_reduction = models.CharField(
        "reduced time limits", max_length=30, blank=True, default="",
        choices=list(REDUCTIONS.items()),
    )
    bid_deadline = models.DateTimeField("tender deadline", null=True, blank=True)
    bafo_deadline = models.DateTimeField("deadline for best and final offers", null=True, blank=True)
    launched_at = models.DateTimeField(
        null=True, blank=True, db_index=True, editable=False,
        help_text="When it was launched (the tender notice): from then on every bidder may see it, abandoned or not.",
    )
    standstill_started_on = models.DateField(null=True, blank=True)
    standstill_ends_on = models.DateField(null=True, blank=True)
    abandoned_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["reference"]
        constraints = [models.CheckConstraint(condition=models.Q(estimated_value__gte=0), name="competition_value_not_negative")]

    def __str__(self):
        return f"{self.reference} {self.title}"

    @property
    def phase(self) -> str:
        return next(phase for phase, states in PHASES.items() if self.state in states)

    @property
    def phase_label(self) -> str:
        return PHASE_LABELS[self.phase]

    @property
    def state_label(self) -> str:
        if self.regime == Regime.PA_2023 and self.state in STATE_LABELS_2023:
            return STATE_LABELS_2023[self.state]
        return State(self.state).label

    @property
    def is_launched(self) -> bool:
        return self.state in LAUNCHED

    # --- the state graph (SPEC §3) -------------------------------------------------
    @transition(field=state, **LIFECYCLE.fsm("start_pre_procurement"))
    def start_pre_procurement(self):
        pass

    @transition(field=state, **LIFECYCLE.fsm("launch"))
    def launch(self):
        pass

    @transition(field=state, **LIFECYCLE.fsm("open_dialogue"))
    def open_dialogue(self):
        pass

    @transition(field=state, **LIFECYCLE.fsm("invite_tenders"))
    def invite_tenders(self):
        pass

    @transition(field=state, **LIFECYCLE.fsm("call_for_bafo"))
    def call_for_bafo(self):
        pass

    @transition(field=state, **LIFECYCLE.fsm("start_evaluation"))
    def start_evaluation(self):
        pass

    @transition(field=state, **LIFECYCLE.fsm("recommend_award"))
    def recommend_award(self):
        pass

    @transition(field=state, **LIFECYCLE.fsm("start_standstill"))
    def start_standstill(self):
        pass

    @transition(field=state, **LIFECYCLE.fsm("award"))
    def award(self):
        pass

    @transition(field=state, **LIFECYCLE.fsm("start_mobilisation"))
    def start_mobilisation(self):
        pass

    @transition(field=state, **LIFECYCLE.fsm("go_live"))
    def go_live(self):
        pass

    @transition(field=state, **LIFECYCLE.fsm("close"))
    def close(self):
        pass

    @transition(field=state, **LIFECYCLE.fsm("abandon"))
    def abandon(self):
        pass


class BusinessCase(models.Model):
    Kind = BusinessCaseKind
    Status = BusinessCaseStatus

    competition = models.ForeignKey(Competition, on_delete=models.CASCADE, related_name="business_cases")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    summary = models.TextField(help_text="Service outcomes, expected business benefits and costs.")
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    approved_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["id"]  # as recorded, on every read (PostgreSQL keeps no order of its own)
        constraints = [
            models.UniqueConstraint(fields=["competition", "kind"], name="one_business_case_of_each_kind"),
            models.CheckConstraint(
                condition=models.Q(status="draft") | (models.Q(approved_on__isnull=False) & models.Q(approved_by__isnull=False)),
                name="approved_business_case_has_approver_and_date",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.get_status_display().lower()})"


class ProcurementStrategy(models.Model):
    competition = models.OneToOneField(Competition, on_delete=models.CASCADE, related_name="procurement_strategy")
    route = models.TextField(help_text="The intended method of securing the services, as advised by MoJ Procurement.")
    lots = models.TextField(blank=True, help_text="How the services are divided into lots, one per line.")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_on = models.DateField()


class PlannedReview(models.Model):
    """A line of the Integrated Assurance and Approval Plan: which review, at which point."""

    competition = models.ForeignKey(Competition, on_delete=models.CASCADE, related_name="assurance_plan")
    review_type = models.CharField(max_length=10, choices=[("gateway", "Gateway review"), ("keyholder", "Keyholder review"), ("tap", "Treasury approval (TAP)")])
    gate = models.PositiveSmallIntegerField(null=True, blank=True, validators=[MaxValueValidator(5)])
    before_state = models.CharField("before moving to", max_length=30, choices=State.choices)
    planned_on = models.DateField()

    class Meta:
        ordering = ["planned_on"]


class TreasuryApproval(models.Model):
    class Stage(models.TextChoices):
        OUTLINE = "outline", "Outline Business Case"
        FULL = "full", "Full Business Case"

    competition = models.ForeignKey(Competition, on_delete=models.CASCADE, related_name="treasury_approvals")
    stage = models.CharField(max_length=10, choices=Stage.choices)
    reference = models.CharField(max_length=60)
    approved_on = models.DateField()

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["competition", "stage"], name="one_tap_per_stage")]


class GatewayReview(models.Model):
    ReviewType = ReviewType

    class Gate(models.IntegerChoices):
        STRATEGIC_ASSESSMENT = 0, "Gate 0: strategic assessment"
        BUSINESS_JUSTIFICATION = 1, "Gate 1: business justification"
        PROCUREMENT_STRATEGY = 2, "Gate 2: procurement strategy"
        INVESTMENT_DECISION = 3, "Gate 3: investment decision"
        READINESS_FOR_SERVICE = 4, "Gate 4: readiness for service"
        BENEFITS_REALISATION = 5, "Gate 5: benefits realisation"

    competition = models.ForeignKey(Competition, null=True, blank=True, on_delete=models.CASCADE, related_name="gateway_reviews")
    programme = models.ForeignKey(Programme, null=True, blank=True, on_delete=models.CASCADE, related_name="gateway_reviews")
    review_type = models.CharField(max_length=10, choices=ReviewType.choices, default=ReviewType.GATEWAY)
    gate = models.PositiveSmallIntegerField(choices=Gate.choices)
    held_on = models.DateField()
    review_team = models.TextField(help_text="Names of the reviewers, one per line.")
    delivery_confidence = models.CharField(max_length=12, choices=DeliveryConfidence.choices)
    summary = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["held_on", "id"]
        constraints = [
            # A review belongs to one competition, or (Gate 0 only) to a programme.
            models.CheckConstraint(
                condition=(models.Q(competition__isnull=False, programme__isnull=True))
                | (models.Q(competition__isnull=True, programme__isnull=False, gate=0)),
                name="review_belongs_to_competition_or_gate0_programme",
            ),
        ]

    def __str__(self):
        return f"{self.get_review_type_display()}, {self.get_gate_display()}: {self.get_delivery_confidence_display()}"


class Recommendation(models.Model):
    class Urgency(models.TextChoices):
        CRITICAL = "critical", "Critical (do now)"
        ESSENTIAL = "essential", "Essential (do by)"
        RECOMMENDED = "recommended", "Recommended"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        DONE = "done", "Done"

    review = models.ForeignKey(GatewayReview, on_delete=models.CASCADE, related_name="recommendations")
    text = models.TextField()
    urgency = models.CharField(max_length=12, choices=Urgency.choices)
    status = models.CharField(max_length=4, choices=Status.choices, default=Status.OPEN)

    class Meta:
        ordering = ["id"]  # as the review made them, on every read (PostgreSQL keeps no order of its own)


class RecoveryAction(models.Model):
    """Opened by a Red delivery-confidence rating."""

    review = models.OneToOneField(GatewayReview, on_delete=models.CASCADE, related_name="recovery_action")
    description = models.TextField()
    status = models.CharField(max_length=4, choices=Recommendation.Status.choices, default=Recommendation.Status.OPEN)
    opened_on = models.DateField()


class EvaluationCriterion(models.Model):
    Kind = CriterionKind

    competition = models.ForeignKey(Competition, on_delete=models.CASCADE, related_name="criteria")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    weight = models.DecimalField(max_digits=5, decimal_places=2, validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(100)])
    description = models.TextField(blank=True)
    published = models.BooleanField(default=False)

    class Meta:
        ordering = ["kind", "id"]
        constraints = [models.UniqueConstraint(fields=["competition", "name"], name="criterion_name_unique_in_competition")]

    def __str__(self):
        return f"{self.name} ({self.weight}%)"


class Bid(models.Model):
    class Structure(models.TextChoices):
        SINGLE = "single", "Single provider"
        CONSORTIUM = "consortium", "Consortium (lead provider and members)"
        PRIME = "prime", "Prime provider with sub-primes"

    Stage = BidStage
    PreQualification = PreQualification

    competition = models.ForeignKey(Competition, on_delete=models.CASCADE, related_name="bids")
    bidder = models.ForeignKey("core.Organisation", on_delete=models.PROTECT, related_name="bids")
    structure = models.CharField(max_length=12, choices=Structure.choices, default=Structure.SINGLE)
    stage = models.CharField(max_length=20, choices=Stage.choices, default=Stage.EXPRESSION_OF_INTEREST)
    pre_qualification = models.CharField(max_length=10, choices=PreQualification.choices, default=PreQualification.PENDING)
    pre_qualification_reasons = models.TextField(blank=True)
    tender_price = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)])
    bafo_price = models.DecimalField("BAFO price", max_digits=14, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)])
    compliant = models.BooleanField(null=True, blank=True, help_text="Unknown until the tender is checked for compliance.")
    compliance_notes = models.TextField(blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    withdrawn = models.BooleanField(default=False)

    class Meta:
        ordering = ["competition", "bidder__name"]
        constraints = [models.UniqueConstraint(fields=["competition", "bidder"], name="one_bid_per_bidder")]

    def __str__(self):
        return f"{self.bidder} for {self.competition.reference}"

    @property
    def is_public_sector(self) -> bool:
        return self.bidder.sector == "public"

    @property
    def price(self) -> Decimal | None:
        """The price evaluated: the BAFO price when there is one."""
        return self.bafo_price if self.bafo_price is not None else self.tender_price


class BidParticipant(models.Model):
    """Consortium member or sub-prime of a bid, with shares of funding and of risk."""

    class Role(models.TextChoices):
        LEAD = "lead", "Lead provider"
        MEMBER = "member", "Consortium member"
        PRIME = "prime", "Prime provider"
        SUB_PRIME = "sub_prime", "Sub-prime"

    bid = models.ForeignKey(Bid, on_delete=models.CASCADE, related_name="participants")
    organisation = models.ForeignKey("core.Organisation", on_delete=models.PROTECT, related_name="bid_participations")
    role = models.CharField(max_length=10, choices=Role.choices)
    funding_share = models.DecimalField("share of funding (%)", max_digits=5, decimal_places=2, validators=[MinValueValidator(0), MaxValueValidator(100)])
    risk_share = models.DecimalField("share of risk (%)", max_digits=5, decimal_places=2, validators=[MinValueValidator(0), MaxValueValidator(100)])

    class Meta:
        ordering = ["id"]  # as recorded, on every read
        constraints = [models.UniqueConstraint(fields=["bid", "organisation"], name="participant_once_per_bid")]


class BidShare(models.Model):
    """A consortium's lead shares its bid with a member organisation (issue #18): the member's bid managers read the
    bid, its documents and its debrief letter; only the lead's act for it."""

    bid = models.ForeignKey(Bid, on_delete=models.CASCADE, related_name="shares")
    organisation = models.ForeignKey("core.Organisation", on_delete=models.PROTECT, related_name="+")
    shared_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    shared_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["bid", "organisation"], name="share_once_per_member")]


class BidDocument(models.Model):
    bid = models.ForeignKey(Bid, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(max_length=200)
    file = models.FileField(upload_to=RandomName("bids"), validators=[validate_document])
    uploaded_at = models.DateTimeField(auto_now_add=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")


class ParticipationQuestion(models.Model):
    """A condition-of-participation (pre-qualification) question, published with the tender notice (issue #18)."""

    competition = models.ForeignKey(Competition, on_delete=models.CASCADE, related_name="participation_questions")
    question = models.TextField()
    guidance = models.TextField(blank=True, help_text="What a good answer shows, or the evidence wanted.")
    required = models.BooleanField(default=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["competition", "position", "id"]

    def __str__(self):
        return self.question[:80]


class ParticipationAnswer(models.Model):
    """A bidder's answer to a condition-of-participation question: its bid's own material, read with the bid."""

    bid = models.ForeignKey(Bid, on_delete=models.CASCADE, related_name="participation_answers")
    question = models.ForeignKey(ParticipationQuestion, on_delete=models.PROTECT, related_name="answers")
    answer = models.TextField()
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    answered_at = models.DateTimeField()

    class Meta:
        ordering = ["question__position", "question_id"]
        constraints = [models.UniqueConstraint(fields=["bid", "question"], name="one_answer_per_question")]


class TenderRound(models.TextChoices):
    TENDER = "tender", "Tender"
    BAFO = "bafo", "Best and final offer"


class SealedTender(models.Model):
    """A tender in the electronic tender box (issue #18): whose it is and what it says are sealed until the box is opened.

    Only the competition, the round and the times are in the clear: MoJ Procurement counts what has
    arrived and nothing more. The bid, the price, who submitted it and the receipt are one sealed
    value (core/sealing.py); each file is sealed on its own (SealedFile). Opening writes the price
    and documents to the bid and keeps this row, opened, as the record of what was received.
    """

    competition = models.ForeignKey(Competition, on_delete=models.PROTECT, related_name="sealed_tenders")
    round = models.CharField(max_length=10, choices=TenderRound.choices)
    sealed = models.BinaryField(help_text="The bid, price, submitter and receipt, encrypted.")
    received_at = models.DateTimeField(help_text="When it arrived or was last replaced.")
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["competition", "round", "id"]


class SealedFile(models.Model):
    """One document of a sealed tender: its content encrypted in storage, its name, size and SHA-256 sealed with it."""

    tender = models.ForeignKey(SealedTender, on_delete=models.CASCADE, related_name="files")
    content = models.FileField(upload_to=RandomName("sealed"))
    sealed = models.BinaryField(help_text="Title, file name, size and SHA-256, encrypted.")


class TenderBoxOpening(models.Model):
    """The two-person opening of a round's tender box: begun by one procurement officer, completed by another."""

    competition = models.ForeignKey(Competition, on_delete=models.PROTECT, related_name="tender_box_openings")
    round = models.CharField(max_length=10, choices=TenderRound.choices)
    first_officer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    begun_at = models.DateTimeField()
    second_officer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField(null=True, blank=True)
    tenders_opened = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["competition", "round"], name="one_opening_per_round"),
            models.CheckConstraint(condition=~models.Q(second_officer=models.F("first_officer")), name="opening_needs_two_people"),
        ]

    @property
    def is_open(self) -> bool:
        return self.opened_at is not None


class CostAdjustment(models.Model):
    """Principles of Competition: treatments that make public-sector bids comparable."""

    class Heading(models.TextChoices):
        INDIRECT_COSTS = "indirect_costs", "Indirect costs incurred by the public sector"
        PENSIONS = "pensions", "Pensions"
        REDEPLOYMENT = "redeployment", "Redeployment of staff in lieu of redundancy"
        RISK_INSURANCE = "risk_insurance", "Risk, including insurance"
        TAXATION = "taxation", "Taxation"
        GRANT_FUNDING = "grant_funding", "Grant funding"
        PROPERTY_CAPITAL = "property_capital", "Property and capital funding"
        ICT = "ict", "Information and communication technology"
        COMMON_COMMODITIES = "common_commodities", "Government contracts for common commodities"

    bid = models.ForeignKey(Bid, on_delete=models.CASCADE, related_name="cost_adjustments")
    heading = models.CharField(max_length=30, choices=Heading.choices)
    amount = models.DecimalField("adjustment (£, + adds to the bid price)", max_digits=14, decimal_places=2)
    rationale = models.TextField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["bid", "heading"], name="one_adjustment_per_heading")]


SCORE_MAX = 10


class Score(models.Model):
    """One evaluator's mark for one bid against one criterion (0–10)."""

    bid = models.ForeignKey(Bid, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(EvaluationCriterion, on_delete=models.CASCADE, related_name="scores")
    evaluator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    score = models.PositiveSmallIntegerField(validators=[MaxValueValidator(SCORE_MAX)])
    rationale = models.TextField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["bid", "criterion", "evaluator"], name="one_score_per_evaluator")]


class ModeratedScore(models.Model):
    """The consensus mark agreed at moderation."""

    bid = models.ForeignKey(Bid, on_delete=models.CASCADE, related_name="moderated_scores")
    criterion = models.ForeignKey(EvaluationCriterion, on_delete=models.CASCADE, related_name="moderated_scores")
    score = models.PositiveSmallIntegerField(validators=[MaxValueValidator(SCORE_MAX)])
    notes = models.TextField()
    moderated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["bid", "criterion"], name="one_moderated_score")]


class AwardRecommendation(models.Model):
    competition = models.OneToOneField(Competition, on_delete=models.CASCADE, related_name="award_recommendation")
    bid = models.ForeignKey(Bid, on_delete=models.PROTECT, related_name="+")
    rationale = models.TextField()
    made_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    made_on = models.DateField()


class TieBreak(models.Model):
    """How bids tied for the highest score were separated, by the method the tender documents published.

    Equal totals are a tie, never decided by the alphabet: the award is not recommended
    until MoJ Procurement records which tied bid goes first, by what method and why.
    """

    competition = models.OneToOneField(Competition, on_delete=models.CASCADE, related_name="tie_break")
    bid = models.ForeignKey(Bid, on_delete=models.PROTECT, related_name="+", help_text="The tied bid placed first.")
    method = models.TextField(help_text="The tie-break method as the tender documents published it.")
    reason = models.TextField(help_text="Why the method puts this bid first.")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_on = models.DateField()


class DebriefLetter(models.Model):
    """The letter to each bidder (under the 2023 Act, its assessment summary).

    The PDF is kept in the row itself: written in the same transaction as the letter, so a
    letter never exists without its document, nor a document without its letter.
    """

    bid = models.OneToOneField(Bid, on_delete=models.CASCADE, related_name="debrief_letter")
    document = models.BinaryField(help_text="The letter as issued (PDF).")
    file_name = models.CharField(max_length=120)
    issued_on = models.DateField()
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")


class Challenge(models.Model):
    Status = ChallengeStatus

    competition = models.ForeignKey(Competition, on_delete=models.CASCADE, related_name="challenges")
    challenger = models.ForeignKey("core.Organisation", on_delete=models.PROTECT, related_name="+")
    lodged_on = models.DateField()
    grounds = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    resolved_on = models.DateField(null=True, blank=True)


class Clarification(models.Model):
    """A bidder's question, logged by MoJ Procurement, answered to all (anonymised) or to the asker."""

    competition = models.ForeignKey(Competition, on_delete=models.CASCADE, related_name="clarifications")
    asked_by = models.ForeignKey("core.Organisation", on_delete=models.PROTECT, related_name="+")
    question = models.TextField()
    logged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    logged_at = models.DateTimeField(auto_now_add=True)
    commercially_sensitive = models.BooleanField(
        default=False, help_text="Answered to the asker only, not published to all bidders."
    )
    answer = models.TextField(blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["logged_at", "id"]
        # A page of the log walks this index in its order and stops at 25, rather than sorting every clarification (issue #22).
        indexes = [models.Index(fields=["logged_at", "id"], name="clarification_log_order")]

    def __str__(self):
        return f"“{self.question if len(self.question) <= 120 else self.question[:117] + '…'}”"


class BenefitsReport(models.Model):
    """The SRO's report of benefits realised, needed to close (with Gate 5): the SRO's summary and, built from the
    business cases' benefits as they stood when it was submitted, each benefit's baseline, target and latest actual."""

    competition = models.OneToOneField(Competition, on_delete=models.CASCADE, related_name="benefits_report")
    summary = models.TextField()
    benefits = models.JSONField(default=list, blank=True, help_text="Each benefit as reported: description, unit, baseline, target, "
                                                                     "latest actual and when, and the share of the way to target.")
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_on = models.DateField()


class Benefit(models.Model):
    """A benefit a business case expects (issue #21; seed 002, lines 541, 743, 783, 789): how it is measured, from what
    baseline to what target, and who owns it. Actuals are recorded over time, or read from an agreement's measure."""

    business_case = models.ForeignKey(BusinessCase, on_delete=models.CASCADE, related_name="benefits")
    description = models.CharField(max_length=300)
    how_measured = models.CharField("how it is measured", max_length=300)
    unit = models.CharField(max_length=40, blank=True)
    baseline = models.DecimalField(max_digits=14, decimal_places=2)
    target = models.DecimalField(max_digits=14, decimal_places=2)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="benefits_owned")
    measure = models.ForeignKey("contracts.Measure", null=True, blank=True, on_delete=models.SET_NULL, related_name="benefits",
                                help_text="An agreement's measure whose validated returns are this benefit's actuals.")

    class Meta:
        ordering = ["pk"]
        constraints = [models.CheckConstraint(name="benefit_target_differs_from_baseline", condition=~models.Q(target=models.F("baseline")))]

    def __str__(self) -> str:
        return self.description


class BenefitActual(models.Model):
    benefit = models.ForeignKey(Benefit, on_delete=models.CASCADE, related_name="actuals")
    measured_on = models.DateField()
    value = models.DecimalField(max_digits=14, decimal_places=2)
    note = models.CharField(max_length=300, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["measured_on", "pk"]
        constraints = [models.UniqueConstraint(fields=["benefit", "measured_on"], name="one_actual_per_benefit_and_day")]


@append_only
class Notice(models.Model):
    """Content of a Central Digital Platform notice (Procurement Act 2023), versioned, one OCID per procurement."""

    NoticeType = NoticeType

    competition = models.ForeignKey(Competition, on_delete=models.CASCADE, related_name="notices")
    notice_type = models.CharField(max_length=4, choices=NoticeType.choices)
    version = models.PositiveSmallIntegerField(default=1)
    content = models.JSONField()
    published_at = models.DateTimeField()
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", help_text="Empty when a scheduled task published it.")

    class Meta:
        triggers = [append_only_trigger()]
        ordering = ["published_at", "id"]
        constraints = [models.UniqueConstraint(fields=["competition", "notice_type", "version"], name="notice_version_unique")]


@append_only
class CompetitionEvent(TimelineEvent):
    """The competition's timeline: transitions and records, who and when (core.events)."""

    competition = models.ForeignKey(Competition, on_delete=models.CASCADE, related_name="events")
    # None for the tender box's arrivals: who sent a sealed tender is sealed with it.
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    from_state = models.CharField(max_length=30, blank=True, choices=State.choices)
    to_state = models.CharField(max_length=30, blank=True, choices=State.choices)

    class Meta(TimelineEvent.Meta):
        triggers = [append_only_trigger()]
