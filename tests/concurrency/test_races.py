"""Simultaneous requests against a live server on PostgreSQL: nothing lost, exactly one winner (issue #15).

Each race sends its requests at the same instant from threads (a barrier releases them
together), over HTTP, as API clients with tokens, to the live test server, whose threads
each hold their own database connection. It is repeated a few rounds so that the requests
really do overlap in the database. After each round the stored record, its timeline and
what the winner was told agree: a loser was told to read again (412) and changed nothing.

SQLite serialises every write to its one file and cannot hold row locks, so this suite
needs PostgreSQL (CI sets DATABASE_URL).
"""

import datetime
import threading
from decimal import Decimal

import pytest
import requests
from django.db import connection
from django.utils import timezone

from competitions.models import Competition, CompetitionEvent, State
from contracts import services as contract_services
from contracts.models import Agreement, AgreementState, NoticeOfChange, RectificationNotice
from core.roles import Role
from ethical_walls.tokens import token_issue
from cycle import services as cycle_services
from cycle.models import CommissioningCycle, CycleEvent, Stage
from scenarios.drivers import complete_mobilisation
from tests.competitions.journey import Journey
from tests.core.factories import UserFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks and concurrent connections are PostgreSQL's (CI sets DATABASE_URL)"),
]
ROUNDS = 3


@pytest.fixture(autouse=True)
def roles(migrated_rows):
    """The role groups and the outcomes tree: a transactional test's flush removed them."""


class Api:
    def __init__(self, base: str, user):
        self.base, self.session = base, requests.Session()
        self.session.headers["Authorization"] = f"Token {token_issue(user=user).key}"

    def get(self, path):
        return self.session.get(self.base + path, timeout=30)

    def send(self, method, path, body=None, **headers):
        return self.session.request(method, self.base + path, json=body or {}, headers=headers, timeout=30)


def simultaneously(*calls) -> list:
    """Run the calls at the same instant, each on its own thread; their answers in order."""
    barrier = threading.Barrier(len(calls))
    answers: list = [None] * len(calls)

    def run(index, call):
        barrier.wait()
        try:
            answers[index] = call()
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            answers[index] = error

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert all(isinstance(answer, requests.Response) for answer in answers), answers
    return answers


def one_winner(answers) -> int:
    """The index of the only 2xx answer; every other one is 412 (read again)."""
    statuses = [answer.status_code for answer in answers]
    winners = [i for i, status in enumerate(statuses) if 200 <= status < 300]
    assert len(winners) == 1 and all(s == 412 for i, s in enumerate(statuses) if i not in winners), statuses
    return winners[0]


# --- competitions --------------------------------------------------------------------------------------

def ready_draft() -> Journey:
    journey = Journey()
    journey.prepare("start_pre_procurement")
    return journey


def test_an_edit_and_a_move_with_the_same_if_match_have_exactly_one_winner(live_server):
    for round_ in range(ROUNDS):
        journey = ready_draft()
        competition = journey.refresh()
        api = Api(live_server.url, journey.commissioner)
        path = f"/api/v1/competitions/{competition.pk}/"
        tag = api.get(path).headers["ETag"]
        last_event = CompetitionEvent.objects.filter(competition=competition).order_by("-pk").values_list("pk", flat=True).first()
        answers = simultaneously(
            lambda: api.send("PATCH", path, {"title": f"Renamed in round {round_}"}, **{"If-Match": tag}),
            lambda: api.send("POST", path + "start-pre-procurement/", {}, **{"If-Match": tag}),
        )
        winner = one_winner(answers)
        stored = Competition.objects.get(pk=competition.pk)
        events = list(CompetitionEvent.objects.filter(competition=competition, pk__gt=last_event).values_list("action", flat=True))
        if winner == 0:  # the edit won: renamed, still a draft, and the timeline says only that
            assert (stored.title, stored.state, events) == (f"Renamed in round {round_}", State.DRAFT, ["updated"])
        else:  # the move won: moved, and the title is the one it had
            assert (stored.title, stored.state, events) == (competition.title, State.PRE_PROCUREMENT, ["start_pre_procurement"])
        assert stored.version == competition.version + 1
        assert answers[winner].json()["version"] == stored.version
        journey.stop_travel()


@pytest.mark.parametrize("pair", [("edit", "edit"), ("move", "move"), ("move", "abandon")])
def test_every_pair_of_writes_to_one_competition_has_one_winner(live_server, pair):
    writes = {
        "edit": lambda n: ("PATCH", "", {"description": f"Description {n}"}),
        "move": lambda n: ("POST", "start-pre-procurement/", {}),
        "abandon": lambda n: ("POST", "abandon/", {"reason": f"Reason {n}"}),
    }
    journey = ready_draft()
    competition = journey.refresh()
    api = Api(live_server.url, journey.commissioner)
    path = f"/api/v1/competitions/{competition.pk}/"
    tag = api.get(path).headers["ETag"]
    requests_ = [writes[kind](n) for n, kind in enumerate(pair)]
    before = CompetitionEvent.objects.filter(competition=competition).count()
    answers = simultaneously(*[
        (lambda method=method, suffix=suffix, body=body: api.send(method, path + suffix, body, **{"If-Match": tag}))
        for method, suffix, body in requests_
    ])
    winner = one_winner(answers)
    stored = Competition.objects.get(pk=competition.pk)
    assert stored.version == competition.version + 1 == answers[winner].json()["version"]
    # The winner's write, and only it, is on the timeline.
    assert CompetitionEvent.objects.filter(competition=competition).count() == before + 1
    journey.stop_travel()


def test_competitions_created_at_the_same_moment_all_get_a_reference(live_server):
    commissioner = UserFactory(roles=[Role.COMMISSIONER])
    from core.models import ServiceArea

    area = ServiceArea.objects.create(name="Resettlement")
    api = Api(live_server.url, commissioner)
    answers = simultaneously(*[
        (lambda n=n: api.send("POST", "/api/v1/competitions/", {"title": f"Lot {n}", "service_area": area.pk, "estimated_value": "1000"}))
        for n in range(12)
    ])
    assert [a.status_code for a in answers] == [201] * 12, [a.text for a in answers if a.status_code != 201]
    references = [a.json()["reference"] for a in answers]
    assert len(set(references)) == 12 == Competition.objects.count()


# --- cycles --------------------------------------------------------------------------------------------------

def test_two_moves_of_one_cycle_with_the_same_if_match_have_one_winner(live_server):
    for _ in range(ROUNDS):
        commissioner = UserFactory(roles=[Role.COMMISSIONER])
        today = timezone.localdate()
        cycle = cycle_services.cycle_create(actor=commissioner, name="Resettlement 2027", cycle_type="strategic", level="national",
                                            period_start=today, period_end=today + datetime.timedelta(days=365), available_resources=Decimal(1000))
        api = Api(live_server.url, commissioner)
        path = f"/api/v1/cycles/{cycle.pk}/"
        tag = api.get(path).headers["ETag"]
        answers = simultaneously(*[lambda: api.send("POST", path + "assess-needs/", {}, **{"If-Match": tag})] * 2)
        one_winner(answers)
        stored = CommissioningCycle.objects.get(pk=cycle.pk)
        assert (stored.stage, stored.version) == (Stage.ASSESS_NEEDS, cycle.version + 1)
        assert CycleEvent.objects.filter(cycle=cycle, action="assess_needs").count() == 1


# --- agreements -------------------------------------------------------------------------------------------

def live_agreement():
    from core.models import Organisation, ServiceArea
    from cycle.models import Outcome

    procurement, manager = UserFactory(roles=[Role.PROCUREMENT]), UserFactory(roles=[Role.CONTRACT_MANAGER])
    provider = Organisation.objects.create(name=f"Nacro {Organisation.objects.count()}", sector="vcse", organisation_type="charity")
    area, _ = ServiceArea.objects.get_or_create(name="Resettlement")
    start = timezone.localdate().replace(day=1) - datetime.timedelta(days=200)
    agreement = contract_services.agreement_create(
        actor=procurement, reference=f"FW-{Agreement.objects.count() + 1}", title="Resettlement support", provider=provider,
        service_area=area, value=Decimal("1200000"), route="framework", start_date=start, end_date=start + datetime.timedelta(days=730),
    )
    contract_services.measure_add(agreement=agreement, actor=procurement, name="Accommodation on release", target=Decimal(90),
                                  tolerance=Decimal(5), outcome=Outcome.objects.filter(level="service").first())
    contract_services.agreement_update(agreement=Agreement.objects.get(pk=agreement.pk), actor=procurement, contract_manager=manager)
    contract_services.agreement_mobilise(agreement=Agreement.objects.get(pk=agreement.pk), actor=procurement)
    complete_mobilisation(agreement, procurement)
    contract_services.agreement_go_live(agreement=Agreement.objects.get(pk=agreement.pk), actor=procurement)
    return Agreement.objects.get(pk=agreement.pk), procurement, manager


def test_a_notice_of_change_taking_effect_while_a_rectification_notice_closes_loses_nothing(live_server):
    for round_ in range(ROUNDS):
        agreement, procurement, manager = live_agreement()
        notice = contract_services.rectification_notice_issue(agreement=agreement, actor=manager, failings="Returns late",
                                                             deadline=timezone.localdate() + datetime.timedelta(days=28))
        new_value = f"{1300000 + round_}.00"
        answers = simultaneously(
            lambda: Api(live_server.url, procurement).send("POST", "/api/v1/notices-of-change/", {
                "agreement": agreement.pk, "summary": "Indexation", "material": False, "changes": {"value": new_value},
            }),
            lambda: Api(live_server.url, manager).send("POST", f"/api/v1/rectification-notices/{notice.pk}/close/", {"satisfied": True}),
        )
        assert [a.status_code for a in answers] == [201, 200], [a.text for a in answers]
        stored = Agreement.objects.get(pk=agreement.pk)
        latest = stored.versions.order_by("-number").first()
        assert stored.value == Decimal(new_value) == Decimal(latest.snapshot["value"])  # the agreement and its versions agree
        assert stored.state == AgreementState.LIVE
        assert NoticeOfChange.objects.get(agreement=agreement).status == NoticeOfChange.Status.IN_EFFECT
        assert RectificationNotice.objects.get(pk=notice.pk).status == RectificationNotice.Status.SATISFIED


def test_two_moves_of_one_agreement_with_the_same_if_match_have_one_winner(live_server):
    agreement, procurement, _manager = live_agreement()
    api = Api(live_server.url, procurement)
    path = f"/api/v1/agreements/{agreement.pk}/"
    tag = api.get(path).headers["ETag"]
    answers = simultaneously(
        lambda: api.send("POST", path + "terminate/", {"reason": "Insolvent"}, **{"If-Match": tag}),
        lambda: api.send("POST", path + "terminate/", {"reason": "Insolvent, said twice"}, **{"If-Match": tag}),
    )
    winner = one_winner(answers)
    stored = Agreement.objects.get(pk=agreement.pk)
    assert (stored.state, stored.ended_reason) == (AgreementState.TERMINATED, answers[winner].json()["ended_reason"])
    assert stored.events.filter(action="terminate").count() == 1
