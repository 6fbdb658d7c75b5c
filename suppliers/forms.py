from django import forms

from core.forms_utils import GovukForm
from core.models import OrganisationType, Sector
from core.roles import SUPPLIER_ROLES, Role
from core.widgets import GovukCheckboxes
from suppliers import selectors

SUPPLIER_SECTORS = [(value, label) for value, label in Sector.choices if value != Sector.PUBLIC]
ROLE_CHOICES = [(role.value, role.label) for role in Role if role in SUPPLIER_ROLES]


class NewPersonForm(GovukForm):
    first_name = forms.CharField(max_length=150)
    last_name = forms.CharField(max_length=150)
    password = forms.CharField(widget=forms.PasswordInput, strip=False,
                               help_text="At least 12 characters, not a common password and not all numbers.")
    password_again = forms.CharField(label="Password again", widget=forms.PasswordInput, strip=False)

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("password_again") and data["password"] != data["password_again"]:
            self.add_error("password_again", "The two passwords differ: type the same password twice.")
        return data


class AccountRequestForm(NewPersonForm):
    field_order = ["organisation", "new_organisation_name", "sector", "organisation_type", "first_name", "last_name", "job_title",
                   "email", "password", "password_again"]
    organisation = forms.ModelChoiceField(queryset=selectors.organisation_options(), required=False,
                                          empty_label="My organisation is not listed",
                                          help_text="The organisation you will act for.")
    new_organisation_name = forms.CharField(label="Organisation's name, if not listed", max_length=200, required=False)
    sector = forms.ChoiceField(choices=[("", "Choose a sector"), *SUPPLIER_SECTORS], required=False, help_text="If not listed.")
    organisation_type = forms.ChoiceField(label="Kind of organisation", choices=[("", "Choose a kind"), *OrganisationType.choices],
                                          required=False, help_text="If not listed.")
    job_title = forms.CharField(max_length=120, required=False)
    email = forms.EmailField(label="E-mail address", help_text="You sign in with it.")


class InvitationForm(GovukForm):
    email = forms.EmailField(label="Colleague's e-mail address")
    roles = forms.MultipleChoiceField(choices=ROLE_CHOICES, widget=GovukCheckboxes,
                                      help_text="Bid managers act in competitions, contract leads on agreements, administrators manage colleagues.")


class DecisionForm(GovukForm):
    approve = forms.TypedChoiceField(label="Decision", choices=[("yes", "Approve the account"), ("no", "Refuse it")],
                                     coerce=lambda value: value == "yes", widget=forms.RadioSelect)
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False, help_text="Required to refuse: the person is told.")
