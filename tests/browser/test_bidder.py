"""A private bidder in the browser (issue #18): find an opportunity, ask a question, seal a tender, keep the receipt,
and after the two-person opening and the evaluation read the debrief letter. Every page checked with axe."""

import hashlib

import pytest
from playwright.sync_api import expect

from competitions.models import Bid, State
from core.roles import Role
from tests.browser.conftest import BROWSER_DB
from tests.competitions.journey import Journey
from tests.core.factories import UserFactory
from tests.pdf import pdf_text

pytestmark = BROWSER_DB

METHOD = b"Method statement: a caseworker meets every prisoner twelve weeks before release.\n"


@pytest.fixture
def tendering():
    trip = Journey()
    trip.advance_to(State.TENDER)
    trip.serco_manager = UserFactory(roles=[Role.BID_MANAGER], organisation=trip.private_bidder, first_name="Sam", last_name="Okafor")
    yield trip
    trip.stop_travel()


def test_a_bidder_seals_its_tender_keeps_the_receipt_and_reads_its_debrief(journey, tendering, tmp_path):
    trip, page = tendering, journey.page
    reference = trip.competition.reference

    journey.sign_in(trip.serco_manager)
    journey.link("Opportunities")
    page.get_by_label("Search", exact=True).fill("Birmingham")
    journey.button("Filter")
    journey.link(reference)
    expect(page.locator("main")).to_contain_text("Submit your sealed tender before")

    journey.link("Ask a question")
    page.get_by_label("Question").fill("Is the staff list for TUPE available?")
    journey.button("Save")
    assert "Your question is with MoJ Procurement." in journey.success()

    journey.link("Submit your tender")
    page.get_by_label("Your price (£)").fill("228500000")
    method = tmp_path / "method-statement.txt"
    method.write_bytes(METHOD)
    page.get_by_label("Tender documents").set_input_files(str(method))
    journey.button("Seal and submit")
    receipt = journey.text()
    assert "Your tender receipt" in receipt and hashlib.sha256(METHOD).hexdigest() in receipt and "£228,500,000" in receipt

    # The deadline passes; two procurement officers open the box; evaluation runs to standstill (the services, as staff would).
    trip.advance_to(State.STANDSTILL)
    bid = Bid.objects.get(competition=trip.competition, bidder=trip.private_bidder)
    assert bid.documents.filter(title="method-statement.txt").exists()

    # Weeks later the session has long ended: sign in again, asking for the receipt.
    journey.sign_in(trip.serco_manager, then=f"/competitions/opportunities/{trip.competition.pk}/tender/receipt/")
    expect(page.locator("main")).to_contain_text("Opened")
    journey.link("Back to the opportunity")
    expect(page.locator("main")).to_contain_text("standstill")
    with page.expect_download() as download:  # served as an attachment: the browser saves it
        page.get_by_role("link", name="Download your debrief letter (PDF)").click()
    letter = download.value.path().read_bytes()
    assert letter.startswith(b"%PDF") and reference in pdf_text(letter)
    journey.finish()
