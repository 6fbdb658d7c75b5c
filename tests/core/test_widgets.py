"""QuickSelect writes the same HTML as Django's Select, without a template per option."""

import pytest
from django import forms
from django.test.html import parse_html

from contracts.forms import AgreementFilterForm
from core.widgets import QuickSelect

CHOICES = [("", "Any"), ("1", "Alpha & Omega"), ("2", 'Say "hi"'), ("Group <b>", [("3", "Three"), ("4", "Four")])]


def both(value, attrs=None, choices=CHOICES):
    django_html = forms.Select(choices=choices).render("pick", value, attrs=attrs)
    quick_html = QuickSelect(choices=choices).render("pick", value, attrs=attrs)
    return parse_html(quick_html), parse_html(django_html), quick_html


@pytest.mark.parametrize("value", [None, "", "2", "4", "missing"])
def test_it_renders_what_django_renders(value):
    quick, django, _ = both(value, attrs={"id": "id_pick", "class": "govuk-select", "aria-describedby": "pick-hint", "required": True})
    assert quick == django


def test_the_chosen_option_is_selected_and_text_is_escaped():
    _, _, html = both("2")
    assert '<option value="2" selected>Say &quot;hi&quot;</option>' in html
    assert "Alpha &amp; Omega" in html
    assert '<optgroup label="Group &lt;b&gt;">' in html


def test_one_option_is_selected_unless_the_select_takes_many():
    repeated = [("1", "One"), ("1", "One again")]
    assert QuickSelect(choices=repeated).render("pick", "1").count(" selected") == 1
    assert parse_html(forms.SelectMultiple(choices=CHOICES).render("pick", ["1", "3"])) == parse_html(
        type("QuickMultiple", (QuickSelect,), {"allow_multiple_selected": True})(choices=CHOICES).render("pick", ["1", "3"]))


@pytest.mark.django_db
def test_the_provider_filter_refuses_a_provider_it_does_not_offer():
    form = AgreementFilterForm({"provider": "999999"})
    assert isinstance(form.fields["provider"].widget, QuickSelect)
    assert not form.is_valid() and "provider" in form.errors
