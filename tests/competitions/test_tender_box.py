"""The sealed electronic tender box (issue #18): sealed until the deadline, counted not read, opened by two officers."""

import base64
import datetime
import hashlib
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from competitions import guards, services, tender_box
from competitions.models import Bid, BidDocument, SealedFile, SealedTender, State
from core import sealing
from core.roles import Role
from ethical_walls import services as wall_services
from ethical_walls.models import AuditEvent
from tests.core.factories import UserFactory

METHOD = b"%PDF-1.4\nMethod statement: through-the-gate resettlement for every prisoner released.\n"
PRICING = b"line,amount\nStaffing,180000000\nEstates,52000000\n"


def _documents():
    return [SimpleUploadedFile("method-statement.pdf", METHOD, content_type="application/pdf"),
            SimpleUploadedFile("pricing.csv", PRICING, content_type="text/csv")]


@pytest.fixture
def tendering(journey):
    journey.advance_to(State.TENDER)
    journey.serco = UserFactory(roles=[Role.BID_MANAGER], organisation=journey.private_bidder, first_name="Sam", last_name="Serco")
    journey.second_officer = UserFactory(roles=[Role.PROCUREMENT])
    journey.join(journey.second_officer, "procurement")
    return journey


def _after_deadline(journey):
    journey.travel_to(timezone.localtime(journey.refresh().bid_deadline).date() + datetime.timedelta(days=1))


def test_a_bidder_seals_its_tender_and_its_receipt_has_the_time_and_each_files_sha256(tendering, client):
    receipt = services.tender_seal(competition=tendering.refresh(), actor=tendering.serco, price="231500000.00", documents=_documents())
    assert receipt.price == Decimal("231500000.00") and receipt.submitted_by == "Sam Serco"
    assert {(f.name, f.sha256, f.size) for f in receipt.files} == {
        ("method-statement.pdf", hashlib.sha256(METHOD).hexdigest(), len(METHOD)),
        ("pricing.csv", hashlib.sha256(PRICING).hexdigest(), len(PRICING)),
    }
    client.force_login(tendering.serco)
    page = client.get(f"/competitions/opportunities/{tendering.competition.pk}/tender/receipt/").content.decode()
    assert receipt.number in page and hashlib.sha256(METHOD).hexdigest() in page and "£231,500,000" in page
    opportunity = client.get(f"/competitions/opportunities/{tendering.competition.pk}/").content.decode()
    assert "Replace your tender" in opportunity and "Withdraw your tender" in opportunity and receipt.number in opportunity


def test_nothing_of_a_sealed_tender_is_in_the_clear_in_the_database_or_in_storage(tendering):
    services.tender_seal(competition=tendering.refresh(), actor=tendering.serco, price="231500000.00", documents=_documents())
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM competitions_sealedtender")
        rows = repr(cursor.fetchall())
        cursor.execute("SELECT * FROM competitions_sealedfile")
        rows += repr(cursor.fetchall())
    for secret in ("231500000", "Serco", "method-statement", "pricing.csv"):
        assert secret not in rows
    # No column names the bid, the bidder or the person: they are inside the seal.
    assert {f.column for f in SealedTender._meta.fields} == {"id", "competition_id", "round", "sealed", "received_at", "withdrawn_at", "opened_at"}
    for sealed_file in SealedFile.objects.all():
        stored = sealed_file.content.read()
        assert b"Method statement" not in stored and b"Staffing" not in stored
        assert sealing.unseal(stored) in (METHOD, PRICING)


def test_replacing_and_withdrawing_before_the_deadline_keep_one_tender_per_bid(tendering):
    first = services.tender_seal(competition=tendering.refresh(), actor=tendering.serco, price="1.00", documents=_documents())
    second = services.tender_seal(competition=tendering.refresh(), actor=tendering.serco, price="2.00",
                                  documents=[SimpleUploadedFile("v2.csv", b"a,b\n1,2\n")])
    assert first.number != second.number and [f.name for f in second.files] == ["v2.csv"]
    assert tender_box.tender_box_counts(tendering.refresh()) == {"tender": 1} and SealedFile.objects.count() == 1
    withdrawn = services.tender_withdraw(competition=tendering.refresh(), actor=tendering.serco)
    assert withdrawn.withdrawn_at is not None and not withdrawn.files
    assert tender_box.tender_box_counts(tendering.refresh()) == {"tender": 0}
    with pytest.raises(ValidationError, match="no tender of yours"):
        services.tender_withdraw(competition=tendering.refresh(), actor=tendering.serco)
    services.tender_seal(competition=tendering.refresh(), actor=tendering.serco, price="3.00", documents=_documents())
    assert tender_box.tender_box_counts(tendering.refresh()) == {"tender": 1}


def test_a_late_tender_is_refused_with_the_deadline_in_the_message(tendering, client):
    deadline = timezone.localtime(tendering.refresh().bid_deadline)
    _after_deadline(tendering)
    with pytest.raises(ValidationError) as refused:
        services.tender_seal(competition=tendering.refresh(), actor=tendering.serco, price="1.00", documents=_documents())
    assert f"The tender deadline was {deadline:%H:%M on %d %B %Y}: late tenders are refused." in refused.value.messages
    client.force_login(tendering.serco)
    response = client.post(f"/competitions/opportunities/{tendering.competition.pk}/tender/", {"price": "1.00", "documents": _documents()})
    assert response.status_code == 200 and "late tenders are refused" in response.content.decode()
    assert not SealedTender.objects.exists()


def test_only_the_bidders_own_people_tender_and_bad_input_names_its_field(tendering, client):
    for outsider in (tendering.procurement, UserFactory(roles=[Role.BID_MANAGER], organisation=tendering.public_bidder)):
        with pytest.raises(PermissionDenied):
            services.tender_seal(competition=tendering.refresh(), actor=outsider, price="1.00", documents=_documents())
    client.force_login(tendering.serco)
    url = f"/competitions/opportunities/{tendering.competition.pk}/tender/"
    page = client.post(url, {"price": "-5", "documents": [SimpleUploadedFile("virus.exe", b"MZ")]}).content.decode()
    assert "Error:" in page and "virus.exe" in page and "Your price (£) must be 0 or more" in page
    fake = client.post(url, {"price": "10", "documents": [SimpleUploadedFile("fake.pdf", b"not a pdf")]}).content.decode()
    assert "fake.pdf: The file is not a real PDF file." in fake
    assert "Select a file for tender documents" in client.post(url, {"price": "10"}).content.decode()
    assert not SealedTender.objects.exists()


def test_staff_see_how_many_tenders_arrived_and_nothing_else_before_the_opening(tendering, client):
    services.tender_seal(competition=tendering.refresh(), actor=tendering.serco, price="231500000.00", documents=_documents())
    client.force_login(tendering.procurement)
    page = client.get(f"/competitions/{tendering.competition.pk}/?section=all").content.decode()
    assert "1 tender received" in page
    assert "231,500,000" not in page and "method-statement" not in page and "Sam Serco" not in page
    # The bidders' own pages and the receipt are theirs alone: refused, logged.
    for url in (f"/competitions/opportunities/{tendering.competition.pk}/tender/receipt/", f"/competitions/opportunities/{tendering.competition.pk}/tender/"):
        assert client.get(url).status_code == 404
    assert AuditEvent.objects.filter(actor=tendering.procurement, action="refused").count() == 2
    api = client.get(f"/api/v1/bids/?competition={tendering.competition.pk}", HTTP_ACCEPT="application/json").json()
    assert all(row["tender_price"] is None for row in api["results"])
    # Not even the service's administrators: the box has no admin page at all.
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert client.get("/admin/competitions/sealedtender/").status_code == 404
    assert client.get("/admin/competitions/sealedfile/").status_code == 404
    events = " ".join(tendering.competition.events.filter(action="tender_box").values_list("description", flat=True))
    assert "sealed tender arrived" in events and "Serco" not in events  # the box's own entries name nobody


def test_two_different_procurement_officers_open_the_box_after_the_deadline_and_the_tenders_reach_the_bids(tendering, client):
    services.tender_seal(competition=tendering.refresh(), actor=tendering.serco, price="231500000.00", documents=_documents())
    deadline = timezone.localtime(tendering.refresh().bid_deadline)
    with pytest.raises(ValidationError, match=f"stays sealed until the tender deadline, {deadline:%H:%M on %d %B %Y}"):
        services.tender_box_open(competition=tendering.refresh(), actor=tendering.procurement, round="tender")
    _after_deadline(tendering)
    assert "tender_box" in [c.code for c in guards.unmet(tendering.refresh(), "call_for_bafo")]
    with pytest.raises(PermissionDenied):
        services.tender_box_open(competition=tendering.refresh(), actor=tendering.commissioner, round="tender")
    client.force_login(tendering.procurement)
    client.post(f"/competitions/{tendering.competition.pk}/records/open-tender-box/", {"round": "tender"})
    assert "a second, different procurement officer must complete it" in client.get(f"/competitions/{tendering.competition.pk}/?section=all").content.decode()
    with pytest.raises(ValidationError, match="A second, different procurement officer"):
        services.tender_box_open(competition=tendering.refresh(), actor=tendering.procurement, round="tender")
    assert Bid.objects.get(competition=tendering.competition, bidder=tendering.private_bidder).tender_price is None
    opening = services.tender_box_open(competition=tendering.refresh(), actor=tendering.second_officer, round="tender")
    assert opening.is_open and opening.tenders_opened == 1
    bid = Bid.objects.get(competition=tendering.competition, bidder=tendering.private_bidder)
    assert bid.tender_price == Decimal("231500000.00") and bid.stage == "tender"
    contents = {d.title: d.file.read() for d in BidDocument.objects.filter(bid=bid)}
    assert contents == {"method-statement.pdf": METHOD, "pricing.csv": PRICING}
    event = tendering.competition.events.filter(action="tender_box").last()
    assert str(tendering.procurement) in event.description and str(tendering.second_officer) in event.description
    assert "tender_box" not in [c.code for c in guards.unmet(tendering.refresh(), "call_for_bafo")]
    with pytest.raises(ValidationError, match="already been opened"):
        services.tender_box_open(competition=tendering.refresh(), actor=tendering.procurement, round="tender")
    with pytest.raises(ValidationError, match="cannot move"):
        tendering.update(bid_deadline=timezone.now() + datetime.timedelta(days=30))


def test_a_tampered_tender_is_refused_at_the_opening_not_opened_as_something_else(tendering):
    services.tender_seal(competition=tendering.refresh(), actor=tendering.serco, price="1.00", documents=_documents())
    sealed_file = SealedFile.objects.first()
    sealed_file.content.save("sealed", SimpleUploadedFile("x", sealing.seal(b"%PDF-1.4 a different tender")), save=True)
    _after_deadline(tendering)
    services.tender_box_open(competition=tendering.refresh(), actor=tendering.procurement, round="tender")
    with pytest.raises(ValidationError, match="does not match its receipt"):
        services.tender_box_open(competition=tendering.refresh(), actor=tendering.second_officer, round="tender")
    assert Bid.objects.get(competition=tendering.competition, bidder=tendering.private_bidder).tender_price is None


def test_best_and_final_offers_go_through_the_box_the_same_way(tendering):
    services.tender_seal(competition=tendering.refresh(), actor=tendering.serco, price="240000000", documents=_documents())
    _after_deadline(tendering)
    for officer in (tendering.procurement, tendering.second_officer):
        services.tender_box_open(competition=tendering.refresh(), actor=officer, round="tender")
    tendering.run("call_for_bafo")
    with pytest.raises(ValidationError, match="has not set the deadline for best and final offers"):
        services.tender_seal(competition=tendering.refresh(), actor=tendering.serco, price="1", documents=_documents())
    tendering.update(bafo_deadline=timezone.now() + datetime.timedelta(days=10))
    services.tender_seal(competition=tendering.refresh(), actor=tendering.serco, price="225000000", documents=_documents())
    assert tender_box.tender_box_counts(tendering.refresh()) == {"tender": 1, "bafo": 1}
    assert "tender_box" in [c.code for c in guards.unmet(tendering.refresh(), "start_evaluation")]
    tendering.travel_to(timezone.localtime(tendering.refresh().bafo_deadline).date() + datetime.timedelta(days=1))
    for officer in (tendering.second_officer, tendering.procurement):
        services.tender_box_open(competition=tendering.refresh(), actor=officer, round="bafo")
    bid = Bid.objects.get(competition=tendering.competition, bidder=tendering.private_bidder)
    assert bid.bafo_price == Decimal("225000000") and bid.tender_price == Decimal("240000000") and bid.stage == "bafo"


def test_keys_rotate_and_a_removed_key_no_longer_opens_what_it_sealed(tendering, settings):
    old, new = sealing.new_key(), sealing.new_key()
    settings.TENDER_BOX_KEYS = [old]
    services.tender_seal(competition=tendering.refresh(), actor=tendering.serco, price="1.00", documents=_documents())
    settings.TENDER_BOX_KEYS = [new, old]
    out = io.StringIO()
    call_command("tender_box_key", "rotate", stdout=out)
    assert "Re-sealed 3 value(s)" in out.getvalue()  # the tender and its two files
    settings.TENDER_BOX_KEYS = [new]
    assert [r.price for r in tender_box.own_receipts(tendering.serco, tendering.refresh())] == [Decimal("1.00")]
    settings.TENDER_BOX_KEYS = [old]
    with pytest.raises(sealing.SealBroken):
        tender_box.own_receipts(tendering.serco, tendering.refresh())


def test_hmps_bid_team_tenders_through_the_same_pages_with_the_wall_applied(tendering, client):
    hmps_bid = Bid.objects.get(competition=tendering.competition, bidder=tendering.public_bidder)
    team = UserFactory(roles=[Role.BID_TEAM], organisation=tendering.public_bidder)
    tendering.join(team, "bid_team", side="bid", bid=hmps_bid)
    client.force_login(team)
    assert tendering.competition.reference in client.get("/competitions/opportunities/").content.decode()
    page = client.get(f"/competitions/opportunities/{tendering.competition.pk}/").content.decode()
    assert "Submit your tender" in page and "Register your interest" not in page
    response = client.post(f"/competitions/opportunities/{tendering.competition.pk}/tender/", {"price": "229000000", "documents": _documents()})
    assert response.status_code == 302
    assert [r.price for r in tender_box.own_receipts(team, tendering.refresh())] == [Decimal("229000000.00")]
    assert tender_box.own_receipts(tendering.serco, tendering.refresh()) == []  # the other bidder has none of its own
    client.post(f"/competitions/opportunities/{tendering.competition.pk}/questions/", {"question": "Is TUPE information available?"})
    assert tendering.competition.clarifications.get().asked_by == tendering.public_bidder
    # Off the wall, the same person is refused the bidder's pages, logged.
    wall_services.wall_leave(member=team.wall_memberships.get(), actor=tendering.procurement)
    team = type(team).objects.get(pk=team.pk)
    client.force_login(team)
    assert client.get(f"/competitions/opportunities/{tendering.competition.pk}/tender/receipt/").status_code == 404
    assert AuditEvent.objects.filter(actor=team, action="refused").exists()
    with pytest.raises(PermissionDenied):
        services.tender_seal(competition=tendering.refresh(), actor=team, price="1", documents=_documents())


def test_a_new_key_is_a_fernet_key_and_production_refuses_to_start_without_one():
    out = io.StringIO()
    call_command("tender_box_key", "new", stdout=out)
    assert len(base64.urlsafe_b64decode(out.getvalue().strip())) == 32
