"""Fixtures for the API's contract tests: demo data, and callers with API tokens."""

import io
from dataclasses import dataclass

import pytest
from django.core.management import call_command
from django.db import transaction
from rest_framework.authtoken.models import Token

from core.models import User
from core.roles import Role


@dataclass(frozen=True)
class Caller:
    role: Role
    user: User
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Token {self.token}"}


def caller(username: str, role: Role) -> Caller:
    """A demo user of this role, with an API token."""
    user = User.objects.get(username=username)
    assert user.has_role(role), (username, role)
    return Caller(role=role, user=user, token=Token.objects.get_or_create(user=user)[0].key)


@pytest.fixture(scope="package")
def demo_data(django_db_setup, django_db_blocker):
    """The demo data of SPEC §7 (competitions in every state, cycles, agreements, one user per role),
    loaded once for this folder's tests, each of which uses `db`.

    It takes 20 seconds or more, too long to load for each of many tests: so it is loaded in a
    transaction of its own, rolled back after the folder's last test, and each test's `db` runs
    in a savepoint inside it (what a test writes is undone before the next). So no test here may
    use `transactional_db`, which would empty the database under it.
    """
    with django_db_blocker.unblock():
        with transaction.atomic():
            call_command("seed_demo", stdout=io.StringIO())
            yield
            transaction.set_rollback(True)
