"""The demo's boards (scenarios/boards.py): members, and each demo competition's decisions taken by the body whose they are."""

import io

import pytest
from django.core.management import call_command
from django.test import Client

from boards.models import MATTER_BODY, Body, Decision, Matter, Paper
from competitions import guards
from competitions.models import Competition
from core.models import User

pytestmark = pytest.mark.django_db


def test_the_demo_competitions_decisions_were_taken_by_their_bodies_at_quorate_meetings():
    call_command("seed_demo", stdout=io.StringIO())
    count = Decision.objects.count()
    call_command("seed_demo", stdout=io.StringIO())  # again: nothing more
    assert Decision.objects.count() == count and Paper.objects.count() == count
    assert all(body.members.exists() for body in Body.objects.all())
    for decision in Decision.objects.select_related("meeting__body"):
        if decision.matter != Matter.OTHER:
            assert decision.meeting.body.kind == MATTER_BODY[Matter(decision.matter)]
        assert decision.meeting.attendees.count() >= decision.meeting.body.quorum
    launched = Competition.objects.exclude(state__in=["draft", "pre_procurement"]).exclude(reference="DEMO-008")
    for competition in launched:
        assert competition.board_decisions.filter(matter=Matter.COMPETE, outcome="approved").exists(), competition.reference
    assert Decision.objects.filter(matter=Matter.AWARD, competition__reference="DEMO-006").exists()
    waiting = Competition.objects.get(reference="DEMO-003")
    assert "decision_to_compete" in [c.code for c in guards.unmet(waiting, "launch")]


def test_the_demo_boards_for_the_commissioner_and_nothing_for_the_bid_team():
    call_command("seed_demo", stdout=io.StringIO())
    client = Client()
    client.force_login(User.objects.get(username="commissioner"))
    page = client.get("/boards/").content.decode()
    assert "Commissioning and Commercial Sub-Committee" in page and "Commissioning Intentions Plan 2027–28" in page
    client.force_login(User.objects.get(username="bid_team"))
    assert client.get("/boards/").status_code == 404
    assert "/boards/" not in client.get("/").content.decode()
