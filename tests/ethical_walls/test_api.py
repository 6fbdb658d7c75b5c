"""The wall's REST API: conflict declarations (declare, read, assess) and the oversight-only audit log."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from core.roles import Role
from ethical_walls import audit
from ethical_walls.models import AuditEvent, ConflictDeclaration
from tests.core.factories import UserFactory
from tests.ethical_walls.conftest import declare

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def problem(response, status: int) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM
    return response.json()


def people(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {row["user"]["name"] for row in response.json()["results"]}


# --- conflict declarations -----------------------------------------------------------------------------

def test_declaring_through_the_api_records_the_callers_own_declaration(journey):
    person = UserFactory(roles=[Role.COMMISSIONER])
    # The competition is not launched: it exists for this person only once they are asked to join it.
    from ethical_walls import services as wall_services

    wall_services.wall_invite(competition=journey.competition, user=person, role="evaluator", actor=journey.commissioner)
    response = client_for(person).post(
        "/api/v1/conflict-declarations/",
        {"competition": journey.competition.pk, "nature": "conflict", "details": "Former Serco employee."}, format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["user"]["id"] == person.pk and body["competition_reference"] == journey.competition.reference
    assert body["nature"] == "conflict" and body["assessment"] == "pending" and body["assessed_by"] is None
    assert ConflictDeclaration.objects.get(pk=body["id"]).user == person


def test_a_declaration_refused_by_the_service_answers_400_by_field_and_records_nothing(journey):
    person = UserFactory(roles=[Role.COMMISSIONER])
    from ethical_walls import services as wall_services

    wall_services.wall_invite(competition=journey.competition, user=person, role="evaluator", actor=journey.commissioner)
    api = client_for(person)
    body = problem(api.post("/api/v1/conflict-declarations/", {"competition": journey.competition.pk, "nature": "conflict"}, format="json"), 400)
    assert body["errors"] == {"details": ["Describe the interest."]}
    assert not ConflictDeclaration.objects.filter(user=person).exists()


@pytest.mark.parametrize("role", [Role.BID_TEAM, Role.COMMISSIONER, Role.CONTRACT_MANAGER, Role.GATEWAY_REVIEWER])
def test_declaring_in_a_competition_the_caller_cannot_see_is_refused(journey, role):
    """Not launched, and nobody asked them: for them it does not exist (no declaration, no access — and no knowing of it)."""
    person = UserFactory(roles=[role])
    body = problem(client_for(person).post(
        "/api/v1/conflict-declarations/", {"competition": journey.competition.pk, "nature": "nil"}, format="json",
    ), 400)
    assert "competition" in body["errors"]
    assert not ConflictDeclaration.objects.filter(user=person).exists()


def asked_to_declare(journey, person):
    from ethical_walls import services as wall_services

    wall_services.wall_invite(competition=journey.refresh(), user=person, role="evaluator", actor=journey.commissioner)


def test_the_register_reads_as_the_selector_allows(with_sro, oversight_user):
    person = UserFactory(roles=[Role.COMMISSIONER], first_name="Connie", last_name="Flict")
    asked_to_declare(with_sro, person)
    declare(with_sro, person, "conflict", "Shares in Serco.")
    everyone = {str(u) for u in (with_sro.commissioner, with_sro.procurement, with_sro.second_evaluator, with_sro.reviewer, with_sro.sro, person)}
    assert people(client_for(oversight_user).get("/api/v1/conflict-declarations/")) == everyone
    assert people(client_for(with_sro.sro).get("/api/v1/conflict-declarations/")) == everyone
    assert people(client_for(person).get("/api/v1/conflict-declarations/")) == {"Connie Flict"}
    api = client_for(oversight_user)
    assert people(api.get("/api/v1/conflict-declarations/", {"assessment": "pending"})) == {"Connie Flict"}
    assert people(api.get("/api/v1/conflict-declarations/", {"competition": with_sro.competition.pk + 1})) == set()
    body = problem(api.get("/api/v1/conflict-declarations/", {"assessment": "maybe"}), 400)
    assert "assessment" in body["errors"]


def test_ones_own_declaration_is_read_while_its_competition_is_theirs_to_see(with_sro):
    """Asked to declare (the request opens the draft to them), declared a conflict, mitigated (on the side), removed
    (a draft they have no part in: gone for them, their declaration too), launched (public: back)."""
    from competitions.models import State
    from ethical_walls import services as wall_services
    from ethical_walls.models import Membership

    person = UserFactory(roles=[Role.COMMISSIONER], first_name="Connie", last_name="Flict")

    def own_register():
        fresh = type(person).objects.get(pk=person.pk)  # nothing cached on the user from an earlier request
        return people(client_for(fresh).get("/api/v1/conflict-declarations/"))

    asked_to_declare(with_sro, person)
    declared = declare(with_sro, person, "conflict", "Shares in Serco.")
    assert own_register() == {"Connie Flict"}
    wall_services.conflict_assess(declaration=declared, actor=with_sro.sro, outcome="mitigated", conditions="Sells the shares first.")
    assert Membership.objects.filter(user=person, left_at=None).exists()
    assert own_register() == {"Connie Flict"}
    wall_services.wall_leave(member=Membership.objects.get(user=person, left_at=None), actor=with_sro.commissioner)
    assert own_register() == set()
    with_sro.advance_to(State.PRE_QUALIFICATION)
    assert own_register() == {"Connie Flict"}


def test_a_declaration_the_caller_may_not_read_answers_404_and_is_logged(journey):
    someone_else = ConflictDeclaration.objects.get(user=journey.procurement)
    outsider = UserFactory(roles=[Role.COMMISSIONER])
    path = f"/api/v1/conflict-declarations/{someone_else.pk}/"
    body = problem(client_for(outsider).get(path), 404)
    assert body["detail"] == "Not found."
    assert AuditEvent.objects.filter(action="refused", channel="api", actor=outsider, path=path, object_type="ethical_walls.conflictdeclaration").exists()


def test_the_register_list_takes_the_same_queries_for_one_declaration_or_many(with_sro, oversight_user):
    def count():
        api = client_for(type(oversight_user).objects.get(pk=oversight_user.pk))  # nothing cached on the user
        with CaptureQueriesContext(connection) as queries:
            assert api.get("/api/v1/conflict-declarations/").status_code == 200
        return len(queries)

    before = count()
    for n in range(20):
        declare(with_sro, UserFactory(roles=[Role.COMMISSIONER]), "conflict", f"Interest {n}")
    assert count() == before


def test_the_sro_assesses_a_conflict(with_sro):
    person = UserFactory(roles=[Role.COMMISSIONER])
    declaration = declare(with_sro, person, "conflict", "Shares in Serco.")
    url = f"/api/v1/conflict-declarations/{declaration.pk}/assess/"
    api = client_for(with_sro.sro)
    body = problem(api.post(url, {"outcome": "mitigated"}, format="json"), 400)
    assert body["errors"] == {"conditions": ["State the conditions that mitigate the conflict."]}
    response = api.post(url, {"outcome": "mitigated", "conditions": "Sell the shares."}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["assessment"] == "mitigated" and body["conditions"] == "Sell the shares." and body["assessed_by"]["id"] == with_sro.sro.pk


def test_only_the_sro_assesses_and_an_unreadable_declaration_is_404(with_sro):
    person = UserFactory(roles=[Role.COMMISSIONER])
    asked_to_declare(with_sro, person)
    declaration = declare(with_sro, person, "conflict", "Shares in Serco.")
    url = f"/api/v1/conflict-declarations/{declaration.pk}/assess/"
    body = problem(client_for(person).post(url, {"outcome": "excluded"}, format="json"), 403)
    assert body["detail"] == "Only the competition's SRO assesses declared conflicts."
    problem(client_for(with_sro.procurement).post(url, {"outcome": "excluded"}, format="json"), 404)
    declaration.refresh_from_db()
    assert declaration.assessment == "pending"


# --- the audit log -----------------------------------------------------------------------------------

def test_oversight_reads_and_filters_the_audit_log(journey, oversight_user):
    audit.refused(actor=journey.procurement, channel=audit.Channel.PAGE, object_type="competitions.bid", object_id="1", competition_id=journey.competition.pk)
    api = client_for(oversight_user)
    response = api.get("/api/v1/audit-events/")
    assert response.status_code == 200 and response.json()["count"] == AuditEvent.objects.count()
    refused = api.get("/api/v1/audit-events/", {"action": "refused"}).json()["results"]
    assert [e["object_type"] for e in refused] == ["competitions.bid"] and refused[0]["actor"]["id"] == journey.procurement.pk
    assert {e["channel"] for e in api.get("/api/v1/audit-events/", {"channel": "service"}).json()["results"]} == {"service"}
    assert api.get("/api/v1/audit-events/", {"competition": journey.competition.pk + 1}).json()["count"] == 0
    event = refused[0]
    assert api.get(f"/api/v1/audit-events/{event['id']}/").json()["path"] == event["path"]
    problem(api.get("/api/v1/audit-events/", {"channel": "carrier-pigeon"}), 400)


@pytest.mark.parametrize("role", [Role.COMMISSIONER, Role.SRO, Role.PROCUREMENT, Role.BID_TEAM])
def test_the_audit_log_is_empty_and_its_events_404_for_everyone_else(journey, user_with_role, role):
    user = user_with_role(role, is_staff=True, is_superuser=True)  # not even a superuser sees it
    event = AuditEvent.objects.first()
    api = client_for(user)
    response = api.get("/api/v1/audit-events/")
    assert response.status_code == 200 and response.json()["count"] == 0
    problem(api.get(f"/api/v1/audit-events/{event.pk}/"), 404)
    assert AuditEvent.objects.filter(action="refused", actor=user, object_id=str(event.pk)).exists()


def test_the_audit_log_cannot_be_written_through_the_api(journey, oversight_user):
    event = AuditEvent.objects.first()
    api = client_for(oversight_user)
    assert api.post("/api/v1/audit-events/", {"action": "grant"}, format="json").status_code == 405
    assert api.delete(f"/api/v1/audit-events/{event.pk}/").status_code == 405
    assert api.patch(f"/api/v1/audit-events/{event.pk}/", {"detail": "x"}, format="json").status_code == 405
