"""Competition pages: list, detail with checklist and timeline, forms, downloads."""

from decimal import Decimal

import pytest
from django.utils import timezone

from competitions import services
from competitions.models import Bid, CompetitionEvent, EvaluationCriterion, GatewayReview, Score, State
from core.models import Organisation, Sector, ServiceArea
from core.roles import Role
from ethical_walls.services import wall_protect
from tests.core.factories import UserFactory
from tests.pdf import pdf_text

pytestmark = pytest.mark.django_db


def make_competitions(journey, count):
    area = ServiceArea.objects.create(name=f"Area {count}")
    for n in range(count):
        services.competition_create(actor=journey.commissioner, title=f"Competition {n}", service_area=area, estimated_value=Decimal(n * 1000))


def test_list_runs_the_same_queries_for_1_and_50_competitions(client, journey, django_assert_num_queries):
    client.force_login(journey.commissioner)
    client.get("/competitions/")  # the wall's permission ids are looked up once per process
    counts = []
    for total in (1, 50):
        make_competitions(journey, total if total == 1 else total - 1)
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            response = client.get("/competitions/")
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
    with django_assert_num_queries(counts[0]):
        client.get("/competitions/")


def test_list_filters_by_state_phase_service_area_and_value(client, journey):
    journey.advance_to(State.PRE_PROCUREMENT)
    other_area = ServiceArea.objects.create(name="Victim contact")
    services.competition_create(actor=journey.commissioner, title="Victim contact service", service_area=other_area, estimated_value=Decimal("1000000"))
    client.force_login(journey.commissioner)
    html = client.get("/competitions/", {"state": "pre_procurement"}).content.decode()
    assert "HMP Birmingham operation" in html and "Victim contact service" not in html
    html = client.get("/competitions/", {"phase": "pre_procurement", "service_area": other_area.pk}).content.decode()
    assert "Victim contact service" in html and "HMP Birmingham operation" not in html
    html = client.get("/competitions/", {"min_value": "5000000"}).content.decode()
    assert "HMP Birmingham operation" in html and "Victim contact service" not in html
    response = client.get("/competitions/", {"min_value": "10", "max_value": "5"})
    assert "The upper value must be at least the lower value" in response.content.decode()


def add_detail_records(journey, count):
    competition = journey.refresh()
    bidders = [Organisation.objects.create(name=f"Bidder {count}-{n}", sector=Sector.PRIVATE, organisation_type="company") for n in range(count)]
    bids = Bid.objects.bulk_create([Bid(competition=competition, bidder=b, tender_price=Decimal(1000 + n), compliant=True) for n, b in enumerate(bidders)])
    reviews = GatewayReview.objects.bulk_create([
        GatewayReview(competition=competition, gate=n % 6, held_on=timezone.localdate(), review_team="R", delivery_confidence="amber", recorded_by=journey.reviewer)
        for n in range(count)
    ])
    for record in [*bids, *reviews]:
        wall_protect(record)
    CompetitionEvent.objects.bulk_create([
        CompetitionEvent(competition=competition, actor=journey.commissioner, action="note", description=f"Event {n}") for n in range(count)
    ])


def test_detail_runs_the_same_queries_whatever_the_number_of_bids_reviews_and_events(client, journey):
    journey.advance_to(State.EVALUATION)
    client.force_login(journey.procurement)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(f"/competitions/{journey.competition.pk}/?section=all")  # warm the process-wide caches (content types)
    counts = []
    for extra in (1, 49):
        add_detail_records(journey, extra)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"/competitions/{journey.competition.pk}/?section=all")
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
    html = response.content.decode()
    assert "Bidder 49-48" in html and "Event 48" in html


def test_detail_shows_each_next_transition_with_its_checklist(client, journey):
    client.force_login(journey.commissioner)
    html = client.get(f"/competitions/{journey.competition.pk}/?section=all").content.decode()
    assert "Start pre-procurement" in html
    assert "The Offender Services Competition Programme Board has authorised the mandate" in html and "Not met" in html
    assert 'href="?section=overview#governance"' in html  # the unmet condition links to where it is fixed
    assert "Abandon the competition" in html
    assert 'class="moj-timeline"' in html and "Competition created" in html


def test_a_refused_transition_from_the_page_names_what_is_missing_and_changes_nothing(client, journey):
    client.force_login(journey.commissioner)
    response = client.post(f"/competitions/{journey.competition.pk}/transitions/start_pre_procurement/", {"version": journey.competition.version})
    assert response.status_code == 409
    html = response.content.decode()
    assert "Start pre-procurement: not possible yet" in html and "must be true first, and " in html  # conditions to meet, not facts
    assert "The Offender Services Competition Programme Board has authorised the mandate" in html and "A Senior Responsible Officer has been appointed" in html
    assert journey.refresh().state == State.DRAFT


def test_a_transition_from_the_page_moves_the_competition(client, journey):
    journey.prepare("start_pre_procurement")
    client.force_login(journey.commissioner)
    response = client.post(f"/competitions/{journey.competition.pk}/transitions/start_pre_procurement/", {"version": journey.refresh().version}, follow=True)
    assert "Start pre-procurement: now Pre-procurement" in response.content.decode()
    assert journey.refresh().state == State.PRE_PROCUREMENT


def test_a_page_acting_on_an_old_version_is_told_to_reload(client, journey):
    journey.prepare("start_pre_procurement")
    old_version = journey.refresh().version
    journey.update(title="Renamed by someone else")
    client.force_login(journey.commissioner)
    response = client.post(f"/competitions/{journey.competition.pk}/transitions/start_pre_procurement/", {"version": old_version}, follow=True)
    assert "changed by someone else" in response.content.decode()
    assert journey.refresh().state == State.DRAFT


def test_abandon_without_a_reason_shows_the_field_error(client, journey):
    client.force_login(journey.commissioner)
    response = client.post(f"/competitions/{journey.competition.pk}/transitions/abandon/", {"reason": ""})
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html and "Enter reason" in html
    assert journey.refresh().state == State.DRAFT


def test_record_form_errors_name_the_field_and_save_nothing(client, journey):
    client.force_login(journey.procurement)
    url = f"/competitions/{journey.competition.pk}/records/criterion/"
    response = client.post(url, {"name": "Quality", "kind": "quality", "weight": "120"})
    assert "Weight (%) must be 100 or less" in response.content.decode()
    assert not EvaluationCriterion.objects.exists()
    client.post(url, {"name": "Quality", "kind": "quality", "weight": "70"})
    # The Competition Programme Board cannot agree them as they stand: its decision page says why and records nothing.
    meeting = journey.board_meeting("criteria")
    client.force_login(journey.commissioner)
    response = client.post(f"/boards/meetings/{meeting.pk}/decide/", {"matter": "criteria", "competition": journey.competition.pk,
                                                                      "outcome": "approved", "minute": "Agreed."})
    assert response.status_code == 400
    assert "The board cannot agree these criteria: the MEAT weights must sum to 100; they sum to 70." in response.content.decode()
    assert journey.refresh().criteria_agreed_on is None and not meeting.decisions.exists()


def test_gateway_review_form_reads_recommendations_and_checks_them(client, journey):
    client.force_login(journey.reviewer)
    url = f"/competitions/{journey.competition.pk}/records/gateway-review/"
    data = {"review_type": "gateway", "gate": "0", "held_on": "2026-11-01", "review_team": "A\nB", "delivery_confidence": "amber_red", "summary": ""}
    response = client.post(url, {**data, "recommendations": "urgent: do it"})
    assert "Line 1 must start with critical, essential or recommended" in response.content.decode()
    client.post(url, {**data, "recommendations": "critical: Appoint a full-time SRO\nrecommended: Refresh the IAAP"})
    review = GatewayReview.objects.get()
    assert [(r.urgency, r.text) for r in review.recommendations.order_by("id")] == [("critical", "Appoint a full-time SRO"), ("recommended", "Refresh the IAAP")]


def test_bid_team_sees_only_what_every_bidder_sees(client, journey):
    journey.advance_to(State.TENDER)
    services.clarification_log(competition=journey.refresh(), actor=journey.procurement, asked_by=journey.private_bidder, question="Is TUPE in scope?")
    published = services.clarification_log(competition=journey.refresh(), actor=journey.procurement, asked_by=journey.private_bidder, question="What is the contract term?")
    services.clarification_answer(clarification=published, actor=journey.procurement, answer="Ten years.")
    draft = services.competition_create(actor=journey.commissioner, title="Unlaunched draft", service_area=journey.service_area, estimated_value=Decimal(1))
    bid_team = UserFactory(roles=[Role.BID_TEAM])
    client.force_login(bid_team)
    html = client.get(f"/competitions/{journey.competition.pk}/?section=all").content.decode()
    assert "Quality of delivery" in html  # published criteria
    assert "What is the contract term?" in html and "Ten years." in html
    assert "Is TUPE in scope?" not in html  # unanswered
    assert "Serco Justice Services" not in html  # the asker and the other bids
    assert "Bids" not in html and "Timeline" not in html and "Business cases" not in html
    assert client.get(f"/competitions/{draft.pk}/?section=all").status_code == 404
    assert "Unlaunched draft" not in client.get("/competitions/").content.decode()


def test_debrief_letters_are_real_pdfs_with_each_bidders_own_scores(client, journey):
    journey.advance_to(State.AWARD_RECOMMENDED)
    journey.satisfy("debriefs")
    competition = journey.refresh()
    winner = competition.award_recommendation.bid
    loser = next(b for b in journey.bids() if b.pk != winner.pk)
    client.force_login(journey.procurement)
    response = client.get(f"/competitions/{competition.pk}/debriefs/{loser.pk}.pdf")
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "Assessment summary" in text and loser.bidder.name in text
    assert "has not been successful" in text and winner.bidder.name in text
    assert "Quality of delivery" in text
    assert "Principles of Competition" in text  # the HMPS bid carries a pensions adjustment


def test_notice_download_is_the_json_content(client, journey):
    journey.advance_to(State.PRE_QUALIFICATION)
    notice = journey.refresh().notices.get(notice_type="UK4")
    client.force_login(UserFactory(roles=[Role.BID_TEAM]))
    response = client.get(f"/competitions/{journey.competition.pk}/notices/{notice.pk}.json")
    assert response.json()["noticeType"] == "UK4" and response.json()["ocid"] == journey.competition.ocid
    assert "attachment" in response["Content-Disposition"]


def test_create_page(client, journey):
    client.force_login(journey.commissioner)
    area = journey.service_area
    response = client.post("/competitions/new/", {
        "title": "Victim contact", "service_area": area.pk, "regime": "2023", "procedure": "restricted",
        "award_basis": "meat", "estimated_value": "1000", "is_major_project": "no", "public_sector_bid_possible": "no",
    })
    assert "The Procurement Act 2023 has no such procedure" in response.content.decode()
    response = client.post("/competitions/new/", {
        "title": "Victim contact", "service_area": area.pk, "regime": "2023", "procedure": "open",
        "award_basis": "meat", "estimated_value": "1000", "is_major_project": "no", "public_sector_bid_possible": "no",
    })
    assert response.status_code == 302
    assert client.get("/competitions/new/").status_code == 200
    client.force_login(journey.procurement)
    assert client.get("/competitions/new/").status_code == 404


def test_portfolio_for_oversight(client, journey):
    journey.advance_to(State.PRE_PROCUREMENT)
    journey.review(2, confidence="amber")
    client.force_login(UserFactory(roles=[Role.OVERSIGHT]))
    html = client.get("/competitions/portfolio/").content.decode()
    assert "HMP Birmingham operation" in html and "Pre-procurement" in html
    # Value by phase, the SRO, and delivery confidence from the latest review, as charts with their tables (issue #19).
    assert "£250,000,000.00" in html and str(journey.refresh().sro) in html
    assert '<svg xmlns="http://www.w3.org/2000/svg" role="img" class="app-chart"' in html and "Estimated value by phase" in html
    assert "Amber</td>" in html and "Gate 2" not in html  # the rating of the latest review, never its report
    assert "Pre-procurement: £250,000,000.00" in html  # the chart's description says its figures
    client.force_login(UserFactory(roles=[Role.BID_TEAM]))
    assert client.get("/competitions/portfolio/").status_code == 404


def test_supply_chain_and_recommendation_forms(client, journey):
    journey.advance_to(State.DIALOGUE)
    bid = journey.bids()[1]
    client.force_login(journey.procurement)
    url = f"/competitions/{journey.competition.pk}/records/participant/{bid.pk}/"
    response = client.post(url, {"organisation": journey.public_bidder.pk, "role": "sub_prime", "funding_share": "30", "risk_share": "130"})
    assert "Share of risk (%) must be 100 or less" in response.content.decode()
    client.post(url, {"organisation": journey.public_bidder.pk, "role": "sub_prime", "funding_share": "30", "risk_share": "20"})
    assert [(p.organisation, p.risk_share) for p in bid.participants.all()] == [(journey.public_bidder, Decimal("20.00"))]

    review = services.gateway_review_record(
        actor=journey.reviewer, competition=journey.refresh(), gate=2, held_on=timezone.localdate(), review_team="R",
        delivery_confidence="amber", recommendations=[{"text": "Refresh the IAAP", "urgency": "essential"}],
    )
    recommendation = review.recommendations.get()
    client.force_login(journey.reviewer)
    client.post(f"/competitions/{journey.competition.pk}/records/recommendation-status/{recommendation.pk}/", {"status": "done"})
    recommendation.refresh_from_db()
    assert recommendation.status == "done"
    other = services.competition_create(actor=journey.commissioner, title="Other", service_area=journey.service_area, estimated_value=Decimal(1))
    assert client.get(f"/competitions/{other.pk}/records/recommendation-status/{recommendation.pk}/").status_code == 404


def test_a_step_is_offered_in_its_regimes_own_words(client, journey):
    """The 2023 Act's competitive flexible procedure has final tenders, not BAFOs (competitions.machine)."""
    journey.advance_to("tender")
    client.force_login(journey.procurement)
    html = client.get(f"/competitions/{journey.competition.pk}/?section=all").content.decode()
    assert "Call for final tenders" in html and "Call for best and final offers" not in html
    assert "Tendering" in html  # the state, in the same words


def test_the_evaluation_grid_scores_every_criterion_of_a_bid_on_one_page(client, journey):
    journey.advance_to("evaluation")
    bid = journey.bids()[0]
    quality = list(EvaluationCriterion.objects.filter(competition=journey.competition, kind="quality").order_by("pk"))
    client.force_login(journey.procurement)
    url = f"/competitions/{journey.competition.pk}/records/score/{bid.pk}/"
    page = client.get(url).content.decode()
    for criterion in quality:
        assert f"Score for {criterion.name}" in page and f"Notes on {criterion.name}" in page
    assert page.count("not scored by you yet") == len(quality)

    # A score without its notes names the field and saves nothing, not even the row that was complete.
    refused = client.post(url, {f"score_{quality[0].pk}": "7", f"rationale_{quality[0].pk}": "Evidence in section 3.", f"score_{quality[1].pk}": "6"})
    assert f'href="#id_rationale_{quality[1].pk}"' in refused.content.decode()
    assert f"Enter notes on {quality[1].name}: why it scores 6" in refused.content.decode()
    assert not Score.objects.filter(bid=bid).exists()
    assert "Enter a score and notes for at least one criterion." in client.post(url, {}).content.decode()

    saved = client.post(url, {f"score_{quality[0].pk}": "7", f"rationale_{quality[0].pk}": "Evidence in section 3."})
    assert saved.status_code == 302
    assert client.get(url).content.decode().count("not scored by you yet") == len(quality) - 1  # the grid remembers
    client.post(url, {f"score_{quality[0].pk}": "8", f"rationale_{quality[0].pk}": "Revised on re-reading.",
                      f"score_{quality[1].pk}": "5", f"rationale_{quality[1].pk}": "Thin evidence."})
    assert sorted(Score.objects.filter(bid=bid, evaluator=journey.procurement).values_list("criterion__name", "score")) == [
        ("Quality of delivery", 8), ("Rehabilitation outcomes", 5)]
