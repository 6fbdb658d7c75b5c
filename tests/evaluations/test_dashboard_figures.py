"""The dashboard reads the counts the night's run kept (issue #22), corrected for what moved since and what its reader may not see."""

import pytest
from django.utils import timezone

from contracts import selectors, services
from core.roles import Role
from ethical_walls import services as wall
from evaluations.models import Evaluation, EvaluationRun
from evaluations.selectors import rag_counts, run_figures
from tests.contracts.test_pages import add_measure, evaluate_tonight, fresh, go_live, live_agreement, make_agreement, months_ago, submit
from tests.core.factories import UserFactory

pytestmark = pytest.mark.django_db


def _counts(user):
    return {code: n for code, _, n in selectors.dashboard(user).rag_counts}


@pytest.fixture
def portfolio(people):
    red = live_agreement(people, reference="FW-RED", start=months_ago(6))
    submit(red.measures.get(), people, ["95", "80"])
    green = live_agreement(people, reference="FW-GREEN", provider="Groundwork", start=months_ago(20), months=23)
    submit(green.measures.get(), people, ["95"] * 30)
    return red, green


def test_the_run_keeps_its_figures_and_the_dashboard_reads_them(people, portfolio):
    run = evaluate_tonight()
    assert run.figures == run_figures(run) == {"rag": rag_counts(run), "overdue": 1, "stewardship": 0}
    assert _counts(people["manager"]) == {"red": 1, "amber": 0, "green": 1, "none": 0}
    # What the dashboard shows is what the run kept, not a recount (a recount is what cost 40 ms at 10×).
    EvaluationRun.objects.filter(pk=run.pk).update(figures={**run.figures, "rag": {**run.figures["rag"], "green": 41}})
    assert _counts(people["manager"])["green"] == 41


def test_an_agreement_ended_since_the_run_leaves_the_counts(people, portfolio):
    red, _ = portfolio
    evaluate_tonight()
    services.agreement_terminate(agreement=fresh(red), actor=people["procurement"], reason="Persistent failure to perform.")
    board = selectors.dashboard(people["manager"])
    assert {code: n for code, _, n in board.rag_counts} == {"red": 0, "amber": 0, "green": 1, "none": 0}
    assert board.totals["overdue"] == 0 and board.running == 1 and board.not_evaluated == 0


def test_an_agreement_gone_live_since_is_counted_as_not_evaluated(people, portfolio):
    evaluate_tonight()
    live_agreement(people, reference="FW-NEW", start=months_ago(1))
    board = selectors.dashboard(people["manager"])
    assert (board.running, board.not_evaluated, sum(n for _, _, n in board.rag_counts)) == (3, 1, 2)


def test_a_reader_excluded_from_the_competition_that_let_an_agreement_counts_none_of_it(journey):
    """The kept figures are the whole portfolio's: an excluded reader's are corrected for the agreements hidden from them."""
    people = {"procurement": journey.procurement, "manager": UserFactory(roles=[Role.CONTRACT_MANAGER])}
    excluded = UserFactory(roles=[Role.COMMISSIONER, Role.CONTRACT_MANAGER])
    journey.satisfy("sro")  # the SRO assesses declared conflicts
    journey.join(excluded, "evaluator")
    declaration = wall.conflict_declare(competition=journey.refresh(), actor=excluded, nature="conflict", details="Spouse works for the provider")
    wall.conflict_assess(declaration=declaration, actor=journey.sro, outcome="excluded")
    let = live_agreement(people, reference="FW-LET", route="competition", competition=journey.refresh(), start=months_ago(3))
    live_agreement(people, reference="FW-OTHER", start=months_ago(3))
    run = evaluate_tonight()
    assert Evaluation.objects.filter(run=run).count() == 2
    assert sum(_counts(people["manager"]).values()) == 2
    assert list(selectors.hidden_agreement_ids(excluded).values_list("pk", flat=True)) == [let.pk]
    assert sum(_counts(excluded).values()) == 1 and selectors.dashboard(excluded).running == 1


def test_a_dashboard_list_is_counted_up_to_a_bound_then_said_as_more_than(people, monkeypatch):
    """Counting every break point of a large portfolio on each view cost 28 ms at 10×; past the bound the dashboard says "more than"."""
    from dateutil.relativedelta import relativedelta

    monkeypatch.setattr(selectors, "DASHBOARD_COUNT_LIMIT", 2)
    agreement = make_agreement(people, reference="FW-BP", start=months_ago(6), months=36)
    add_measure(agreement, people)
    for months in (2, 3, 4):
        services.break_point_add(agreement=fresh(agreement), actor=people["procurement"], on=timezone.localdate() + relativedelta(months=months),
                                 notice_months=1)
    go_live(agreement, people)
    board = selectors.dashboard(people["manager"])
    assert (board.totals["break_points"], board.counted["break_points"]) == (3, "more than 2")
    full = selectors.dashboard(people["manager"], full=frozenset({"ahead"}))
    assert (full.totals["break_points"], full.counted["break_points"], len(full.break_points)) == (3, "3", 3)
