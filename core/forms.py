from django import forms

from core.models import NotificationPreference, Sector


class OrganisationFilterForm(forms.Form):
    sector = forms.ChoiceField(choices=[("", "All sectors"), *Sector.choices], required=False)


class NotificationPreferenceForm(forms.Form):
    delivery = forms.ChoiceField(label="How should we tell you of new work?", choices=NotificationPreference.Delivery.choices,
                                 widget=forms.RadioSelect)
