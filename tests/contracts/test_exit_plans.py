"""Exit and decommissioning plans (issue #21): service users, data, staff and assets, agreed before decommissioning."""

import datetime

import pytest
from dateutil.relativedelta import relativedelta
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone

from contracts import exit_plans, services
from contracts.models import Agreement
from core.errors import TransitionRefused
from core.inbox import inbox_for
from tests.contracts.test_services import framework_agreement, make_live

pytestmark = pytest.mark.django_db
PLAN = {"service_users": "Cases handed to the probation service's accommodation team, person by person.",
        "data_return": "Case records returned through the secure portal within 30 days; copies destroyed.",
        "staff": "No TUPE transfer: staff redeployed within Nacro.", "assets": "No assets: premises are Nacro's own."}


@pytest.fixture
def live(people):
    return make_live(framework_agreement(people), people)


def decommission(agreement, people):
    return services.agreement_decommission(agreement=Agreement.objects.get(pk=agreement.pk), actor=people["commissioner"],
                                           reason="Priority below the funding line")


def test_decommissioning_waits_for_an_agreed_exit_plan(live, people):
    with pytest.raises(TransitionRefused) as refused:
        decommission(live, people)
    assert refused.value.missing == ["An exit plan is agreed: service users' transition, data return, staff and assets"]
    with pytest.raises(ValidationError) as blank:
        exit_plans.exit_plan_record(agreement=live, actor=people["manager"], **{**PLAN, "staff": " "})
    assert list(blank.value.message_dict) == ["staff"]
    exit_plans.exit_plan_record(agreement=live, actor=people["manager"], **PLAN)
    with pytest.raises(TransitionRefused):
        decommission(live, people)  # written, not yet agreed
    with pytest.raises(PermissionDenied):
        exit_plans.exit_plan_agree(agreement=live, actor=people["manager"])  # a commissioner agrees it
    exit_plans.exit_plan_agree(agreement=live, actor=people["commissioner"])
    with pytest.raises(ValidationError, match="agreed: it no longer changes"):
        exit_plans.exit_plan_record(agreement=live, actor=people["manager"], **PLAN)
    assert decommission(live, people).state == "decommissioned"


def test_an_agreement_ending_without_a_successor_asks_its_contract_manager_for_an_exit_plan(live, people):
    ending = timezone.localdate() + relativedelta(months=4)
    Agreement.objects.filter(pk=live.pk).update(end_date=ending)
    title = f"Write and agree the exit plan for {live.reference} with {live.provider}: it ends with no successor"
    assert title in [t.title for t in inbox_for(people["manager"]).deadlines]
    successor = framework_agreement_in_same_area(people, live)
    assert title not in [t.title for t in inbox_for(people["manager"]).deadlines]  # something carries the service on
    Agreement.objects.filter(pk=successor.pk).update(end_date=ending - datetime.timedelta(days=1))  # it stops first: no successor
    assert title in [t.title for t in inbox_for(people["manager"]).deadlines]
    exit_plans.exit_plan_record(agreement=live, actor=people["manager"], **PLAN)
    assert f"Agree the exit plan for {live.reference}" in [t.title for t in inbox_for(people["commissioner"]).decisions]
    exit_plans.exit_plan_agree(agreement=live, actor=people["commissioner"])
    assert title not in [t.title for t in inbox_for(people["manager"]).deadlines]


def framework_agreement_in_same_area(people, agreement):
    start = timezone.localdate()
    successor = services.agreement_create(actor=people["procurement"], reference="FW-002", title="Resettlement support (next)",
                                          provider=agreement.provider, service_area=agreement.service_area, value=agreement.value,
                                          route="framework", start_date=start, end_date=start + datetime.timedelta(days=1000))
    services.agreement_mobilise(agreement=successor, actor=people["procurement"])
    return successor


def test_the_page_writes_the_plan_and_a_commissioner_agrees_it(live, people):
    page = Client()
    page.force_login(people["manager"])
    assert page.post(f"/contracts/{live.pk}/records/exit-plan/", {**PLAN, "assets": ""}).status_code == 200
    assert page.post(f"/contracts/{live.pk}/records/exit-plan/", PLAN).status_code == 302
    text = page.get(f"/contracts/{live.pk}/?section=management").content.decode()
    assert "Awaiting a commissioner" in text and "Agree the exit plan" not in text
    page.force_login(people["commissioner"])
    assert page.post(f"/contracts/{live.pk}/records/agree-exit-plan/").status_code == 302
    assert "Agreed</strong> by" in page.get(f"/contracts/{live.pk}/?section=management").content.decode()
