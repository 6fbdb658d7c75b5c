"""The risk register's forms (issue #21): GOV.UK wording from core.forms_utils.GovukForm; the services decide the rest."""

from django import forms

from core.forms_utils import DateField, GovukForm
from core.models import User
from governance.models import IMPACT_LABELS, LIKELIHOOD_LABELS, SCALE, Proximity, RiskKind
from governance.selectors import RISK_ROLES


def _people() -> list[tuple[int, str]]:
    """Who may own a risk: active staff with a risk role (the service checks they may read the record)."""
    people = User.objects.filter(is_active=True, groups__name__in=RISK_ROLES).distinct().order_by("first_name", "last_name", "username")
    return [(person.pk, person.get_full_name() or person.username) for person in people]


def _scale(label: str, labels: dict[int, str], hint: str) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(label=label, coerce=int, widget=forms.RadioSelect, help_text=hint,
                                  choices=[(n, f"{n} – {labels[n]}") for n in SCALE])


class OwnerMixin:
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = [("", "Choose an owner"), *_people()]

    def clean_owner(self):
        return User.objects.get(pk=self.cleaned_data["owner"])


class AssessmentFields(GovukForm):
    likelihood = _scale("Likelihood", LIKELIHOOD_LABELS, "How likely it is to happen (an issue has happened: 5).")
    impact = _scale("Impact", IMPACT_LABELS, "How much it would harm the service, its users or the money if it happened.")
    proximity = forms.ChoiceField(label="Proximity", choices=Proximity.choices, widget=forms.RadioSelect,
                                  help_text="How soon it could happen.")


class RiskForm(OwnerMixin, AssessmentFields):
    kind = forms.ChoiceField(label="Risk or issue", choices=RiskKind.choices, widget=forms.RadioSelect, initial=RiskKind.RISK)
    title = forms.CharField(label="Title", max_length=200)
    description = forms.CharField(label="Cause and effect", widget=forms.Textarea,
                                  help_text="What could cause it and what would follow (for an issue: what has happened).")
    owner = forms.TypedChoiceField(label="Owner", coerce=int)
    field_order = ["kind", "title", "description", "owner", "likelihood", "impact", "proximity"]


class ReassessForm(OwnerMixin, AssessmentFields):
    owner = forms.TypedChoiceField(label="Owner", coerce=int)
    note = forms.CharField(label="What has changed", widget=forms.Textarea, required=False)


class MitigationForm(OwnerMixin, GovukForm):
    action = forms.CharField(label="Action", widget=forms.Textarea, help_text="What will be done to reduce the likelihood or the impact.")
    owner = forms.TypedChoiceField(label="Owner", coerce=int)
    due_on = DateField(label="Due by")


class MitigationDoneForm(GovukForm):
    done_on = DateField(label="Done on")


class EscalateForm(GovukForm):
    reason = forms.CharField(label="Reason", widget=forms.Textarea, help_text="Why the portfolio must hold this risk.")


class CloseForm(GovukForm):
    note = forms.CharField(label="Why it is closed", widget=forms.Textarea, help_text="It passed, was resolved, or was accepted.")
