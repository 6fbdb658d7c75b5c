"""Defects seen trying the service as each role (issue #19), each put right and kept right."""

import datetime
import html

import pytest

from competitions import services
from competitions.forms import ClarificationForm, GatewayReviewForm
from competitions.models import State
from core.roles import Role
from core.templatetags.govuk import duration_words
from tests.competitions.journey import Journey
from tests.core.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_someone_with_no_role_yet_still_has_home_and_a_way_to_sign_out(client):
    client.force_login(UserFactory(roles=[]))
    page = client.get("/").content.decode()
    assert "You have no role yet" in page and 'class="govuk-service-navigation__list"' in page and "Sign out" in page


def test_the_bid_team_is_not_offered_the_portfolio_it_cannot_open(client):
    client.force_login(UserFactory(roles=[Role.BID_TEAM]))
    assert "Portfolio view" not in client.get("/competitions/").content.decode()
    client.force_login(UserFactory(roles=[Role.COMMISSIONER]))
    assert "Portfolio view" in client.get("/competitions/").content.decode()


def test_the_lock_out_lasts_so_many_minutes_in_words():
    assert duration_words(datetime.timedelta(minutes=30)) == "30 minutes"
    assert duration_words(datetime.timedelta(minutes=90)) == "1 hour 30 minutes"
    assert duration_words(datetime.timedelta(hours=2)) == "2 hours"


def test_the_declaration_page_opens_without_an_error_already_shown(client):
    client.force_login(UserFactory(roles=[Role.SRO]))
    page = client.get("/walls/declare/").content.decode()
    assert "govuk-error-summary" not in page and "This field is required" not in page


def test_a_gateway_rating_is_never_pre_selected():
    form = GatewayReviewForm()
    assert form.fields["delivery_confidence"].choices[0][0] == "" and "selected" not in str(form["delivery_confidence"]).split("</option>")[1]
    bound = GatewayReviewForm({"review_type": "gateway", "gate": "2", "held_on": "2026-11-01", "review_team": "A. Reviewer"})
    assert not bound.is_valid() and "delivery_confidence" in bound.errors


def test_a_clarification_is_logged_against_the_competitions_bidders_and_answered_with_its_question_shown(journey, client):
    journey.advance_to(State.PRE_QUALIFICATION)
    journey.satisfy("prequalified_bidder")
    choices = [label for _, label in ClarificationForm(competition=journey.refresh()).fields["asked_by"].choices]
    assert choices == ["Choose the bidder who asked", "HMPS Business Development Group", "Serco Justice Services"]
    clarification = services.clarification_log(competition=journey.refresh(), actor=journey.procurement, asked_by=journey.private_bidder,
                                               question="Will the staff list be published?")
    client.force_login(journey.procurement)
    page = html.unescape(client.get(f"/competitions/{journey.competition.pk}/records/answer/{clarification.pk}/").content.decode())
    assert "“Will the staff list be published?”" in page and "Clarification object" not in page


def test_the_timeline_says_who_once(journey, client):
    client.force_login(journey.commissioner)
    page = client.get(f"/competitions/{journey.competition.pk}/?section=all").content.decode()
    assert "Competition created" in page and f"Competition created by {journey.commissioner}" not in page


def test_the_timeline_names_the_bidder(journey, client):
    journey.advance_to("award_recommended")
    client.force_login(journey.commissioner)
    page = html.unescape(client.get(f"/competitions/{journey.competition.pk}/?section=all").content.decode())
    for bid in journey.bids():
        assert f"Expression of interest registered for {bid.bidder}" in page
        assert f"Bid of {bid.bidder} recorded as compliant" in page
        assert f"Score recorded for {bid.bidder} against “Quality of delivery”" in page
    assert "for a bidder" not in page and "Tender received\n" not in page


def test_only_the_records_a_person_may_keep_are_offered_and_a_refusal_says_why_with_a_way_back(journey, client):
    """Procurement was offered "Record Treasury approval" and refused after filling it in (issue #19)."""
    client.force_login(journey.procurement)
    page = client.get(f"/competitions/{journey.competition.pk}/?section=all").content.decode()
    assert "Record Treasury approval" not in page and "Record the procurement strategy" in page
    detail = f"http://testserver/competitions/{journey.competition.pk}/"
    refused = client.get(f"/competitions/{journey.competition.pk}/records/treasury-approval/", HTTP_REFERER=detail)
    text = html.unescape(refused.content.decode())
    assert refused.status_code == 403 and "Only Commissioner or Senior Responsible Officer can record Treasury approval (TAP)." in text
    assert f'href="{detail}"' in text and "go to your home page" in text
    elsewhere = client.get(f"/competitions/{journey.competition.pk}/records/treasury-approval/", HTTP_REFERER="https://evil.example/")
    assert "evil.example" not in elsewhere.content.decode()
    client.force_login(journey.commissioner)
    assert "Record Treasury approval" in client.get(f"/competitions/{journey.competition.pk}/?section=all").content.decode()


def test_no_select_shows_a_row_of_dashes(journey, client):
    client.force_login(journey.commissioner)
    for url in (f"/competitions/{journey.competition.pk}/edit/", "/competitions/new/", f"/competitions/{journey.competition.pk}/records/criterion/"):
        page = client.get(url).content.decode()
        assert "---------" not in page, url


def test_a_forgotten_password_is_reset_by_email_once_and_unknown_addresses_learn_nothing(client, mailoutbox):
    import re

    user = UserFactory(roles=[Role.COMMISSIONER], email="claire.hughes@justice.example")
    assert "Forgotten your password?" in client.get("/login/").content.decode()
    response = client.post("/password-reset/", {"email": "claire.hughes@justice.example"})
    assert response.status_code == 302 and response["Location"] == "/password-reset/sent/"
    unknown = client.post("/password-reset/", {"email": "nobody@example.org"}, follow=True)
    assert "Check your e-mail" in unknown.content.decode() and len(mailoutbox) == 1  # the same answer, no e-mail
    link = re.search(r"http://testserver(/password-reset/[^\s]+/)", mailoutbox[0].body).group(1)
    form = client.get(link, follow=True)
    assert "Set a new password" in form.content.decode()
    weak = client.post(form.redirect_chain[-1][0], {"new_password1": "12345678", "new_password2": "12345678"})
    assert "too short" in weak.content.decode() or "too common" in weak.content.decode()
    done = client.post(form.redirect_chain[-1][0], {"new_password1": "a-long-new-passphrase-2026", "new_password2": "a-long-new-passphrase-2026"})
    assert done.status_code == 302
    signed_in = client.post("/login/", {"username": user.username, "password": "a-long-new-passphrase-2026"})
    assert signed_in.status_code == 302
    client.logout()
    assert "This link does not work" in client.get(link, follow=True).content.decode()


def test_a_failed_sign_in_warns_before_the_account_is_locked(client, settings):
    user = UserFactory(roles=[Role.COMMISSIONER])
    warnings = []
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        page = client.post("/login/", {"username": user.username, "password": "wrong"}).content.decode()
        warnings.append("more attempt" in page)
    assert warnings == [False] * (settings.AXES_FAILURE_LIMIT - 3) + [True, True]
    assert "You have 1 more attempt before this account is locked for 30 minutes" in page


def test_criteria_can_be_changed_and_removed_until_launch_with_their_total_shown(client):
    """DEMO-003's weights summed to 160% with no way to put a mistaken 50% right (issue #19)."""
    from decimal import Decimal

    trip = Journey()
    try:
        services.criterion_add(competition=trip.refresh(), actor=trip.procurement, name="Quality", kind="quality", weight=Decimal(60))
        services.criterion_add(competition=trip.refresh(), actor=trip.procurement, name="Price", kind="price", weight=Decimal(40))
        mistake = services.criterion_add(competition=trip.refresh(), actor=trip.procurement, name="Social value", kind="quality", weight=Decimal(50))
        client.force_login(trip.procurement)
        page = html.unescape(client.get(f"/competitions/{trip.competition.pk}/?section=all").content.decode())
        assert "150%" in page and "Must be 100%" in page
        form = client.get(f"/competitions/{trip.competition.pk}/records/edit-criterion/{mistake.pk}/").content.decode()
        assert 'value="Social value"' in form and 'value="50.00"' in form
        client.post(f"/competitions/{trip.competition.pk}/records/edit-criterion/{mistake.pk}/",
                    {"name": "Social value", "kind": "quality", "weight": "10", "description": ""})
        client.post(f"/competitions/{trip.competition.pk}/records/edit-criterion/{mistake.pk}/".replace("edit", "remove"), {})
        assert sorted(c.name for c in trip.refresh().criteria.all()) == ["Price", "Quality"]
        assert "Must be 100%" not in html.unescape(client.get(f"/competitions/{trip.competition.pk}/?section=all").content.decode())
        assert trip.refresh().events.filter(description__startswith="Criterion changed: Social value (50%) is now Social value (10%)").exists()
    finally:
        trip.stop_travel()


def test_figures_have_thousands_separators_and_a_gap_is_said_in_words():
    from core.templatetags.humanize_money import figure, gap_words

    assert figure(8200000) == "8,200,000" and figure("12.50") == "12.5" and figure(None) == "–"
    assert gap_words(-4900, "places") == "Surplus of 4,900 places" and gap_words(40, "places") == "Gap of 40 places"
    assert gap_words(0, "places") == "No gap"


def _part_links(page: str) -> list[str]:
    nav = page[page.index('aria-label="Parts of this page"'):page.index("</nav>", page.index('aria-label="Parts of this page"'))]
    return [part.split('"')[0] for part in nav.split('href="?section=')[1:]]


def test_a_long_page_is_split_into_parts_under_sub_navigation(journey, client):
    journey.advance_to(State.EVALUATION)
    client.force_login(journey.procurement)
    url = f"/competitions/{journey.competition.pk}/"
    overview = client.get(url).content.decode()
    assert _part_links(overview) == ["overview", "assurance", "bids", "questions", "record", "all"]
    assert 'href="?section=overview" aria-current="page"' in overview
    assert 'id="next"' in overview and 'id="governance"' in overview and 'id="bids"' not in overview and 'id="timeline"' not in overview
    bids = client.get(url, {"section": "bids"}).content.decode()
    assert 'id="bids"' in bids and 'id="evaluation"' in bids and 'id="next"' not in bids and 'id="timeline"' not in bids
    everything = client.get(url, {"section": "all"}).content.decode()
    assert all(f'id="{anchor}"' in everything for anchor in ("next", "wall", "bids", "clarifications", "timeline"))
    assert len(overview) < len(everything) / 2
    assert client.get(url, {"section": "nonsense"}).content.decode().count('id="next"') == 1  # the overview
    # A saved record returns to its own part, at its section.
    bid = journey.bids()[0]
    criterion = bid.competition.criteria.filter(kind="quality").first()
    saved = client.post(f"{url}records/score/{bid.pk}/", {f"score_{criterion.pk}": "6", f"rationale_{criterion.pk}": "Evidence."})
    assert saved["Location"] == f"{url}?section=bids#evaluation"
    # A bidder's parts are its own: no assurance, no timeline.
    client.force_login(UserFactory(roles=[Role.BID_TEAM]))
    assert _part_links(client.get(url).content.decode()) == ["overview", "bids", "questions", "all"]


def test_moderation_shows_the_evaluators_scores_and_the_missing_scores_are_named(journey, client):
    journey.advance_to(State.EVALUATION)
    reference = journey.competition.reference
    from competitions import guards
    from competitions.models import Bid, EvaluationCriterion

    [condition] = [c for c in guards.conditions(journey.refresh(), "recommend_award") if c.code == "scoring"]
    assert not condition.met and condition.detail.startswith("Still to do — ") and "two evaluators' scores and the moderated score" in condition.detail
    bid = Bid.objects.get(competition=journey.competition, bidder=journey.private_bidder)
    criterion = EvaluationCriterion.objects.filter(competition=journey.competition, kind="quality").first()
    services.score_record(bid=bid, criterion=criterion, actor=journey.second_evaluator, score=7, rationale="Strong resettlement offer.")
    [condition] = [c for c in guards.conditions(journey.refresh(), "recommend_award") if c.code == "scoring"]
    assert f"Serco Justice Services, {criterion.name}: one more evaluator's score and the moderated score" in condition.detail
    client.force_login(journey.procurement)
    page = html.unescape(client.get(f"/competitions/{journey.competition.pk}/?section=all").content.decode())
    assert f"Serco Justice Services, {criterion.name}: one more evaluator's score" in page
    moderation = html.unescape(client.get(f"/competitions/{journey.competition.pk}/records/moderate/{bid.pk}/").content.decode())
    assert f"{criterion.name}: {journey.second_evaluator} 7 (“Strong resettlement offer.”)" in moderation
    assert reference in moderation
