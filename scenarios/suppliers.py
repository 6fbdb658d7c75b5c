"""Demo supplier accounts and a sealed tender (issue #18).

`provider` (scenarios/core.py) is St Giles Trust's approved administrator; here a new charity asks
for its first account, so MoJ Procurement's "Supplier accounts" page has a request to decide. And
`bidder` (Serco) has sealed its tender for DEMO-002 in the tender box: it holds the receipt,
MoJ Procurement sees "1 tender received" and nothing more. Idempotent: each is made once.
"""

from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from competitions import services as competition_services
from competitions.models import Competition, State
from core.models import User
from suppliers import services

REQUESTER = "amara.okoye@bouncebackfoundation.org.uk"


@transaction.atomic
def seed_supplier_accounts() -> None:
    if User.objects.filter(username=REQUESTER).exists():
        return
    services.account_request(
        first_name="Amara", last_name="Okoye", email=REQUESTER, password="noms-demo-2026-request",
        new_organisation_name="Bounce Back Foundation", sector="vcse", organisation_type="charity", job_title="Chief executive",
    )


METHOD_STATEMENT = (
    "Serco Justice Services: method statement for the operation of HMP Birmingham.\n"
    "1. Mobilisation in 12 weeks, with the incumbent's staff transferred under TUPE.\n"
    "2. A key worker for every prisoner; resettlement planning from 12 weeks before release.\n"
).encode()
PRICING = b"line,annual_price\nStaffing,36500000\nEstate maintenance,4100000\nHealthcare sub-contract,6700000\n"


@transaction.atomic
def seed_sealed_tender() -> None:
    competition = Competition.objects.filter(reference="DEMO-002", state=State.TENDER).first()
    bidder = User.objects.filter(username="bidder").first()
    if competition is None or bidder is None or competition.sealed_tenders.exists():
        return
    if competition.bid_deadline is None or competition.bid_deadline <= timezone.now():
        return  # the box has closed: nothing can be sealed now
    competition_services.tender_seal(competition=competition, actor=bidder, price=Decimal("236400000.00"), documents=[
        SimpleUploadedFile("serco-method-statement.txt", METHOD_STATEMENT, content_type="text/plain"),
        SimpleUploadedFile("serco-pricing-schedule.csv", PRICING, content_type="text/csv"),
    ])
