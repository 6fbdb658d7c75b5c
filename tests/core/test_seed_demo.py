import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from contracts.models import Agreement, Claim
from core.dates import financial_year_label, financial_year_start
from core.models import Organisation, OrganisationType, User
from core.roles import Role
from cycle import selectors as cycle_selectors
from cycle.models import CommissioningCycle

pytestmark = pytest.mark.django_db


def seed():
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def snapshot():
    return {
        "organisations": list(Organisation.objects.order_by("name").values_list("name", "sector", "is_crown_body", "parent__name")),
        "users": list(User.objects.order_by("username").values_list("username", "password", "organisation__name")),
        "memberships": list(User.groups.through.objects.order_by("user_id", "group_id").values_list("user__username", "group__name")),
    }


def test_seed_demo_loads_the_spec_organisations_and_one_user_per_role(client):
    output = seed()
    assert Organisation.objects.filter(organisation_type=OrganisationType.PROBATION_TRUST).count() == 35
    for prison in ["HMP Birmingham", "HMP Buckley Hall", "HMP Wolds", "HMP Featherstone 2", "HMP Dartmoor", "HMP Bullingdon"]:
        assert Organisation.objects.get(name=prison).is_crown_body
    assert Organisation.objects.get(name="HMPS Business Development Group").parent.name == "HM Prison Service"
    # One named demo user per role (other demo people exist for the wall's story).
    for username, role in [("commissioner", Role.COMMISSIONER), ("sro", Role.SRO), ("procurement", Role.PROCUREMENT),
                           ("contract_manager", Role.CONTRACT_MANAGER), ("gateway_reviewer", Role.GATEWAY_REVIEWER),
                           ("bid_team", Role.BID_TEAM), ("oversight", Role.OVERSIGHT)]:
        assert User.objects.get(username=username).has_role(role), role
    assert "Password for every demo user: noms-demo-2026" in output
    assert client.post("/login/", {"username": "bid_team", "password": "noms-demo-2026"}).status_code == 302


def test_seed_demo_twice_changes_nothing():
    seed()
    first = snapshot()
    seed()
    assert snapshot() == first


def test_the_demo_suppliers_act_for_their_own_organisations(client):
    """`bidder` and `bidder_two` both bid in DEMO-002 and see only their own bid; `provider` sees St Giles Trust's agreements."""
    from competitions.models import Bid
    from contracts.models import Agreement

    seed()
    serco_bid = Bid.objects.get(competition__reference="DEMO-002", bidder__name="Serco Justice Services")
    g4s_bid = Bid.objects.get(competition__reference="DEMO-002", bidder__name="G4S Care and Justice Services")
    client.post("/login/", {"username": "bidder", "password": "noms-demo-2026"})
    assert "DEMO-002" in client.get("/competitions/opportunities/").content.decode()
    assert [b["id"] for b in client.get("/api/v1/bids/", {"competition": serco_bid.competition_id}).json()["results"]] == [serco_bid.pk]
    assert client.get(f"/api/v1/bids/{g4s_bid.pk}/").status_code == 404
    receipt = client.get(f"/competitions/opportunities/{serco_bid.competition_id}/tender/receipt/").content.decode()
    assert "serco-method-statement.txt" in receipt and "£236,400,000" in receipt
    client.logout()
    client.post("/login/", {"username": "bidder_two", "password": "noms-demo-2026"})
    assert "serco-method-statement" not in client.get(f"/competitions/opportunities/{serco_bid.competition_id}/tender/receipt/").content.decode()
    client.logout()
    client.post("/login/", {"username": "procurement", "password": "noms-demo-2026"})
    page = client.get(f"/competitions/{serco_bid.competition_id}/?section=all").content.decode()
    assert "1 tender received" in page and "236,400,000" not in page
    client.logout()
    client.post("/login/", {"username": "provider", "password": "noms-demo-2026"})
    listing = client.get("/contracts/provider/").content.decode()
    own = Agreement.objects.filter(provider__name="St Giles Trust")
    assert own.exists() and all(a.reference in listing for a in own)
    assert not any(a.reference in listing for a in Agreement.objects.exclude(provider__name="St Giles Trust"))


def test_each_demo_roles_home_lists_its_pending_work(client):
    """The demo gives each staff role and the provider something waiting, read off their home page (issue #19)."""
    import html

    seed()
    expected = {
        "procurement": ["Answer 1 question from bidders on DEMO-002", "Decide Amara Okoye's request for a supplier account for Bounce Back Foundation"],
        "sro": ["Approve the outline business case for DEMO-003"],
        "commissioner": ["Agree or refuse Notice of Change 1 on DEMO-004-A"],
        "contract_manager": ["Chase 1 overdue return from HMP Dartmoor on DEMO-SLA-DARTMOOR", "Check St Giles Trust's claim for"],
        "gateway_reviewer": ["Gate 1 review of DEMO-009 planned"],
        "provider": ["Return for Settled accommodation on the day of release"],
    }
    for username, tasks in expected.items():
        client.post("/login/", {"username": username, "password": "noms-demo-2026"})
        home = html.unescape(client.get("/").content.decode())
        assert all(task in home for task in tasks), (username, [task for task in tasks if task not in home])
        client.logout()


def test_the_demo_payment_by_results_agreement_has_two_quarters_of_claims():
    """Issue #20's demo: one quarter paid after both approvals, with penalties deducted; the next awaiting the contract manager;
    and a cycle whose commitments exceed its budget, own and pooled, next financial year."""
    seed()
    agreement = Agreement.objects.get(reference="DEMO-RESETTLE-PBR")
    paid, waiting = agreement.claims.order_by("period_start")
    assert paid.status == Claim.Status.PAID and paid.checked_by.username == "contract_manager" and paid.approved_by.username == "procurement"
    assert paid.lines.filter(kind="deduction").exists() and paid.lines.filter(kind="outcome", amount__gt=0).exists()
    assert paid.total == sum(line.amount for line in paid.lines.all())
    assert waiting.status == Claim.Status.SUBMITTED and waiting.raised_by.username == "provider"
    bass = CommissioningCycle.objects.get(name__startswith="Bail accommodation and support (BASS)")
    budget = cycle_selectors.cycle_budget(user=User.objects.get(username="commissioner"), cycle=bass)
    this_year = financial_year_start(timezone.localdate())
    next_year = financial_year_label(this_year.replace(year=this_year.year + 1))
    assert any(warning.startswith(f"{next_year}: ") for warning in budget.warnings), budget.warnings
    assert ("Welsh Government", "pooled") in [(who, how) for who, how, _ in budget.funding]
