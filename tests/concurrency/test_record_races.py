"""Simultaneous writes to issue #21's records on PostgreSQL: a milestone done and its gap accepted at the same instant,
a risk closed twice at once, an exit plan agreed twice at once — exactly one wins, the other is told why, nothing is lost;
a board agreeing the criteria while one of them changes — never agreed on criteria that do not add up.

Each write runs on its own thread with its own database connection, released together by a barrier, through the services
(which lock the row they change). SQLite cannot hold row locks, so this needs PostgreSQL (CI sets DATABASE_URL).
"""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.utils import timezone

from boards import services as board_services
from boards.models import Decision, Matter
from competitions import services as competition_services
from competitions.models import Competition, CompetitionEvent, EvaluationCriterion
from contracts import exit_plans, mobilisation
from contracts.models import ExitPlan, MobilisationMilestone
from core.events import EventKind
from core.roles import Role
from governance import services as risk_services
from governance.models import Risk, RiskReview, RiskStatus
from tests.competitions.journey import Journey
from tests.contracts.test_mobilisation import mobilising
from tests.contracts.test_services import framework_agreement, make_live
from tests.core.factories import UserFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks and concurrent connections are PostgreSQL's (CI sets DATABASE_URL)"),
]
ROUNDS = 3


@pytest.fixture(autouse=True)
def roles(migrated_rows):
    """The role groups and the outcomes tree: a transactional test's flush removed them."""


def at_once(*calls) -> list:
    """Each call on its own thread, released together; what each returned, or the error it raised."""
    barrier, results = threading.Barrier(len(calls)), [None] * len(calls)

    def run(index, call):
        barrier.wait()
        try:
            results[index] = call()
        except Exception as error:  # noqa: BLE001 - the test reads each outcome
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


def one_winner(results, refusal: str) -> int:
    refused = [r for r in results if isinstance(r, Exception)]
    assert len(refused) == len(results) - 1 and all(isinstance(r, ValidationError) and refusal in str(r) for r in refused), results
    return next(i for i, r in enumerate(results) if not isinstance(r, Exception))


def test_a_milestone_done_and_its_gap_accepted_at_once_ends_one_way_or_the_other():
    people = {"procurement": UserFactory(roles=[Role.PROCUREMENT]), "manager": UserFactory(roles=[Role.CONTRACT_MANAGER]),
              "commissioner": UserFactory(roles=[Role.COMMISSIONER])}
    sro = UserFactory(roles=[Role.SRO])
    agreement = mobilising(people)
    plan = mobilisation.mobilisation_plan_draw_up(agreement=agreement, actor=people["manager"])
    for milestone in plan[:ROUNDS]:
        fresh = MobilisationMilestone.objects.get
        results = at_once(
            lambda m=milestone: mobilisation.milestone_complete(milestone=fresh(pk=m.pk), actor=people["manager"], done_on=timezone.localdate()),
            lambda m=milestone: mobilisation.milestone_gap_accept(milestone=fresh(pk=m.pk), actor=sro, reason="Held by the SRO"),
        )
        winner = one_winner(results, "already")
        stored = fresh(pk=milestone.pk)
        assert (stored.done_on is not None, stored.gap_accepted_at is not None) == ((True, False) if winner == 0 else (False, True))


def test_a_risk_closed_twice_at_once_is_closed_once():
    journey = Journey()
    try:
        for n in range(ROUNDS):
            risk = risk_services.risk_raise(actor=journey.commissioner, subject="competition", record=journey.refresh(), title=f"Risk {n}",
                                            description="D", owner=journey.commissioner, likelihood=3, impact=3, proximity="near")
            results = at_once(*[lambda who=who: risk_services.risk_close(actor=who, risk=Risk.objects.get(pk=risk.pk), note=f"By {who}")
                                for who in (journey.commissioner, journey.procurement)])
            winner = one_winner(results, "is closed")
            stored = Risk.objects.get(pk=risk.pk)
            assert stored.status == RiskStatus.CLOSED and stored.closing_note == f"By {(journey.commissioner, journey.procurement)[winner]}"
            assert RiskReview.objects.filter(risk=risk).count() == 1  # the raising only: closing wrote nothing more
    finally:
        journey.stop_travel()


def test_an_exit_plan_agreed_twice_at_once_is_agreed_once():
    people = {"procurement": UserFactory(roles=[Role.PROCUREMENT]), "manager": UserFactory(roles=[Role.CONTRACT_MANAGER]),
              "commissioner": UserFactory(roles=[Role.COMMISSIONER])}
    live = make_live(framework_agreement(people), people)
    exit_plans.exit_plan_record(agreement=live, actor=people["manager"], service_users="Handed over", data_return="Returned",
                                staff="Redeployed", assets="None")
    other = UserFactory(roles=[Role.COMMISSIONER])
    results = at_once(*[lambda who=who: exit_plans.exit_plan_agree(agreement=live, actor=who) for who in (people["commissioner"], other)])
    winner = one_winner(results, "agreed already")
    assert ExitPlan.objects.get(agreement=live).agreed_by == (people["commissioner"], other)[winner]


def test_the_board_agreeing_the_criteria_while_one_changes_never_ends_agreed_on_criteria_that_do_not_add_up():
    """The decision's receiver locks the competition and reads the criteria after any wait; a criterion's change clears
    the agreement on the same row. Whichever comes first, the change is kept and the criteria end not agreed: the board
    either agreed the old ones and the change undid that, or saw the new ones (95%) and its decision was refused."""
    journey = Journey()
    try:
        for name, kind, weight in (("Quality of delivery", "quality", 40), ("Rehabilitation outcomes", "quality", 20), ("Price", "price", 40)):
            competition_services.criterion_add(competition=journey.refresh(), actor=journey.procurement, name=name, kind=kind, weight=weight)
        price = EvaluationCriterion.objects.get(competition=journey.competition, name="Price")
        meeting = journey.board_meeting(Matter.CRITERIA)

        def weigh_price(weight):
            return lambda: competition_services.criterion_update(criterion=EvaluationCriterion.objects.get(pk=price.pk), actor=journey.procurement,
                                                                 name="Price", kind="price", weight=weight)

        def agree():
            return board_services.decision_record(actor=journey.commissioner, meeting=meeting, matter=Matter.CRITERIA, outcome="approved",
                                                  competition=Competition.objects.get(pk=journey.competition.pk), minute="Criteria agreed as presented.")

        for _ in range(ROUNDS):
            weigh_price(40)()  # back to 100%, not agreed
            decisions_before = Decision.objects.filter(competition=journey.competition).count()
            decided, changed = at_once(agree, weigh_price(35))
            assert isinstance(changed, EvaluationCriterion), changed
            stored = Competition.objects.get(pk=journey.competition.pk)
            assert stored.criteria_agreed_on is None
            assert sum(c.weight for c in stored.criteria.all()) == 95
            if isinstance(decided, Decision):  # agreed first: the change that followed undid it, on the timeline too
                timeline = list(CompetitionEvent.objects.filter(competition=stored, action=EventKind.CRITERIA).order_by("-pk").values_list("description", flat=True)[:2])
                assert timeline[0].startswith("Criterion changed") and timeline[1].startswith("Evaluation criteria agreed"), timeline
            else:  # saw the change: refused, and no decision stands
                assert isinstance(decided, ValidationError) and "sum to 95" in str(decided), decided
                assert Decision.objects.filter(competition=journey.competition).count() == decisions_before
    finally:
        journey.stop_travel()
