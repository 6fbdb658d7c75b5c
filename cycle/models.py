"""The commissioning cycle (SPEC §2; seed "The Offender Services Commissioning Cycle").

Three phases and eight stages, one state machine declared in `cycle.machine`; forward
moves have guards (`cycle.guards`), any stage may step back to an earlier one with a reason.
Writes go through `cycle.services`.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from core.uploads import RandomName, validate_document
from cycle.machine import CYCLE
from cycle.states import OPEN_STAGES, PHASES, STAGE_ORDER, Stage  # noqa: F401  (re-exported)
from core.append_only import append_only, append_only_trigger
from core.events import TimelineEvent


class CycleType(models.TextChoices):
    STRATEGIC = "strategic", "Strategic commissioning"
    SERVICE_LEVEL = "service_level", "Service-level commissioning"
    CO_COMMISSIONING = "co_commissioning", "Co-commissioning"
    JOINT = "joint", "Joint commissioning"
    PERSONALISED = "personalised", "Personalised commissioning"
    DECOMMISSIONING = "decommissioning", "Decommissioning"


class CycleLevel(models.TextChoices):
    NATIONAL = "national", "National"
    REGIONAL = "regional", "Regional"
    LOCAL = "local", "Local"




class CommissioningCycle(ConcurrentTransitionMixin, models.Model):
    name = models.CharField(max_length=200)
    cycle_type = models.CharField("type", max_length=20, choices=CycleType.choices)
    level = models.CharField(max_length=10, choices=CycleLevel.choices)
    area = models.CharField(max_length=120, blank=True, help_text="The region or locality, for regional and local cycles.")
    period_start = models.DateField()
    period_end = models.DateField()
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="owned_cycles")
    available_resources = models.DecimalField("available resources (£)", max_digits=14, decimal_places=2, validators=[MinValueValidator(0)])
    stage = FSMField(default=Stage.EVALUATE, choices=Stage.choices, protected=True, db_index=True)
    version = models.PositiveIntegerField(default=1)
    previous_cycle = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT, related_name="next_cycle")
    carried_evaluation = models.JSONField(default=dict, blank=True, help_text="The closing evaluation of the previous cycle.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-period_start", "name"]
        constraints = [
            models.CheckConstraint(condition=models.Q(period_end__gt=models.F("period_start")), name="cycle_period_ends_after_start"),
            models.CheckConstraint(condition=models.Q(available_resources__gte=0), name="cycle_resources_not_negative"),
        ]

    def __str__(self):
        return self.name

    @property
    def phase(self) -> str:
        return next(name for name, stages in PHASES.items() if self.stage in stages)

    @property
    def stage_label(self) -> str:
        return Stage(self.stage).label

    @property
    def stage_number(self) -> int:
        return STAGE_ORDER.index(self.stage) + 1

    # --- the state graph (SPEC §2) ---------------------------------------------------------
    @transition(field=stage, **CYCLE.fsm("assess_needs"))
    def assess_needs(self):
        pass

    @transition(field=stage, **CYCLE.fsm("prioritise"))
    def prioritise(self):
        pass

    @transition(field=stage, **CYCLE.fsm("design_services"))
    def design_services(self):
        pass

    @transition(field=stage, **CYCLE.fsm("review_supply"))
    def review_supply(self):
        pass

    @transition(field=stage, **CYCLE.fsm("secure_services"))
    def secure_services(self):
        pass

    @transition(field=stage, **CYCLE.fsm("deliver"))
    def deliver(self):
        pass

    @transition(field=stage, **CYCLE.fsm("manage_performance"))
    def manage_performance(self):
        pass

    @transition(field=stage, **CYCLE.fsm("closing_evaluation"))
    def closing_evaluation(self):
        pass

    @transition(field=stage, **CYCLE.fsm("close"))
    def close(self):
        pass

    # Stages run in parallel and iterate (seed): any stage may go back to an earlier one.
    @transition(field=stage, **CYCLE.fsm("step_back"))
    def step_back(self, to_stage):
        return to_stage


class FundingArrangement(models.TextChoices):
    ALIGNED = "aligned", "Aligned funding (each partner keeps control of its own budget)"
    POOLED = "pooled", "Pooled funding (a single budget)"


class Partner(models.Model):
    """A co- or joint-commissioning partner (seed: "Co-Commissioning Offender Services")."""

    cycle = models.ForeignKey(CommissioningCycle, on_delete=models.CASCADE, related_name="partners")
    organisation = models.ForeignKey("core.Organisation", on_delete=models.PROTECT, related_name="commissioning_partnerships")
    arrangement = models.CharField(max_length=10, choices=FundingArrangement.choices)
    contribution = models.DecimalField("contribution (£)", max_digits=14, decimal_places=2, validators=[MinValueValidator(0)])
    responsibilities = models.TextField(blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["cycle", "organisation"], name="partner_once_per_cycle")]


class NeedsAssessment(models.Model):
    """Demand (from courts), needs by cohort and location, current provision, and the gap."""

    cycle = models.ForeignKey(CommissioningCycle, on_delete=models.CASCADE, related_name="needs_assessments")
    service_area = models.ForeignKey("core.ServiceArea", on_delete=models.PROTECT, related_name="+")
    location = models.CharField(max_length=120)
    cohort = models.CharField(max_length=120, help_text="e.g. women, young adults, prolific offenders.")
    demand = models.PositiveIntegerField(help_text="Places, cases or hours a year the courts and sentences require.")
    provision = models.PositiveIntegerField(help_text="What current services provide, in the same unit.")
    unit = models.CharField(max_length=40, default="places")
    gap_analysis = models.TextField(help_text="What the gap means and why it exists.")
    evidence = models.TextField(blank=True, help_text="Sources: court data, OASys needs profiles, inspection reports…")
    evidence_file = models.FileField(upload_to=RandomName("evidence"), validators=[validate_document], blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["service_area__name", "location", "cohort"]

    @property
    def gap(self) -> int:
        return self.demand - self.provision


class Priority(models.Model):
    cycle = models.ForeignKey(CommissioningCycle, on_delete=models.CASCADE, related_name="priorities")
    rank = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)
    service_area = models.ForeignKey("core.ServiceArea", on_delete=models.PROTECT, related_name="+")
    cost = models.DecimalField("cost (£)", max_digits=14, decimal_places=2, validators=[MinValueValidator(0)])
    outcome_value = models.DecimalField("expected outcome value", max_digits=10, decimal_places=2, validators=[MinValueValidator(0)],
                                        help_text="The outcome the priority is expected to deliver, on the cycle's common scale.")
    weight = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal(1), validators=[MinValueValidator(0)],
                                 help_text="Strategic weight: how much this outcome counts against others.")
    evidence = models.TextField(blank=True)
    funded = models.BooleanField(default=False)

    class Meta:
        ordering = ["cycle", "rank"]
        constraints = [models.UniqueConstraint(fields=["cycle", "rank"], name="priority_rank_unique_in_cycle")]
        verbose_name_plural = "priorities"

    def __str__(self):
        return f"{self.rank}. {self.title}"

    @property
    def weighted_value(self) -> Decimal:
        return self.outcome_value * self.weight


class EqualityImpactAssessment(models.Model):
    cycle = models.OneToOneField(CommissioningCycle, on_delete=models.CASCADE, related_name="equality_impact_assessment")
    summary = models.TextField(help_text="Who the priorities affect, by protected characteristic, and how adverse impacts are mitigated.")
    completed_on = models.DateField()
    completed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")


class Outcome(models.Model):
    """The three-tier outcomes tree (seed: "Commissioning for Outcomes")."""

    class Level(models.TextChoices):
        STRATEGIC = "strategic", "Strategic"
        SERVICE = "service", "Service"
        BENEFICIARY = "beneficiary", "Service beneficiary"

    level = models.CharField(max_length=12, choices=Level.choices)
    title = models.CharField(max_length=300)
    theme = models.CharField(max_length=120, help_text="The Agency's aim it serves.")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")

    class Meta:
        ordering = ["theme", "level", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(level="strategic", parent__isnull=True)) | (~models.Q(level="strategic") & models.Q(parent__isnull=False)),
                name="only_strategic_outcomes_are_roots",
            ),
        ]

    def __str__(self):
        return self.title


class SecuringRoute(models.TextChoices):
    COMPETITION = "competition", "Competition"
    CONTRACT_CHANGE = "contract_change", "Change to an existing contract or SLA"
    FRAMEWORK = "framework", "Framework call-off"
    GRANT = "grant", "Grant"
    SPV = "spv", "Special purpose vehicle"


class ServiceSpecification(models.Model):
    """An entry of the Directory of Services: mandatory minimum outcomes and outputs, and how it is secured."""

    cycle = models.ForeignKey(CommissioningCycle, on_delete=models.CASCADE, related_name="specifications")
    priority = models.ForeignKey(Priority, on_delete=models.PROTECT, related_name="specifications")
    title = models.CharField(max_length=200)
    summary = models.TextField()
    outcomes = models.ManyToManyField(Outcome, related_name="specifications", help_text="The mandatory minimum outcomes.")
    outputs = models.TextField(help_text="Mandatory outputs, one per line.")
    securing_route = models.CharField(max_length=20, choices=SecuringRoute.choices, blank=True)
    competition = models.ForeignKey("competitions.Competition", null=True, blank=True, on_delete=models.PROTECT, related_name="specifications")
    agreement = models.ForeignKey("contracts.Agreement", null=True, blank=True, on_delete=models.PROTECT, related_name="specifications")
    route_notes = models.TextField(blank=True, help_text="Framework, grant scheme or vehicle used.")

    class Meta:
        ordering = ["cycle", "priority__rank", "title"]

    def __str__(self):
        return self.title


class MarketSounding(models.Model):
    class Kind(models.TextChoices):
        EVENT = "event", "Market event"
        FORUM = "forum", "Provider forum"
        BILATERAL = "bilateral", "Bilateral meeting"
        BIDDER_FEEDBACK = "bidder_feedback", "Feedback from bidders"

    cycle = models.ForeignKey(CommissioningCycle, on_delete=models.CASCADE, related_name="market_soundings")
    service_area = models.ForeignKey("core.ServiceArea", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    held_on = models.DateField()
    providers = models.ManyToManyField("core.Organisation", related_name="market_soundings")
    learned = models.TextField("what was learned")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-held_on"]


class MarketAnalysis(models.Model):
    class Maturity(models.TextChoices):
        EMERGING = "emerging", "Emerging"
        DEVELOPING = "developing", "Developing"
        MATURE = "mature", "Mature"
        CONCENTRATED = "concentrated", "Mature but concentrated"

    cycle = models.ForeignKey(CommissioningCycle, on_delete=models.CASCADE, related_name="market_analyses")
    service_area = models.ForeignKey("core.ServiceArea", on_delete=models.PROTECT, related_name="+")
    providers_by_sector = models.TextField(help_text="Providers by sector and size.")
    capacity = models.TextField()
    key_players = models.TextField()
    barriers_to_entry = models.TextField()
    maturity = models.CharField(max_length=12, choices=Maturity.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["cycle", "service_area"], name="one_analysis_per_service")]
        verbose_name_plural = "market analyses"


class StimulationAction(models.Model):
    cycle = models.ForeignKey(CommissioningCycle, on_delete=models.CASCADE, related_name="stimulation_actions")
    service_area = models.ForeignKey("core.ServiceArea", on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=200, help_text="e.g. lots sized so that small and voluntary providers can bid.")
    description = models.TextField(blank=True)


class ClosingEvaluation(models.Model):
    """The five criteria of the seed's "Evaluate" stage."""

    cycle = models.OneToOneField(CommissioningCycle, on_delete=models.CASCADE, related_name="closing_evaluation_record")
    outcomes_delivered = models.TextField()
    user_reception = models.TextField("reception by users and stakeholders")
    value_for_money = models.TextField("performance and value for money")
    compliance = models.TextField("compliance with the agreement")
    equality_public_value = models.TextField("equality and public value")
    completed_on = models.DateField()
    completed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    CRITERIA = ["outcomes_delivered", "user_reception", "value_for_money", "compliance", "equality_public_value"]

    def as_dict(self) -> dict:
        return {name: getattr(self, name) for name in self.CRITERIA} | {"completed_on": self.completed_on.isoformat()}


@append_only
class CycleEvent(TimelineEvent):
    """The cycle's timeline (core.events)."""

    cycle = models.ForeignKey(CommissioningCycle, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    from_stage = models.CharField(max_length=30, blank=True, choices=Stage.choices)
    to_stage = models.CharField(max_length=30, blank=True, choices=Stage.choices)

    class Meta(TimelineEvent.Meta):
        triggers = [append_only_trigger()]


# --- consultation on the Commissioning Intentions Plan (issue #21) -------------------------------------------

class Consultation(models.Model):
    """A window in which stakeholders' evidence may "support or challenge" the plan's priorities (seed 002, lines 361, 449).

    Commissioners record the responses (with who sent them), group them into themes, and answer each theme;
    the plan and its PDF carry the consultation, its themes and the commissioner's answers."""

    cycle = models.OneToOneField(CommissioningCycle, on_delete=models.CASCADE, related_name="consultation")
    opens_on = models.DateField()
    closes_on = models.DateField()
    summary = models.TextField("what is consulted on")
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.CheckConstraint(name="consultation_closes_after_it_opens", condition=models.Q(closes_on__gte=models.F("opens_on")))]

    def __str__(self) -> str:
        return f"Consultation on {self.cycle}"


class ConsultationTheme(models.Model):
    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="themes")
    title = models.CharField(max_length=200)
    commissioner_response = models.TextField(blank=True)
    responded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    responded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["consultation", "title"], name="one_theme_of_a_title_per_consultation")]

    def __str__(self) -> str:
        return self.title


class Stance(models.TextChoices):
    SUPPORTS = "supports", "Supports the priorities"
    CHALLENGES = "challenges", "Challenges the priorities"
    MIXED = "mixed", "Supports some, challenges others"


class ConsultationResponse(models.Model):
    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="responses")
    organisation = models.ForeignKey("core.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    respondent = models.CharField("respondent", max_length=200, help_text="Who sent it (a person, or an organisation not listed).")
    received_on = models.DateField()
    stance = models.CharField(max_length=12, choices=Stance.choices)
    summary = models.TextField("what it says")
    themes = models.ManyToManyField(ConsultationTheme, blank=True, related_name="responses")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["received_on", "pk"]
