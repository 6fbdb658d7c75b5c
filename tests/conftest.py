import importlib
import shutil
import socket
import subprocess
import time

import pytest
from django.apps import apps
from django.conf import settings

from core.roles import Role
from tests.competitions.journey import Journey
from tests.core.factories import UserFactory


def pytest_report_header(config):
    database = settings.DATABASES["default"]
    broker = ("Redis at " + settings.REDIS_URL if settings.REDIS_URL else "none") + "; unit tests run tasks eagerly"
    return [
        f"database: {database['ENGINE'].rsplit('.', 1)[-1]} ({database.get('HOST') or database['NAME']})",
        f"celery broker: {broker}",
    ]


@pytest.fixture
def user_with_role(db):
    """Make a signed-in-able user holding one role."""

    def make(role: Role, **fields):
        return UserFactory(roles=[role], **fields)

    return make


@pytest.fixture
def commissioner(user_with_role):
    return user_with_role(Role.COMMISSIONER)


@pytest.fixture
def bid_team_user(user_with_role):
    return user_with_role(Role.BID_TEAM)


@pytest.fixture
def people(db):
    """The agreement side's cast: who lets, manages, commissions and oversees agreements."""
    return {
        "procurement": UserFactory(roles=[Role.PROCUREMENT]),
        "manager": UserFactory(roles=[Role.CONTRACT_MANAGER]),
        "commissioner": UserFactory(roles=[Role.COMMISSIONER]),
        "oversight": UserFactory(roles=[Role.OVERSIGHT]),
    }


@pytest.fixture
def oversight_user(user_with_role):
    return user_with_role(Role.OVERSIGHT)


@pytest.fixture(autouse=True)
def reports_storage_per_test(settings, tmp_path):
    """Each test its own report storage: a PDF rendered by one test must not be found by the next."""
    settings.STORAGES = {**settings.STORAGES, "reports": {**settings.STORAGES["reports"], "OPTIONS": {"location": tmp_path / "reports", "base_url": None}}}


# The data migrations' seeding functions, each idempotent (get_or_create).
DATA_MIGRATIONS = [("core.migrations.0002_create_role_groups", "create_groups"), ("cycle.migrations.0002_outcomes_tree", "seed_tree"),
                   ("boards.migrations.0002_the_guides_bodies", "add_bodies")]


@pytest.fixture
def migrated_rows():
    """For a transactional test: the rows the data migrations made (role groups, the outcomes tree, the governance bodies).

    A transactional test's flush empties every table; Django recreates content types and
    permissions afterwards, but not what data migrations made.
    """
    for module, function in DATA_MIGRATIONS:
        getattr(importlib.import_module(module), function)(apps, None)



@pytest.fixture
def journey(db):
    """A 2023-regime competition in draft, with its commissioning side, walked by the services (time travel undone after)."""
    trip = Journey()
    yield trip
    trip.stop_travel()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def own_redis():
    """A Redis server of this test's own (not the CI's), which the test may stop."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail("redis-server is not installed: the machine's Redis package provides it")
    port = free_port()
    process = subprocess.Popen([binary, "--port", str(port), "--save", "", "--appendonly", "no", "--bind", "127.0.0.1"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    yield process, f"redis://127.0.0.1:{port}/0"
    process.kill()
    process.wait()
