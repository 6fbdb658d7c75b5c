"""Forms for competition pages: they parse input; services do the writing."""

from django import forms
from django.conf import settings

from competitions.models import (
    DELIVERY_CONFIDENCE_SCALES,
    PHASE_LABELS,
    SCORE_MAX,
    AwardBasis,
    Bid,
    BidParticipant,
    BusinessCase,
    Challenge,
    Competition,
    CostAdjustment,
    EvaluationCriterion,
    GatewayReview,
    PlannedReview,
    Procedure,
    Programme,
    Recommendation,
    Regime,
    State,
    TenderRound,
    TreasuryApproval,
)
from core.forms_utils import DateField, DateTimeField, GovukForm, MultipleFileField, whole_number
from core.models import Organisation, ServiceArea, User
from core.roles import Role
from core.uploads import validate_document
from core.widgets import QuickSelect
from ethical_walls import selectors as wall_selectors

YES_NO = [("yes", "Yes"), ("no", "No")]


def yes_no(label, help_text=""):
    return forms.TypedChoiceField(
        label=label, help_text=help_text, choices=YES_NO, coerce=lambda v: v == "yes",
        widget=forms.RadioSelect, error_messages={"required": f"Select yes or no: {label.lower()}"},
    )


class CompetitionFilterForm(GovukForm):
    search = forms.CharField(label="Reference or title", required=False)
    state = forms.ChoiceField(choices=[("", "Any state"), *State.choices], required=False)
    phase = forms.ChoiceField(choices=[("", "Any phase"), *PHASE_LABELS.items()], required=False)
    service_area = forms.ModelChoiceField(queryset=ServiceArea.objects.all(), required=False, empty_label="Any service area")
    min_value = forms.DecimalField(label="Value from (£)", required=False, min_value=0)
    max_value = forms.DecimalField(label="Value up to (£)", required=False, min_value=0)

    def clean(self):
        cleaned = super().clean()
        low, high = cleaned.get("min_value"), cleaned.get("max_value")
        if low is not None and high is not None and low > high:
            self.add_error("max_value", "The upper value must be at least the lower value.")
        return cleaned


class CompetitionCreateForm(GovukForm):
    title = forms.CharField(max_length=200)
    description = forms.CharField(widget=forms.Textarea, required=False)
    service_area = forms.ModelChoiceField(queryset=ServiceArea.objects.all())
    programme = forms.ModelChoiceField(queryset=Programme.objects.all(), required=False, help_text="Gate 0 may be held for the programme.")
    regime = forms.ChoiceField(choices=Regime.choices, help_text="Competitions started today run under the Procurement Act 2023.")
    procedure = forms.ChoiceField(choices=Procedure.choices)
    award_basis = forms.ChoiceField(choices=AwardBasis.choices)
    estimated_value = forms.DecimalField(label="Estimated value (£)", min_value=0, max_digits=14, decimal_places=2)
    is_major_project = yes_no("Is it a major project?", "Major projects need MPA Gateway reviews and Treasury approval (TAP).")
    public_sector_bid_possible = yes_no("Could a public-sector (HMPS) bid be made?", "Then the Principles of Competition and an ethical wall are needed before launch.")


class CompetitionGovernanceForm(GovukForm):
    version = whole_number(widget=forms.HiddenInput)
    title = forms.CharField(max_length=200)
    description = forms.CharField(widget=forms.Textarea, required=False)
    estimated_value = forms.DecimalField(label="Estimated value (£)", min_value=0, max_digits=14, decimal_places=2)
    mandate = forms.CharField(widget=forms.Textarea, required=False, help_text="The mandate drawn from the published competition strategy.")
    mandate_issued_on = DateField(label="Mandate issued on", required=False)
    sro = forms.ModelChoiceField(label="Senior Responsible Officer", queryset=User.objects.none(), required=False)
    sro_appointed_on = DateField(label="SRO appointed on", required=False)
    principles_of_competition_published_on = DateField(label="Principles of Competition published on", required=False)
    participation_deadline = DateTimeField(
        label="Requests to participate close", required=False,
        help_text="For a procedure with a participation stage: at least the minimum participation period after the tender notice.",
    )
    bid_deadline = DateTimeField(label="Tender deadline", required=False)
    bafo_deadline = DateTimeField(label="Deadline for best and final offers", required=False,
                                        help_text="When best and final offers are called for: the BAFO round's tender box closes then.")
    time_limit_reduction = forms.ChoiceField(
        label="Reduced time limits", choices=Competition._meta.get_field("time_limit_reduction").choices, required=False,
        help_text="Only where the regime allows shorter periods: a qualifying planned procurement notice, urgency or a light touch contract.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sro"].queryset = User.objects.filter(groups__name=Role.SRO).order_by("last_name")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("sro") and not cleaned.get("sro_appointed_on"):
            self.add_error("sro_appointed_on", "Enter the date the SRO was appointed.")
        if cleaned.get("mandate") and not cleaned.get("mandate_issued_on"):
            self.add_error("mandate_issued_on", "Enter the date the mandate was issued.")
        return cleaned


class AbandonForm(GovukForm):
    reason = forms.CharField(widget=forms.Textarea, help_text="Bidders are told (under the 2023 Act, in a UK12 notice).")


class RecommendAwardForm(GovukForm):
    bid = forms.ModelChoiceField(queryset=Bid.objects.none(), required=False, empty_label="The highest-ranked compliant bid")
    rationale = forms.CharField(widget=forms.Textarea, required=False, help_text="Needed when recommending a bid other than the highest ranked.")

    def __init__(self, *args, competition, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["bid"].queryset = Bid.objects.filter(competition=competition, compliant=True, withdrawn=False).select_related("bidder")


class TieBreakForm(GovukForm):
    bid = forms.ModelChoiceField(queryset=Bid.objects.none(), label="The tied bid placed first")
    method = forms.CharField(widget=forms.Textarea, help_text="The tie-break method as the tender documents published it.")
    reason = forms.CharField(widget=forms.Textarea, help_text="Why the method puts this bid first.")

    def __init__(self, *args, competition, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["bid"].queryset = Bid.objects.filter(competition=competition, compliant=True, withdrawn=False).select_related("bidder")


class ConfirmForm(GovukForm):
    """A button, for actions that take no input."""


class BusinessCaseForm(GovukForm):
    kind = forms.ChoiceField(choices=BusinessCase.Kind.choices)
    summary = forms.CharField(widget=forms.Textarea, help_text="Service outcomes, expected business benefits and costs.")


class BusinessCaseApproveForm(GovukForm):
    kind = forms.ChoiceField(choices=BusinessCase.Kind.choices)
    approved_on = DateField()


class ProcurementStrategyForm(GovukForm):
    route = forms.CharField(widget=forms.Textarea, help_text="The intended method of securing the services.")
    lots = forms.CharField(widget=forms.Textarea, required=False, help_text="One lot per line.")


class PlannedReviewForm(GovukForm):
    review_type = forms.ChoiceField(choices=PlannedReview._meta.get_field("review_type").choices)
    gate = forms.TypedChoiceField(choices=[("", "Not a gate")] + list(GatewayReview.Gate.choices), coerce=int, required=False, empty_value=None)
    before_state = forms.ChoiceField(label="Before moving to", choices=State.choices)
    planned_on = DateField()


class TreasuryApprovalForm(GovukForm):
    stage = forms.ChoiceField(choices=TreasuryApproval.Stage.choices)
    reference = forms.CharField(max_length=60)
    approved_on = DateField()


class GatewayReviewForm(GovukForm):
    review_type = forms.ChoiceField(choices=GatewayReview.ReviewType.choices)
    gate = forms.TypedChoiceField(choices=GatewayReview.Gate.choices, coerce=int)
    held_on = DateField()
    review_team = forms.CharField(widget=forms.Textarea, help_text="One reviewer per line.")
    delivery_confidence = forms.ChoiceField(choices=[])
    summary = forms.CharField(widget=forms.Textarea, required=False)
    recommendations = forms.CharField(
        widget=forms.Textarea, required=False,
        help_text="One per line, starting with its urgency: “critical: …”, “essential: …” or “recommended: …”.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        scale = DELIVERY_CONFIDENCE_SCALES[settings.DELIVERY_CONFIDENCE_SCALE]
        # Nothing chosen until the reviewer chooses: a rating pre-selected Green is too easily saved unread.
        self.fields["delivery_confidence"].choices = [("", "Choose the rating the review gave"), *((c.value, c.label) for c in scale)]

    def clean_recommendations(self):
        items = []
        urgencies = {u.value for u in Recommendation.Urgency}
        for number, line in enumerate(self.cleaned_data["recommendations"].splitlines(), start=1):
            if not line.strip():
                continue
            urgency, _, text = line.partition(":")
            if urgency.strip().lower() not in urgencies or not text.strip():
                raise forms.ValidationError(f"Line {number} must start with critical, essential or recommended, then a colon and the recommendation.")
            items.append({"urgency": urgency.strip().lower(), "text": text.strip()})
        return items


class CriterionForm(GovukForm):
    name = forms.CharField(max_length=200)
    kind = forms.ChoiceField(choices=EvaluationCriterion.Kind.choices)
    weight = forms.DecimalField(label="Weight (%)", min_value=0.01, max_value=100, max_digits=5, decimal_places=2)
    description = forms.CharField(widget=forms.Textarea, required=False)


class BidForm(GovukForm):
    bidder = forms.ModelChoiceField(queryset=Organisation.objects.all(), widget=QuickSelect)
    structure = forms.ChoiceField(choices=Bid.Structure.choices)


class ParticipantForm(GovukForm):
    organisation = forms.ModelChoiceField(queryset=Organisation.objects.all(), widget=QuickSelect)
    role = forms.ChoiceField(choices=BidParticipant.Role.choices)
    funding_share = forms.DecimalField(label="Share of funding (%)", min_value=0, max_value=100, max_digits=5, decimal_places=2)
    risk_share = forms.DecimalField(label="Share of risk (%)", min_value=0, max_value=100, max_digits=5, decimal_places=2)


class BidDocumentForm(GovukForm):
    title = forms.CharField(max_length=200)
    file = forms.FileField(help_text="PDF, Word (DOCX), Excel (XLSX), OpenDocument, CSV or text; up to 10 MB.", validators=[validate_document])


class RecommendationStatusForm(GovukForm):
    status = forms.ChoiceField(choices=Recommendation.Status.choices)


class PrequalifyForm(GovukForm):
    passed = yes_no("Did the bidder pass pre-qualification?")
    reasons = forms.CharField(widget=forms.Textarea)


class PriceForm(GovukForm):
    price = forms.DecimalField(label="Price (£)", min_value=0, max_digits=14, decimal_places=2)


class ComplianceForm(GovukForm):
    compliant = yes_no("Is the bid compliant?")
    notes = forms.CharField(widget=forms.Textarea, required=False, help_text="Needed when the bid is not compliant.")


class CostAdjustmentForm(GovukForm):
    heading = forms.ChoiceField(choices=CostAdjustment.Heading.choices)
    amount = forms.DecimalField(label="Adjustment (£)", max_digits=14, decimal_places=2, help_text="A positive amount adds to the bid price.")
    rationale = forms.CharField(widget=forms.Textarea)


class ScoreForm(GovukForm):
    criterion = forms.ModelChoiceField(queryset=EvaluationCriterion.objects.none())
    score = forms.IntegerField(min_value=0, max_value=SCORE_MAX, help_text=f"0 to {SCORE_MAX}.")
    rationale = forms.CharField(widget=forms.Textarea, label="Notes")

    def __init__(self, *args, competition, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["criterion"].queryset = EvaluationCriterion.objects.filter(competition=competition, kind="quality")


class ScoreGridForm(GovukForm):
    """The evaluation grid (issue #19): every quality criterion of one bid on one page, a score and notes each.

    A criterion left blank is not scored now; one with a score needs its notes, and notes need a score.
    """

    def __init__(self, *args, competition, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(EvaluationCriterion.objects.filter(competition=competition, kind="quality").order_by("pk"))
        for criterion in self.criteria:
            self.fields[f"score_{criterion.pk}"] = forms.IntegerField(
                label=f"Score for {criterion.name}", min_value=0, max_value=SCORE_MAX, required=False, help_text=f"0 to {SCORE_MAX}.")
            self.fields[f"rationale_{criterion.pk}"] = forms.CharField(label=f"Notes on {criterion.name}", widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def rows(self):
        """Each criterion with its two bound fields and whether this evaluator has scored it, for the template's grid."""
        return [(criterion, self[f"score_{criterion.pk}"], self[f"rationale_{criterion.pk}"], f"score_{criterion.pk}" in self.initial)
                for criterion in self.criteria]

    def clean(self):
        cleaned = super().clean()
        scores = {}
        for criterion in self.criteria:
            score, notes = cleaned.get(f"score_{criterion.pk}"), (cleaned.get(f"rationale_{criterion.pk}") or "").strip()
            if f"score_{criterion.pk}" in self.errors:
                continue
            if score is None and notes:
                self.add_error(f"score_{criterion.pk}", f"Enter a score for {criterion.name}, or clear its notes")
            elif score is not None and not notes:
                self.add_error(f"rationale_{criterion.pk}", f"Enter notes on {criterion.name}: why it scores {score}")
            elif score is not None:
                scores[criterion] = (score, notes)
        if not scores and not self.errors:
            raise forms.ValidationError("Enter a score and notes for at least one criterion.")
        return {"scores": scores}


class ChallengeForm(GovukForm):
    challenger = forms.ModelChoiceField(queryset=Organisation.objects.all(), widget=QuickSelect)
    grounds = forms.CharField(widget=forms.Textarea)
    lodged_on = DateField()


class ChallengeResolveForm(GovukForm):
    status = forms.ChoiceField(choices=[c for c in Challenge.Status.choices if c[0] != "open"])


class ClarificationForm(GovukForm):
    asked_by = forms.ModelChoiceField(label="Asked by (bidder)", queryset=Organisation.objects.none(), widget=QuickSelect,
                                      empty_label="Choose the bidder who asked")
    question = forms.CharField(widget=forms.Textarea)
    commercially_sensitive = yes_no("Is it commercially sensitive?", "If so the answer goes to the asker only.")

    def __init__(self, *args, competition, **kwargs):
        super().__init__(*args, **kwargs)
        # The competition's bidders, not every organisation on record.
        self.fields["asked_by"].queryset = Organisation.objects.filter(bids__competition=competition).distinct().order_by("name")


class AnswerForm(GovukForm):
    answer = forms.CharField(widget=forms.Textarea)


class SummaryForm(GovukForm):
    summary = forms.CharField(widget=forms.Textarea)


class WallForm(GovukForm):
    arrangements = forms.CharField(widget=forms.Textarea, help_text="How the commissioning side and the bid side are kept apart.")


class OpportunityFilterForm(GovukForm):
    search = forms.CharField(required=False, max_length=100, label="Search", help_text="Words in the title, reference or description.")
    service_area = forms.ModelChoiceField(queryset=ServiceArea.objects.order_by("name"), required=False, empty_label="Any service area")


class BidderQuestionForm(GovukForm):
    question = forms.CharField(widget=forms.Textarea, help_text="MoJ Procurement answers it to you, or to every bidder without saying who asked.")


class ChallengeGroundsForm(GovukForm):
    grounds = forms.CharField(widget=forms.Textarea, help_text="What in the award decision you challenge, and why.")


class SealedTenderForm(GovukForm):
    price = forms.DecimalField(label="Your price (£)", min_value=0, max_digits=14, decimal_places=2,
                               help_text="The whole-life price of your tender, in pounds.")
    documents = MultipleFileField(
        label="Tender documents",
        help_text="Select every document of your tender at once (up to 20): PDF, Word (DOCX), Excel (XLSX), OpenDocument, CSV or text; each up to 10 MB.",
    )


class TenderBoxOpenForm(GovukForm):
    round = forms.ChoiceField(label="Which tender box", choices=TenderRound.choices, widget=forms.RadioSelect)


class ParticipationQuestionForm(GovukForm):
    question = forms.CharField(widget=forms.Textarea, help_text="Published with the tender notice; every bidder answers it to take part.")
    guidance = forms.CharField(widget=forms.Textarea, required=False, help_text="What a good answer shows, or the evidence wanted.")
    required = yes_no("Must every bidder answer it?")


class ParticipationAnswersForm(GovukForm):
    """One field per published question (`question_<id>`), with the bidder's answers so far."""

    def __init__(self, *args, questions=(), answers=None, **kwargs):
        super().__init__(*args, **kwargs)
        answers = answers or {}
        for position, question in enumerate(questions, start=1):
            self.fields[f"question_{question.pk}"] = forms.CharField(
                label=f"{position}. {question.question}", widget=forms.Textarea, required=question.required,
                help_text=question.guidance or ("" if question.required else "Optional."), initial=answers.get(question.pk, ""),
                error_messages={"required": f"Answer question {position}"},
            )

    def clean(self):
        cleaned = super().clean()
        return {"answers": {int(name.removeprefix("question_")): value for name, value in cleaned.items() if name.startswith("question_")}}


# --- benefits (issue #21) ---------------------------------------------------------------------------------

class BenefitForm(GovukForm):
    business_case = forms.ModelChoiceField(label="Business case", queryset=BusinessCase.objects.none(), empty_label="Choose a business case")
    description = forms.CharField(label="Benefit", max_length=300, help_text="What will be better, for whom.")
    how_measured = forms.CharField(label="How it is measured", max_length=300)
    unit = forms.CharField(label="Unit", max_length=40, required=False, help_text="For example: %, people, £.")
    baseline = forms.DecimalField(label="Baseline", max_digits=14, decimal_places=2)
    target = forms.DecimalField(label="Target", max_digits=14, decimal_places=2)
    owner = forms.ModelChoiceField(label="Owner", queryset=User.objects.none(), empty_label="Choose an owner")
    measure = forms.TypedChoiceField(label="Actuals from a measure", coerce=int, empty_value=None, required=False,
                                     help_text="A measure of the agreement this competition let: its validated returns become the actuals.")

    def __init__(self, *args, competition, **kwargs):
        from contracts.interface import Measure  # the agreement's measures are contracts' records

        super().__init__(*args, **kwargs)
        self.fields["business_case"].queryset = BusinessCase.objects.filter(competition=competition).order_by("kind")
        side = wall_selectors.current_members(competition, side="commissioning").values("user_id")
        self.fields["owner"].queryset = User.objects.filter(pk__in=side).order_by("last_name", "first_name") | User.objects.filter(
            pk__in=[pk for pk in (competition.lead_commissioner_id, competition.sro_id) if pk])
        self.measures = {m.pk: m for m in Measure.objects.filter(agreement__competition=competition).order_by("pk")}
        self.fields["measure"].choices = [("", "None: actuals are recorded"), *((pk, m.name) for pk, m in self.measures.items())]

    def clean_measure(self):
        chosen = self.cleaned_data["measure"]
        return self.measures.get(chosen) if chosen else None


class BenefitActualForm(GovukForm):
    measured_on = DateField(label="Measured on")
    value = forms.DecimalField(label="Actual", max_digits=14, decimal_places=2)
    note = forms.CharField(label="Note", max_length=300, required=False, help_text="Where the figure comes from.")
