"""A contract manager draws up the mobilisation plan, completes it and takes the agreement live (issue #21)."""

import datetime

from playwright.sync_api import expect

from contracts import services
from contracts.models import Agreement, MobilisationMilestone
from core.roles import Role
from tests.browser.conftest import BROWSER_DB
from tests.contracts.test_pages import add_measure, fresh, make_agreement
from tests.core.factories import UserFactory

pytestmark = BROWSER_DB


def test_a_contract_manager_completes_the_mobilisation_plan_and_goes_live(journey):
    people = {"procurement": UserFactory(roles=[Role.PROCUREMENT]),
              "manager": UserFactory(roles=[Role.CONTRACT_MANAGER], first_name="Mo", last_name="Farouk")}
    today = datetime.date.today()
    agreement = make_agreement(people, reference="AP-2027-NE", title="Accredited programmes in the North East",
                               start=today + datetime.timedelta(days=40), months=36)
    add_measure(agreement, people)
    services.agreement_update(agreement=fresh(agreement), actor=people["procurement"], contract_manager=people["manager"])
    services.agreement_mobilise(agreement=fresh(agreement), actor=people["procurement"])
    page = journey.page

    # "Go live" is not ready: the plan is missing, and the condition leads to where it is put right.
    journey.sign_in(people["manager"])
    journey.visit(f"/contracts/{agreement.pk}/")
    expect(page.locator("main")).to_contain_text("No mobilisation plan has been drawn up.")
    journey.link("The mobilisation plan is drawn up and every milestone is done")
    journey.link("Draw up the standard mobilisation plan")
    journey.button("Confirm")
    assert "Draw up the standard mobilisation plan: saved." in journey.success()
    expect(page.get_by_role("table")).to_contain_text("Mobilisation plan: 6 milestones")

    # Each milestone marked done; the readiness visit needs its findings.
    for milestone in MobilisationMilestone.objects.filter(agreement=agreement).order_by("due_on", "pk"):
        journey.link(f"Mark the milestone done for {milestone.title.lower()}")
        journey.fill_date("Done on", today)
        if milestone.kind == "readiness_visit":
            journey.button("Save")
            expect(page.locator(".govuk-error-summary")).to_contain_text("Record what the readiness visit found.")
            page.get_by_label("Findings").fill("Facilitators trained and accredited; rooms and case records ready.")
        journey.button("Save")
        assert "Mark the milestone done: saved." in journey.success()
    expect(page.get_by_role("table")).not_to_contain_text("Not done")

    # Every condition met: the manager takes it live.
    journey.link("Overview")
    journey.button("Go live")
    expect(page.locator("main")).to_contain_text("Live")
    assert Agreement.objects.get(pk=agreement.pk).state == "live"
    journey.finish()
