"""Supplier API tokens (issue #18): issued by the organisation's administrator, scoped as their holder is.

A provider's system submits returns through `POST /api/v1/returns/` with its contract lead's token,
reads its own organisation's returns and measures, and nothing of any other provider's.
"""

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from contracts import performance
from contracts.models import Return
from core.roles import Role
from ethical_walls.models import AuditEvent
from suppliers import services
from tests.contracts.test_pages import add_measure
from tests.contracts.test_provider import _other_providers_agreement
from tests.contracts.test_services import framework_agreement, make_live
from tests.core.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def provider(people):
    live = make_live(framework_agreement(people), people)
    admin = UserFactory(roles=[Role.SUPPLIER_ADMINISTRATOR], organisation=live.provider)
    system = UserFactory(roles=[Role.CONTRACT_LEAD], organisation=live.provider, first_name="Returns", last_name="System")
    return live, admin, system


def _api(key):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_the_administrator_issues_a_token_shown_once_and_the_providers_system_submits_returns_with_it(client, provider, people):
    live, admin, system = provider
    client.force_login(admin)
    assert f"/suppliers/organisation/people/{system.pk}/token/" in client.get("/suppliers/organisation/").content.decode()
    page = client.post(f"/suppliers/organisation/people/{system.pk}/token/").content.decode()
    key = system.auth_token.key
    assert key in page and "not shown again" in page
    assert AuditEvent.objects.filter(action="grant", actor=admin, object_type="authtoken.token").exists()

    api = _api(key)
    measure = live.measures.first()
    period = performance.awaited(measure, live.start_date, timezone.localdate())[0]
    created = api.post("/api/v1/returns/", {"measure": measure.pk, "period_start": period.isoformat(), "value": "81.5"}, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["status"] == "submitted" and created.json()["submitted_by"]["name"] == "Returns System"
    assert Return.objects.get(pk=created.json()["id"]).status == Return.Status.SUBMITTED  # awaits the contract manager
    listed = api.get("/api/v1/returns/").json()["results"]
    assert [row["id"] for row in listed] == [created.json()["id"]]
    assert {row["agreement"] for row in api.get("/api/v1/measures/").json()["results"]} == {live.pk}
    bad = api.post("/api/v1/returns/", {"measure": measure.pk, "period_start": "2999-01-01", "value": "-1"}, format="json")
    assert bad.status_code == 400 and "period_start" in str(bad.json())


def test_a_token_reaches_nothing_of_another_provider(provider, people):
    live, admin, system = provider
    other = _other_providers_agreement(people)
    other_measure = add_measure(other, people, name="Mentoring sessions held")
    api = _api(services.colleague_token_issue(user=system, actor=admin))
    refused = api.post("/api/v1/returns/", {"measure": other_measure.pk, "period_start": "2026-01-01", "value": "1"}, format="json")
    assert refused.status_code == 400 and "measure" in str(refused.json())
    assert api.get(f"/api/v1/measures/{other_measure.pk}/").status_code == 404
    assert api.get(f"/api/v1/agreements/{other.pk}/").status_code == 404
    assert AuditEvent.objects.filter(action="refused", actor=system, channel="api").exists()
    assert all(row["agreement"] == live.pk for row in api.get("/api/v1/returns/").json()["results"])


def test_only_the_organisations_administrator_issues_and_a_removed_or_revoked_colleagues_token_stops(client, provider, people):
    live, admin, system = provider
    stranger_admin = UserFactory(roles=[Role.SUPPLIER_ADMINISTRATOR], organisation=_other_providers_agreement(people).provider)
    client.force_login(stranger_admin)
    assert client.post(f"/suppliers/organisation/people/{system.pk}/token/").status_code == 404
    client.force_login(system)  # not an administrator
    assert client.post(f"/suppliers/organisation/people/{system.pk}/token/").status_code == 404
    key = services.colleague_token_issue(user=system, actor=admin)
    assert _api(key).get("/api/v1/returns/").status_code == 200
    client.force_login(admin)
    client.post(f"/suppliers/organisation/people/{system.pk}/token/", {"revoke": "1"})
    assert _api(key).get("/api/v1/returns/").status_code == 401
    key = services.colleague_token_issue(user=system, actor=admin)
    services.colleague_remove(user=system, actor=admin)
    assert _api(key).get("/api/v1/returns/").status_code == 401
