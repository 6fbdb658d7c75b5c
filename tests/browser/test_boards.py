"""An SRO takes a competition's launch decision at a board meeting, and the launch checklist turns green (issue #21)."""

import datetime

from playwright.sync_api import expect

from boards import services as board_services
from boards.models import Body, BodyKind, Decision
from competitions.models import State
from tests.browser.conftest import BROWSER_DB
from tests.competitions.journey import Journey

pytestmark = BROWSER_DB

COMPETE = "The Commissioning and Commercial Sub-Committee has decided to compete the service"


def test_an_sro_records_the_sub_committees_decision_to_compete_and_launch_is_ready(journey):
    trip = Journey(regime="2011", procedure="restricted")
    trip.advance_to(State.PRE_PROCUREMENT)
    trip.satisfy("bid_deadline")
    trip.prepare("launch", leave_out="decision_to_compete")
    body = Body.objects.get(kind=BodyKind.SUB_COMMITTEE)
    today = datetime.date.today()
    for person in (trip.commissioner, trip.sro, trip.procurement):
        board_services.member_add(actor=trip.commissioner, body=body, person=person, joined_on=today - datetime.timedelta(days=200))
    page = journey.page
    try:
        # The launch checklist names the one missing decision and leads to where it is put right.
        journey.sign_in(trip.sro)
        journey.visit(f"/competitions/{trip.competition.pk}/")
        expect(page.locator("main")).to_contain_text("No decision recorded: it is the Commissioning and Commercial Sub-Committee's to take")
        journey.link(COMPETE)
        expect(page.locator("#board-decisions tr", has_text="Decision to compete the service")).to_contain_text("Not decided yet")
        journey.link("Commissioning and Commercial Sub-Committee", exact=True)

        # The meeting: who attended; then straight on to its decision, the matter and competition already chosen.
        journey.link("Record a meeting")
        journey.fill_date("Held on", today)
        for person in (trip.commissioner, trip.sro, trip.procurement):
            page.get_by_label(person.get_full_name()).check()
        journey.button("Save")
        expect(page.get_by_label("Decision to compete the service")).to_be_checked()
        page.get_by_label("Approved").check()
        page.get_by_label("The minute").fill("The Sub-Committee decided to compete the service on the Outline Business Case.")
        journey.button("Save")
        assert "Record a decision: saved." in journey.success()
        expect(page.locator("main")).to_contain_text("Decision to compete the service")

        # Back on the competition: the checklist is green and the SRO's colleague can launch.
        journey.visit(f"/competitions/{trip.competition.pk}/")
        expect(page.locator("#board-decisions tr", has_text="Decision to compete the service")).to_contain_text("Approved")
        expect(page.locator("main")).not_to_contain_text("No decision recorded")
        decision = Decision.objects.get(competition=trip.competition, matter="compete")
        assert (decision.outcome, decision.recorded_by) == ("approved", trip.sro)
        assert decision.meeting.attendees.count() == 3
        journey.finish()
    finally:
        trip.stop_travel()
