"""The demo's issue #21 records: risk registers (scenarios/governance.py) on a cycle, competitions and agreements, in their
owners' inboxes; an agreement mobilising and the contract management logs (scenarios/contracts.py)."""

import io

import pytest
from django.core.management import call_command
from django.test import Client

from competitions.models import Competition
from contracts.models import Agreement, LogEntry
from core.inbox import inbox_for
from core.models import User
from cycle.models import CommissioningCycle
from governance.models import Risk

pytestmark = pytest.mark.django_db


def test_the_demo_holds_risks_on_every_kind_of_record_and_their_owners_see_them():
    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())  # again: nothing more
    assert Risk.objects.count() == 6
    assert {kind for kind in ("cycle", "competition", "agreement") if Risk.objects.filter(**{f"{kind}__isnull": False}).exists()} == {
        "cycle", "competition", "agreement"}
    users = {u.username: u for u in User.objects.filter(username__in=["commissioner", "contract_manager", "bid_team", "oversight"])}
    late_staff_list = Risk.objects.get(title="Incumbent's staff list is late")
    assert [t.title for t in inbox_for(users["commissioner"]).decisions if t.area == "Risks and issues"] == [
        f"Review high risk R{late_staff_list.pk} (16): Incumbent's staff list is late"]
    assert any(t.title.startswith("Review high risk") for t in inbox_for(users["contract_manager"]).decisions)
    page = Client()
    page.force_login(users["oversight"])
    text = page.get("/risks/?escalated=1").content.decode()
    assert "Heat map: 2 open" in text and "Provider&#x27;s cash flow under payment by results" in text
    page.force_login(users["bid_team"])
    assert page.get("/risks/").status_code == 404

    # Mobilisation in progress: "Go live" names what is not done, the SRO's accepted gap shown.
    mobilising = Agreement.objects.get(reference="DEMO-MOB-PROGRAMMES")
    page.force_login(users["contract_manager"])
    text = page.get(f"/contracts/{mobilising.pk}/?section=all").content.decode()
    assert "Not done and no gap accepted: IT and data transfer; TUPE transfer of staff; Readiness visit, with findings." in text
    assert "Accepted by David Okafor: Programmes run in the probation offices" in text
    # The contract management log: the provider reads what is shared with it.
    assert LogEntry.objects.count() == 4
    page.force_login(User.objects.get(username="provider"))
    resettlement = Agreement.objects.get(reference="DEMO-RESETTLE-PBR")
    shared = page.get(f"/contracts/provider/{resettlement.pk}/").content.decode()
    assert "HMP Bristol housing caseworker" in shared
    # The strategic plan's consultation: three responses, a theme answered.
    page.force_login(users["commissioner"])
    strategy = CommissioningCycle.objects.get(name="Offender services strategic commissioning 2026–29")
    plan = page.get(f"/cycles/{strategy.pk}/plan/").content.decode()
    assert "3 responses received." in plan and "women-only spaces in every lot" in plan
    # DEMO-004's benefits: recorded actuals and one read from the BASS contract's measure.
    bass = Competition.objects.get(reference="DEMO-004")
    benefits_part = page.get(f"/competitions/{bass.pk}/?section=all").content.decode()
    assert "Fewer people remanded for want of an address" in benefits_part and "40.0%" in benefits_part  # 120 of 300 fewer
    assert "actuals from the measure" in benefits_part
    # DEMO-SLA-DARTMOOR's exit plan awaits a commissioner.
    assert "Agree the exit plan for DEMO-SLA-DARTMOOR" in [t.title for t in inbox_for(users["commissioner"]).decisions]
