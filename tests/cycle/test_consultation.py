"""Consultation on the Commissioning Intentions Plan (issue #21): a window, responses, themes and the commissioner's answers."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone

from core.models import Organisation
from core.roles import Role
from cycle import consultation
from cycle.models import ConsultationResponse
from tests.core.factories import UserFactory
from tests.cycle.test_pages import make_cycle
from tests.pdf import pdf_text

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


@pytest.fixture
def commissioner():
    return UserFactory(roles=[Role.COMMISSIONER])


def _open(cycle, actor, opens=-20, closes=-1):
    return consultation.consultation_open(cycle=cycle, actor=actor, opens_on=TODAY() + datetime.timedelta(days=opens),
                                          closes_on=TODAY() + datetime.timedelta(days=closes), summary="The four priorities for 2027–30.")


def test_responses_within_the_window_are_themed_and_answered_and_the_plans_pdf_carries_them(commissioner):
    cycle = make_cycle(commissioner)
    window = _open(cycle, commissioner)
    housing = consultation.theme_add(consultation=window, actor=commissioner, title="Housing on release is under-funded")
    nacro, _ = Organisation.objects.get_or_create(name="Nacro", defaults={"sector": "vcse", "organisation_type": "charity"})
    consultation.response_record(consultation=window, actor=commissioner, respondent="Director of services", organisation=nacro,
                                 received_on=TODAY() - datetime.timedelta(days=5), stance="challenges",
                                 summary="Priority 3 leaves women's accommodation unfunded.", themes=[housing])
    with pytest.raises(ValidationError) as late:
        consultation.response_record(consultation=window, actor=commissioner, respondent="Late", received_on=TODAY(), stance="supports",
                                     summary="After the window closed.")
    assert list(late.value.message_dict) == ["received_on"]
    with pytest.raises(ValidationError) as empty:
        consultation.theme_respond(theme=housing, actor=commissioner, commissioner_response=" ")
    assert list(empty.value.message_dict) == ["commissioner_response"]
    consultation.theme_respond(theme=housing, actor=commissioner,
                               commissioner_response="Priority 3 now funds 40 women-only bed spaces, moved above the funding line.")
    page = Client()
    page.force_login(commissioner)
    text = pdf_text(page.get(f"/cycles/{cycle.pk}/plan.pdf").content)
    assert "7. Consultation" in text and "Housing on release is under-funded" in text and "40 women-only bed spaces" in text
    assert "Nacro" in text and "Challenges the priorities" in text


def test_one_window_per_cycle_that_closes_after_it_opens_and_only_commissioners_run_it(commissioner):
    cycle = make_cycle(commissioner)
    with pytest.raises(ValidationError) as backwards:
        _open(cycle, commissioner, opens=0, closes=-1)
    assert list(backwards.value.message_dict) == ["closes_on"]
    with pytest.raises(PermissionDenied):
        _open(cycle, UserFactory(roles=[Role.COMMISSIONER, Role.BID_TEAM]))
    window = _open(cycle, commissioner)
    with pytest.raises(ValidationError, match="one window per cycle"):
        _open(cycle, commissioner)
    theme = consultation.theme_add(consultation=window, actor=commissioner, title="Rural access")
    with pytest.raises(ValidationError, match="No response has been filed under this theme"):
        consultation.theme_respond(theme=theme, actor=commissioner, commissioner_response="Noted.")


def test_the_page_records_a_response_and_refuses_one_before_the_window_is_open(commissioner):
    cycle = make_cycle(commissioner)
    page = Client()
    page.force_login(commissioner)
    day = TODAY() - datetime.timedelta(days=3)
    when = {"received_on_day": day.day, "received_on_month": day.month, "received_on_year": day.year}
    early = page.post(f"/cycles/{cycle.pk}/records/consultation-response/", {"respondent": "A", **when, "stance": "supports", "summary": "x"})
    assert "Open a consultation on the plan first." in early.content.decode() and not ConsultationResponse.objects.exists()
    assert "Open a consultation on the plan" in page.get(f"/cycles/{cycle.pk}/?section=planning").content.decode()
    _open(cycle, commissioner)
    saved = page.post(f"/cycles/{cycle.pk}/records/consultation-response/",
                      {"respondent": "Police and Crime Commissioner", **when, "stance": "supports", "summary": "Supports priority 1."})
    assert saved.status_code == 302 and ConsultationResponse.objects.get().respondent == "Police and Crime Commissioner"
    text = page.get(f"/cycles/{cycle.pk}/?section=planning").content.decode()
    assert "1 response received." in text and "Supports priority 1." in text
    bid_team = UserFactory(roles=[Role.BID_TEAM])
    page.force_login(bid_team)
    assert page.get(f"/cycles/{cycle.pk}/plan/").status_code == 404
