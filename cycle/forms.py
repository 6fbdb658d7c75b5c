"""Forms for the commissioning-cycle pages: they parse input; `cycle.services` does the writing."""

from django import forms

from core.forms_utils import DateField, GovukForm, whole_number
from core.models import ServiceArea
from core.selectors import organisation_list
from core.templatetags.humanize_money import money
from core.uploads import validate_document
from core.widgets import GovukCheckboxes, QuickSelect
from cycle import selectors, services
from cycle.models import (
    ConsultationTheme,
    Stance,
    OPEN_STAGES,
    PHASES,
    STAGE_ORDER,
    ClosingEvaluation,
    CycleLevel,
    CycleType,
    FundingArrangement,
    MarketAnalysis,
    MarketSounding,
    Outcome,
    Priority,
    SecuringRoute,
    Stage,
)


class CycleFormMixin:
    """Every record form takes the cycle and the user, whether it needs them or not (one table drives them)."""

    def __init__(self, *args, cycle=None, user=None, **kwargs):
        self.cycle = cycle
        self.user = user
        super().__init__(*args, **kwargs)


class CycleFilterForm(GovukForm):
    cycle_type = forms.ChoiceField(label="Type", choices=[("", "Any type"), *CycleType.choices], required=False)
    level = forms.ChoiceField(choices=[("", "Any level"), *CycleLevel.choices], required=False)
    phase = forms.ChoiceField(choices=[("", "Any phase")] + [(p, p) for p in PHASES], required=False)
    stage = forms.ChoiceField(choices=[("", "Any stage"), *Stage.choices], required=False)


class CycleCreateForm(GovukForm):
    name = forms.CharField(max_length=200)
    cycle_type = forms.ChoiceField(label="Type of commissioning", choices=CycleType.choices)
    level = forms.ChoiceField(choices=CycleLevel.choices, widget=forms.RadioSelect)
    area = forms.CharField(max_length=120, required=False, help_text="The region or locality, for regional and local cycles.")
    period_start = DateField(label="Period starts")
    period_end = DateField(label="Period ends")
    available_resources = forms.DecimalField(label="Available resources (£)", min_value=0, max_digits=14, decimal_places=2,
                                             help_text="The cycle's own money. Partners' pooled funding is added to it.")

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("period_start"), cleaned.get("period_end")
        problem = start and end and services.period_problem(start, end)
        if problem:
            self.add_error("period_end", problem)
        return cleaned


class ConfirmForm(CycleFormMixin, GovukForm):
    """A button, for actions that take no input."""


class StepBackForm(GovukForm):
    to_stage = forms.ChoiceField(label="Go back to", choices=[])
    reason = forms.CharField(widget=forms.Textarea, help_text="Recorded on the cycle's timeline.",
                             error_messages={"required": "Say why the cycle is going back a stage."})

    def __init__(self, *args, cycle, **kwargs):
        super().__init__(*args, **kwargs)
        earlier = STAGE_ORDER[: STAGE_ORDER.index(cycle.stage)] if cycle.stage in OPEN_STAGES else []
        self.fields["to_stage"].choices = [(s, Stage(s).label) for s in earlier]
        if earlier:
            self.fields["to_stage"].initial = earlier[-1]


class PartnerForm(CycleFormMixin, GovukForm):
    organisation = forms.ModelChoiceField(queryset=organisation_list(), widget=QuickSelect)
    arrangement = forms.ChoiceField(label="Funding arrangement", choices=FundingArrangement.choices, widget=forms.RadioSelect)
    contribution = forms.DecimalField(label="Contribution (£)", min_value=0, max_digits=14, decimal_places=2)
    responsibilities = forms.CharField(widget=forms.Textarea, required=False)


class NeedsAssessmentForm(CycleFormMixin, GovukForm):
    service_area = forms.ModelChoiceField(queryset=ServiceArea.objects.all())
    location = forms.CharField(label="Area", max_length=120, help_text="The region, probation area or prison.")
    cohort = forms.CharField(max_length=120, help_text="For example women, young adults, prolific offenders.")
    demand = whole_number(min_value=0, help_text="Places, cases or hours a year the courts and sentences require.")
    provision = whole_number(label="Current provision", min_value=0, help_text="What current services provide, in the same unit.")
    unit = forms.CharField(max_length=40, initial="places")
    gap_analysis = forms.CharField(widget=forms.Textarea, help_text="What the gap means and why it exists.")
    evidence = forms.CharField(widget=forms.Textarea, required=False, help_text="Sources: court data, OASys needs profiles, inspection reports.")
    evidence_file = forms.FileField(label="Evidence file (optional)", required=False, validators=[validate_document],
                                    help_text="PDF, Word (DOCX), Excel (XLSX), OpenDocument, CSV or text; up to 10 MB.")


class PriorityForm(CycleFormMixin, GovukForm):
    title = forms.CharField(max_length=200)
    service_area = forms.ModelChoiceField(queryset=ServiceArea.objects.all())
    cost = forms.DecimalField(label="Cost (£)", min_value=0, max_digits=14, decimal_places=2)
    outcome_value = forms.DecimalField(label="Expected outcome value", min_value=0, max_digits=10, decimal_places=2,
                                       help_text="The outcome the priority is expected to deliver, on the cycle's common scale.")
    weight = forms.DecimalField(min_value=0, max_digits=5, decimal_places=2, initial=1,
                                help_text="Strategic weight: how much this outcome counts against others.")
    evidence = forms.CharField(widget=forms.Textarea, required=False)
    rank = whole_number(min_value=1, required=False, help_text="Leave empty to rank it last.")


class RerankForm(CycleFormMixin, GovukForm):
    """One rank box per priority; the priorities are ordered by the numbers given."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.priorities = list(self.cycle.priorities.all())
        for priority in self.priorities:
            self.fields[f"rank_{priority.pk}"] = whole_number(
                label=f"Rank of “{priority.title}”", min_value=1, initial=priority.rank,
                widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
            )

    def clean(self):
        cleaned = super().clean()
        ranks = {p.pk: cleaned.get(f"rank_{p.pk}") for p in self.priorities}
        if None in ranks.values():
            return cleaned
        seen = {}
        for pk, rank in ranks.items():
            if rank in seen:
                self.add_error(f"rank_{pk}", f"Give each priority a different rank: {rank} is used twice.")
            seen[rank] = pk
        cleaned["order"] = sorted(ranks, key=lambda pk: ranks[pk])
        return cleaned


def _priority_choice(priority) -> str:
    return f"{priority.rank}. {priority.title}: {money(priority.cost)}, value × weight {priority.weighted_value.normalize():f}"


class AllocationForm(CycleFormMixin, GovukForm):
    funded = forms.TypedMultipleChoiceField(
        label="Priorities to fund", coerce=int, required=False, widget=GovukCheckboxes,
        help_text="Tick the priorities to fund; the others fall below the funding line.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        priorities = list(self.cycle.priorities.all())
        self.fields["funded"].choices = [(p.pk, _priority_choice(p)) for p in priorities]
        self.fields["funded"].initial = [p.pk for p in priorities if p.funded]


class EqualityImpactAssessmentForm(CycleFormMixin, GovukForm):
    summary = forms.CharField(widget=forms.Textarea, help_text="Who the priorities affect, by protected characteristic, and how adverse impacts are mitigated.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        existing = getattr(self.cycle, "equality_impact_assessment", None)
        if existing is not None:
            self.fields["summary"].initial = existing.summary


def outcome_choices() -> list:
    """Outcomes grouped by level, strategic first."""
    outcomes = list(Outcome.objects.order_by("theme", "id"))
    return [
        (f"{label} outcomes", [(o.pk, o.title) for o in outcomes if o.level == level])
        for level, label in Outcome.Level.choices
    ]


class SpecificationForm(CycleFormMixin, GovukForm):
    priority = forms.ModelChoiceField(queryset=Priority.objects.none(), help_text="Every funded priority needs a specification.")
    title = forms.CharField(max_length=200)
    summary = forms.CharField(widget=forms.Textarea)
    outputs = forms.CharField(label="Mandatory outputs", widget=forms.Textarea, help_text="One per line.")
    outcomes = forms.TypedMultipleChoiceField(label="Mandatory minimum outcomes", coerce=int, widget=GovukCheckboxes,
                                              help_text="Choose at least one outcome.",
                                              error_messages={"required": "Link the specification to at least one outcome."})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["priority"].queryset = Priority.objects.filter(cycle=self.cycle).order_by("-funded", "rank")
        self.fields["outcomes"].choices = outcome_choices()

    def clean_outcomes(self):
        return list(Outcome.objects.filter(pk__in=self.cleaned_data["outcomes"]))


class SecuringRouteForm(CycleFormMixin, GovukForm):
    securing_route = forms.ChoiceField(label="How will the service be secured?", choices=SecuringRoute.choices, widget=forms.RadioSelect)
    competition = forms.ModelChoiceField(queryset=None, required=False, help_text="Needed when the route is a competition.")
    agreement = forms.ModelChoiceField(label="Contract or SLA to change", queryset=None, required=False,
                                       help_text="Needed when the route is a change to an existing contract or SLA.")
    route_notes = forms.CharField(label="Notes", widget=forms.Textarea, required=False, help_text="The framework, grant scheme or vehicle used.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["competition"].queryset = selectors.competition_options(user=self.user)
        self.fields["agreement"].queryset = selectors.agreement_options(user=self.user)


class MarketSoundingForm(CycleFormMixin, GovukForm):
    service_area = forms.ModelChoiceField(queryset=ServiceArea.objects.all())
    kind = forms.ChoiceField(label="Kind of sounding", choices=MarketSounding.Kind.choices)
    held_on = DateField(label="Held on")
    providers = forms.ModelMultipleChoiceField(label="Providers engaged", queryset=organisation_list(), widget=GovukCheckboxes)
    learned = forms.CharField(label="What was learned", widget=forms.Textarea)


class MarketAnalysisForm(CycleFormMixin, GovukForm):
    service_area = forms.ModelChoiceField(queryset=ServiceArea.objects.all(), help_text="Recording it again for a service replaces its analysis.")
    providers_by_sector = forms.CharField(label="Providers by sector and size", widget=forms.Textarea)
    capacity = forms.CharField(widget=forms.Textarea)
    key_players = forms.CharField(widget=forms.Textarea)
    barriers_to_entry = forms.CharField(widget=forms.Textarea)
    maturity = forms.ChoiceField(label="Market maturity", choices=MarketAnalysis.Maturity.choices, widget=forms.RadioSelect)


class StimulationActionForm(CycleFormMixin, GovukForm):
    service_area = forms.ModelChoiceField(queryset=ServiceArea.objects.all())
    action = forms.CharField(max_length=200, help_text="For example, lots sized so that small and voluntary providers can bid.")
    description = forms.CharField(widget=forms.Textarea, required=False)


class ClosingEvaluationForm(CycleFormMixin, GovukForm):
    """The five criteria of the seed's "Evaluate" stage."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        existing = getattr(self.cycle, "closing_evaluation_record", None)
        for name in ClosingEvaluation.CRITERIA:
            self.fields[name] = forms.CharField(
                label=ClosingEvaluation._meta.get_field(name).verbose_name.capitalize(), widget=forms.Textarea,
                initial=getattr(existing, name, ""),
            )


# --- consultation on the plan (issue #21) ------------------------------------------------------------------

class ConsultationForm(CycleFormMixin, GovukForm):
    opens_on = DateField(label="Opens on")
    closes_on = DateField(label="Closes on")
    summary = forms.CharField(label="What is consulted on", widget=forms.Textarea,
                              help_text="The plan's priorities and questions put to stakeholders, and how to respond.")


class ConsultationThemeForm(CycleFormMixin, GovukForm):
    title = forms.CharField(label="Theme", max_length=200, help_text="What several responses say, in a few words.")


class ConsultationResponseForm(CycleFormMixin, GovukForm):
    respondent = forms.CharField(label="Respondent", max_length=200, help_text="Who sent it: a person, or an organisation not listed.")
    organisation = forms.ModelChoiceField(label="Organisation", queryset=organisation_list(), required=False, empty_label="None listed",
                                          widget=QuickSelect)
    received_on = DateField(label="Received on")
    stance = forms.ChoiceField(label="Stance", choices=Stance.choices, widget=forms.RadioSelect)
    summary = forms.CharField(label="What it says", widget=forms.Textarea)
    themes = forms.ModelMultipleChoiceField(label="Themes", queryset=ConsultationTheme.objects.none(), required=False, widget=GovukCheckboxes)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        consultation = getattr(self.cycle, "consultation", None) if self.cycle is not None else None
        if consultation is not None:
            self.fields["themes"].queryset = consultation.themes.all()


class ThemeResponseForm(CycleFormMixin, GovukForm):
    commissioner_response = forms.CharField(label="The commissioner's response", widget=forms.Textarea,
                                            help_text="What the plan does about this theme: changed, or kept and why.")
