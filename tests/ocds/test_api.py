"""OCDS releases, records and notices under /api/v1/ocds/ (SPEC §6): valid, moving with the competition, behind the wall."""

import datetime
import json
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from competitions import services
from competitions.models import Bid, State
from contracts import services as contract_services
from contracts.models import Agreement
from core.roles import Role
from ethical_walls import services as wall
from ethical_walls.models import AuditEvent
from scenarios.drivers import complete_mobilisation
from tests.api import client_for, problem
from tests.competitions.journey import Journey
from tests.core.factories import UserFactory
from tests.ocds.checks import tags, valid_record_package, valid_release_package
from tests.ocds.conftest import take_agreement_live

pytestmark = pytest.mark.django_db


def releases_url(competition):
    return f"/api/v1/ocds/competitions/{competition.pk}/releases/"


def record_url(competition):
    return f"/api/v1/ocds/competitions/{competition.pk}/record/"


def notices_url(competition):
    return f"/api/v1/ocds/competitions/{competition.pk}/notices/"


def release_package(api, competition) -> dict:
    response = api.get(releases_url(competition))
    assert response.status_code == 200, response.content
    return valid_release_package(response.json())


def record_package(api, competition) -> dict:
    response = api.get(record_url(competition))
    assert response.status_code == 200, response.content
    return valid_record_package(response.json())


def compiled(api, competition) -> dict:
    return record_package(api, competition)["records"][0]["compiledRelease"]


def new_tags(api, competition, seen: list) -> list:
    """The tags of the releases published since the last call."""
    all_tags = tags(release_package(api, competition))
    assert all_tags[: len(seen)] == seen, "earlier releases never change"
    added = all_tags[len(seen):]
    seen.extend(added)
    return added


def queries_for(api, url) -> int:
    api.get(url)  # the user's roles and access are cached on the (forced) user after the first request
    with CaptureQueriesContext(connection) as queries:
        response = api.get(url)
    assert response.status_code == 200, response.content
    body = response.json()
    valid_record_package(body) if "records" in body else valid_release_package(body)
    return len(queries)


# --- tags follow the competition --------------------------------------------------------------------

def test_a_2023_competition_publishes_planning_tender_award_contract_and_implementation_as_it_moves(journey):
    api = client_for(journey.procurement)
    seen: list = []
    journey.advance_to(State.PRE_PROCUREMENT)
    problem(api.get(releases_url(journey.competition)), 404)  # nothing published before launch

    journey.advance_to(State.PRE_QUALIFICATION)
    assert new_tags(api, journey.competition, seen) == [["planning"], ["tender"]]
    tender = compiled(api, journey.competition)["tender"]
    assert tender["status"] == "active" and tender["procurementMethod"] == "selective"
    assert tender["value"] == {"amount": 250000000, "currency": "GBP"}
    assert tender["awardCriteria"] == "ratedCriteria"
    assert tender["awardCriteriaDetails"] == "Price (price, 40%); Quality of delivery (quality, 40%); Rehabilitation outcomes (quality, 20%)"
    assert [d["documentType"] for d in tender["documents"]] == ["tenderNotice"]

    for state in (State.DIALOGUE, State.TENDER, State.BAFO, State.EVALUATION, State.AWARD_RECOMMENDED):
        journey.advance_to(state)
        # The bid deadline, set after launch, amends what the tender release said (which stays as published).
        expected = [["tenderAmendment"], ["tenderUpdate"]] if state == State.TENDER else [["tenderUpdate"]]
        assert new_tags(api, journey.competition, seen) == expected, state
    tender = compiled(api, journey.competition)["tender"]
    assert tender["tenderPeriod"]["endDate"]
    assert [a["description"] for a in tender["amendments"]] == ["Changed since it was published: tender.tenderPeriod"]

    # Standstill runs from the UK6 contract award notice: the award is published, pending.
    journey.advance_to(State.STANDSTILL)
    assert new_tags(api, journey.competition, seen) == [["award"], ["tenderUpdate"]]
    award = compiled(api, journey.competition)["awards"][0]
    recommended = journey.refresh().award_recommendation.bid
    assert award["status"] == "pending" and award["suppliers"] == [{"id": award["suppliers"][0]["id"], "name": recommended.bidder.name}]
    assert award["value"] == {"amount": int(recommended.price), "currency": "GBP"}

    journey.advance_to(State.AWARDED)
    assert new_tags(api, journey.competition, seen) == [["awardUpdate"]]
    record = compiled(api, journey.competition)
    assert record["awards"][0]["status"] == "active" and record["tender"]["status"] == "complete"

    # The agreement goes live: the UK7 contract details notice, with its KPIs.
    agreement = take_agreement_live(journey)
    assert new_tags(api, journey.competition, seen) == [["contract"]]
    contract = compiled(api, journey.competition)["contracts"][0]
    assert contract["id"] == agreement.reference and contract["awardID"] == award["id"] and contract["status"] == "active"
    assert contract["description"].startswith("Key performance indicators: Purposeful activity 1 (target 90 %, monthly)")

    contract_services.performance_notice_publish(agreement=Agreement.objects.get(pk=agreement.pk), actor=journey.procurement)
    assert new_tags(api, journey.competition, seen) == [["implementation"]]
    contract_services.notice_of_change_issue(
        agreement=Agreement.objects.get(pk=agreement.pk), actor=journey.procurement, summary="Indexation", material=False,
        changes={"value": str(agreement.value + 1000)},
    )
    assert new_tags(api, journey.competition, seen) == [["contractAmendment"]]
    contract_services.agreement_terminate(agreement=Agreement.objects.get(pk=agreement.pk), actor=journey.procurement, reason="Insolvency")
    assert new_tags(api, journey.competition, seen) == [["implementationUpdate"], ["contractTermination"]]

    contract = compiled(api, journey.competition)["contracts"][0]
    assert contract["status"] == "terminated"
    assert contract["value"] == {"amount": int(agreement.value) + 1000, "currency": "GBP"}
    assert [a["rationale"] for a in contract["amendments"]] == ["Indexation"]
    assert [d["id"] for d in contract["implementation"]["documents"]] == ["UK9-1", "UK9-2"]

    record = record_package(api, journey.competition)["records"][0]
    assert [r["date"] for r in record["releases"]] == sorted((r["date"] for r in record["releases"]), key=datetime.datetime.fromisoformat)
    assert len({r["id"] for r in record["releases"]}) == len(record["releases"])
    assert all(r["ocid"] == journey.competition.ocid for r in record["releases"])


def test_a_2011_competition_publishes_the_contract_its_award_created(journey_2011):
    journey = journey_2011
    api = client_for(journey.procurement)
    seen: list = []
    journey.advance_to(State.PRE_QUALIFICATION)
    assert new_tags(api, journey.competition, seen) == [["planning"], ["tender"]]
    assert compiled(api, journey.competition)["tender"]["procurementMethodDetails"] == "Restricted procedure (2011)"
    assert "documents" not in compiled(api, journey.competition)["tender"]  # no notices under the 2011 rules

    # Under the 2011 rules the award decision goes only to the bidders: nothing names the winner until award.
    journey.advance_to(State.STANDSTILL)
    # The bid deadline set before tenders are invited amends the tender release; each move is a tenderUpdate.
    assert new_tags(api, journey.competition, seen) == [["tenderAmendment"]] + [["tenderUpdate"]] * 5
    assert "awards" not in compiled(api, journey.competition)
    journey.advance_to(State.AWARDED)
    assert new_tags(api, journey.competition, seen) == [["award"]]
    agreement = Agreement.objects.get(competition=journey.competition)
    award = compiled(api, journey.competition)["awards"][0]
    assert award["status"] == "active" and award["suppliers"][0]["name"] == agreement.provider.name
    assert award["value"] == {"amount": int(agreement.value), "currency": "GBP"}

    journey.advance_to(State.MOBILISATION)
    assert new_tags(api, journey.competition, seen) == [["contract"]]
    take_agreement_live(journey, kpis=1)
    journey.advance_to(State.LIVE)
    # Its dates, completed while mobilising, amend the contract release; then the service goes live.
    assert new_tags(api, journey.competition, seen) == [["contractAmendment"], ["contractUpdate"]]
    contract = compiled(api, journey.competition)["contracts"][0]
    assert contract["id"] == agreement.reference and contract["status"] == "active"
    assert contract["milestones"][0]["type"] == "delivery" and contract["period"]["startDate"]

    contract_services.agreement_terminate(agreement=Agreement.objects.get(pk=agreement.pk), actor=journey.procurement, reason="Insolvency")
    assert new_tags(api, journey.competition, seen) == [["contractTermination"]]
    assert compiled(api, journey.competition)["contracts"][0]["status"] == "terminated"


def test_abandoning_a_launched_competition_publishes_its_cancellation(journey, journey_2011):
    for trip in (journey, journey_2011):
        trip.advance_to(State.PRE_QUALIFICATION)
        trip.run("abandon", reason="Demand is too low to sustain a separate contract.")
        api = client_for(trip.procurement)
        package = release_package(api, trip.competition)
        assert package["releases"][-1]["tag"] == ["tenderCancellation"]
        tender = compiled(api, trip.competition)["tender"]
        assert tender["status"] == "cancelled"
        assert tender["documents"][-1]["documentType"] == "cancellationDetails"
        assert tender["documents"][-1]["description"] == "Demand is too low to sustain a separate contract."


def test_clarifications_answered_to_all_are_published_and_no_others_in_a_fixed_number_of_queries(journey, django_assert_num_queries):
    journey.advance_to(State.PRE_QUALIFICATION)
    asked_by = journey.private_bidder
    api = client_for(journey.procurement)
    before = {url: queries_for(api, url) for url in (releases_url(journey.competition), record_url(journey.competition))}

    def clarify(question, answer="", sensitive=False):
        clarification = services.clarification_log(
            competition=journey.refresh(), actor=journey.procurement, asked_by=asked_by, question=question, commercially_sensitive=sensitive,
        )
        if answer:
            services.clarification_answer(clarification=clarification, actor=journey.procurement, answer=answer)

    clarify("When is the bidders' day?", "On 3 March, in Birmingham.")
    clarify("What pension costs does our own bid carry?", "Answered to the asker only.", sensitive=True)
    clarify("Is TUPE information available?")  # not answered yet
    for url, queries in before.items():
        with django_assert_num_queries(queries):
            api.get(url)
    package = release_package(api, journey.competition)
    assert tags(package)[-1] == ["tenderUpdate"]
    documents = compiled(api, journey.competition)["tender"]["documents"]
    assert [d["documentType"] for d in documents] == ["tenderNotice", "clarifications"]
    assert documents[1]["description"] == "Question: When is the bidders' day?\nAnswer: On 3 March, in Birmingham."
    text = json.dumps(package)
    assert "pension costs" not in text and "TUPE" not in text and asked_by.name not in text


# --- the wall ----------------------------------------------------------------------------------------

# Confidential material planted around a competition with an in-house HMPS bid; none may reach OCDS output.
CONFIDENTIAL = {
    "mandate": "Compete the operation of HMP Birmingham (competition strategy 2011).",
    "business case": "Outcomes, benefits, costs.",
    "gateway review team": "A. Reviewer",
    "score rationale": "Evidence in section 3.",
    "moderation": "Consensus.",
    "cost adjustment": "Employer pension contributions.",
    "wall arrangements": "Separate teams, buildings and systems.",
    "conflicts assessment": "All declarations assessed.",
    "conflict declared": "Spouse works for Serco",
    "HMPS bid document": "HMPS costing model and staffing plan",
    "other bid document": "Serco method statement",
    "unanswered question": "Serco asks about TUPE liabilities",
    "award recommendation": "Highest ranked compliant bid",
    "tender price (HMPS)": "240000000",
    "tender price (Serco)": "230000000",
}
BIDDERS = ("HMPS Business Development Group", "Serco Justice Services")


def ocds_text(api, competition) -> str:
    """Everything OCDS publishes about the competition, as one text to search."""
    responses = [api.get(url) for url in (releases_url(competition), record_url(competition), notices_url(competition), "/api/v1/ocds/releases/")]
    assert [r.status_code for r in responses] == [200] * 4, [r.content for r in responses]
    return "\n".join(r.content.decode() for r in responses)


def test_no_bid_score_confidential_document_or_unsuccessful_bidder_ever_reaches_ocds(journey):
    journey.advance_to(State.DIALOGUE)
    bids = {b.bidder.name: b for b in journey.bids()}
    bid_team = UserFactory(roles=[Role.BID_TEAM])
    journey.join(bid_team, "bid_team", side="bid", bid=bids["HMPS Business Development Group"])
    for name, title in (("HMPS Business Development Group", CONFIDENTIAL["HMPS bid document"]), ("Serco Justice Services", CONFIDENTIAL["other bid document"])):
        services.bid_document_add(bid=bids[name], actor=journey.procurement, title=title,
                                  file=SimpleUploadedFile("bid.pdf", b"%PDF-1.7 bid", content_type="application/pdf"))
    services.clarification_log(competition=journey.refresh(), actor=journey.procurement, asked_by=journey.private_bidder, question=CONFIDENTIAL["unanswered question"])
    evaluator = UserFactory(roles=[Role.COMMISSIONER])
    journey.join(evaluator, "evaluator")
    wall.conflict_declare(competition=journey.refresh(), actor=evaluator, nature="conflict", details=CONFIDENTIAL["conflict declared"])

    journey.advance_to(State.EVALUATION)
    journey.prepare("recommend_award")  # scored and moderated
    journey.advance_to(State.AWARD_RECOMMENDED)
    readers = {"bid team": client_for(bid_team), "procurement": client_for(journey.procurement), "oversight": client_for(UserFactory(roles=[Role.OVERSIGHT]))}
    seen = {}
    for reader, api in readers.items():
        text = seen[reader] = ocds_text(api, journey.competition)
        for what, marker in CONFIDENTIAL.items():
            assert marker not in text, f"{what} reached {reader}"
        for bidder in BIDDERS:
            assert bidder not in text, f"{bidder} named to {reader} before award"
        assert "tenderer" not in text and "numberOfTenderers" not in text
    # Public by design: the same whoever asks.
    assert len(set(seen.values())) == 1

    # Awarded: the winner (and the value of its contract) is published; nothing else is.
    journey.advance_to(State.AWARDED)
    winner = journey.refresh().award_recommendation.bid
    loser = next(b for b in journey.bids() if b.pk != winner.pk)
    for reader, api in readers.items():
        text = ocds_text(api, journey.competition)
        assert winner.bidder.name in text
        assert loser.bidder.name not in text, f"the unsuccessful bidder named to {reader}"
        for what, marker in CONFIDENTIAL.items():
            assert marker not in text, f"{what} reached {reader} after award"
        assert str(int(loser.price)) not in text and str(int(loser.tender_price)) not in text


def test_a_draft_competition_is_not_published_and_a_refused_look_is_logged(journey, bid_team_user):
    journey.satisfy("mandate")
    competition = journey.refresh()
    for url in (releases_url(competition), record_url(competition), notices_url(competition)):
        # Its own commissioning side may see the competition, but nothing is published yet.
        problem(client_for(journey.commissioner).get(url), 404)
        problem(client_for(bid_team_user).get(url), 404)
    refused = AuditEvent.objects.filter(action=AuditEvent.Action.REFUSED, competition_id=competition.pk)
    assert refused.filter(actor=bid_team_user).count() == 3
    assert refused.filter(actor=journey.commissioner).count() == 3  # every 404 is logged, whoever asks
    problem(client_for(journey.commissioner).get("/api/v1/ocds/releases/"), 404)  # no published competition at all

    # Abandoned before launch: never published either.
    journey.run("abandon", reason="Demand fell away before launch.")
    for reader in (journey.commissioner, bid_team_user):
        problem(client_for(reader).get(releases_url(competition)), 404)
    for wrong in ("999999", "not-an-id", "1.5"):  # problem details, as everywhere in the API, not the HTML page
        problem(client_for(journey.commissioner).get(f"/api/v1/ocds/competitions/{wrong}/releases/"), 404)


def test_the_notices_of_a_2023_competition_as_published(journey):
    journey.advance_to(State.PRE_QUALIFICATION)
    response = client_for(journey.commissioner).get(notices_url(journey.competition))
    assert response.status_code == 200
    (notice,) = response.json()
    assert notice["noticeType"] == "UK4" and notice["version"] == 1 and notice["title"] == "UK4 Tender notice"
    assert notice["ocid"] == journey.competition.ocid and notice["content"]["tender"]["title"] == "HMP Birmingham operation"
    assert notice["publishedDate"]


def test_published_data_is_open_to_a_caller_without_a_token_and_the_same_for_all(journey):
    journey.advance_to(State.PRE_QUALIFICATION)
    signed_in = client_for(journey.procurement)
    for url in ("/api/v1/ocds/releases/", releases_url(journey.competition), record_url(journey.competition), notices_url(journey.competition)):
        anonymous = APIClient().get(url)
        assert anonymous.status_code == 200, (url, anonymous.content)
        assert anonymous.content == signed_in.get(url).content
    problem(APIClient().get(f"/api/v1/ocds/competitions/{journey.competition.pk + 1000}/record/"), 404)
    # The rest of the API still needs a token.
    problem(APIClient().get("/api/v1/competitions/"), 401)


# --- the package of every competition's releases ---------------------------------------------------------

def test_all_releases_filter_by_ocid_page_and_take_the_same_queries_for_1_and_5_competitions(journey_2011, django_assert_num_queries):
    journey_2011.advance_to(State.AWARDED)  # a 2011 contract, read with the competition
    journey_2011.stop_travel()
    reader = UserFactory(roles=[Role.BID_TEAM])
    api = client_for(reader)
    one = queries_for(api, "/api/v1/ocds/releases/")
    trips = [Journey(public_bid=False), Journey(regime="2011", procedure="restricted", public_bid=False), Journey(), Journey(procedure="open")]
    for trip in trips:
        trip.advance_to(State.PRE_QUALIFICATION)
        services.clarification_answer(
            clarification=services.clarification_log(competition=trip.refresh(), actor=trip.procurement, asked_by=trip.private_bidder, question="Lots?"),
            actor=trip.procurement, answer="One.",
        )
    services.competition_create(actor=journey_2011.commissioner, title="Unpublished", service_area=journey_2011.service_area, estimated_value=Decimal(1))
    assert queries_for(api, "/api/v1/ocds/releases/") == one
    with django_assert_num_queries(one):
        api.get("/api/v1/ocds/releases/")

    package = api.get("/api/v1/ocds/releases/").json()
    assert {r["ocid"] for r in package["releases"]} == {journey_2011.competition.ocid, *(t.competition.ocid for t in trips)}
    only = api.get("/api/v1/ocds/releases/", {"ocid": trips[0].competition.ocid}).json()
    assert {r["ocid"] for r in valid_release_package(only)["releases"]} == {trips[0].competition.ocid}
    problem(api.get("/api/v1/ocds/releases/", {"ocid": "ocds-unknown"}), 404)

    # A page is a number of releases, in the order they were published.
    everything = valid_release_package(api.get("/api/v1/ocds/releases/", {"page_size": 100}).json())["releases"]
    first = valid_release_package(api.get("/api/v1/ocds/releases/", {"page_size": 2}).json())
    assert [r["id"] for r in first["releases"]] == [r["id"] for r in everything[:2]] and "page=2" in first["links"]["next"]
    pages = -(-len(everything) // 2)
    last = valid_release_package(api.get("/api/v1/ocds/releases/", {"page_size": 2, "page": pages}).json())
    assert "next" not in last["links"] and last["links"]["prev"] and last["releases"][-1]["id"] == everything[-1]["id"]
    problem(api.get("/api/v1/ocds/releases/", {"page_size": 2, "page": pages + 1}), 404)

    # A harvester walks them by cursor, in the same order, to the end.
    harvested, link = [], "/api/v1/ocds/releases/?paging=cursor&page_size=2"
    while link:
        package = valid_release_package(api.get(link).json())
        harvested += [r["id"] for r in package["releases"]]
        link = package.get("links", {}).get("next")
    assert harvested == [r["id"] for r in everything]
    for trip in trips:
        trip.stop_travel()


def test_at_standstill_the_bid_team_reads_the_published_winner_and_nothing_more(journey):
    """A bid team member reads the same award as anyone: the winner's name only, from the published notice."""
    journey.advance_to(State.STANDSTILL)
    bid_team = UserFactory(roles=[Role.BID_TEAM])
    crown = next(b for b in journey.bids() if b.bidder.is_crown_body)
    journey.join(bid_team, "bid_team", side="bid", bid=crown)
    award = compiled(client_for(bid_team), journey.competition)["awards"][0]
    winner = journey.refresh().award_recommendation.bid
    assert [s["name"] for s in award["suppliers"]] == [winner.bidder.name]
    assert Bid.objects.filter(competition=journey.competition, bidder__name=award["suppliers"][0]["name"]).exists()


def test_a_payment_made_is_published_as_a_transaction_of_the_contract_and_a_claim_in_progress_is_not(journey_2011):
    """Issue #20: payments made under a published contract are public spending; claims awaiting approval are not."""
    from dateutil.relativedelta import relativedelta
    from django.utils import timezone

    from contracts import claims
    from cycle.models import Outcome

    journey = journey_2011
    api = client_for(journey.procurement)
    journey.advance_to(State.MOBILISATION)
    agreement = Agreement.objects.get(competition=journey.competition)
    manager, checker = UserFactory(roles=[Role.CONTRACT_MANAGER]), UserFactory(roles=[Role.CONTRACT_MANAGER])
    start = timezone.localdate().replace(day=1) - relativedelta(months=3)
    contract_services.agreement_update(agreement=agreement, actor=journey.procurement, start_date=start, end_date=start + relativedelta(years=5),
                                       contract_manager=manager)
    claims.payment_terms_set(agreement=Agreement.objects.get(pk=agreement.pk), actor=journey.procurement, fee=Decimal("41666.67"), fee_frequency="monthly")
    contract_services.measure_add(agreement=Agreement.objects.get(pk=agreement.pk), actor=journey.procurement, name="Purposeful activity",
                                  target=Decimal("90"), tolerance=Decimal("5"), outcome=Outcome.objects.filter(level="service").first())
    complete_mobilisation(agreement, journey.procurement)
    contract_services.agreement_go_live(agreement=Agreement.objects.get(pk=agreement.pk), actor=journey.procurement)
    journey.advance_to(State.LIVE)
    seen = tags(release_package(api, journey.competition))

    paid = claims.claim_raise(agreement=Agreement.objects.get(pk=agreement.pk), actor=manager, period_start=start)
    claims.claim_raise(agreement=Agreement.objects.get(pk=agreement.pk), actor=manager, period_start=start + relativedelta(months=1))
    claims.claim_check(claim=paid, actor=checker)
    claims.claim_approve(claim=paid, actor=journey.procurement)
    assert new_tags(api, journey.competition, seen) == []  # raised, checked, approved: nothing is paid yet
    claims.claim_pay(claim=paid, actor=journey.procurement, paid_on=timezone.localdate(), payment_reference="BACS-77")
    assert new_tags(api, journey.competition, seen) == [["implementationUpdate"]]
    record = compiled(api, journey.competition)
    [transaction] = record["contracts"][0]["implementation"]["transactions"]
    assert record["contracts"][0]["id"] == agreement.reference
    assert transaction["value"] == {"amount": 41666.67, "currency": "GBP"} and transaction["date"].startswith(timezone.localdate().isoformat())
    assert transaction["payer"]["name"] == "Ministry of Justice (NOMS)" and transaction["payee"]["name"] == agreement.provider.name
    assert {"payer", "payee"} <= {role for party in record["parties"] for role in party["roles"]}
    assert "BACS-77" not in json.dumps(record)  # the finance system's reference is not published
