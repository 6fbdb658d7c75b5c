"""Every list under /api/v1/ runs a fixed number of queries, whatever the page size (SPEC §6).

Each list endpoint of the router is read twice by a user who may see its rows, with
`?page_size=1` and `?page_size=100`, over the demo data (several rows of each): the two
must take the same number of queries, so no row costs a query of its own. An endpoint
that appears in the router must be measured here or listed with the reason it is not.
"""

import datetime
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from contracts import services as contract_services
from competitions.models import Bid, BidParticipant
from contracts.models import RUNNING, Agreement, AgreementState, Claim, ClaimLine, RectificationNotice
from core.models import User
from core.roles import Role
from noms_commissioning.api import router
from tests.api_contract.conftest import caller

# Who reads each list: someone who may see its rows (demo users, by username and role).
LIST_READERS = {
    "organisation": ("procurement", Role.PROCUREMENT),
    "cycle": ("commissioner", Role.COMMISSIONER),  # the commissioning side's plans
    "outcome": ("procurement", Role.PROCUREMENT),
    "competition": ("procurement", Role.PROCUREMENT),
    "gateway-review": ("procurement", Role.PROCUREMENT),
    "bid": ("procurement", Role.PROCUREMENT),
    "clarification": ("procurement", Role.PROCUREMENT),
    "agreement": ("procurement", Role.PROCUREMENT),
    "measure": ("procurement", Role.PROCUREMENT),
    "return": ("procurement", Role.PROCUREMENT),
    "notice-of-change": ("procurement", Role.PROCUREMENT),
    "rectification-notice": ("procurement", Role.PROCUREMENT),
    "claim": ("procurement", Role.PROCUREMENT),
    "payment": ("procurement", Role.PROCUREMENT),
    "mobilisation-milestone": ("procurement", Role.PROCUREMENT),  # every live demo agreement's plan, done
    "conflict-declaration": ("oversight", Role.OVERSIGHT),  # the whole register
    "audit-event": ("oversight", Role.OVERSIGHT),  # oversight's alone
    "risk": ("oversight", Role.OVERSIGHT),
    "decision": ("commissioner", Role.COMMISSIONER),  # the demo competitions' board decisions (scenarios/boards.py)
    "benefit": ("sro", Role.SRO),  # the demo's business cases' benefits (scenarios/competitions.py)  # the demo's cycle and agreement registers (scenarios/governance.py)
}
# List endpoints not measured, each with its reason.
NOT_MEASURED = {
    "ocds-release": "An OCDS release package, not a page of results; being added to ocds/ by another change, which measures it.",
    "search": "Not a page of rows: at most ten results of each kind, one query per kind (core/search.py); timed by bench/load instead.",
}

LIST_ENDPOINTS = [(prefix, basename) for prefix, viewset, basename in router.registry if hasattr(viewset, "list")]
ENOUGH_ROWS = 3


def test_every_list_endpoint_is_measured_or_says_why_not():
    basenames = {basename for _, basename in LIST_ENDPOINTS}
    unaccounted = basenames - LIST_READERS.keys() - NOT_MEASURED.keys()
    assert not unaccounted, f"New list endpoints: add each to LIST_READERS, or to NOT_MEASURED with a reason: {sorted(unaccounted)}"
    assert not LIST_READERS.keys() & NOT_MEASURED.keys()
    assert (LIST_READERS.keys() | NOT_MEASURED.keys()) <= basenames, "Entries for endpoints the router no longer has"


@pytest.fixture
def several_of_each(demo_data, db):
    """Top up the demo data where it has fewer than ENOUGH_ROWS of a kind, and even out what each row has.

    Each bid gets a participant (its bidder leading it, where none is recorded): a nested
    prefetch is skipped when the rows fetched have nothing to prefetch, so one row without
    participants would take a query fewer than many rows with some (not a query per row).
    """
    procurement = User.objects.get(username="procurement")
    manager = User.objects.get(username="contract_manager")
    running = Agreement.objects.filter(state=AgreementState.LIVE).order_by("pk")
    for agreement in running.exclude(rectification_notices__status=RectificationNotice.Status.OPEN)[:ENOUGH_ROWS]:
        contract_services.rectification_notice_issue(
            agreement=agreement, actor=manager, failings="Returns late for two periods.",
            deadline=timezone.localdate() + datetime.timedelta(days=30),
        )
    for agreement in Agreement.objects.filter(state__in=RUNNING).order_by("pk")[:ENOUGH_ROWS]:
        contract_services.notice_of_change_issue(
            agreement=agreement, actor=procurement, summary="Volumes revised.", material=True,
            changes={"value": str(agreement.value + 1000)},
        )
    # Claims, paid (so they are payments too), on agreements other than the demo's payment-by-results one.
    officers = list(User.objects.filter(username__in=["commissioner", "sro"]).order_by("username"))
    for agreement in Agreement.objects.filter(state__in=RUNNING, claims=None).order_by("pk")[:ENOUGH_ROWS]:
        claim = Claim.objects.create(agreement=agreement, period_start=agreement.start_date, period_end=agreement.start_date + datetime.timedelta(days=90),
                                     status=Claim.Status.PAID, total=1000, raised_by=manager, raised_at=timezone.now(), checked_by=officers[0],
                                     approved_by=officers[1], paid_on=timezone.localdate(), payment_reference=f"PAY-{agreement.pk}")
        ClaimLine.objects.create(claim=claim, kind=ClaimLine.Kind.FEE, description="Service fee", amount=1000)
    for bid in Bid.objects.filter(participants=None):
        BidParticipant.objects.create(bid=bid, organisation=bid.bidder, role=BidParticipant.Role.LEAD, funding_share=100, risk_share=100)


def queries_for(client, url) -> tuple[int, dict]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(queries), response.json()


@pytest.mark.parametrize(("prefix", "basename"), [e for e in LIST_ENDPOINTS if e[1] not in NOT_MEASURED], ids=lambda v: v)
def test_a_list_takes_as_many_queries_for_a_hundred_rows_as_for_one(prefix, basename, several_of_each, django_assert_num_queries):
    if basename not in LIST_READERS:
        pytest.fail(f"{basename}: add it to LIST_READERS, or to NOT_MEASURED with a reason")
    reader = caller(*LIST_READERS[basename])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=reader.headers["Authorization"])
    url = f"/api/v1/{prefix}/"
    client.get(url)  # the first request of a process may fill caches (content types, permissions)

    one_row, body = queries_for(client, f"{url}?page_size=1")
    assert len(body["results"]) == 1, body
    assert body["count"] >= ENOUGH_ROWS, f"{basename}: seed at least {ENOUGH_ROWS} rows {reader.user.username} may see"
    with django_assert_num_queries(one_row):
        response = client.get(f"{url}?page_size=100")
    assert len(response.json()["results"]) == min(body["count"], 100)


def walk(client, url: str, **params) -> tuple[list[str], list[int]]:
    """Every row of a list, following `next` from the first page; and the queries each page took."""
    rows, queries, link = [], [], url + "?" + "&".join(f"{key}={value}" for key, value in params.items())
    while link:
        taken, body = queries_for(client, link)
        rows += [json.dumps(row, sort_keys=True) for row in body["results"]]
        queries.append(taken)
        if params.get("paging") == "cursor":
            assert (body["count"], body["more_than"]) == (None, None), body  # nothing counted
        link = body["next"]
    return rows, queries


@pytest.mark.parametrize("who", ["reader", "bid team"])
@pytest.mark.parametrize(("prefix", "basename"), [e for e in LIST_ENDPOINTS if e[1] not in NOT_MEASURED], ids=lambda v: v)
def test_a_walk_by_cursor_gives_every_row_the_numbered_pages_give_once_at_the_same_cost_per_page(prefix, basename, who, several_of_each):
    """Whoever walks it — a reader of the list, or the bid team, whom the wall shows little or nothing — the cursor
    brings exactly the rows the numbered pages do, none twice, with no count and the same queries for every page."""
    reader = caller(*LIST_READERS[basename]) if who == "reader" else caller("bid_team", Role.BID_TEAM)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=reader.headers["Authorization"])
    url = f"/api/v1/{prefix}/"
    client.get(url)  # caches filled, as above
    numbered, _ = walk(client, url, page_size=100)
    size = max(1, -(-len(numbered) // 3))  # three pages or so, to follow the cursor from one to the next
    by_cursor, queries = walk(client, url, paging="cursor", page_size=size)
    assert sorted(by_cursor) == sorted(numbered) and len(set(by_cursor)) == len(by_cursor)
    assert len(set(queries[:-1])) <= 1, queries  # the last page may skip a prefetch with nothing to fetch
