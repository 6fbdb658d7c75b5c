"""API token look-ups kept in the cache (issue #22), and forgotten the moment the token, its user or their roles change."""

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from core.api.authentication import cache_key
from core.roles import Role
from ethical_walls.tokens import token_issue, token_revoke
from tests.api import problem
from tests.conftest import free_port
from tests.core.factories import UserFactory

pytestmark = pytest.mark.django_db
AUDIT_LOG = "/api/v1/audit-events/"  # oversight reads the log; anyone else is shown an empty list


@pytest.fixture
def kept(settings):
    settings.API_TOKEN_CACHE_SECONDS = 60
    cache.clear()


def client_for(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def oversight_with_token():
    user = UserFactory(username="auditor", roles=[Role.OVERSIGHT])
    return user, token_issue(user=user).key


def tables_read(client) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(AUDIT_LOG)
    return response, [query["sql"] for query in queries]


def test_a_kept_token_is_answered_without_reading_the_token_or_the_roles_again(kept):
    _, key = oversight_with_token()
    client = client_for(key)
    first, first_sql = tables_read(client)
    again, again_sql = tables_read(client)
    assert first.status_code == again.status_code == 200
    assert first.json()["count"] == again.json()["count"] == 1  # the token's issue, seen as oversight both times
    assert any("authtoken_token" in sql for sql in first_sql) and any("auth_group" in sql for sql in first_sql)
    assert not any("authtoken_token" in sql or "auth_group" in sql for sql in again_sql)
    assert len(again_sql) == len(first_sql) - 2


def test_without_the_setting_every_request_reads_the_token(settings):
    settings.API_TOKEN_CACHE_SECONDS = 0
    _, key = oversight_with_token()
    client = client_for(key)
    for _ in range(2):
        _, sql = tables_read(client)
        assert any("authtoken_token" in statement for statement in sql)


def test_revoking_or_rotating_a_kept_token_locks_it_out_on_the_next_request(kept):
    user, key = oversight_with_token()
    assert client_for(key).get(AUDIT_LOG).status_code == 200
    new_key = token_issue(user=user).key  # rotation deletes the old token
    problem(client_for(key).get(AUDIT_LOG), 401)
    assert client_for(new_key).get(AUDIT_LOG).status_code == 200
    token_revoke(user=user)
    problem(client_for(new_key).get(AUDIT_LOG), 401)


def test_deactivating_or_deleting_the_user_locks_a_kept_token_out(kept):
    user, key = oversight_with_token()
    assert client_for(key).get(AUDIT_LOG).status_code == 200
    user.is_active = False
    user.save()
    problem(client_for(key).get(AUDIT_LOG), 401)

    other = UserFactory(username="second", roles=[Role.OVERSIGHT])
    other_key = token_issue(user=other).key
    assert client_for(other_key).get(AUDIT_LOG).status_code == 200
    Token.objects.filter(user=other).delete()  # as deleting the user cascades to the token
    problem(client_for(other_key).get(AUDIT_LOG), 401)


@pytest.mark.parametrize("take_away", [
    lambda user, group: user.groups.remove(group),
    lambda user, group: user.groups.clear(),
    lambda user, group: group.user_set.remove(user),
    lambda user, group: group.user_set.clear(),
])
def test_a_role_taken_away_is_not_kept(kept, take_away):
    user, key = oversight_with_token()
    client = client_for(key)
    assert client.get(AUDIT_LOG).json()["count"] == 1
    take_away(user, Group.objects.get(name=Role.OVERSIGHT))
    assert client.get(AUDIT_LOG).json()["count"] == 0


def test_a_role_given_is_seen_at_once(kept):
    user = UserFactory(username="newcomer", roles=[Role.PROCUREMENT])
    client = client_for(token_issue(user=user).key)
    assert client.get(AUDIT_LOG).json()["count"] == 0
    Group.objects.get(name=Role.OVERSIGHT).user_set.add(user)
    assert client.get(AUDIT_LOG).json()["count"] == 1


def test_on_redis_the_cache_holds_no_usable_token_and_a_revocation_removes_the_entry_for_every_process(kept, own_redis, settings):
    import redis

    _, url = own_redis
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}}
    user, key = oversight_with_token()
    assert client_for(key).get(AUDIT_LOG).status_code == 200
    server = redis.Redis.from_url(url)
    entries = [name for name in server.scan_iter("*") if b"api-token" in name]  # the user and their roles, under a digest
    assert len(entries) == 1 and cache_key(key).encode() in entries[0]
    assert all(key.encode() not in name and key.encode() not in server.get(name) for name in entries)
    token_revoke(user=user)
    assert not server.exists(entries[0])  # another process reading Redis finds nothing kept
    problem(client_for(key).get(AUDIT_LOG), 401)


def test_with_the_cache_unreachable_tokens_are_read_from_the_database(kept, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
                                   "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2}}}
    user, key = oversight_with_token()
    assert client_for(key).get(AUDIT_LOG).status_code == 200
    token_revoke(user=user)
    problem(client_for(key).get(AUDIT_LOG), 401)
