"""Demo supplier accounts (issue #18): a first administrator's request awaiting MoJ Procurement.

`provider` (scenarios/core.py) is St Giles Trust's approved administrator; here a new charity asks
for its first account, so MoJ Procurement's "Supplier accounts" page has a request to decide.
Idempotent: the request is made once.
"""

from django.db import transaction

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
