"""A provider in the browser (issue #18): upload a file of returns with one bad row, fix it, upload again, and answer a
rectification notice with a remedial action plan. Every page checked with axe."""

import datetime

from django.utils import timezone
from playwright.sync_api import expect

from contracts import performance, services
from contracts.models import RemedialActionPlan, Return
from core.models import Organisation
from core.roles import Role
from tests.browser.conftest import BROWSER_DB
from tests.contracts.test_pages import add_measure, go_live, make_agreement, months_ago
from tests.core.factories import UserFactory

pytestmark = BROWSER_DB


def test_a_provider_uploads_returns_fixes_a_bad_row_and_answers_a_rectification_notice(journey, tmp_path):
    people = {"procurement": UserFactory(roles=[Role.PROCUREMENT]), "manager": UserFactory(roles=[Role.CONTRACT_MANAGER])}
    agreement = make_agreement(people, reference="FW-2026-021", title="Mentoring on release", provider="St Giles Trust", start=months_ago(3))
    measure = add_measure(agreement, people, name="Mentees met at the gate", target="90", tolerance="5")
    go_live(agreement, people)
    lead = UserFactory(roles=[Role.CONTRACT_LEAD], organisation=Organisation.objects.get(name="St Giles Trust"), first_name="Ade", last_name="Bello")
    first, second = performance.periods(measure, agreement.start_date, timezone.localdate())[:2]
    page = journey.page

    journey.sign_in(lead)
    expect(page.locator("#deadlines + ul")).to_contain_text("Return for Mentees met at the gate")  # the work comes to them
    journey.link("Your agreements")
    journey.link("FW-2026-021")
    journey.link("Upload returns from a file")
    bad = tmp_path / "returns.csv"
    bad.write_text(f"measure,period_start,value,evidence\nMentees met at the gate,{first.isoformat()},92,Gate log\n"
                   f"Mentees met at the gate,{second.isoformat()},-3,Gate log\n")
    page.get_by_label("Returns file").set_input_files(str(bad))
    journey.button("Upload")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Row 3, column value")
    assert not Return.objects.filter(measure=measure).exists()  # nothing stored

    fixed = tmp_path / "returns-fixed.csv"
    fixed.write_text(f"measure,period_start,value,evidence\nMentees met at the gate,{first.isoformat()},92,Gate log\n"
                     f"Mentees met at the gate,{second.isoformat()},71,Gate log\n")
    page.get_by_label("Returns file").set_input_files(str(fixed))
    journey.button("Upload")
    assert Return.objects.filter(measure=measure, status=Return.Status.SUBMITTED).count() == 2

    # The contract manager issues a rectification notice (the service, as the staff page would).
    services.rectification_notice_issue(agreement=agreement, actor=people["procurement"], failings="Mentees met at the gate fell to 71%.",
                                        deadline=timezone.localdate() + datetime.timedelta(days=28))
    journey.visit(f"/contracts/provider/{agreement.pk}/")
    expect(page.locator("#rectification")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Mentees met at the gate fell to 71%.")
    journey.link("Propose a remedial action plan")
    page.get_by_label("What you will do").fill("A second mentor at HMP Pentonville's gate on release days.")
    journey.fill_date("Done by", timezone.localdate() + datetime.timedelta(days=21))
    journey.button("Save")
    plan = RemedialActionPlan.objects.get(agreement=agreement)
    assert plan.status == "proposed" and plan.proposed_by == lead
    journey.finish()
