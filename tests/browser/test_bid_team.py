"""The HMPS bid team sees only what every bidder sees, and "Page not found" on the commissioner's protected pages."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from competitions import services
from competitions.models import State
from core.models import Organisation
from core.roles import Role
from ethical_walls.models import AuditEvent
from tests.browser.conftest import BROWSER_DB
from tests.competitions.journey import Journey
from tests.core.factories import UserFactory

pytestmark = BROWSER_DB


@pytest.fixture
def competition_with_an_hmps_bid():
    """A launched competition with a crown-body (HMPS) bid behind the wall, its bid team, and two answered clarifications."""
    trip = Journey()
    trip.advance_to(State.PRE_QUALIFICATION)
    trip.satisfy("prequalified_bidder")
    trip.bid_team_member = UserFactory(roles=[Role.BID_TEAM], first_name="Bea", last_name="Bidder")
    crown_bid = next(bid for bid in trip.bids() if bid.bidder.is_crown_body)
    trip.join(trip.bid_team_member, "bid_team", side="bid", bid=crown_bid)
    serco = Organisation.objects.get(name="Serco Justice Services")
    for question, answer, sensitive in [
        ("Will staff transfer under TUPE?", "Yes: the staff list is published with the invitation to tender.", False),
        ("May we see the prison's maintenance backlog for our own pricing model?", "Sent to Serco only: it is their commercial question.", True),
    ]:
        clarification = services.clarification_log(competition=trip.refresh(), actor=trip.procurement, asked_by=serco, question=question,
                                                   commercially_sensitive=sensitive)
        services.clarification_answer(clarification=clarification, actor=trip.procurement, answer=answer)
    trip.draft = services.competition_create(
        actor=trip.commissioner, title="Electronic monitoring re-let", service_area=trip.service_area, estimated_value=Decimal("90000000"),
        regime="2023", procedure="competitive_flexible", award_basis="meat", is_major_project=True, public_sector_bid_possible=True,
    )
    yield trip
    trip.stop_travel()


def test_bid_team_sees_only_published_material_and_page_not_found_on_protected_pages(journey, competition_with_an_hmps_bid):
    trip = competition_with_an_hmps_bid
    competition, member = trip.competition, trip.bid_team_member
    page = journey.page

    journey.sign_in(member)
    journey.link("Competitions")
    listing = journey.text()
    assert competition.reference in listing and "Electronic monitoring re-let" not in listing  # drafts are the commissioner's

    journey.link(competition.reference)
    parts = page.locator(".app-contents")
    expect(parts).to_contain_text("Criteria and your bid")
    expect(parts).not_to_contain_text("Assurance")
    journey.link("All on one page")
    main = journey.text()
    # What every bidder sees: the published criteria and the clarification answered to all, its asker left out.
    assert "Quality of delivery" in main and "Rehabilitation outcomes" in main
    assert "Will staff transfer under TUPE?" in main and "the staff list is published" in main
    # Plus the team's own bid.
    expect(page.get_by_role("heading", name="Your bid")).to_be_visible()
    assert "HMPS Business Development Group" in main
    # Never the commissioning side's material, other bids, or another bidder's sensitive answer.
    for secret in ("What can happen next", "Business cases", "Outcomes, benefits, costs.", "Gateway and keyholder reviews",
                   "Serco", "maintenance backlog", "Timeline"):
        assert secret not in main, secret

    # Protected pages answer as if they did not exist, and each attempt is logged as refused.
    for path in (f"/competitions/{competition.pk}/records/business-case/", f"/competitions/{trip.draft.pk}/", "/cycles/"):
        journey.visit(path, status=404)
        expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
        assert competition.title not in journey.text()
    assert AuditEvent.objects.filter(actor=member, action=AuditEvent.Action.REFUSED).count() == 3
    journey.finish()
