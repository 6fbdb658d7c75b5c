"""The commissioner takes a cycle from needs to priorities and downloads the Commissioning Intentions Plan."""

import datetime
from decimal import Decimal

from playwright.sync_api import expect

from core.models import ServiceArea
from core.roles import Role
from cycle import services
from tests.browser.conftest import BROWSER_DB
from tests.core.factories import UserFactory
from tests.pdf import pdf_text

pytestmark = BROWSER_DB


def test_commissioner_takes_a_cycle_from_needs_to_priorities_and_downloads_the_plan(journey):
    # Before: a cycle just moved on to assessing needs, with nothing recorded yet.
    commissioner = UserFactory(roles=[Role.COMMISSIONER], first_name="Clare", last_name="Hughes")
    ServiceArea.objects.get_or_create(name="Accommodation")
    cycle = services.cycle_create(
        actor=commissioner, name="South West accommodation 2026-27", cycle_type="service_level", level="regional",
        area="South West", period_start=datetime.date(2026, 4, 1), period_end=datetime.date(2027, 3, 31),
        available_resources=Decimal("500000"),
    )
    services.cycle_move_on(cycle=cycle, actor=commissioner, transition="assess_needs")
    page = journey.page

    journey.sign_in(commissioner)
    journey.link("Commissioning cycles")
    journey.link("South West accommodation 2026-27")
    expect(page.locator("[aria-current=step]")).to_contain_text("Assess needs")

    # The needs assessment: demand, current provision and the gap (in the page's planning part).
    journey.link("Needs and priorities")
    journey.link("Record a needs assessment")
    page.get_by_label("Service area").select_option(label="Accommodation")
    page.get_by_label("Area", exact=True).fill("Bristol and Gloucestershire")
    page.get_by_label("Cohort").fill("Women leaving custody")
    page.get_by_label("Demand").fill("420")
    page.get_by_label("Current provision").fill("260")
    page.get_by_label("Gap analysis").fill("Approved premises beds for women are 160 short: most women are released 60 miles from home.")
    page.get_by_label("Evidence", exact=True).fill("OASys needs profiles 2025; HMIP thematic on women's resettlement.")
    journey.button("Save")
    assert "Record a needs assessment: saved." in journey.success()
    expect(page.locator("#needs ~ table").first).to_contain_text("160")

    journey.link("Overview")
    journey.button("Move on to prioritising")
    assert "now Prioritise" in journey.success()

    # Two priorities; the budget of £500,000 cannot fund both.
    journey.link("Needs and priorities")
    for title, cost, value in [
        ("Women's approved premises in Bristol", "300000", "8"),
        ("Floating support after release", "250000", "6"),
    ]:
        journey.link("Add a priority")
        page.get_by_label("Title").fill(title)
        page.get_by_label("Service area").select_option(label="Accommodation")
        page.get_by_label("Cost (£)").fill(cost)
        page.get_by_label("Expected outcome value").fill(value)
        page.get_by_label("Evidence").fill("Needs assessment 2026: the gap in women's accommodation.")
        journey.button("Save")
        assert "Add a priority: saved." in journey.success()

    # The suggested allocation funds the more valuable one; the other falls below the funding line.
    allocation = page.locator("#allocation ~ ul").first
    expect(allocation).to_contain_text("Women's approved premises in Bristol")
    expect(allocation).not_to_contain_text("Floating support after release")
    journey.button("Accept the suggested allocation")
    expect(page.get_by_text("The priorities funded are the suggested ones.")).to_be_visible()

    journey.link("Record the equality impact assessment")
    page.get_by_label("Summary").fill("Women share the protected characteristic of sex; the priorities close a gap that falls on them. No adverse impact found.")
    journey.button("Save")

    journey.link("Overview")
    journey.button("Move on to designing services")
    assert "now Design services" in journey.success()
    expect(page.locator("[aria-current=step]")).to_contain_text("Design services")

    # The Commissioning Intentions Plan, on the page and as a PDF.
    journey.link("Commissioning Intentions Plan")
    expect(page.get_by_role("heading", level=1)).to_have_text("Commissioning Intentions Plan")
    plan = journey.text()
    assert "Bristol and Gloucestershire" in plan and "Women's approved premises in Bristol" in plan
    assert "Floating support after release" in plan  # below the funding line: a candidate for decommissioning
    pdf = journey.open_pdf("Download the plan (PDF)")
    assert pdf.headers["content-disposition"] == f'inline; filename="commissioning-intentions-plan-{cycle.pk}.pdf"'
    assert "Commissioning Intentions Plan" in pdf_text(pdf.body())
    journey.finish()
