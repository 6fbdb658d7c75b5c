"""GOV.UK's date input and error wording on every form (issue #19, "Pages people can use")."""

import datetime
import importlib
import re

import pytest
from django import forms
from django.apps import apps
from django.utils import timezone

from contracts.models import AgreementState, RectificationNotice
from core.forms_utils import DateField, DateTimeField, GovukForm, whole_number
from tests.contracts.test_pages import fresh, html_of, live_agreement


class Sample(GovukForm):
    deadline = DateField(label="Deadline")
    starts = DateTimeField(label="Tender deadline", required=False)
    places = whole_number(label="Places", min_value=0)
    share = forms.DecimalField(label="Share of risk (%)", max_value=100, max_digits=5, decimal_places=2, required=False)
    kind = forms.ChoiceField(label="Kind of service", choices=[("a", "A"), ("b", "B")])
    urgent = forms.ChoiceField(label="Is it urgent?", choices=[("yes", "Yes"), ("no", "No")], widget=forms.RadioSelect, required=False)


VALID = {"deadline_day": "27", "deadline_month": "3", "deadline_year": "2027", "places": "12", "kind": "a"}


def errors_of(data) -> dict[str, list[str]]:
    form = Sample(data)
    assert not form.is_valid()
    return form.errors


def test_a_date_is_typed_day_month_and_year_and_read_as_one_date():
    form = Sample(VALID | {"starts_day": "1", "starts_month": "4", "starts_year": "2027", "starts_time": "17:00"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["deadline"] == datetime.date(2027, 3, 27)
    starts = form.cleaned_data["starts"]
    assert timezone.is_aware(starts) and timezone.localtime(starts).replace(tzinfo=None) == datetime.datetime(2027, 4, 1, 17, 0)
    # A date sent whole (as a script would) is still read.
    whole = Sample({"deadline": "2027-03-27", "places": "1", "kind": "b"})
    assert whole.is_valid() and whole.cleaned_data["deadline"] == datetime.date(2027, 3, 27)


@pytest.mark.parametrize(("typed", "message"), [
    ({}, "Enter deadline"),
    ({"deadline_day": "27", "deadline_year": "2027"}, "Deadline must include a month"),
    ({"deadline_day": "27"}, "Deadline must include a month and year"),
    ({"deadline_day": "31", "deadline_month": "2", "deadline_year": "2027"}, "Deadline must be a real date"),
    ({"deadline_day": "1", "deadline_month": "2", "deadline_year": "27"}, "Deadline must be a real date"),
    ({"deadline_day": "x", "deadline_month": "2", "deadline_year": "2027"}, "Deadline must be a real date"),
])
def test_a_date_refused_in_govuk_words(typed, message):
    data = {key: value for key, value in VALID.items() if not key.startswith("deadline")} | typed
    assert errors_of(data)["deadline"] == [message]


@pytest.mark.parametrize(("time", "message"), [
    ("", "Tender deadline must include a time"),
    ("25:00", "The time in “Tender deadline” must be a real time on the 24-hour clock, like 17:00"),
])
def test_a_moment_needs_a_real_time(time, message):
    data = VALID | {"starts_day": "1", "starts_month": "4", "starts_year": "2027", "starts_time": time}
    assert errors_of(data)["starts"] == [message]


@pytest.mark.parametrize(("field", "value", "message"), [
    ("places", "", "Enter places"),
    ("places", "1.5", "Places must be a whole number"),
    ("places", "-1", "Places must be 0 or more"),
    ("places", "100000000000000000000", "Places must be 2147483647 or less"),
    ("share", "150", "Share of risk (%) must be 100 or less"),
    ("share", "12.345", "Share of risk (%) must have 2 decimal places or fewer"),
    ("share", "lots", "Share of risk (%) must be a number"),
    ("kind", "", "Select kind of service"),
    ("kind", "z", "Select kind of service from the list"),
    ("urgent", "maybe", "Select one of the answers to: Is it urgent?"),
])
def test_field_errors_name_the_field_as_govuk_words_them(field, value, message):
    assert errors_of(VALID | {field: value})[field] == [message]


def test_a_message_the_form_wrote_itself_is_kept():
    class Own(GovukForm):
        reason = forms.CharField(error_messages={"required": "Say why the cycle is going back a stage."})

    assert Own({}).errors["reason"] == ["Say why the cycle is going back a stage."]


def _our_forms() -> list[type]:
    ours = {config.name for config in apps.get_app_configs() if "site-packages" not in config.path}  # the project's own apps
    for name in ours:
        for module in ("forms", "views"):
            try:
                importlib.import_module(f"{name}.{module}")
            except ModuleNotFoundError:
                continue
    found, pending = [], [forms.Form]
    while pending:
        kind = pending.pop()
        pending += kind.__subclasses__()
        if kind.__module__.split(".")[0] in ours:
            found.append(kind)
    return found


def test_every_form_of_the_service_words_its_errors_as_govuk_does():
    found = _our_forms()
    assert len(found) > 60  # every form of the apps, not a handful
    assert [kind.__qualname__ for kind in found if not issubclass(kind, GovukForm)] == []
    dates = [(kind.__qualname__, name) for kind in found for name, field in kind.base_fields.items()
             if isinstance(field, forms.DateField | forms.DateTimeField) and not isinstance(field, DateField | DateTimeField)]
    assert dates == []  # no browser date picker (mm/dd/yyyy) anywhere


@pytest.mark.django_db
def test_the_rectification_deadline_is_typed_day_month_and_year(client, people):
    agreement = live_agreement(people)
    client.force_login(people["manager"])
    url = f"/contracts/{agreement.pk}/records/rectification-notice/"
    page = html_of(client.get(url))
    assert 'type="date"' not in page and "govuk-date-input" in page and "For example, 27 3 2027" in page
    assert re.search(r'<legend[^>]*>\s*Deadline\s*</legend>', page)
    missing = html_of(client.post(url, {"failings": "Late returns", "deadline_day": "12", "deadline_month": "", "deadline_year": "2027"}))
    assert '<a href="#id_deadline_0">Deadline must include a month</a>' in missing
    assert 'value="12"' in missing and 'value="2027"' in missing  # what was typed is kept
    assert not RectificationNotice.objects.exists()
    deadline = timezone.localdate() + datetime.timedelta(days=21)
    client.post(url, {"failings": "Late returns", "deadline_day": str(deadline.day), "deadline_month": str(deadline.month),
                      "deadline_year": str(deadline.year)})
    assert fresh(agreement).state == AgreementState.UNDER_RECTIFICATION
    assert RectificationNotice.objects.get(agreement=agreement).deadline == deadline


@pytest.mark.parametrize("value", ["NaN", "Infinity", "lots"])
def test_a_label_with_a_percent_sign_survives_the_messages_django_formats(value):
    assert errors_of(VALID | {"share": value})["share"] == ["Share of risk (%) must be a number"]
