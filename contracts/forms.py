"""Forms for the contracts pages: they parse input; `contracts.services` does the writing."""

import datetime

from django import forms
from django.utils import timezone

from contracts import claims, performance, selectors
from contracts.models import (
    RUNNING,
    AgreementKind,
    AgreementState,
    CohortResult,
    Direction,
    EqualityResult,
    FeeFrequency,
    Feedback,
    Frequency,
    LogEntryKind,
    MilestoneKind,
    PaymentModel,
    SupplyChainMember,
    TariffBasis,
)
from core.forms_utils import DateField, GovukForm, MultipleFileField, whole_number
from core.models import ServiceArea
from core.selectors import organisation_list
from core.uploads import validate_document
from core.widgets import QuickSelect
from cycle.interface import Outcome, outcome_choices

YES_NO = [("yes", "Yes"), ("no", "No")]


def _yes(value) -> bool:
    return value == "yes"


def _decimal(label, **kwargs):
    return forms.DecimalField(label=label, max_digits=kwargs.pop("max_digits", 12), decimal_places=2, **kwargs)


class AgreementFilterForm(GovukForm):
    state = forms.ChoiceField(choices=[("", "Any state"), *AgreementState.choices], required=False)
    kind = forms.ChoiceField(label="Kind", choices=[("", "Contracts and SLAs"), *AgreementKind.choices], required=False)
    # Ids and names only: at 600 providers, model instances would cost the page more than its queries.
    provider = forms.TypedChoiceField(coerce=int, empty_value=None, required=False, widget=QuickSelect)
    service_area = forms.ModelChoiceField(label="Service", queryset=ServiceArea.objects.all(), required=False, empty_label="Any service")
    rag = forms.ChoiceField(label="RAG rating", choices=[("", "Any rating"), *selectors.RAG_FILTER_CHOICES], required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].choices = [("", "Any provider"), *selectors.provider_options().values_list("pk", "name")]


class AgreementFormMixin:
    """Every record form takes the agreement (as its page loaded it), the user and the target record, needed or not."""

    def __init__(self, *args, agreement=None, user=None, target=None, query=None, **kwargs):
        self.agreement = agreement
        self.user = user
        self.target = target
        self.query = query or {}
        super().__init__(*args, **kwargs)


class ConfirmForm(AgreementFormMixin, GovukForm):
    """A button, for actions that take no input."""


class ReasonForm(GovukForm):
    reason = forms.CharField(widget=forms.Textarea, help_text="Recorded on the agreement's timeline and, under the 2023 Act, in the termination notice.",
                             error_messages={"required": "Give the reason for ending the agreement."})


class TermsForm(AgreementFormMixin, GovukForm):
    """The terms completed while mobilising; the hidden version catches someone else's change in between."""

    version = whole_number(widget=forms.HiddenInput)
    title = forms.CharField(max_length=200)
    start_date = DateField(label="Start date")
    end_date = DateField(label="End date")
    payment_model = forms.ChoiceField(label="Payment model", choices=PaymentModel.choices, widget=forms.RadioSelect)
    share_at_risk = _decimal("Share of payment at risk (%)", max_digits=5, min_value=0, max_value=100,
                             help_text="For payment by results: the share paid only on outcomes. 0 otherwise.")
    contract_manager = forms.ModelChoiceField(label="Contract manager", queryset=None, required=False, empty_label="Not assigned yet")
    specification = forms.ModelChoiceField(label="Service specification", queryset=None, required=False, empty_label="None")

    FIELDS = ("title", "start_date", "end_date", "payment_model", "share_at_risk", "contract_manager", "specification")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contract_manager"].queryset = selectors.contract_manager_options()
        self.fields["specification"].queryset = selectors.specification_options(user=self.user)
        if not self.is_bound:
            self.initial = {"version": self.agreement.version, **{name: getattr(self.agreement, name) for name in self.FIELDS}}

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end <= start:
            self.add_error("end_date", "The end date must be after the start date.")
        return cleaned

    def changes(self) -> dict:
        """Only what differs from the agreement, so the timeline says what changed."""
        return {name: self.cleaned_data[name] for name in self.FIELDS if self.cleaned_data[name] != getattr(self.agreement, name)}


class BreakPointForm(AgreementFormMixin, GovukForm):
    on = DateField(label="Break point", help_text="The date the agreement may be ended early.")
    notice_months = forms.IntegerField(label="Notice (months)", min_value=0, max_value=36, initial=6,
                                       help_text="How long before the break point notice must be given.")


class SupplyChainMemberForm(AgreementFormMixin, GovukForm):
    organisation = forms.ModelChoiceField(queryset=None)
    role = forms.ChoiceField(label="Role in the supply chain", choices=SupplyChainMember.Role.choices, widget=forms.RadioSelect)
    funding_share = _decimal("Share of funding (%)", max_digits=5, min_value=0, max_value=100)
    risk_share = _decimal("Share of risk (%)", max_digits=5, min_value=0, max_value=100,
                          help_text="A sub-prime or member carrying more risk than funding is flagged for market stewardship.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisation_list()


class MeasureForm(AgreementFormMixin, GovukForm):
    name = forms.CharField(max_length=200)
    outcome = forms.TypedChoiceField(coerce=int, help_text="The outcome the measure serves, so performance rolls up the outcomes tree.",
                                     error_messages={"required": "Choose the outcome the measure serves."})
    unit = forms.CharField(max_length=40, initial="%")
    target = _decimal("Target")
    tolerance = _decimal("Tolerance", min_value=0, initial=0, help_text="How far short of target is still Amber rather than Red.")
    direction = forms.ChoiceField(choices=Direction.choices, widget=forms.RadioSelect, initial=Direction.HIGHER_IS_BETTER)
    frequency = forms.ChoiceField(label="Returns are due", choices=Frequency.choices, widget=forms.RadioSelect, initial=Frequency.MONTHLY)
    weight = _decimal("Weight", max_digits=5, min_value=0, initial=1, help_text="How much the measure counts in the period's score.")
    penalty_amber = _decimal("Penalty per Amber period (£)", min_value=0, initial=0)
    penalty_red = _decimal("Penalty per Red period (£)", min_value=0, initial=0)
    is_kpi = forms.TypedChoiceField(label="Key performance indicator", choices=YES_NO, coerce=_yes, widget=forms.RadioSelect,
                                    initial="yes", help_text="KPIs are published in the contract details notice (UK7).")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["outcome"].choices = [("", "Choose an outcome"), *outcome_choices()]

    def clean_outcome(self):
        return Outcome.objects.get(pk=self.cleaned_data["outcome"])


def period_label(measure, agreement_start: datetime.date, start: datetime.date, today: datetime.date) -> str:
    end = performance.period_end(measure, agreement_start, start)
    overdue = " (overdue)" if performance.due_date(measure, agreement_start, start) < today else ""
    return f"{start.day} {start:%B %Y} to {end.day} {end:%B %Y}{overdue}"


def open_periods(agreement, today: datetime.date, *, measures=None) -> list:
    """Per measure, the returns awaited: periods that have ended and have no return yet, latest first, each choice
    `<measure id>:<period start>` (reads prefetched returns). `measures` narrows to some of the agreement's."""
    if agreement.state not in RUNNING or agreement.start_date is None:
        return []
    allowed = None if measures is None else {m.pk for m in measures}
    grouped = []
    for measure in agreement.measures.all():
        if allowed is not None and measure.pk not in allowed:
            continue
        awaited = performance.awaited(measure, agreement.start_date, today)
        choices = [(f"{measure.pk}:{p.isoformat()}", period_label(measure, agreement.start_date, p, today)) for p in reversed(awaited)]
        if choices:
            grouped.append((measure.name, choices))
    return grouped


class ReturnForm(AgreementFormMixin, GovukForm):
    """One return: the measure and period chosen together (a period belongs to a measure), then the figure."""

    period = forms.ChoiceField(label="Which return", help_text="The measure and the period, of those that have ended with no return yet.")
    value = _decimal("Value")
    evidence = forms.CharField(widget=forms.Textarea, required=False, help_text="Where the figure comes from.")
    evidence_file = forms.FileField(label="Evidence file (optional)", required=False, validators=[validate_document],
                                    help_text="PDF, Word (DOCX), Excel (XLSX), OpenDocument, CSV or text; up to 10 MB.")

    def measures(self):
        return selectors.measure_list(user=self.user, agreement=self.agreement)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        measures = list(self.measures())
        asked = self.query.get("measure")
        if asked:  # "Submit a return" from one measure's card: that measure's returns awaited
            measures = [m for m in measures if str(m.pk) == str(asked)] or measures
        groups = open_periods(self.agreement, timezone.localdate(), measures=measures)
        self.fields["period"].choices = [("", "Choose the return"), *groups]
        if not groups:
            self.fields["period"].help_text = "No return is awaited: every period that has ended has its return."
        self._measures = {m.pk: m for m in measures}

    def clean_period(self):
        measure_id, _, begins = self.cleaned_data["period"].partition(":")
        measure = self._measures.get(int(measure_id)) if measure_id.isdigit() else None
        if measure is None:
            raise forms.ValidationError("Choose the return.")
        return measure, datetime.date.fromisoformat(begins)

    def clean(self):
        cleaned = super().clean()
        if "period" in cleaned:
            cleaned["measure"], cleaned["period_start"] = cleaned.pop("period")
        return cleaned

    def add_error(self, field, error):
        # The service names the measure or the period; on this form they are one field.
        super().add_error("period" if field in ("measure", "period_start") else field, error)


class CohortResultForm(AgreementFormMixin, GovukForm):
    period_start = DateField(label="Period starts")
    cohort = forms.CharField(max_length=120, help_text="For example: prolific offenders, women, young adults.")
    difficulty = forms.ChoiceField(label="Difficulty", choices=CohortResult.Difficulty.choices, widget=forms.RadioSelect,
                                   help_text="How hard the cohort is to help: outcomes concentrated in the easiest cohort are creaming.")
    referrals = whole_number(min_value=0)
    outcomes = whole_number(label="Outcomes paid for", min_value=0)


class FeedbackForm(AgreementFormMixin, GovukForm):
    source = forms.ChoiceField(label="From", choices=Feedback.Source.choices, widget=forms.RadioSelect)
    received_on = DateField(label="Received on")
    respondents = whole_number(min_value=1, initial=1, help_text="How many people the figure speaks for: a survey's respondents, or 1.")
    satisfaction = forms.DecimalField(label="Satisfaction (1 to 5)", min_value=1, max_value=5, max_digits=3, decimal_places=2,
                                      help_text="Average satisfaction: 1 is very dissatisfied, 5 very satisfied.")
    summary = forms.CharField(label="What they said", widget=forms.Textarea, required=False)


class EqualityResultForm(AgreementFormMixin, GovukForm):
    period_start = DateField(label="Period starts")
    characteristic = forms.ChoiceField(label="Protected characteristic", choices=EqualityResult.Characteristic.choices)
    group = forms.CharField(max_length=120, help_text="For example: 18 to 24, Black or Black British, Female.")
    referrals = whole_number(min_value=0)
    outcomes = whole_number(label="Successful outcomes", min_value=0)


class RemedialPlanForm(AgreementFormMixin, GovukForm):
    measure = forms.ModelChoiceField(queryset=None, required=False, empty_label="The agreement as a whole",
                                     help_text="The measure the plan puts right.")
    actions = forms.CharField(label="Agreed actions", widget=forms.Textarea)
    due_on = DateField(label="Due by")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["measure"].queryset = selectors.measure_list(user=self.user, agreement=self.agreement)
        if self.query.get("measure"):
            self.initial.setdefault("measure", self.query["measure"])


class RectificationNoticeForm(AgreementFormMixin, GovukForm):
    failings = forms.CharField(label="What must be put right", widget=forms.Textarea)
    deadline = DateField(help_text="The date by which the failings must be put right.")


class RectificationCloseForm(AgreementFormMixin, GovukForm):
    satisfied = forms.TypedChoiceField(
        label="Outcome of the notice", widget=forms.RadioSelect, coerce=_yes,
        choices=[("yes", "Yes: satisfied, the agreement returns to live"), ("no", "No: failed, termination may follow")],
    )


class NoticeOfChangeForm(AgreementFormMixin, GovukForm):
    summary = forms.CharField(widget=forms.Textarea, help_text="What changes and why.")
    material = forms.TypedChoiceField(label="Material change", choices=YES_NO, coerce=_yes, widget=forms.RadioSelect,
                                      help_text="A material change takes effect only when the lead commissioner agrees it.")
    value = _decimal("New value (£)", max_digits=14, min_value=0, required=False, help_text="Leave empty to keep the value.")
    end_date = DateField(label="New end date", required=False, help_text="Leave empty to keep the end date.")
    fee = _decimal("New service fee per period (£)", max_digits=14, min_value=0, required=False,
                   help_text="The payment terms' fee, fixed once the agreement is live but for a notice. Leave empty to keep it.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if getattr(self.agreement, "payment_terms", None) is None:
            del self.fields["fee"]
        self.measures = list(self.agreement.measures.all())
        self.tariffs = list(self.agreement.tariffs.select_related("measure")) if self.agreement.pk else []
        for tariff in self.tariffs:
            self.fields[f"tariff_{tariff.pk}"] = forms.DecimalField(
                label=f"New tariff for “{tariff.measure.name}” (£)", max_digits=14, decimal_places=4, min_value=0, required=False,
                help_text=f"Now £{tariff.tariff.normalize():,f} {tariff.get_basis_display().lower()}. Leave empty to keep it.")
        for measure in self.measures:
            self.fields[f"target_{measure.pk}"] = _decimal(
                f"New target for “{measure.name}”", required=False,
                help_text=f"Now {measure.target.normalize():f} {measure.unit}. Leave empty to keep it.",
            )

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not self.changes():
            self.add_error("value", "Give a new value, end date, fee or target: the notice must change something.")
        return cleaned

    def changes(self) -> dict:
        data = self.cleaned_data
        changes = {name: data[name] for name in ("value", "end_date", "fee") if data.get(name) is not None}
        targets = {m.pk: data[f"target_{m.pk}"] for m in self.measures if data.get(f"target_{m.pk}") is not None}
        if targets:
            changes["measure_targets"] = targets
        tariffs = {t.pk: data[f"tariff_{t.pk}"] for t in self.tariffs if data.get(f"tariff_{t.pk}") is not None}
        if tariffs:
            changes["tariffs"] = tariffs
        return changes


class NoticeOfChangeDecisionForm(AgreementFormMixin, GovukForm):
    agree = forms.TypedChoiceField(
        label="Your decision", widget=forms.RadioSelect, coerce=_yes,
        choices=[("yes", "Agree: the change takes effect as a new version"), ("no", "Refuse the change")],
    )


class VersionCompareForm(GovukForm):
    a = forms.TypedChoiceField(label="First version", coerce=int, error_messages={
        "required": "Choose the first version.", "invalid_choice": "Choose a version of this agreement."})
    b = forms.TypedChoiceField(label="Second version", coerce=int, error_messages={
        "required": "Choose the second version.", "invalid_choice": "Choose a version of this agreement."})

    def __init__(self, *args, versions, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(v.number, f"Version {v.number}") for v in versions]
        self.fields["a"].choices = self.fields["b"].choices = choices

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("a") is not None and cleaned.get("a") == cleaned.get("b"):
            self.add_error("b", "Choose two different versions.")
        return cleaned


class ProviderReturnForm(ReturnForm):
    """The provider's own return (issue #18): its measures only, the periods that have ended and have no return yet."""

    def measures(self):
        return selectors.provider_measures(self.user, self.agreement)


class ReturnReviewForm(AgreementFormMixin, GovukForm):
    """The contract manager's decision on a provider's return (issue #18)."""

    validate = forms.TypedChoiceField(label="Decision", choices=[("yes", "Validate the figure"), ("no", "Query it with the provider")],
                                      coerce=lambda value: value == "yes", widget=forms.RadioSelect)
    reason = forms.CharField(label="What is wrong with it", widget=forms.Textarea(attrs={"rows": 3}), required=False,
                             help_text="Required to query: the provider is told.")


class ReturnCorrectionForm(GovukForm):
    """The provider's correction of a queried return."""

    value = _decimal("Corrected value")
    evidence = forms.CharField(widget=forms.Textarea, required=False, help_text="Where the corrected figure comes from.")


class RemedialPlanDecisionForm(AgreementFormMixin, GovukForm):
    """The contract manager's decision on a plan the provider proposed (issue #18)."""

    accept = forms.TypedChoiceField(label="Decision", choices=[("yes", "Accept the plan"), ("no", "Reject it")],
                                    coerce=lambda value: value == "yes", widget=forms.RadioSelect)
    reason = forms.CharField(label="Why it is rejected", widget=forms.Textarea(attrs={"rows": 3}), required=False,
                             help_text="Required to reject: the provider is told.")


class ProviderRemedialPlanForm(GovukForm):
    """The provider's proposed remedial action plan."""

    measure = forms.ModelChoiceField(queryset=None, required=False, empty_label="The agreement as a whole",
                                     help_text="The measure the plan puts right, if one.")
    actions = forms.CharField(label="What you will do", widget=forms.Textarea)
    due_on = DateField(label="Done by")

    def __init__(self, *args, measures=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["measure"].queryset = measures


class ReturnsUploadForm(GovukForm):
    """A provider's returns in one file: the template filled in (issue #18)."""

    file = forms.FileField(label="Returns file", help_text="The template filled in: an Excel workbook (.xlsx) or a CSV file (.csv), up to 10 MB.")
    evidence_files = MultipleFileField(
        label="Evidence files (optional)", required=False,
        help_text="Each file a row names in its evidence_file column: PDF, Word, Excel, OpenDocument, CSV or text, each up to 10 MB.",
    )


# --- money (issue #20) -------------------------------------------------------------------------------

class PaymentTermsForm(AgreementFormMixin, GovukForm):
    fee = _decimal("Service fee per period (£)", max_digits=14, min_value=0, help_text="The fixed fee paid each period; 0 if none.")
    fee_frequency = forms.ChoiceField(label="Paid", choices=FeeFrequency.choices, widget=forms.RadioSelect)
    outcome_cap_per_year = _decimal("Cap on outcome payments per financial year (£)", max_digits=14, min_value=0, required=False,
                                    help_text="April to March. Leave empty for no cap.")
    cohort = forms.CharField(label="Cohort the outcomes are measured on", max_length=200, required=False,
                             help_text="For example: adults released from HMP Bristol to the South West.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        terms = getattr(self.agreement, "payment_terms", None) if self.agreement is not None else None
        if terms is not None and not self.is_bound:
            self.initial = {"fee": terms.fee, "fee_frequency": terms.fee_frequency, "outcome_cap_per_year": terms.outcome_cap_per_year,
                            "cohort": terms.cohort}


class OutcomeTariffForm(AgreementFormMixin, GovukForm):
    measure_id = forms.TypedChoiceField(label="Measure counting the outcome", coerce=int, choices=())
    basis = forms.ChoiceField(label="Paid", choices=TariffBasis.choices, widget=forms.RadioSelect)
    tariff = forms.DecimalField(label="Tariff per outcome (£)", max_digits=14, decimal_places=4, min_value=0)
    baseline = _decimal("Baseline", max_digits=14, required=False, help_text="For a frequency outcome: the figure reductions are counted from.")
    cap_per_claim = _decimal("Cap per claim (£)", max_digits=14, min_value=0, required=False, help_text="Leave empty for no cap.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["measure_id"].choices = [("", "Choose a measure")] + [(m.pk, m.name) for m in self.agreement.measures.all()]


class ClaimRaiseForm(AgreementFormMixin, GovukForm):
    period_start = forms.TypedChoiceField(label="Which period", coerce=datetime.date.fromisoformat, choices=(),
                                          help_text="A fee period that has ended and has no claim yet.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period_start"].choices = [
            (start.isoformat(), f"{start:%-d %B %Y} to {end:%-d %B %Y}") for start, end in claims.unclaimed_periods(self.agreement)]


class ClaimCreditForm(AgreementFormMixin, GovukForm):
    description = forms.CharField(label="What the service credit is for", max_length=300,
                                  help_text="For example: the helpline was closed for two days in May (schedule 4, paragraph 2).")
    amount = _decimal("Service credit (£)", max_digits=14, min_value=0, help_text="The amount the claim is reduced by.")


class ClaimQueryForm(AgreementFormMixin, GovukForm):
    reason = forms.CharField(label="What is wrong with the claim", widget=forms.Textarea(attrs={"rows": 3}),
                             help_text="Its author is told, and rebuilds it.")


class ClaimPayForm(AgreementFormMixin, GovukForm):
    paid_on = DateField(label="Paid on")
    payment_reference = forms.CharField(label="Payment reference", max_length=60, help_text="As the finance system recorded it.")


# --- mobilisation (issue #21) --------------------------------------------------------------------------

class MilestoneForm(AgreementFormMixin, GovukForm):
    kind = forms.ChoiceField(label="What it covers", choices=MilestoneKind.choices, widget=forms.RadioSelect)
    title = forms.CharField(label="Title", max_length=200, required=False, help_text="Leave empty to use what it covers.")
    owner = forms.ModelChoiceField(label="Owner", queryset=None, empty_label="Choose an owner")
    due_on = DateField(label="Due by")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = selectors.milestone_owner_options()


class MilestoneDoneForm(AgreementFormMixin, GovukForm):
    done_on = DateField(label="Done on")
    findings = forms.CharField(label="Findings", widget=forms.Textarea, required=False,
                               help_text="What was found: needed for a readiness visit.")


class GapAcceptForm(AgreementFormMixin, GovukForm):
    reason = forms.CharField(label="Reason", widget=forms.Textarea,
                             help_text="Why the service can go live without this done, and how the risk is held.")


# --- the contract management log (issue #21) ------------------------------------------------------------

class LogEntryForm(AgreementFormMixin, GovukForm):
    kind = forms.ChoiceField(label="What it was", choices=LogEntryKind.choices, widget=forms.RadioSelect)
    held_on = DateField(label="Date")
    summary = forms.CharField(label="What happened", widget=forms.Textarea, help_text="Who was there and what was discussed or seen.")
    findings = forms.CharField(label="Findings", widget=forms.Textarea, required=False)
    action = forms.CharField(label="Action agreed", widget=forms.Textarea, required=False)
    action_by = forms.CharField(label="Who acts", max_length=200, required=False, help_text="For an action: the provider, or who in the agency.")
    due_on = DateField(label="Action due by", required=False)
    shared_with_provider = forms.BooleanField(label="Share with the provider", required=False, initial=True,
                                              help_text="The provider's contract leads see shared entries on their agreement's page.")


class LogActionCloseForm(AgreementFormMixin, GovukForm):
    closed_on = DateField(label="Closed on")
    closing_note = forms.CharField(label="What was done", widget=forms.Textarea)


class ExitPlanForm(AgreementFormMixin, GovukForm):
    """The exit plan, written (or rewritten until it is agreed) in four parts."""

    service_users = forms.CharField(label="Service users' transition", widget=forms.Textarea,
                                    help_text="Who carries on supporting each person, and how their cases are handed over.")
    data_return = forms.CharField(label="Data return", widget=forms.Textarea, help_text="What data comes back, in what form, by when, and what is destroyed.")
    staff = forms.CharField(label="Staff", widget=forms.Textarea, help_text="TUPE, redeployment or redundancy, and the consultation.")
    assets = forms.CharField(label="Assets", widget=forms.Textarea, help_text="Premises, equipment and IT: returned, transferred or disposed of.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        plan = getattr(self.agreement, "exit_plan", None) if self.agreement is not None else None
        if plan is not None:
            for name in self.fields:
                self.initial.setdefault(name, getattr(plan, name))
