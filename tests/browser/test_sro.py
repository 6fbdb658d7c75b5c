"""The SRO finds a declared conflict of interest in their inbox, assesses it, and records the competition's conflicts
assessment (s.83)."""

import pytest
from playwright.sync_api import expect

from competitions.models import State
from ethical_walls import services as wall_services
from ethical_walls.models import ConflictDeclaration
from tests.browser.conftest import BROWSER_DB
from tests.competitions.journey import Journey

pytestmark = BROWSER_DB


@pytest.fixture
def competition_with_a_declared_conflict():
    """A Procurement Act 2023 competition in pre-procurement; one evaluator has declared an interest."""
    trip = Journey()
    trip.advance_to(State.PRE_PROCUREMENT)
    wall_services.conflict_declare(
        competition=trip.refresh(), actor=trip.second_evaluator, nature="conflict",
        details="My sister is a regional director of Serco Justice Services, a likely bidder.",
    )
    yield trip
    trip.stop_travel()


def test_sro_assesses_a_conflict_and_completes_the_conflicts_assessment(journey, competition_with_a_declared_conflict):
    trip = competition_with_a_declared_conflict
    competition = trip.competition
    evaluator = trip.second_evaluator
    page = journey.page
    launch_condition = page.locator("#launch-conflicts_assessment-status")

    # The work comes to the SRO: the declaration waits in their inbox, counted in the navigation (issue #19).
    journey.sign_in(trip.sro)
    task = f"Assess {evaluator}'s declared conflict on {competition.reference}"
    expect(page.locator("#decisions + ul")).to_contain_text(task)
    expect(page.locator(".govuk-service-navigation .app-count")).to_be_visible()
    journey.link(task)
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Assess {evaluator}'s declared conflict")
    page.get_by_label("Mitigate, with conditions").check()
    page.get_by_label("Conditions", exact=True).fill("Takes no part in scoring Serco's bid; papers on Serco's bid are withheld from them.")
    journey.button("Save")
    assert f"{evaluator}'s conflict: mitigated, with conditions." in journey.success()
    journey.link("Home")
    expect(page.locator("main")).not_to_contain_text(task)  # done: gone from the inbox

    journey.link("Ethical walls")
    journey.link("Conflicts-of-interest register")
    row = page.get_by_role("row").filter(has_text=str(evaluator))
    expect(row).to_contain_text("Mitigated, with conditions")
    expect(row).to_contain_text("Takes no part in scoring Serco's bid")

    # With nothing awaiting assessment, the s.83 conflicts assessment can be completed before launch.
    journey.link("Competitions")
    journey.link(competition.reference)
    expect(launch_condition).to_have_text("Not met")
    journey.link("Assurance")  # the wall and the conflicts assessment are in the page's assurance part
    journey.link("Complete the conflicts assessment")
    page.get_by_label("Summary").fill("One interest declared and mitigated with conditions; every other declaration a nil return.")
    journey.button("Save")
    assert "Complete the conflicts assessment: saved." in journey.success()
    expect(page.locator("#wall + dl")).to_contain_text("Completed")
    journey.link("Overview")
    expect(launch_condition).to_have_text("Met")

    declaration = ConflictDeclaration.objects.get(competition=competition, user=evaluator)
    assert declaration.assessment == ConflictDeclaration.Assessment.MITIGATED and declaration.assessed_by == trip.sro
    journey.finish()
