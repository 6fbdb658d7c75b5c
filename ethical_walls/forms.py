"""Forms for the ethical wall's pages: they parse input; `ethical_walls.services` decides and writes."""

from django import forms

from core.forms_utils import DateField, GovukForm
from core.models import User
from core.roles import Role
from core.widgets import QuickSelect
from ethical_walls import registry
from ethical_walls.audit import kind_label
from ethical_walls.models import COMMISSIONING_ROLES, AuditEvent, ConflictDeclaration

# The people who may take a place on the commissioning side (the service checks the exact role).
COMMISSIONING_SIDE_GROUPS = (Role.COMMISSIONER, Role.SRO, Role.PROCUREMENT, Role.GATEWAY_REVIEWER)


def _people(*roles):
    return User.objects.filter(groups__name__in=roles).distinct().order_by("last_name", "first_name", "username")


class CommissioningMemberForm(GovukForm):
    user = forms.ModelChoiceField(label="Person", queryset=User.objects.none(), empty_label="Choose a person", widget=QuickSelect)
    role = forms.ChoiceField(
        label="Role on the commissioning side", choices=[(r.value, r.label) for r in COMMISSIONING_ROLES],
        help_text="Evaluators are commissioners, SROs or MoJ Procurement officers.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = _people(*COMMISSIONING_SIDE_GROUPS)


class BidMemberForm(GovukForm):
    user = forms.ModelChoiceField(label="Person", queryset=User.objects.none(), empty_label="Choose a person", widget=QuickSelect)
    bid = forms.ModelChoiceField(label="Crown-body bid", queryset=None, empty_label="Choose a bid")

    def __init__(self, *args, crown_bids, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = _people(Role.BID_TEAM)
        self.fields["bid"].queryset = crown_bids
        self.fields["bid"].label_from_instance = lambda bid: f"{bid.bidder}"


class RemoveMemberForm(GovukForm):
    reason = forms.CharField(
        label="Why are they leaving?", max_length=200, required=False,
        help_text="Recorded in the audit log. Leave blank for “No longer working on the competition”.",
    )


class WithdrawRequestForm(GovukForm):
    """Nothing to fill in: the button confirms."""


class ArrangementsForm(GovukForm):
    arrangements = forms.CharField(
        label="Arrangements", widget=forms.Textarea,
        help_text="How the commissioning side and the bid side are kept apart: people, premises, systems, documents.",
    )


class DeclarationForm(GovukForm):
    nature = forms.ChoiceField(
        label="Your interests", choices=ConflictDeclaration.Nature.choices, widget=forms.RadioSelect,
        error_messages={"required": "Choose a nil return or declare an interest."},
    )
    details = forms.CharField(
        label="Details of the interest", widget=forms.Textarea, required=False,
        help_text="Needed when you declare an interest: who, what, and since when.",
    )


class AssessmentForm(GovukForm):
    OUTCOMES = [
        (ConflictDeclaration.Assessment.MITIGATED.value, "Mitigate, with conditions"),
        (ConflictDeclaration.Assessment.EXCLUDED.value, "Exclude from the competition"),
    ]
    outcome = forms.ChoiceField(
        label="Outcome", choices=OUTCOMES, widget=forms.RadioSelect,
        error_messages={"required": "Choose to mitigate or to exclude."},
    )
    conditions = forms.CharField(
        label="Conditions", widget=forms.Textarea, required=False,
        help_text="Needed to mitigate: what the person must and must not do.",
    )


class RegisterFilterForm(GovukForm):
    competition = forms.ModelChoiceField(label="Competition", queryset=None, required=False, empty_label="Any competition", widget=QuickSelect)
    assessment = forms.ChoiceField(
        label="Assessment", choices=[("", "Any assessment"), *ConflictDeclaration.Assessment.choices], required=False,
    )

    def __init__(self, *args, competitions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["competition"].queryset = competitions
        self.fields["competition"].label_from_instance = lambda c: f"{c.reference} {c.title}"


class AuditFilterForm(GovukForm):
    action = forms.ChoiceField(label="What happened", choices=[("", "Anything"), *AuditEvent.Action.choices], required=False)
    kind = forms.ChoiceField(label="Kind of record", choices=[("", "Any kind")], required=False)
    channel = forms.ChoiceField(label="How", choices=[("", "Any channel"), *AuditEvent.Channel.choices], required=False)
    reference = forms.CharField(label="Competition reference", required=False, max_length=30, help_text="For example DEMO-002.")
    actor = forms.ModelChoiceField(
        label="Who", queryset=User.objects.order_by("last_name", "first_name", "username"), required=False, empty_label="Anyone", widget=QuickSelect,
    )
    since = DateField(label="From", required=False)
    until = DateField(label="To", required=False)

    def __init__(self, *args, kinds=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", "Any kind"), *sorted(((k, kind_label(k).capitalize()) for k in kinds), key=lambda c: c[1])]

    def clean_reference(self):
        """The reference as people know it; the log keeps the competition's id (it outlives the records)."""
        reference = self.cleaned_data["reference"].strip().upper()
        if not reference:
            return None
        found = registry.subject_model()._default_manager.filter(reference=reference).values_list("pk", flat=True).first()
        if found is None:
            raise forms.ValidationError(f"No competition has the reference {reference}.")
        return found

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("since") and cleaned.get("until") and cleaned["until"] < cleaned["since"]:
            self.add_error("until", "The end date must be on or after the start date.")
        return cleaned


class DeclareChoiceForm(GovukForm):
    competition = forms.ModelChoiceField(
        label="Competition", queryset=None, empty_label="Choose a competition",
        error_messages={"required": "Choose a competition to declare your interests in."},
    )

    def __init__(self, *args, competitions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["competition"].queryset = competitions
        self.fields["competition"].label_from_instance = lambda c: f"{c.reference} {c.title}"
