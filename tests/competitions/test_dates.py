"""Dates nobody could mean are refused on every channel, naming the field and the rule, and change nothing.

A review recorded has been held, so is not in the future; a mandate precedes the SRO it appoints; a
deadline set now is in the future, and tenders close after requests to participate; every date falls
within 2000–2099.
"""

import datetime
import html

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from competitions import forms, services
from competitions.models import GatewayReview
from contracts import services as contract_services
from cycle import services as cycle_services
from tests.api import client_for, problem

pytestmark = pytest.mark.django_db


def governance_form(competition, **changes) -> dict:
    """The competition details form as the page sends it back, with `changes` typed in."""
    form = forms.CompetitionGovernanceForm(initial={name: getattr(competition, name) for name in forms.CompetitionGovernanceForm.base_fields})
    body = {}
    for name, field in form.fields.items():
        value = field.prepare_value(form[name].initial)
        if value in (None, "", False):
            continue
        body[name] = "on" if value is True else (value.strftime("%Y-%m-%dT%H:%M") if isinstance(value, datetime.datetime) else str(value))
    body["version"] = str(competition.version)
    return body | changes


# --- a review held is not in the future -----------------------------------------------------------

def test_a_gateway_review_dated_in_the_future_is_refused_by_page_api_and_service(client, journey):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as refused:
        services.gateway_review_record(competition=journey.refresh(), actor=journey.reviewer, review_type="gateway", gate=2,
                                       held_on=tomorrow, review_team="A", delivery_confidence="green")
    assert "cannot be in the future" in refused.value.message_dict["held_on"][0]

    client.force_login(journey.reviewer)
    page = client.post(f"/competitions/{journey.competition.pk}/records/gateway-review/", {
        "review_type": "gateway", "gate": "2", "held_on": "2031-05-05", "review_team": "A", "delivery_confidence": "green", "summary": "",
    }).content.decode()
    assert "A review that has been held cannot be in the future" in page

    body = problem(client_for(journey.reviewer).post("/api/v1/gateway-reviews/", {
        "competition": journey.competition.pk, "gate": 2, "held_on": "2031-05-05", "review_team": "A", "delivery_confidence": "green",
    }, format="json"), 400)
    assert list(body["errors"]) == ["held_on"] and "cannot be in the future" in body["errors"]["held_on"][0]
    assert not GatewayReview.objects.exists()


# --- governance dates: plausible, in order, deadlines ahead ---------------------------------------

@pytest.mark.parametrize("changes, field, message", [
    ({"mandate_issued_on": "2030-01-10"}, "mandate_issued_on", "A mandate's issue cannot be in the future"),
    ({"mandate_issued_on": "2025-06-01", "sro_appointed_on": "2020-01-01"}, "sro_appointed_on", "on or after the day it was issued"),
    ({"bid_deadline": "2019-03-01T12:00"}, "bid_deadline", "A deadline set now must be in the future"),
    ({"bid_deadline": "2150-03-01T12:00"}, "bid_deadline", "Enter a date between 2000 and 2099"),
    ({"participation_deadline": "2099-06-01T12:00", "bid_deadline": "2099-05-01T12:00"}, "bid_deadline", "Tenders close after requests to participate"),
])
def test_governance_dates_out_of_order_are_refused_on_the_page_and_the_api(client, journey, changes, field, message):
    competition = journey.refresh()
    client.force_login(journey.commissioner)
    response = client.post(f"/competitions/{competition.pk}/edit/", governance_form(competition, **changes))
    assert response.status_code == 200 and message in html.unescape(response.content.decode())

    api_changes = {name: (value + ":00Z" if "T" in value else value) for name, value in changes.items()}
    body = problem(client_for(journey.commissioner).patch(
        f"/api/v1/competitions/{competition.pk}/", {**api_changes, "version": competition.version}, format="json"), 400)
    assert field in body["errors"] and message in body["errors"][field][0]

    unchanged = journey.refresh()
    assert unchanged.version == competition.version
    assert all(getattr(unchanged, name) == getattr(competition, name) for name in changes)


# --- the same rules for contracts and the cycle --------------------------------------------------

def test_contract_and_cycle_dates_are_checked_by_their_services():
    from contracts.models import Agreement
    from tests.core.factories import OrganisationFactory, UserFactory
    from core.models import ServiceArea
    from core.roles import Role

    procurement = UserFactory(roles=[Role.PROCUREMENT])
    area, _ = ServiceArea.objects.get_or_create(name="Community payback")
    terms = {"actor": procurement, "reference": "AGR-1", "title": "Unpaid work", "provider": OrganisationFactory(), "service_area": area,
             "value": 1000, "route": "framework"}
    with pytest.raises(ValidationError) as refused:
        contract_services.agreement_create(**terms, start_date=datetime.date(2026, 4, 1), end_date=datetime.date(2026, 3, 31))
    assert refused.value.message_dict["end_date"] == ["The end date must be after the start date."]
    with pytest.raises(ValidationError) as refused:
        contract_services.agreement_create(**terms, start_date=datetime.date(1926, 4, 1))
    assert "between 2000 and 2099" in refused.value.message_dict["start_date"][0]
    assert not Agreement.objects.exists()

    commissioner = UserFactory(roles=[Role.COMMISSIONER])
    with pytest.raises(ValidationError) as refused:
        cycle_services.cycle_create(actor=commissioner, name="2027", cycle_type="strategic", level="national",
                                    period_start=datetime.date(2027, 4, 1), period_end=datetime.date(2227, 3, 31),
                                    available_resources=1000)
    assert "between 2000 and 2099" in refused.value.message_dict["period_end"][0]
    cycle = cycle_services.cycle_create(actor=commissioner, name="2027", cycle_type="strategic", level="national",
                                        period_start=datetime.date(2027, 4, 1), period_end=datetime.date(2028, 3, 31), available_resources=1000)
    with pytest.raises(ValidationError) as refused:
        cycle_services.market_sounding_record(cycle=cycle, actor=commissioner, service_area=area, kind="forum",
                                              held_on=timezone.localdate() + datetime.timedelta(days=1), providers=[], learned="")
    assert "cannot be in the future" in refused.value.message_dict["held_on"][0]
