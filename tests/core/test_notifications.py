"""Notifications (issue #19): the outbox filled from each inbox once per task, re-checked through the wall when sent,
delivered by Django's e-mail or by GOV.UK Notify (against a local stand-in for its API), with preferences and digests."""

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import jwt
import pytest
from django.utils import timezone

from competitions import services
from core import notifications
from core.models import Notification, NotificationPreference
from core.roles import Role
from ethical_walls import services as wall_services
from tests.competitions.journey import Journey
from tests.core.factories import UserFactory

pytestmark = pytest.mark.django_db

SERVICE_ID = "6f1b8e4a-3c2d-4e5f-9a8b-7c6d5e4f3a2b"
SECRET = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
API_KEY = f"noms_test-{SERVICE_ID}-{SECRET}"
TEMPLATE = "f33517ff-2a88-4f6e-b855-c550268ce08a"


@pytest.fixture
def journey(db):
    trip = Journey()
    trip.satisfy("sro")
    trip.sro.email = "sro@justice.example"
    trip.sro.save(update_fields=["email"])
    yield trip
    trip.stop_travel()


def _declare_conflict(journey, name="Rebecca"):
    person = UserFactory(roles=[Role.COMMISSIONER], first_name=name, last_name="Holt")
    return wall_services.conflict_declare(competition=journey.refresh(), actor=person, nature="conflict", details="My husband works for Serco.")


def test_each_task_is_written_once_and_sent_once_by_email(journey, mailoutbox):
    _declare_conflict(journey)
    assert notifications.collect(users=[journey.sro]) == 1
    assert notifications.collect(users=[journey.sro]) == 0  # the same task: no second row
    row = Notification.objects.get(recipient=journey.sro)
    assert row.subject == f"Assess Rebecca Holt's declared conflict on {journey.competition.reference}"
    assert notifications.deliver() == 1 and notifications.deliver() == 0
    [mail] = mailoutbox
    assert mail.to == ["sro@justice.example"] and row.subject in mail.subject and "/walls/declarations/" in mail.body
    assert Notification.objects.get(pk=row.pk).status == Notification.Status.SENT


def test_a_task_done_or_no_longer_theirs_before_sending_is_withheld(journey, mailoutbox):
    declaration = _declare_conflict(journey)
    notifications.collect(users=[journey.sro])
    wall_services.conflict_assess(declaration=declaration, actor=journey.sro, outcome="mitigated", conditions="Does not score Serco.")
    assert notifications.deliver() == 0 and mailoutbox == []
    assert Notification.objects.get(recipient=journey.sro).status == Notification.Status.WITHHELD
    # A procurement officer told of a question, then taken off the competition's wall: withheld, never sent.
    journey.advance_to("pre_qualification")
    journey.procurement.email = "procurement@justice.example"
    journey.procurement.save(update_fields=["email"])
    services.clarification_log(competition=journey.refresh(), actor=journey.procurement, asked_by=journey.private_bidder, question="TUPE?")
    notifications.collect(users=[journey.procurement])
    membership = journey.procurement.wall_memberships.get(left_at__isnull=True)
    wall_services.wall_leave(member=membership, actor=journey.commissioner)
    notifications.deliver()
    assert mailoutbox == []
    assert set(Notification.objects.filter(recipient=journey.procurement).values_list("status", flat=True)) == {Notification.Status.WITHHELD}


def test_preferences_none_and_daily_digest(journey, mailoutbox, client):
    client.force_login(journey.sro)
    client.post("/notifications/", {"delivery": "none"})
    _declare_conflict(journey)
    notifications.collect(users=[journey.sro])
    notifications.deliver()
    assert mailoutbox == [] and Notification.objects.get().status == Notification.Status.OFF
    client.post("/notifications/", {"delivery": "daily"})
    assert NotificationPreference.objects.get(user=journey.sro).delivery == "daily"
    _declare_conflict(journey, name="Mark")
    _declare_conflict(journey, name="Sian")
    notifications.collect(users=[journey.sro])
    assert notifications.deliver() == 0 and mailoutbox == []  # held for the morning
    assert notifications.deliver_digests() == 1
    [digest] = mailoutbox
    assert "2 new tasks" in digest.subject and "Mark Holt" in digest.body and "Sian Holt" in digest.body
    page = client.get("/notifications/").content.decode()
    assert "Sent" in page and "Not sent: you chose no e-mails" in page
    refused = client.post("/notifications/", {"delivery": "carrier pigeon"}).content.decode()
    assert "Select one of the answers to: How should we tell you of new work?" in refused and NotificationPreference.objects.get(user=journey.sro).delivery == "daily"


class NotifyStandIn(BaseHTTPRequestHandler):
    """GOV.UK Notify's e-mail endpoint as its API documents it: a JWT signed with the key's secret, JSON in, 201 out."""

    received: list = []
    fail_with: int | None = None

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        token = self.headers["Authorization"].removeprefix("Bearer ")
        claims = jwt.decode(token, SECRET, algorithms=["HS256"])
        NotifyStandIn.received.append({"path": self.path, "body": body, "iss": claims["iss"]})
        status = NotifyStandIn.fail_with or 201
        payload = {"id": "740e5834-3a29-46b4-9a6f-16142fde533a", "reference": body.get("reference"), "content": {}, "template": {}} if status == 201 \
            else {"status_code": status, "errors": [{"error": "Error", "message": "Internal server error"}]}
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(json.dumps(payload).encode())

    def log_message(self, *args):
        pass


@pytest.fixture
def notify(settings):
    server = HTTPServer(("127.0.0.1", 0), NotifyStandIn)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    NotifyStandIn.received, NotifyStandIn.fail_with = [], None
    settings.NOTIFY_API_KEY, settings.NOTIFY_TEMPLATE_ID = API_KEY, TEMPLATE
    settings.NOTIFY_BASE_URL = f"http://127.0.0.1:{server.server_port}"
    yield NotifyStandIn
    server.shutdown()


def test_with_a_notify_key_messages_go_through_notify_and_failures_are_retried_then_given_up(journey, notify, mailoutbox):
    _declare_conflict(journey)
    notifications.collect(users=[journey.sro])
    notify.fail_with = 500
    assert notifications.deliver() == 0
    row = Notification.objects.get()
    assert row.status == Notification.Status.PENDING and row.attempts == 1 and "500" in row.last_error
    notify.fail_with = None
    assert notifications.deliver() == 1 and mailoutbox == []  # Notify, not Django's e-mail
    sent = notify.received[-1]
    assert sent["path"] == "/v2/notifications/email" and sent["iss"] == SERVICE_ID
    assert sent["body"]["email_address"] == "sro@justice.example" and sent["body"]["template_id"] == TEMPLATE
    assert "Assess Rebecca Holt's declared conflict" in sent["body"]["personalisation"]["subject"]
    assert sent["body"]["reference"] == f"noms-{row.pk}"
    # Five failures and it is given up, with the reason kept.
    _declare_conflict(journey, name="Mark")
    notifications.collect(users=[journey.sro])
    notify.fail_with = 500
    for _ in range(notifications.MAX_ATTEMPTS):
        notifications.deliver()
    given_up = Notification.objects.get(subject__contains="Mark Holt")
    assert given_up.status == Notification.Status.FAILED and given_up.attempts == notifications.MAX_ATTEMPTS


def test_the_beat_task_collects_and_delivers(journey, mailoutbox):
    from core.tasks import notify as notify_task

    _declare_conflict(journey)
    result = notify_task.delay().get()
    assert result == {"written": 1, "sent": 1} and len(mailoutbox) == 1
    assert notify_task.delay().get() == {"written": 0, "sent": 0}
    assert timezone.now() >= Notification.objects.get().sent_at
