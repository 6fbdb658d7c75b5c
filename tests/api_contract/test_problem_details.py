"""What Schemathesis found, kept as plain tests: each answer is a documented problem detail."""

import json

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from core.api.serializers import MAX_ID
from core.roles import Role
from ethical_walls.models import AuditEvent
from tests.api import client_for, problem

pytestmark = pytest.mark.django_db


@pytest.fixture
def procurement(user_with_role):
    return user_with_role(Role.PROCUREMENT)


@pytest.mark.parametrize("collection", ["competitions", "cycles", "agreements", "measures", "bids", "audit-events", "organisations"])
def test_an_id_that_is_not_a_number_answers_404_as_problem_details(procurement, collection):
    # It used to miss the route ([0-9]+, or no dots) and get the HTML "Page not found".
    problem(client_for(procurement).get(f"/api/v1/{collection}/0.5/"), 404)
    problem(client_for(procurement).get(f"/api/v1/{collection}/%C2%84/"), 404)


def test_a_refused_look_up_by_a_malformed_id_is_logged_like_any_other(procurement):
    problem(client_for(procurement).get("/api/v1/competitions/abc/"), 404)
    assert AuditEvent.objects.filter(action=AuditEvent.Action.REFUSED, object_id="abc").exists()


def test_an_id_beyond_64_bits_in_a_filter_answers_400_naming_the_parameter(procurement):
    # SQLite could not compare it with a foreign key: a server error before.
    body = problem(client_for(procurement).get("/api/v1/agreements/", {"provider": MAX_ID + 1}), 400)
    assert list(body["errors"]) == ["provider"]
    assert client_for(procurement).get("/api/v1/agreements/", {"provider": MAX_ID}).status_code == 200


def test_an_unknown_sector_answers_400(procurement):
    body = problem(client_for(procurement).get("/api/v1/organisations/", {"sector": "guild"}), 400)
    assert list(body["errors"]) == ["sector"]


def test_a_body_that_is_not_json_answers_400_with_errors(procurement):
    response = client_for(procurement).generic("POST", "/api/v1/competitions/", "{not json", content_type="application/json")
    body = problem(response, 400)
    assert body["type"] == "urn:noms-commissioning:problem:invalid-input" and body["errors"]["non_field_errors"]


def test_no_token_answers_401_saying_how_to_authenticate(db):
    response = APIClient().get("/api/v1/competitions/")
    problem(response, 401)
    assert response["WWW-Authenticate"] == "Token"


def test_the_schema_documents_the_framework_errors_of_every_operation(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--format", "openapi-json", "--file", str(tmp_path / "schema.json"))
    paths = json.loads((tmp_path / "schema.json").read_text())["paths"]
    launch = paths["/api/v1/competitions/{id}/launch/"]["post"]["responses"]
    assert {"400", "401", "403", "404", "409", "415", "429"} <= set(launch)
    assert "WWW-Authenticate" in launch["401"]["headers"] and "ETag" in launch["200"]["headers"]
    listing = paths["/api/v1/competitions/"]["get"]["responses"]
    assert {"400", "401", "404", "429"} <= set(listing) and "403" not in listing
    assert all("application/problem+json" in listing[status]["content"] for status in ("400", "401", "404", "429"))
