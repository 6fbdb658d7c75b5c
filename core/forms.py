from django import forms

from core.forms_utils import GovukForm
from core.models import NotificationPreference, Sector


class OrganisationFilterForm(GovukForm):
    sector = forms.ChoiceField(choices=[("", "All sectors"), *Sector.choices], required=False)


class NotificationPreferenceForm(GovukForm):
    delivery = forms.ChoiceField(label="How should we tell you of new work?", choices=NotificationPreference.Delivery.choices,
                                 widget=forms.RadioSelect)
