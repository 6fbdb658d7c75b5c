"""Search (issue #19): one box across the service, every result through the wall, full-text with a GIN index on PostgreSQL."""

import html

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from rest_framework.test import APIClient

from competitions import search as competition_search
from competitions import services
from competitions.models import Bid, Clarification, Competition, State
from contracts import search as contract_search
from core import search
from core.roles import Role
from cycle import search as cycle_search
from tests.core.factories import UserFactory

pytestmark = pytest.mark.django_db


def found(user, query, kind=None):
    return [r.title for k, results in search.search(user, query) for r in results if kind is None or k == kind]


def test_staff_find_a_competition_by_its_words_with_the_match_highlighted_in_the_page_and_the_api(journey, client):
    services.competition_update(competition=journey.refresh(), actor=journey.commissioner,
                                description="Operation of the prison, including resettlement services for short-sentence prisoners.")
    reference = journey.competition.reference
    assert f"{reference} HMP Birmingham operation" in found(journey.commissioner, "resettlement prisoners", "Competitions")
    client.force_login(journey.commissioner)
    page = html.unescape(client.get("/search/", {"q": "resettlement"}).content.decode())
    assert reference in page and "<mark>resettlement</mark>" in page.lower()
    api = APIClient()
    api.force_authenticate(journey.commissioner)
    rows = api.get("/api/v1/search/", {"q": "resettlement"}).json()
    assert any(row["kind"] == "Competitions" and reference in row["title"] and "<mark>" in row["snippet_html"] for row in rows)
    assert api.get("/api/v1/search/").status_code == 400  # q is required: the field is named
    assert found(journey.commissioner, "   ") == []


def test_control_characters_in_a_search_are_spaces_not_a_server_error(journey, client):
    """PostgreSQL cannot hold a NUL in text: the search page took one to the database and answered 500."""
    assert search.clean("resettle\x00ment\x07 prisoners\u2028") == "resettle ment prisoners"
    client.force_login(journey.commissioner)
    assert client.get("/search/", {"q": "HMP\x00Birmingham"}).status_code == 200
    api = APIClient()
    api.force_authenticate(journey.commissioner)
    assert list(api.get("/api/v1/search/", {"q": "HMP\x00Birmingham"}).json()["errors"]) == ["q"]  # the API names the field

def test_search_finds_nothing_across_the_wall(journey):
    """A draft competition, a sensitive answer, another bidder's document, a sealed tender: none found by who may not see it."""
    services.competition_update(competition=journey.refresh(), actor=journey.commissioner, description="Confidential draft plans for Birmingham.")
    bid_team = UserFactory(roles=[Role.BID_TEAM])
    stranger = UserFactory(roles=[Role.COMMISSIONER])  # not on this competition's wall
    assert found(bid_team, "Birmingham") == [] and found(stranger, "Confidential draft") == []
    journey.advance_to(State.TENDER)
    serco_bid = Bid.objects.get(competition=journey.competition, bidder=journey.private_bidder)
    sensitive = services.clarification_log(competition=journey.refresh(), actor=journey.procurement, asked_by=journey.private_bidder,
                                           question="Healthcare subcontract pricing at our partner's confidential rates?", commercially_sensitive=True)
    services.clarification_answer(clarification=sensitive, actor=journey.procurement, answer="Yes, to Serco only.")
    services.bid_document_add(bid=serco_bid, actor=journey.procurement, title="Serco mobilisation plan",
                              file=SimpleUploadedFile("plan.txt", b"Mobilisation"))
    hmps_bid = Bid.objects.get(competition=journey.competition, bidder=journey.public_bidder)
    journey.join(bid_team, "bid_team", side="bid", bid=hmps_bid)
    bid_team = type(bid_team).objects.get(pk=bid_team.pk)
    assert found(bid_team, "healthcare subcontract") == [] and found(bid_team, "mobilisation plan") == []
    # The evaluators find the question at once, and the document only once the tender deadline has passed (rule 2).
    assert found(journey.procurement, "healthcare subcontract", "Clarifications") == [f"Question on {journey.competition.reference}"]
    assert found(journey.procurement, "mobilisation plan", "Bid documents") == []
    journey.satisfy("deadline_passed")
    procurement = type(journey.procurement).objects.get(pk=journey.procurement.pk)
    assert found(procurement, "mobilisation plan", "Bid documents") == [f"Serco mobilisation plan (Serco Justice Services, {journey.competition.reference})"]
    assert Clarification.objects.filter(pk=sensitive.pk).exists()


def test_what_a_title_says_is_shown_as_text_never_as_markup(journey, client):
    services.competition_update(competition=journey.refresh(), actor=journey.commissioner, description="<script>alert('x')</script> probation")
    client.force_login(journey.commissioner)
    page = client.get("/search/", {"q": "probation"}).content.decode()
    # Escaped as text (SQLite), or dropped by ts_headline as markup (PostgreSQL): never run.
    assert "<script>alert" not in page and "<mark>probation</mark>" in page


def test_organisations_are_found_by_anyone_signed_in(journey):
    supplier = UserFactory(roles=[Role.BID_MANAGER], organisation=journey.private_bidder)
    assert "Serco Justice Services" in found(supplier, "Serco", "Organisations")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="full-text search and its GIN indexes are PostgreSQL's (CI sets DATABASE_URL)")
def test_each_kinds_search_is_answered_from_its_gin_index(journey):
    """The query's vector is the index's expression: with sequential scans off, the plan reads the index."""
    from competitions.models import BidDocument
    from contracts.models import Agreement
    from core.models import Organisation
    from cycle.models import CommissioningCycle

    kinds = [
        (Competition, competition_search.COMPETITION_FIELDS, "competition_search"),
        (Clarification, competition_search.CLARIFICATION_FIELDS, "clarification_search"),
        (BidDocument, competition_search.DOCUMENT_FIELDS, "bid_document_search"),
        (CommissioningCycle, cycle_search.CYCLE_FIELDS, "cycle_search"),
        (Agreement, contract_search.AGREEMENT_FIELDS, "agreement_search"),
        (Organisation, search.ORGANISATION_FIELDS, "organisation_search"),
    ]
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        for model, fields, index in kinds:
            queryset = search.matching(model.objects.all(), fields, "prison resettlement", headline=fields[0])
            plan = queryset.explain()
            assert index in plan, (model.__name__, plan)
        cursor.execute("SET enable_seqscan = on")
