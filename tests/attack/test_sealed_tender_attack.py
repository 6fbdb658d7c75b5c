"""Attackers against a sealed tender before the deadline (issue #18): every staff role, another bidder, the admin.

Serco seals its tender in the box. Until the deadline nobody else — MoJ Procurement on the
competition's commissioning side included — learns its price, its documents, who sent it or
that it is Serco's, on any channel: pages, API (HTML too), CSV, OCDS, the admin. The bidders'
own pages answer 404 and log the attempt. Staff see a count.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from competitions import services
from competitions.models import State
from core.roles import Role
from ethical_walls.models import AuditEvent
from tests.competitions.journey import Journey
from tests.core.factories import UserFactory

PRICE = "187654321.00"
SECRETS = ("187654321", "187,654,321", "serco-method-statement", "Sealed method: a caseworker for every release", "Priya Sealwright")


@pytest.fixture
def sealed(db):
    journey = Journey()
    journey.advance_to(State.TENDER)
    serco = UserFactory(roles=[Role.BID_MANAGER], organisation=journey.private_bidder, first_name="Priya", last_name="Sealwright")
    services.tender_seal(competition=journey.refresh(), actor=serco, price=PRICE, documents=[
        SimpleUploadedFile("serco-method-statement.txt", b"Sealed method: a caseworker for every release.")])
    hmps_bid = journey.bids()[0] if journey.bids()[0].bidder == journey.public_bidder else journey.bids()[1]
    bid_team = UserFactory(roles=[Role.BID_TEAM], organisation=journey.public_bidder)
    journey.join(bid_team, "bid_team", side="bid", bid=hmps_bid)
    rival = UserFactory(roles=[Role.BID_MANAGER], organisation=type(journey.private_bidder).objects.create(
        name="G4S Care and Justice", sector="private", organisation_type="company"))
    journey.serco = serco
    journey.attackers = {
        "procurement": journey.procurement, "lead commissioner": journey.commissioner, "evaluator": journey.second_evaluator,
        "sro": journey.sro, "oversight": UserFactory(roles=[Role.OVERSIGHT]), "superuser": UserFactory(is_staff=True, is_superuser=True),
        "hmps bid team": bid_team, "another bidder": rival,
    }
    return journey


def _channels(competition_pk: int) -> list[str]:
    return [
        f"/competitions/{competition_pk}/?section=all", "/competitions/", "/competitions/export.csv", "/competitions/portfolio/",
        f"/competitions/opportunities/{competition_pk}/", "/competitions/opportunities/",
        f"/api/v1/competitions/{competition_pk}/", "/api/v1/competitions/", "/api/v1/bids/", f"/api/v1/bids/?competition={competition_pk}",
        "/api/v1/clarifications/", "/api/v1/ocds/releases/", f"/api/v1/ocds/competitions/{competition_pk}/",
        "/admin/", "/admin/competitions/bid/", "/admin/competitions/biddocument/", "/admin/competitions/competitionevent/",
        "/reports/", "/", "/walls/",
    ]


BIDDER_ONLY = ("tender/receipt/", "tender/")


@pytest.mark.parametrize("attacker", ["procurement", "lead commissioner", "evaluator", "sro", "oversight", "superuser", "hmps bid team", "another bidder"])
def test_nobody_but_the_bidder_reads_a_sealed_tender_on_any_channel_before_the_deadline(sealed, attacker):
    user = sealed.attackers[attacker]
    client = Client()
    client.force_login(user)
    pk = sealed.competition.pk
    bodies = []
    for url in _channels(pk):
        for accept in ("text/html", "application/json"):  # the browsable API's HTML renders forms too
            response = client.get(url, HTTP_ACCEPT=accept)
            assert response.status_code < 500, url
            bodies.append((url, response.content.decode(errors="replace")))
    leaked = [(url, secret) for url, body in bodies for secret in SECRETS if secret in body]
    assert leaked == []
    refusals_before = AuditEvent.objects.filter(actor=user, action="refused").count()
    for tail in BIDDER_ONLY:
        response = client.get(f"/competitions/opportunities/{pk}/{tail}")
        if attacker in ("hmps bid team", "another bidder"):
            # Bidders reach their own pages: the receipt lists their own tenders only (none).
            assert response.status_code == 200 and not any(secret in response.content.decode() for secret in SECRETS)
        else:
            assert response.status_code == 404
    if attacker not in ("hmps bid team", "another bidder"):
        assert AuditEvent.objects.filter(actor=user, action="refused").count() == refusals_before + len(BIDDER_ONLY)


def test_the_bidder_itself_reads_its_receipt_so_the_secrets_above_are_real(sealed):
    client = Client()
    client.force_login(sealed.serco)
    receipt = client.get(f"/competitions/opportunities/{sealed.competition.pk}/tender/receipt/").content.decode()
    assert "187,654,321" in receipt and "serco-method-statement" in receipt and "Priya Sealwright" in receipt
