"""The contract management log (issue #21): meetings, visits, issues and actions, on the agreement and with its provider."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.test import Client
from django.utils import timezone

from contracts import management_log
from contracts.models import LogEntry
from core.inbox import inbox_for
from core.roles import Role
from tests.contracts.test_services import framework_agreement, make_live
from tests.core.factories import UserFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


@pytest.fixture
def live(people):
    return make_live(framework_agreement(people), people)


def _review(live, people, **changes):
    terms = {"kind": "review_meeting", "held_on": TODAY(), "summary": "Quarterly review with Nacro's director.",
             "findings": "Referrals down 12%.", "action": "Report referral sources by court", "action_by": "Nacro",
             "due_on": TODAY() + datetime.timedelta(days=14)}
    return management_log.log_entry_record(agreement=live, actor=people["manager"], **{**terms, **changes})


def test_an_action_agreed_at_a_review_comes_to_the_contract_manager_until_it_is_closed(live, people):
    entry = _review(live, people)
    task = f"Action agreed at the contract review meeting on {live.reference}: Report referral sources by court"
    assert task in [t.title for t in inbox_for(people["manager"]).deadlines]
    with pytest.raises(ValidationError) as no_note:
        management_log.log_action_close(entry=entry, actor=people["manager"], closed_on=TODAY(), closing_note="")
    assert list(no_note.value.message_dict) == ["closing_note"]
    management_log.log_action_close(entry=entry, actor=people["manager"], closed_on=TODAY(), closing_note="Report received")
    assert task not in [t.title for t in inbox_for(people["manager"]).deadlines]
    with pytest.raises(ValidationError, match="no open action"):
        management_log.log_action_close(entry=entry, actor=people["manager"], closed_on=TODAY(), closing_note="Again")
    assert live.events.filter(action="record", description__contains="closed").exists()


def test_bad_input_names_its_field_and_changes_nothing(live, people):
    for changes, field in (({"due_on": None}, "due_on"), ({"action_by": " "}, "action_by"),
                           ({"held_on": TODAY() + datetime.timedelta(days=1)}, "held_on"), ({"summary": ""}, "summary")):
        with pytest.raises(ValidationError) as refused:
            _review(live, people, **changes)
        assert field in refused.value.message_dict, changes
    with pytest.raises(PermissionDenied):
        _review(live, {**people, "manager": people["procurement"]})
    assert not LogEntry.objects.exists()


def test_the_provider_reads_the_shared_entries_and_not_the_internal_ones(live, people):
    _review(live, people)
    management_log.log_entry_record(agreement=live, actor=people["manager"], kind="visit", held_on=TODAY(),
                                    summary="Unannounced visit: internal note on the provider's finances.", shared_with_provider=False)
    lead = UserFactory(roles=[Role.CONTRACT_LEAD], organisation=live.provider)
    page = Client()
    page.force_login(lead)
    text = page.get(f"/contracts/provider/{live.pk}/").content.decode()
    assert "Quarterly review with Nacro" in text and "internal note" not in text
    page.force_login(people["manager"])
    staff = page.get(f"/contracts/{live.pk}/?section=management").content.decode()
    assert "internal note" in staff and "Internal" in staff and "Log a meeting, visit, issue or action" in staff


def test_the_pages_log_an_entry_and_close_its_action(live, people):
    page = Client()
    page.force_login(people["manager"])
    url = f"/contracts/{live.pk}/records/log-entry/"
    today = TODAY()
    when = {"held_on_day": today.day, "held_on_month": today.month, "held_on_year": today.year}
    refused = page.post(url, {"kind": "issue", **when, "summary": "Late starts", "action": "Recruit two supervisors", "action_by": "Nacro"})
    assert refused.status_code == 200 and "Enter when the action is due." in refused.content.decode() and not LogEntry.objects.exists()
    due = today + datetime.timedelta(days=7)
    saved = page.post(url, {"kind": "issue", **when, "summary": "Late starts", "action": "Recruit two supervisors", "action_by": "Nacro",
                            "due_on_day": due.day, "due_on_month": due.month, "due_on_year": due.year, "shared_with_provider": "on"})
    entry = LogEntry.objects.get()
    assert saved.status_code == 302 and (entry.kind, entry.due_on, entry.shared_with_provider) == ("issue", due, True)
    closed = page.post(f"/contracts/{live.pk}/records/close-log-action/{entry.pk}/",
                       {"closed_on_day": today.day, "closed_on_month": today.month, "closed_on_year": today.year, "closing_note": "Both started"})
    assert closed.status_code == 302 and LogEntry.objects.get().closed_on == today
    bid_team = UserFactory(roles=[Role.BID_TEAM])
    page.force_login(bid_team)
    assert page.get(f"/contracts/{live.pk}/records/close-log-action/{entry.pk}/").status_code == 404


def test_the_database_holds_an_action_to_a_due_date(live, people):
    with pytest.raises(IntegrityError), transaction.atomic():
        LogEntry.objects.create(agreement=live, kind="visit", held_on=TODAY(), summary="x", action="Do it", recorded_by=people["manager"])
