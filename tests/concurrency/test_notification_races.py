"""Two notification runs at the same instant on PostgreSQL (issue #19): each task written once and e-mailed once.

Beat may start a run while the last is still going, and several workers may run it: the outbox's
unique key keeps one row per person and task, and delivery takes rows under a lock the other run
skips. SQLite cannot hold row locks, so this needs PostgreSQL (CI sets DATABASE_URL).
"""

import threading

import pytest
from django.core import mail
from django.db import connection, connections

from core import notifications
from core.models import Notification
from core.roles import Role
from ethical_walls import services as wall_services
from tests.competitions.journey import Journey
from tests.core.factories import UserFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks and concurrent connections are PostgreSQL's (CI sets DATABASE_URL)"),
]


@pytest.fixture(autouse=True)
def roles(migrated_rows):
    """The role groups: a transactional test's flush removed them."""


def at_once(call, times: int = 2) -> list:
    barrier, results = threading.Barrier(times), [None] * times

    def run(index):
        barrier.wait()
        try:
            results[index] = call()
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not any(isinstance(result, Exception) for result in results), results
    return results


def test_simultaneous_runs_write_each_task_once_and_send_it_once(mailoutbox):
    journey = Journey()
    try:
        journey.satisfy("sro")
        journey.sro.email = "sro@justice.example"
        journey.sro.save(update_fields=["email"])
        for name in ("Rebecca", "Mark", "Sian"):
            person = UserFactory(roles=[Role.COMMISSIONER], first_name=name, last_name="Holt")
            wall_services.conflict_declare(competition=journey.refresh(), actor=person, nature="conflict", details="A family interest.")
        sro = journey.sro
        for _ in range(3):
            at_once(lambda: notifications.collect(users=[type(sro).objects.get(pk=sro.pk)]))
        assert Notification.objects.filter(recipient=sro).count() == 3
        sent = at_once(notifications.deliver, times=3)
        assert sum(sent) == 3 and len(mail.outbox) == 3
        assert sorted(m.subject for m in mail.outbox) == sorted(f"NOMS Commissioning: {n.subject}" for n in Notification.objects.all())
    finally:
        journey.stop_travel()
