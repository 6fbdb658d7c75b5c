from django import forms

from core.models import Sector


class OrganisationFilterForm(forms.Form):
    sector = forms.ChoiceField(choices=[("", "All sectors"), *Sector.choices], required=False)
