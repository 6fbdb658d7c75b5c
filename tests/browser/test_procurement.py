"""MoJ Procurement launches a competition, answers a clarification, records the BAFO scores and awards the contract.

The bidders' side of the competition (expressions of interest, tenders, best and final
offers) arrives between the officer's sittings through the services, as it would from
outside; the second evaluator's marks and the SRO's approvals likewise. Weeks pass between
the sittings (time-machine), so the officer signs in again each time.
"""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from competitions import services
from competitions.models import EvaluationCriterion, State
from contracts.models import Agreement
from tests.browser.conftest import BROWSER_DB
from tests.competitions.journey import Journey

pytestmark = BROWSER_DB


@pytest.fixture
def competition_ready_to_launch():
    """A 2011-rules restricted competition with every launch condition met: one quality criterion and price."""
    trip = Journey(regime="2011", procedure="restricted")
    for name, kind, weight in [("Quality of delivery", "quality", 60), ("Price", "price", 40)]:
        services.criterion_add(competition=trip.refresh(), actor=trip.procurement, name=name, kind=kind, weight=Decimal(weight))
    trip.decide("criteria")  # by the Competition Programme Board (issue #21)
    trip.satisfied.add("criteria")
    trip.advance_to(State.PRE_PROCUREMENT)
    trip.satisfy("bid_deadline")
    trip.prepare("launch")
    yield trip
    trip.stop_travel()


def test_procurement_launches_answers_a_clarification_scores_bafos_and_awards(journey, competition_ready_to_launch):
    trip = competition_ready_to_launch
    competition = trip.competition
    page = journey.page
    competition_page = f"/competitions/{competition.pk}/"
    state = page.locator("h1 + p .govuk-tag")

    # Sitting 1: launch, and answer a bidder's question to every bidder.
    journey.sign_in(trip.procurement)
    journey.link("Competitions")
    journey.link(competition.reference)
    expect(state).to_have_text("Pre-procurement")
    journey.button("Launch the procurement")
    assert "now Pre-qualification" in journey.success()

    # Two bidders register their interest and pass pre-qualification (the services, as the officer would record them);
    # one of them asks a question, which the officer logs against it and answers to every bidder.
    trip.satisfy("prequalified_bidder")
    journey.visit(competition_page)
    journey.link("Questions and notices")  # the page's parts, under its sub navigation
    journey.link("Log a clarification question")
    page.get_by_label("Asked by (bidder)").select_option(label="Serco Justice Services")
    page.get_by_label("Question").fill("Does the price include the cost of the education contract (OLASS)?")
    page.get_by_role("group", name="Is it commercially sensitive?").get_by_label("No").check()
    journey.button("Save")
    journey.link("Answer this question")
    page.get_by_label("Answer").fill("No: OLASS is co-commissioned with the Skills Funding Agency and priced separately.")
    journey.button("Save")
    clarifications = page.locator("#clarifications + .govuk-inset-text")
    expect(clarifications).to_contain_text("Answer (published to all bidders):")
    expect(clarifications).to_contain_text("priced separately")

    # The officer invites tenders.
    journey.visit(competition_page)
    journey.button("Invite tenders")
    expect(state).to_have_text("Tender")

    # The tenders arrive; a month later the deadline has passed.
    trip.satisfy("tenders")
    trip.satisfy("deadline_passed")
    journey.sign_in(trip.procurement, then=competition_page)  # signed out by then
    journey.button("Call for best and final offers")
    expect(state).to_have_text("Best and final offers")

    trip.satisfy("compliance")  # the BAFOs arrive, and both are compliant
    journey.button("Start evaluation")
    expect(state).to_have_text("Evaluation")

    # The BAFO scores: the second evaluator has marked; the officer marks, then moderates.
    quality = EvaluationCriterion.objects.get(competition=competition, kind="quality")
    marks = {"HMPS Business Development Group": 7, "Serco Justice Services": 8}
    for bid in trip.bids():
        services.score_record(bid=bid, criterion=quality, actor=trip.second_evaluator, score=marks[bid.bidder.name], rationale="Evidence in section 3.")
    journey.link("Bids and evaluation")
    for bidder, mark in marks.items():
        journey.link(f"Score {bidder}")
        page.get_by_label(f"Score for {quality.name}").fill(str(mark))  # the grid: every quality criterion of the bid
        page.get_by_label(f"Notes on {quality.name}").fill("Strong mobilisation plan; evidence of outcomes elsewhere.")
        journey.button("Save")
        assert "Score this bid: saved." in journey.success()
    for bidder, mark in marks.items():
        journey.link(f"Moderate {bidder}")
        page.get_by_label("Criterion").select_option(label=str(quality))
        page.get_by_label("Score").fill(str(mark))
        page.get_by_label("Notes").fill("Consensus of both evaluators.")
        journey.button("Save")
        assert "Record the moderated score: saved." in journey.success()
    ranking = page.locator("#evaluation + table")
    expect(ranking.locator("tbody tr").first).to_contain_text("Serco Justice Services")

    journey.link("Overview")
    journey.link("Recommend award")
    journey.button("Save")  # the highest-ranked compliant bid
    assert "now Award recommended" in journey.success()
    journey.link("Bids and evaluation")
    expect(page.get_by_text("Award recommended to Serco Justice Services")).to_be_visible()

    # The SRO's approvals for standstill, and the MoJ Procurement Committee's of the major award; the officer issues the debriefs
    # and starts standstill.
    for code in ("full_business_case", "gate_3", "tap_full", "award_approval"):
        trip.satisfy(code)
    journey.link("Issue debrief letters to every bidder")
    journey.button("Confirm")
    journey.link("Overview")
    journey.button("Start standstill")
    expect(state).to_have_text("Standstill")

    # Sitting 3: the standstill period has ended with no challenge: award.
    trip.satisfy("standstill_elapsed")
    journey.sign_in(trip.procurement, then=competition_page)
    journey.button("Award the contract")
    assert "now Awarded" in journey.success()
    expect(state).to_have_text("Awarded")
    assert Agreement.objects.get(competition=competition).provider.name == "Serco Justice Services"
    assert trip.refresh().state == State.AWARDED
    journey.finish()
