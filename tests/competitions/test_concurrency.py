"""Two people move the same competition at once: exactly one wins, the other is told to reload."""

import threading

import pytest
from django.db import connection, connections

from competitions import services
from competitions.models import Competition, CompetitionEvent, State
from core.errors import StaleObject, TransitionRefused
from tests.competitions.journey import Journey


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL's row locks between connections (CI sets DATABASE_URL)")
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_transitions_on_postgresql_exactly_one_wins(migrated_rows):
    journey = Journey()
    journey.prepare("start_pre_procurement")
    pk = journey.competition.pk
    barrier = threading.Barrier(2)
    outcomes = []

    def act(call):
        try:
            competition = Competition.objects.get(pk=pk)  # each thread reads the same state
            barrier.wait(timeout=10)
            call(competition)
            outcomes.append("won")
        except (StaleObject, TransitionRefused) as error:
            outcomes.append(type(error).__name__)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=act, args=(lambda c: services.competition_start_pre_procurement(competition=c, actor=journey.commissioner),)),
        threading.Thread(target=act, args=(lambda c: services.competition_abandon(competition=c, actor=journey.sro, reason="Not needed"),)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes)[-1] == "won" and outcomes.count("won") == 1, outcomes
    assert outcomes.count("StaleObject") == 1, outcomes
    final = Competition.objects.get(pk=pk)
    assert final.state in (State.PRE_PROCUREMENT, State.ABANDONED)
    # Only the winner's move is on the timeline.
    assert CompetitionEvent.objects.filter(competition_id=pk).exclude(to_state="").count() == 1
