"""Risk and issue registers (issue #21): raised, scored 5 × 5, mitigated, escalated, closed, carried on award, walled."""

import datetime
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from competitions.models import State
from contracts.models import Agreement
from core.inbox import inbox_for
from core.roles import Role
from cycle import services as cycle_services
from ethical_walls.models import AuditEvent
from governance import selectors, services
from governance.models import Rating, Risk, RiskStatus, rating_of
from tests.competitions.journey import Journey
from tests.contracts.test_pages import make_agreement
from tests.core.factories import UserFactory

pytestmark = pytest.mark.django_db


def _raise(actor, subject, record, owner=None, **changes):
    terms = {"title": "Staff may not transfer under TUPE", "description": "The staff list is late; mobilisation slips.",
             "likelihood": 4, "impact": 5, "proximity": "near"}
    return services.risk_raise(actor=actor, subject=subject, record=record, owner=owner or actor, **{**terms, **changes})


def _cycle(commissioner):
    today = timezone.localdate()
    return cycle_services.cycle_create(actor=commissioner, name="Resettlement 2027–30", cycle_type="strategic", level="national",
                                       period_start=today, period_end=today + datetime.timedelta(days=365), available_resources=D(1))


@pytest.fixture
def journey():
    built = Journey()
    yield built
    built.stop_travel()


def test_the_five_by_five_bands():
    """1–4 low, 5–12 medium, 15–25 high: every product of two numbers 1 to 5 falls in one band."""
    assert {score: rating_of(score) for score in (1, 4, 5, 12, 15, 25)} == {
        1: Rating.LOW, 4: Rating.LOW, 5: Rating.MEDIUM, 12: Rating.MEDIUM, 15: Rating.HIGH, 25: Rating.HIGH}
    assert {a * b for a in range(1, 6) for b in range(1, 6)} & {13, 14} == set()


def test_a_risk_is_raised_on_a_competition_with_its_first_assessment(journey):
    risk = _raise(journey.commissioner, "competition", journey.competition)
    risk.refresh_from_db()
    assert (risk.score, risk.rating, risk.status) == (20, Rating.HIGH, RiskStatus.OPEN)
    assert [(r.likelihood, r.impact, r.note) for r in risk.reviews.all()] == [(4, 5, "Raised")]
    assert list(selectors.risk_list(journey.procurement, subject="competition", subject_id=journey.competition.pk)) == [risk]


def test_reassessing_keeps_the_trend_and_can_change_the_owner(journey):
    risk = _raise(journey.commissioner, "competition", journey.competition)
    services.risk_reassess(actor=journey.procurement, risk=risk, likelihood=2, impact=5, proximity="medium", note="Staff list received",
                           owner=journey.procurement)
    risk.refresh_from_db()
    assert (risk.score, risk.owner, risk.proximity) == (10, journey.procurement, "medium")
    assert [r.score for r in risk.reviews.all()] == [20, 10]


def test_an_owner_must_be_able_to_read_the_record(journey):
    """The bid team, or staff outside the competition's wall, cannot own its risk: the inbox would carry it across."""
    outsider = UserFactory(roles=[Role.COMMISSIONER])
    bid_team = UserFactory(roles=[Role.BID_TEAM])
    for owner in (outsider, bid_team):
        with pytest.raises(ValidationError) as refused:
            _raise(journey.commissioner, "competition", journey.competition, owner=owner)
        assert refused.value.message_dict == {"owner": ["Choose an owner who may read this record's risks."]}
    assert not Risk.objects.exists()


def test_only_the_records_readers_with_a_risk_role_manage_its_risks(journey):
    for actor in (UserFactory(roles=[Role.COMMISSIONER]), UserFactory(roles=[Role.BID_TEAM]), UserFactory(roles=[Role.OVERSIGHT])):
        with pytest.raises(PermissionDenied):
            _raise(actor, "competition", journey.competition, owner=journey.commissioner)
    assert not Risk.objects.exists()


def test_mitigations_escalation_and_closing(journey):
    risk = _raise(journey.commissioner, "competition", journey.competition)
    mitigation = services.mitigation_add(actor=journey.commissioner, risk=risk, action="Ask the incumbent for the staff list",
                                         owner=journey.procurement, due_on=timezone.localdate() + datetime.timedelta(days=7))
    with pytest.raises(ValidationError, match="cannot be in the future"):
        services.mitigation_complete(actor=journey.commissioner, mitigation=mitigation, done_on=timezone.localdate() + datetime.timedelta(days=1))
    services.mitigation_complete(actor=journey.commissioner, mitigation=mitigation, done_on=timezone.localdate())
    with pytest.raises(ValidationError) as no_reason:
        services.risk_escalate(actor=journey.commissioner, risk=risk, reason=" ")
    assert list(no_reason.value.message_dict) == ["reason"]
    services.risk_escalate(actor=journey.commissioner, risk=risk, reason="Threatens the go-live date of a major project")
    assert list(selectors.risk_list(journey.commissioner, escalated=True)) == [risk]
    with pytest.raises(ValidationError, match="already escalated"):
        services.risk_escalate(actor=journey.commissioner, risk=risk, reason="Again")
    services.risk_close(actor=journey.commissioner, risk=risk, note="Staff list received and checked")
    with pytest.raises(ValidationError, match="is closed: it cannot be changed"):
        services.risk_reassess(actor=journey.commissioner, risk=risk, likelihood=1, impact=1, proximity="distant")
    assert list(selectors.risk_list(journey.commissioner)) == []
    assert list(selectors.risk_list(journey.commissioner, status="")) == [risk]


def test_the_database_holds_a_risk_to_one_record_and_a_score_of_one_to_five(journey):
    cycle = _cycle(journey.commissioner)
    base = {"title": "T", "description": "D", "owner": journey.commissioner, "proximity": "near", "raised_by": journey.commissioner}
    for wrong in ({"cycle": cycle, "competition": journey.competition, "likelihood": 1, "impact": 1},
                  {"likelihood": 1, "impact": 1},
                  {"cycle": cycle, "likelihood": 6, "impact": 1}):
        with pytest.raises(IntegrityError), transaction.atomic():
            Risk.objects.create(**base, **wrong)


def test_high_risks_and_mitigations_due_come_to_their_owners(journey):
    risk = _raise(journey.commissioner, "competition", journey.competition, owner=journey.procurement)
    _raise(journey.commissioner, "competition", journey.competition, owner=journey.procurement, title="Low", likelihood=1, impact=2)
    services.mitigation_add(actor=journey.commissioner, risk=risk, action="Chase the staff list", owner=journey.procurement,
                            due_on=timezone.localdate() + datetime.timedelta(days=3))
    inbox = inbox_for(journey.procurement)
    risk_tasks = [t.title for t in inbox.decisions + inbox.deadlines if t.area == "Risks and issues"]
    assert risk_tasks == [f"Review high risk R{risk.pk} (20): Staff may not transfer under TUPE",
                          f"Mitigation of R{risk.pk} due: Chase the staff list"]
    assert not [t for t in inbox_for(journey.commissioner).decisions if t.area == "Risks and issues"]


def test_a_competitions_open_risks_pass_to_the_agreement_its_award_creates():
    journey = Journey()
    try:
        risk = _raise(journey.commissioner, "competition", journey.competition)
        services.mitigation_add(actor=journey.commissioner, risk=risk, action="Ask for the staff list", owner=journey.procurement,
                                due_on=timezone.localdate() + datetime.timedelta(days=60))
        closed = _raise(journey.commissioner, "competition", journey.competition, title="Passed")
        services.risk_close(actor=journey.commissioner, risk=closed, note="Passed")
        journey.advance_to(State.AWARDED)
        agreement = Agreement.objects.get(competition=journey.competition)
        carried = Risk.objects.get(agreement=agreement)
        risk.refresh_from_db()
        assert (carried.carried_from, carried.title, carried.score, risk.status) == (risk, risk.title, 20, RiskStatus.CLOSED)
        assert risk.closing_note == f"Carried to the agreement as R{carried.pk}"
        assert [m.action for m in carried.mitigations.all()] == ["Ask for the staff list"]
    finally:
        journey.stop_travel()


# --- the wall, the pages and the API -------------------------------------------------------------------

def test_the_bid_team_finds_no_competition_risk_on_any_channel(journey):
    risk = _raise(journey.commissioner, "competition", journey.competition)
    bid_team = UserFactory(roles=[Role.BID_TEAM])
    page, api = Client(), APIClient()
    page.force_login(bid_team)
    api.force_authenticate(bid_team)
    for path in (f"/risks/competition/{journey.competition.pk}/", f"/risks/{risk.pk}/", "/risks/", f"/api/v1/risks/{risk.pk}/"):
        client = api if path.startswith("/api/") else page
        assert client.get(path).status_code == 404, path
        assert AuditEvent.objects.filter(action="refused", actor=bid_team, path=path).exists(), path
    assert api.get("/api/v1/risks/").json()["results"] == []
    assert "Risks" not in page.get("/").content.decode().split("<main")[0]  # not offered in the navigation


def test_a_commissioner_raises_mitigates_and_escalates_through_the_pages(journey):
    page = Client()
    page.force_login(journey.commissioner)
    register = f"/risks/competition/{journey.competition.pk}/"
    assert "Risks and issues" in page.get(f"/competitions/{journey.competition.pk}/").content.decode()
    assert "Raise a risk or issue" in page.get(register).content.decode()
    refused = page.post(f"{register}raise/", {"kind": "risk", "title": "", "description": "x", "owner": journey.commissioner.pk,
                                              "likelihood": "9", "impact": "3", "proximity": "near"})
    assert refused.status_code == 400 and not Risk.objects.exists()
    text = refused.content.decode()
    assert "Enter title" in text and "Select likelihood from the list" in text
    raised = page.post(f"{register}raise/", {"kind": "issue", "title": "Premises lease not signed", "description": "The landlord delays.",
                                             "owner": journey.procurement.pk, "likelihood": "5", "impact": "3", "proximity": "imminent"})
    risk = Risk.objects.get()
    assert raised.status_code == 302 and raised["Location"] == f"/risks/{risk.pk}/"
    due = timezone.localdate() + datetime.timedelta(days=5)
    page.post(f"/risks/{risk.pk}/mitigate/", {"action": "Escalate to the landlord's agent", "owner": journey.commissioner.pk,
                                             "due_on_day": due.day, "due_on_month": due.month, "due_on_year": due.year})
    page.post(f"/risks/{risk.pk}/escalate/", {"reason": "The service cannot open without premises"})
    detail = page.get(f"/risks/{risk.pk}/").content.decode()
    assert "Escalate to the landlord" in detail and "Escalated" in detail and "15 High" in detail
    portfolio = page.get("/risks/?escalated=1").content.decode()
    assert "Premises lease not signed" in portfolio and "Heat map: 1 open" in portfolio


def test_risks_on_cycles_and_agreements_are_read_by_their_readers(people, journey):
    cycle = _cycle(journey.commissioner)
    cycle_risk = _raise(journey.commissioner, "cycle", cycle)
    agreement = make_agreement(people)
    agreement_risk = _raise(people["manager"], "agreement", agreement, title="Provider's finances weak")
    api = APIClient()
    api.force_authenticate(people["oversight"])
    assert {row["id"] for row in api.get("/api/v1/risks/").json()["results"]} == {cycle_risk.pk, agreement_risk.pk}
    assert [row["id"] for row in api.get(f"/api/v1/risks/?agreement={agreement.pk}").json()["results"]] == [agreement_risk.pk]
    assert api.get("/api/v1/risks/?agreement=1&cycle=2").status_code == 400
    api.force_authenticate(people["manager"])  # a contract manager reads agreements, not cycles
    assert [row["id"] for row in api.get("/api/v1/risks/").json()["results"]] == [agreement_risk.pk]


def test_pages_and_the_api_list_read_risks_in_a_fixed_number_of_queries(journey):
    def queries(path, client):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            assert client.get(path).status_code == 200
        return len(captured)

    page, api = Client(), APIClient()
    page.force_login(journey.commissioner)
    api.force_authenticate(journey.commissioner)
    paths = ["/risks/", f"/risks/competition/{journey.competition.pk}/", "/api/v1/risks/"]
    _raise(journey.commissioner, "competition", journey.competition)
    few = [queries(p, api if p.startswith("/api/") else page) for p in paths]
    for n in range(4):
        risk = _raise(journey.commissioner, "competition", journey.competition, title=f"Risk {n}", owner=journey.procurement)
        services.mitigation_add(actor=journey.commissioner, risk=risk, action="Act", owner=journey.procurement, due_on=timezone.localdate())
    assert [queries(p, api if p.startswith("/api/") else page) for p in paths] == few


def test_a_mitigation_is_marked_done_and_a_risk_closed_through_the_pages(journey):
    risk = _raise(journey.commissioner, "competition", journey.competition)
    mitigation = services.mitigation_add(actor=journey.commissioner, risk=risk, action="Chase the staff list", owner=journey.commissioner,
                                         due_on=timezone.localdate())
    page = Client()
    page.force_login(journey.procurement)
    today = timezone.localdate()
    done = page.post(f"/risks/{risk.pk}/mitigations/{mitigation.pk}/done/",
                     {"done_on_day": today.day, "done_on_month": today.month, "done_on_year": today.year})
    assert done.status_code == 302
    mitigation.refresh_from_db()
    assert mitigation.done_on == today
    empty = page.post(f"/risks/{risk.pk}/close/", {"note": ""})
    assert empty.status_code == 400 and "Enter why it is closed" in empty.content.decode()
    assert page.post(f"/risks/{risk.pk}/close/", {"note": "List received"}).status_code == 302
    risk.refresh_from_db()
    assert (risk.status, risk.closing_note) == (RiskStatus.CLOSED, "List received")
    assert "Reassess" not in page.get(f"/risks/{risk.pk}/").content.decode()  # nothing offered on a closed risk
    assert page.get(f"/risks/{risk.pk}/nonsense/").status_code == 404


def test_the_inbox_reads_risks_in_a_fixed_number_of_queries(journey):
    from tests.core.queries import inbox_queries

    _raise(journey.commissioner, "competition", journey.competition, owner=journey.procurement)
    one = inbox_queries(journey.procurement)
    for n in range(4):
        risk = _raise(journey.commissioner, "competition", journey.competition, owner=journey.procurement, title=f"Risk {n}")
        services.mitigation_add(actor=journey.commissioner, risk=risk, action="Act", owner=journey.procurement, due_on=timezone.localdate())
    assert inbox_queries(journey.procurement) == one


def test_the_portfolio_lists_escalated_risks_first_then_by_score(journey):
    high = _raise(journey.commissioner, "competition", journey.competition, title="High and local")
    low = _raise(journey.commissioner, "competition", journey.competition, title="Low but escalated", likelihood=1, impact=3)
    services.risk_escalate(actor=journey.commissioner, risk=low, reason="Affects the whole programme")
    page = Client()
    page.force_login(journey.commissioner)
    text = page.get("/risks/").content.decode()
    assert text.index(low.title) < text.index(high.title)
