"""The demo portfolio as OCDS: every published demo competition's releases and record validate, and the wall holds.

`seed_demo` takes some 20 seconds, so it runs once for the module, inside a
transaction rolled back at the end; each test runs in its own savepoint.
"""

import io
import json

import pytest
from django.core.management import call_command
from django.db import transaction

from competitions.models import LAUNCHED, AwardRecommendation, Bid, BidDocument, BusinessCase, Clarification, Competition, GatewayReview, ModeratedScore, Score, State
from core.models import User
from ethical_walls.models import ConflictDeclaration
from tests.api import client_for, problem
from tests.ocds.checks import valid_record_package, valid_release_package

pytestmark = pytest.mark.django_db

# States in which the winner has been published: by the UK6 notice from standstill (2023), at award (2011).
WINNER_PUBLISHED = {
    "2023": {State.STANDSTILL, State.AWARDED, State.MOBILISATION, State.LIVE, State.CLOSED},
    "2011": {State.AWARDED, State.MOBILISATION, State.LIVE, State.CLOSED},
}


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        with transaction.atomic():
            call_command("seed_demo", stdout=io.StringIO())
            yield
            transaction.set_rollback(True)


@pytest.fixture
def readers(demo):
    return {name: client_for(User.objects.get(username=name)) for name in ("bid_team", "procurement", "oversight")}


def urls(competition) -> list[str]:
    return [f"/api/v1/ocds/competitions/{competition.pk}/{part}/" for part in ("releases", "record", "notices")]


def test_every_demo_competition_is_valid_ocds_once_launched(readers):
    api = readers["procurement"]
    competitions = list(Competition.objects.order_by("reference"))
    assert len(competitions) >= 9
    published = []
    for competition in competitions:
        releases_url, record_url, notices_url = urls(competition)
        if competition.state not in LAUNCHED or not competition.events.filter(action="launch").exists():
            for url in urls(competition):
                problem(api.get(url), 404)
            continue
        published.append(competition.ocid)
        package = valid_release_package(api.get(releases_url).json())
        record = valid_record_package(api.get(record_url).json())["records"][0]
        assert record["ocid"] == competition.ocid and record["releases"] == package["releases"]
        assert package["releases"][0]["tag"] == ["planning"] and package["releases"][1]["tag"] == ["tender"]
        notices = api.get(notices_url).json()
        assert [n["noticeType"] for n in notices] == list(competition.notices.values_list("notice_type", flat=True))
    # Drafts and competitions in pre-procurement are not published; the others are, in one valid package.
    assert {c.reference for c in competitions if c.ocid not in published} >= {"DEMO-007", "DEMO-009"}
    everything = valid_release_package(api.get("/api/v1/ocds/releases/", {"page_size": 100}).json())
    assert sorted({r["ocid"] for r in everything["releases"]}) == sorted(published)


def test_the_demo_tags_match_each_competitions_stage(readers):
    api = readers["oversight"]

    def all_tags(reference):
        competition = Competition.objects.get(reference=reference)
        return [tag for release in api.get(urls(competition)[0]).json()["releases"] for tag in release["tag"]]

    assert "award" not in all_tags("DEMO-002")  # at tender
    assert all_tags("DEMO-005")[-2:] == ["award", "tenderUpdate"]  # 2023, standstill: the UK6 is out
    assert all_tags("DEMO-008")[-1] == "tenderCancellation"  # 2023, abandoned: UK12
    live_2011 = all_tags("DEMO-006")  # 2011, live
    assert {"award", "contract", "contractUpdate"} <= set(live_2011)


def _confidential_texts(competition) -> dict[str, str]:
    """What the wall protects in this competition, as it would read in a response."""
    texts = {}
    for case in BusinessCase.objects.filter(competition=competition):
        texts[f"business case {case.pk}"] = case.summary
    for review in GatewayReview.objects.filter(competition=competition):
        texts[f"gateway review {review.pk}"] = review.summary
        texts[f"gateway review team {review.pk}"] = review.review_team.splitlines()[0]
    for score in Score.objects.filter(bid__competition=competition):
        texts[f"score {score.pk}"] = score.rationale
    for score in ModeratedScore.objects.filter(bid__competition=competition):
        texts[f"moderation {score.pk}"] = score.notes
    for document in BidDocument.objects.filter(bid__competition=competition):
        texts[f"bid document {document.pk}"] = document.title
    for declaration in ConflictDeclaration.objects.filter(competition=competition):
        texts[f"conflict declaration {declaration.pk}"] = declaration.details
    for recommendation in AwardRecommendation.objects.filter(competition=competition):
        texts["award recommendation"] = recommendation.rationale
    for clarification in Clarification.objects.filter(competition=competition):
        if clarification.published_at is None or clarification.commercially_sensitive:
            texts[f"unpublished clarification {clarification.pk}"] = clarification.question
    if competition.mandate:
        texts["mandate"] = competition.mandate
    return {what: text for what, text in texts.items() if text and len(text) > 8}


def test_the_wall_holds_in_the_demo_for_the_bid_team_and_for_procurement(readers):
    hmps = Competition.objects.get(reference="DEMO-002")
    assert Bid.objects.filter(competition=hmps, bidder__is_crown_body=True).exists()
    for competition in Competition.objects.filter(state__in=LAUNCHED, events__action="launch").distinct():
        outputs = {name: "\n".join(api.get(url).content.decode() for url in urls(competition)) for name, api in readers.items()}
        assert len(set(outputs.values())) == 1, f"{competition.reference}: OCDS differs by who asks"
        # The commissioner's own published description may say who is expected to bid (DEMO-002 names the HMPS
        # bid unit, as the Principles of Competition make public): that text is the competition's, not a bid's.
        text = outputs["bid_team"].replace(json.dumps(competition.description, ensure_ascii=False)[1:-1], "")
        for what, confidential in _confidential_texts(competition).items():
            assert confidential not in text, f"{competition.reference}: {what}"
        winner = getattr(AwardRecommendation.objects.filter(competition=competition).first(), "bid", None)
        published_winner = winner if winner and competition.state in WINNER_PUBLISHED[competition.regime] else None
        for bid in Bid.objects.filter(competition=competition).select_related("bidder"):
            if published_winner is None or bid.pk != published_winner.pk:
                assert bid.bidder.name not in text, f"{competition.reference}: bidder {bid.bidder.name} named"
                for price in (bid.tender_price, bid.bafo_price):
                    if price is not None:
                        assert str(int(price)) not in text, f"{competition.reference}: a price of {bid.bidder.name}"
        if published_winner is not None:
            assert published_winner.bidder.name in text
