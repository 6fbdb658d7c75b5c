"""API tokens: issued and revoked by command and admin, tied to a user (and so to the wall), audited, rate limited per token."""

import io

import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from core.roles import Role
from ethical_walls.models import AuditEvent
from tests.api import problem
from tests.core.factories import UserFactory

pytestmark = pytest.mark.django_db


def command(*args) -> str:
    out = io.StringIO()
    call_command("api_token", *args, stdout=out)
    return out.getvalue().strip()


def token_client(key) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_a_token_issued_by_command_authenticates_as_its_user_and_revoking_it_locks_the_system_out():
    user = UserFactory(username="moj-procurement-system", roles=[Role.PROCUREMENT])
    key = command("issue", "moj-procurement-system")
    assert Token.objects.get(user=user).key == key
    assert token_client(key).get("/api/v1/organisations/").status_code == 200

    assert command("revoke", "moj-procurement-system") == "Revoked the API token of moj-procurement-system."
    problem(token_client(key).get("/api/v1/organisations/"), 401)
    assert list(AuditEvent.objects.filter(object_type="authtoken.token").order_by("pk").values_list("action", "subject__username")) == [
        ("grant", "moj-procurement-system"), ("revoke", "moj-procurement-system"),
    ]


def test_issuing_again_replaces_the_old_token():
    UserFactory(username="system", roles=[Role.PROCUREMENT])
    old, new = command("issue", "system"), command("issue", "system")
    assert old != new and Token.objects.count() == 1
    problem(token_client(old).get("/api/v1/organisations/"), 401)


def test_the_command_names_what_is_wrong():
    with pytest.raises(CommandError, match="There is no user called 'nobody'"):
        command("issue", "nobody")
    UserFactory(username="idle", roles=[Role.PROCUREMENT])
    with pytest.raises(CommandError, match="idle has no API token"):
        command("revoke", "idle")
    UserFactory(username="gone", is_active=False)
    with pytest.raises(CommandError, match="gone is not active"):
        command("issue", "gone")
    assert not Token.objects.exists()


def test_the_list_shows_holders_and_roles_but_never_keys():
    UserFactory(username="system", roles=[Role.PROCUREMENT])
    key = command("issue", "system")
    listing = command("list")
    assert "system" in listing and Role.PROCUREMENT in listing and key not in listing


def test_a_bid_team_token_is_walled_like_its_user():
    UserFactory(username="hmps-bid-system", roles=[Role.BID_TEAM])
    client = token_client(command("issue", "hmps-bid-system"))
    problem(client.get("/api/v1/agreements/1/"), 404)
    assert client.get("/api/v1/agreements/").json()["count"] == 0


def test_the_admin_issues_and_revokes_tokens_through_the_audited_service(client):
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    holder = UserFactory(username="system", roles=[Role.PROCUREMENT])
    client.force_login(admin)
    response = client.post("/admin/authtoken/tokenproxy/add/", {"user": holder.pk}, follow=True)
    token = Token.objects.get(user=holder)
    assert token.key in response.content.decode()  # shown once, to hand to the system
    response = client.post(f"/admin/authtoken/tokenproxy/{holder.pk}/delete/", {"post": "yes"}, follow=True)
    assert response.status_code == 200 and not Token.objects.exists()
    assert list(AuditEvent.objects.filter(object_type="authtoken.token").order_by("pk").values_list("action", "actor__username")) == [
        ("grant", "root"), ("revoke", "root"),
    ]


def test_each_token_has_its_own_rate_limit_and_the_refusal_is_a_problem_with_retry_after(settings):
    settings.API_RATE_LIMIT = "3/minute"
    cache.clear()
    UserFactory(username="first", roles=[Role.PROCUREMENT])
    UserFactory(username="second", roles=[Role.PROCUREMENT])
    first, second = token_client(command("issue", "first")), token_client(command("issue", "second"))
    assert [first.get("/api/v1/organisations/").status_code for _ in range(3)] == [200, 200, 200]
    refused = first.get("/api/v1/organisations/")
    body = problem(refused, 429)
    assert int(refused["Retry-After"]) > 0 and "throttled" in body["detail"]
    assert second.get("/api/v1/organisations/").status_code == 200  # the other system is not held back


def test_with_redis_the_rate_limit_costs_one_round_trip_and_keeps_its_sliding_window(own_redis, settings, monkeypatch):
    """Issue #22: one command a request, EVALSHA (REST framework's own throttle reads then writes); the same allowance and Retry-After."""
    import redis
    from redis.connection import Connection

    _, url = own_redis
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}}
    settings.API_RATE_LIMIT = "3/minute"
    UserFactory(username="first", roles=[Role.PROCUREMENT])
    UserFactory(username="second", roles=[Role.PROCUREMENT])
    first, second = token_client(command("issue", "first")), token_client(command("issue", "second"))
    server = redis.Redis.from_url(url)

    assert first.get("/api/v1/organisations/").status_code == 200  # the script loaded on first use
    sent = []
    send = Connection.send_command
    monkeypatch.setattr(Connection, "send_command", lambda connection, *args, **kwargs: sent.append(args[0]) or send(connection, *args, **kwargs))
    assert first.get("/api/v1/organisations/").status_code == 200
    monkeypatch.undo()
    assert sent == ["EVALSHA"]
    assert first.get("/api/v1/organisations/").status_code == 200
    refused = first.get("/api/v1/organisations/")
    body = problem(refused, 429)
    assert 55 <= int(refused["Retry-After"]) <= 60 and "throttled" in body["detail"]
    assert second.get("/api/v1/organisations/").status_code == 200  # the other system is not held back
    assert server.zcard(next(key for key in server.scan_iter("*throttle_token_token*") if str(Token.objects.get(user__username="first").pk).encode() in key)) == 3
