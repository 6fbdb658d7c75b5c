"""Ranking on exact totals, ties shown as ties and broken only by a recorded tie-break (issue #16).

The arithmetic is checked on bare records (no database) against exact fractions; the
tie's handling through the service, the page, the API and the debrief letters.
"""

from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction
from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from competitions import services
from competitions.evaluation import rank_bids, shown, tie_unbroken, tied_for_first
from competitions.guards import GUARDS
from competitions.models import Bid, CompetitionEvent, DebriefLetter, State, TieBreak
from core.errors import TransitionRefused
from tests.api import client_for, problem
from tests.pdf import pdf_text

pytestmark = pytest.mark.django_db


class Many(list):
    def all(self):
        return self


def criterion(pk, kind, weight):
    return SimpleNamespace(id=pk, kind=kind, weight=Decimal(weight))


def bid(pk, name, marks, price, *, adjustments=()):
    return SimpleNamespace(
        pk=pk, withdrawn=False, compliant=True, price=Decimal(price), is_public_sector=bool(adjustments),
        cost_adjustments=Many(SimpleNamespace(amount=Decimal(a)) for a in adjustments),
        moderated_scores=Many(SimpleNamespace(criterion_id=c, score=s) for c, s in marks.items()),
        bidder=SimpleNamespace(name=name),
    )


def competition(criteria, bids, *, award_basis="meat", tie_break_bid=None):
    return SimpleNamespace(award_basis=award_basis, criteria=Many(criteria), bids=Many(bids),
                           tie_break=SimpleNamespace(bid_id=tie_break_bid) if tie_break_bid else None)


# Quality weights of two decimals, price 51.97: each part of A's total rounds up and B's down.
WEIGHTS = [criterion(1, "quality", "29.37"), criterion(2, "quality", "9.60"), criterion(3, "quality", "9.06"), criterion(4, "price", "51.97")]


def test_bids_are_ranked_on_exact_totals_not_on_rounded_parts():
    # Issue #16 found 77.125 shown 77.14 above 77.127 shown 77.13; the same inversion, by hand:
    # A: 14.685 + 5.76 + 0.906 + 51.97 = 73.321; B: 17.622 + 1.92 + 1.812 + 51.97 = 73.324.
    # Rounded part by part, A would show 73.33 and B 73.32 and come first: B is ahead by 0.003.
    a = bid(1, "Alpha Justice", {1: 5, 2: 6, 3: 1}, "1000000")
    b = bid(2, "Beta Rehabilitation", {1: 6, 2: 2, 3: 2}, "1000000")
    ranking = rank_bids(competition(WEIGHTS, [a, b]))
    assert [(r.bid.bidder.name, r.rank, r.tied) for r in ranking] == [("Beta Rehabilitation", 1, False), ("Alpha Justice", 2, False)]
    assert [r.exact_total for r in ranking] == [Fraction("73.324"), Fraction("73.321")]
    # Shown to 0.01, half up, from the exact total: 73.32 each, although not tied.
    assert [r.total for r in ranking] == [Decimal("73.32"), Decimal("73.32")]
    assert ranking[1].quality_scores == {1: Decimal("14.69"), 2: Decimal("5.76"), 3: Decimal("0.91")}


def test_equal_totals_are_a_tie_and_the_alphabet_decides_nothing():
    a = bid(1, "Alpha Justice", {1: 5, 2: 6, 3: 1}, "1000000")
    z = bid(2, "Zeta Justice", {1: 5, 2: 6, 3: 1}, "1000000")
    third = bid(3, "Omega Justice", {1: 1, 2: 1, 3: 1}, "1000000")
    ranking = rank_bids(competition(WEIGHTS, [z, third, a]))
    assert [(r.bid.pk, r.rank, r.tied, r.rank_label) for r in ranking] == [(1, 1, True, "=1"), (2, 1, True, "=1"), (3, 3, False, "3")]
    assert tied_for_first(ranking) == ranking[:2] and tie_unbroken(ranking)
    # The recorded tie-break puts its bid first, and the tie is still shown.
    broken = rank_bids(competition(WEIGHTS, [z, third, a], tie_break_bid=2))
    assert [(r.bid.pk, r.rank, r.tied, r.tie_broken) for r in broken] == [(2, 1, True, True), (1, 1, True, False), (3, 3, False, False)]
    assert not tie_unbroken(broken)


def test_a_tie_break_for_a_bid_no_longer_tied_breaks_nothing():
    a = bid(1, "Alpha Justice", {1: 5, 2: 6, 3: 1}, "1000000")
    z = bid(2, "Zeta Justice", {1: 9, 2: 6, 3: 1}, "1000000")
    ranking = rank_bids(competition(WEIGHTS, [a, z], tie_break_bid=1))
    assert [(r.bid.pk, r.rank, r.tied, r.tie_broken) for r in ranking] == [(2, 1, False, False), (1, 2, False, False)]
    assert tied_for_first(ranking) == [] and not tie_unbroken(ranking)


def test_lowest_tender_ties_on_equal_adjusted_prices():
    public = bid(1, "HMPS", {}, "997000", adjustments=["3000"])  # adjusted to £1,000,000
    private = bid(2, "Serco", {}, "1000000")
    cheaper = bid(3, "Sodexo", {}, "1000001")
    ranking = rank_bids(competition([], [cheaper, private, public], award_basis="lowest_price"))
    assert [(r.bid.pk, r.rank, r.tied) for r in ranking] == [(1, 1, True), (2, 1, True), (3, 3, False)]


def test_figures_are_shown_half_up_from_the_exact_value():
    assert shown(Fraction("77.125")) == Decimal("77.13")
    assert shown(Fraction("77.1249999999999999999999999999999")) == Decimal("77.12")
    assert shown(Fraction(200, 3)) == Decimal("66.67") and shown(Fraction(0)) == Decimal("0.00")


HUNDREDTHS = st.integers(min_value=1, max_value=4000)


@settings(max_examples=150, deadline=None)
@given(
    quality=st.lists(HUNDREDTHS, min_size=1, max_size=4),
    marks=st.lists(st.lists(st.integers(min_value=0, max_value=10), min_size=4, max_size=4), min_size=2, max_size=5),
    prices=st.lists(st.integers(min_value=1, max_value=10**9), min_size=5, max_size=5),
)
def test_the_ranking_is_the_order_of_the_exact_totals(quality, marks, prices):
    """Property: a bid ranks ahead of another exactly when its true total is greater; equal is a tie."""
    price_weight = max(10000 - sum(quality), 0)
    criteria = [criterion(i, "quality", Decimal(w) / 100) for i, w in enumerate(quality)] + [criterion(99, "price", Decimal(price_weight) / 100)]
    bids = [bid(n, f"Bidder {n}", dict(enumerate(m)), Decimal(p) / 100) for n, (m, p) in enumerate(zip(marks, prices))]
    # The oracle: the true totals, by the Decimal arithmetic with more digits than any input can need.
    with localcontext() as exact:
        exact.prec = 100
        lowest = min(b.price for b in bids)
        truth = {
            b.pk: sum((Decimal(w) / 100 * b_mark / 10 for w, b_mark in zip(quality, (s.score for s in b.moderated_scores))), Decimal(0))
            + Decimal(price_weight) / 100 * lowest / b.price
            for b in bids
        }
        shown_truth = {pk: value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) for pk, value in truth.items()}
    ranking = rank_bids(competition(criteria, bids))
    for result in ranking:
        ahead = [pk for pk, value in truth.items() if value > truth[result.bid.pk]]
        assert result.rank == 1 + len(ahead)
        assert result.tied == (sum(1 for value in truth.values() if value == truth[result.bid.pk]) > 1)
        assert result.total == shown_truth[result.bid.pk]
    assert [r.rank for r in ranking] == sorted(r.rank for r in ranking)


# --- a tie in a competition, end to end ---------------------------------------------------------------


@pytest.fixture
def tie(journey):
    journey.advance_to(State.EVALUATION)
    journey.prepare("recommend_award", leave_out="tie_broken")
    journey.tie_for_first()
    return journey


TIE_LABEL = next(c.label for c in GUARDS["recommend_award"] if c.code == "tie_broken")


def url(competition, action=""):
    return f"/api/v1/competitions/{competition.pk}/" + (f"{action}/" if action else "")


def test_an_unbroken_tie_refuses_the_award_recommendation_naming_the_condition(tie):
    with pytest.raises(TransitionRefused) as refused:
        tie.run("recommend_award")
    assert refused.value.missing == [TIE_LABEL]
    # Naming one of the tied bids does not get round it.
    with pytest.raises(TransitionRefused):
        tie.run("recommend_award", bid=tie.bids()[0], rationale="Preferred.")
    api = client_for(tie.procurement)
    body = problem(api.post(url(tie.competition, "recommend-award"), {"version": tie.refresh().version}, format="json"), 409)
    assert TIE_LABEL in str(body)
    assert tie.refresh().state == State.EVALUATION


def test_the_page_shows_the_tie_and_the_way_to_break_it(tie, client):
    client.force_login(tie.procurement)
    html = client.get(f"/competitions/{tie.competition.pk}/?section=all").content.decode()
    assert html.count(">=1 <strong class=\"govuk-tag govuk-tag--yellow\">Tied</strong>") == 2
    assert "are tied for first place on" in html and "cannot be recommended until the tie is broken" in html
    assert f'href="/competitions/{tie.competition.pk}/records/tie-break/"' in html


def test_a_tie_break_must_name_a_tied_bid_its_method_and_its_reason(tie):
    api = client_for(tie.procurement)
    tied = tie.bids()
    body = problem(api.post(url(tie.competition, "tie-break"), {"bid": tied[0].pk, "method": " ", "reason": ""}, format="json"), 400)
    assert sorted(body["errors"]) == ["method", "reason"]
    assert not TieBreak.objects.exists()
    # A bid that is not tied for first cannot be placed first by a tie-break.
    Bid.objects.filter(pk=tied[1].pk).update(bafo_price=tied[1].price + 1)
    body = problem(api.post(url(tie.competition, "tie-break"), {"bid": tied[0].pk, "method": "Quality", "reason": "Higher."}, format="json"), 400)
    assert list(body["errors"]) == ["bid"] and "No bids are tied" in body["errors"]["bid"][0]
    assert not TieBreak.objects.exists()


def test_only_moj_procurement_breaks_a_tie_and_the_bid_team_does_not_see_one(tie, bid_team_user):
    body = {"bid": tie.bids()[0].pk, "method": "Quality", "reason": "Higher."}
    problem(client_for(tie.commissioner).post(url(tie.competition, "tie-break"), body, format="json"), 403)
    tie.join(bid_team_user, "bid_team", side="bid", bid=tie.bids()[0])
    # The bid side sees the launched competition, so it is told it may not (as for any move), and nothing of the tie.
    refused = problem(client_for(bid_team_user).post(url(tie.competition, "tie-break"), body, format="json"), 403)
    assert "ranking" not in refused and "tie" not in str(refused).lower()
    assert "ranking" not in client_for(bid_team_user).get(url(tie.competition)).json()
    assert not TieBreak.objects.exists()


def test_a_recorded_tie_break_lets_the_award_be_recommended_to_its_bid(tie, client):
    first, second = sorted(tie.bids(), key=lambda b: b.bidder.name)
    api = client_for(tie.procurement)
    response = api.post(url(tie.competition, "tie-break"), {"bid": second.pk, "method": "Highest score on quality of delivery",
                                                             "reason": "Stronger mobilisation plan under criterion 1."}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert body["tie_break"]["bid"] == second.pk and body["tie_break"]["method"] == "Highest score on quality of delivery"
    assert [(r["bid"], r["rank"], r["tied"], r["tie_broken"]) for r in body["ranking"]] == [(second.pk, 1, True, True), (first.pk, 1, True, False)]
    assert body["ranking"][0]["total"] == body["ranking"][1]["total"]
    assert CompetitionEvent.objects.filter(competition=tie.competition, description__startswith="Tie for first broken in favour of").exists()

    competition = tie.run("recommend_award")
    recommendation = competition.award_recommendation
    assert recommendation.bid == second
    assert recommendation.rationale.startswith(f"Tied for first ({body['ranking'][0]['total']}) with {first.bidder}")
    assert "Stronger mobilisation plan" in recommendation.rationale

    client.force_login(tie.procurement)
    html = client.get(f"/competitions/{tie.competition.pk}/?section=all").content.decode()
    assert f"Tie broken in favour of <strong>{second.bidder}</strong>" in html and "placed first by the tie-break" in html

    services.debrief_letters_issue(competition=tie.refresh(), actor=tie.procurement)
    letter = pdf_text(bytes(DebriefLetter.objects.get(bid=first).document))
    assert "ranked 1, equal with another bid" in letter
    assert "separated by the tie-break the tender documents published (Highest score on quality of delivery)" in letter


def test_the_tie_break_form_refuses_a_bid_not_tied_naming_the_field(tie, client):
    client.force_login(tie.procurement)
    Bid.objects.filter(pk=tie.bids()[1].pk).update(bafo_price=tie.bids()[1].price + 1)
    response = client.post(f"/competitions/{tie.competition.pk}/records/tie-break/",
                           {"bid": tie.bids()[0].pk, "method": "Quality", "reason": "Higher."})
    assert response.status_code == 200 and 'href="#id_bid"' in response.content.decode()
    assert not TieBreak.objects.exists()
