"""The competitions REST API (SPEC §6): the same services, selectors and wall as the pages."""

from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from competitions.machine import LIFECYCLE
from competitions import guards, services
from competitions.models import Bid, Clarification, Competition, GatewayReview, State
from core.models import ServiceArea
from core.roles import Role
from ethical_walls.services import conflict_declare
from tests.api import client_for, problem
from tests.core.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db



def url(competition, action=""):
    return f"/api/v1/competitions/{competition.pk}/" + (f"{action}/" if action else "")


def ready_to_launch(journey, *, leave_out=None):
    journey.advance_to(State.PRE_PROCUREMENT)
    journey.prepare("launch", leave_out=leave_out)


def make_competitions(count, *, actor, service_area, value=Decimal("1000000"), **fields):
    return [
        services.competition_create(actor=actor, title=f"Unpaid work {n}", service_area=service_area, estimated_value=value + n, **fields)
        for n in range(count)
    ]


# --- list ----------------------------------------------------------------------------------------------

def test_list_filters_by_state_phase_service_area_value_and_search(journey):
    payback, _ = ServiceArea.objects.get_or_create(name="Community payback")
    make_competitions(2, actor=journey.commissioner, service_area=payback)
    journey.advance_to(State.PRE_QUALIFICATION)
    api = client_for(journey.commissioner)  # on the commissioning side of all three (the drafts exist for nobody else)

    def references(**params):
        response = api.get("/api/v1/competitions/", params)
        assert response.status_code == 200, response.content
        return [c["title"] for c in response.json()["results"]]

    assert references(state="pre_qualification") == ["HMP Birmingham operation"]
    assert references(phase="pre_procurement") == ["Unpaid work 0", "Unpaid work 1"]
    assert references(service_area=payback.pk) == ["Unpaid work 0", "Unpaid work 1"]
    assert references(min_value="1000001") == ["HMP Birmingham operation", "Unpaid work 1"]  # by reference
    assert references(max_value="1000000.50") == ["Unpaid work 0"]
    assert references(search="birmingham") == ["HMP Birmingham operation"]
    assert references(ordering="-estimated_value") == ["HMP Birmingham operation", "Unpaid work 1", "Unpaid work 0"]
    assert references(phase="procurement", min_value="100") == ["HMP Birmingham operation"]


def test_list_refuses_a_bad_filter_or_an_unknown_ordering_naming_the_parameter(commissioner):
    api = client_for(commissioner)
    body = problem(api.get("/api/v1/competitions/", {"min_value": "lots"}), 400)
    assert list(body["errors"]) == ["min_value"]
    body = problem(api.get("/api/v1/competitions/", {"ordering": "sro"}), 400)
    assert list(body["errors"]) == ["ordering"]
    body = problem(api.get("/api/v1/competitions/", {"min_value": "10", "max_value": "5"}), 400)
    assert list(body["errors"]) == ["max_value"]


def test_list_is_paginated(commissioner):
    area, _ = ServiceArea.objects.get_or_create(name="Community payback")
    make_competitions(27, actor=commissioner, service_area=area)
    api = client_for(commissioner)
    first = api.get("/api/v1/competitions/").json()
    assert first["count"] == 27 and len(first["results"]) == 25 and first["previous"] is None
    second = api.get(first["next"]).json()
    assert len(second["results"]) == 2 and second["next"] is None


@pytest.mark.parametrize("count", [1, 20])
def test_list_takes_the_same_queries_for_one_competition_or_twenty(count, commissioner, django_assert_num_queries):
    area, _ = ServiceArea.objects.get_or_create(name="Community payback")
    sro = UserFactory(roles=[Role.SRO])
    for competition in make_competitions(count, actor=commissioner, service_area=area):
        conflict_declare(competition=competition, actor=sro, nature="nil")
        services.competition_update(competition=competition, actor=commissioner, sro=sro, sro_appointed_on=timezone.localdate())
    api = client_for(commissioner)
    api.get("/api/v1/competitions/")  # the user's roles, read once per user
    # count, page of competitions with service area, lead commissioner and SRO (the caller's
    # commissioning-side competitions were read with its roles, once per user)
    with django_assert_num_queries(2):
        response = api.get("/api/v1/competitions/")
    assert len(response.json()["results"]) == count
    assert response.json()["results"][0]["sro"]["id"] == sro.pk


@pytest.mark.parametrize("extra", [0, 3])
def test_record_lists_take_a_fixed_number_of_queries(extra, journey, django_assert_num_queries):
    journey.advance_to(State.DIALOGUE)  # two bids, a Gate 2 review
    for n in range(extra):
        journey.review(2)
        services.bid_register(competition=journey.competition, actor=journey.procurement, bidder=OrganisationFactory())
    for n in range(1 + extra):
        services.clarification_log(competition=journey.competition, actor=journey.procurement, asked_by=journey.private_bidder, question=f"Q{n}")
    api = client_for(journey.procurement)
    for path in ("bids", "clarifications", "gateway-reviews"):
        api.get(f"/api/v1/{path}/")  # the user's roles and place on the wall, read once per user
    # count, the page, then one prefetch each: bids' participants, reviews' recommendations (the caller's
    # place on the wall was read with its roles, once per user)
    for path, queries, rows in [("bids", 3, 2 + extra), ("clarifications", 2, 1 + extra), ("gateway-reviews", 3, 1 + extra)]:
        with django_assert_num_queries(queries):
            response = api.get(f"/api/v1/{path}/", {"competition": journey.competition.pk})
        assert response.json()["count"] == rows, path


def test_an_unknown_page_is_a_plain_404(commissioner):
    assert problem(client_for(commissioner).get("/api/v1/competitions/", {"page": 9}), 404)["detail"] == "Not found."


# --- detail -----------------------------------------------------------------------------------------

def test_detail_shows_state_version_ocid_and_the_transitions_this_user_may_apply(journey):
    ready_to_launch(journey)
    competition = journey.refresh()
    response = client_for(journey.procurement).get(url(competition))
    assert response.status_code == 200
    body = response.json()
    assert body["state"] == "pre_procurement" and body["state_label"] == "Pre-procurement"
    assert body["phase"] == "pre_procurement" and body["ocid"] == competition.ocid
    assert body["version"] == competition.version and response["ETag"].startswith(f'"{competition.version}-')
    assert body["sro"]["id"] == journey.sro.pk and body["mandate"]
    assert [c["name"] for c in body["criteria"]] == ["Price", "Quality of delivery", "Rehabilitation outcomes"]
    assert body["available_transitions"] == ["launch", "abandon"]
    # The commissioner may not launch (MoJ Procurement does), but may abandon.
    assert client_for(journey.commissioner).get(url(competition)).json()["available_transitions"] == ["abandon"]


def test_detail_takes_the_same_queries_however_many_records_the_competition_has(journey, bid_team_user, django_assert_num_queries):
    journey.advance_to(State.DIALOGUE)
    commissioning, bid_side = client_for(journey.procurement), client_for(bid_team_user)

    def queries(api):
        api.get(url(journey.competition))  # the user's roles, read once per user
        with CaptureQueriesContext(connection) as captured:
            assert api.get(url(journey.competition)).status_code == 200
        return len(captured)

    before = queries(commissioning), queries(bid_side)
    for n in range(3):
        journey.review(2)
        services.bid_register(competition=journey.competition, actor=journey.procurement, bidder=OrganisationFactory())
        asked = services.clarification_log(competition=journey.competition, actor=journey.procurement, asked_by=journey.private_bidder, question=f"Q{n}")
        services.clarification_answer(clarification=asked, actor=journey.procurement, answer="A.")
    for api, expected in zip((commissioning, bid_side), before):
        with django_assert_num_queries(expected):
            api.get(url(journey.competition))
    # The bid side's page reads only public records (the competition, published criteria, clarifications,
    # notices), its own bids with their documents, and its place on the wall.
    assert before[1] == 5


def test_detail_leaves_out_a_transition_whose_guard_is_not_met(journey):
    ready_to_launch(journey, leave_out="gate_2")
    body = client_for(journey.procurement).get(url(journey.refresh())).json()
    assert body["available_transitions"] == ["abandon"]


def test_an_unknown_competition_answers_404_without_echoing_the_request(commissioner):
    body = problem(client_for(commissioner).get("/api/v1/competitions/999999/"), 404)
    assert body["detail"] == "Not found." and body["type"] == "about:blank"
    assert problem(client_for(commissioner).get("/api/v1/competitions/abc/"), 404)["detail"] == "Not found."


# --- create and update ----------------------------------------------------------------------------

def test_create_makes_a_draft_led_by_the_caller(commissioner):
    area, _ = ServiceArea.objects.get_or_create(name="Community payback")
    response = client_for(commissioner).post(
        "/api/v1/competitions/",
        {"title": "Community payback London", "service_area": area.pk, "estimated_value": "12000000.00", "regime": "2023", "procedure": "open"},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["state"] == "draft" and body["version"] == 1 and body["lead_commissioner"]["id"] == commissioner.pk
    assert response["Location"].endswith(f"/api/v1/competitions/{body['id']}/")
    assert Competition.objects.get(pk=body["id"]).procedure == "open"


def test_create_with_a_field_error_names_the_field_and_creates_nothing(commissioner):
    area, _ = ServiceArea.objects.get_or_create(name="Community payback")
    api = client_for(commissioner)
    # The service's rule: the 2011 rules have no competitive flexible procedure.
    body = problem(api.post(
        "/api/v1/competitions/",
        {"title": "Unpaid work", "service_area": area.pk, "estimated_value": "1000", "regime": "2011", "procedure": "competitive_flexible"},
        format="json",
    ), 400)
    assert list(body["errors"]) == ["procedure"] and "2011 rules" in body["errors"]["procedure"][0]
    # The serializer's: a title is required, a value is a number.
    body = problem(api.post("/api/v1/competitions/", {"service_area": area.pk, "estimated_value": "lots"}, format="json"), 400)
    assert set(body["errors"]) == {"title", "estimated_value"}
    assert not Competition.objects.exists()


def test_update_changes_the_given_fields_and_bumps_the_version(journey):
    competition = journey.refresh()
    api = client_for(journey.commissioner)
    response = api.patch(url(competition), {"title": "HMP Birmingham and Featherstone 2", "version": competition.version}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["title"] == "HMP Birmingham and Featherstone 2"
    assert response.json()["version"] == competition.version + 1
    # With If-Match, as an HTTP client would send the ETag back.
    response = api.patch(url(competition), {"description": "Two prisons."}, format="json", HTTP_IF_MATCH=response["ETag"])
    assert response.status_code == 200 and response.json()["version"] == competition.version + 2


def test_update_of_a_stale_version_answers_412_and_changes_nothing(journey):
    competition = journey.refresh()
    api = client_for(journey.commissioner)
    read = api.get(url(competition))["ETag"]
    journey.update(title="Changed by a colleague")
    body = problem(api.patch(url(competition), {"title": "Mine", "version": competition.version}, format="json"), 412)
    assert body["type"].endswith("stale-object") and "changed since version" in body["detail"]
    problem(api.patch(url(competition), {"title": "Mine"}, format="json", HTTP_IF_MATCH=read), 412)
    # If-Match wins over the body: a stale tag with the current version in the body is still stale.
    problem(api.patch(url(competition), {"title": "Mine", "version": competition.version + 1}, format="json", HTTP_IF_MATCH=read), 412)
    assert journey.refresh().title == "Changed by a colleague"


def test_a_write_without_a_precondition_answers_428_and_changes_nothing(journey):
    api = client_for(journey.commissioner)
    body = problem(api.patch(url(journey.competition), {"title": "Blind"}, format="json"), 428)
    assert body["type"].endswith("precondition-required") and "If-Match" in body["detail"]
    problem(client_for(journey.commissioner).post(url(journey.competition, "abandon"), {"reason": "Blind"}, format="json"), 428)
    assert journey.refresh().title != "Blind" and journey.competition.state == State.DRAFT


def test_a_weak_etag_never_matches_for_a_write(journey):
    api = client_for(journey.commissioner)
    current = api.get(url(journey.competition))["ETag"]
    problem(api.patch(url(journey.competition), {"title": "Weak"}, format="json", HTTP_IF_MATCH=f"W/{current}"), 412)
    response = api.patch(url(journey.competition), {"title": "Strong"}, format="json", HTTP_IF_MATCH=f'"nope", {current}')
    assert response.status_code == 200 and response.json()["title"] == "Strong"


def test_each_representation_has_its_own_etag_and_if_none_match_answers_304(journey):
    journey.advance_to(State.PRE_QUALIFICATION)
    commissioning, bidder = client_for(journey.commissioner), client_for(UserFactory(roles=[Role.BID_TEAM]))
    theirs, ours = bidder.get(url(journey.competition)), commissioning.get(url(journey.competition))
    assert theirs["ETag"] != ours["ETag"] and theirs.json()["version"] == ours.json()["version"]
    assert "Authorization" in ours["Vary"] and ours["Cache-Control"] == "private, no-cache"
    not_modified = commissioning.get(url(journey.competition), HTTP_IF_NONE_MATCH=ours["ETag"])
    assert not_modified.status_code == 304 and not not_modified.content and not_modified["ETag"] == ours["ETag"]
    # The bid side's tag is not the commissioning side's: no If-Match with it will do.
    problem(commissioning.post(url(journey.competition, "abandon"), {"reason": "x"}, format="json", HTTP_IF_MATCH=theirs["ETag"]), 412)


def test_update_refuses_an_unknown_or_empty_change(journey):
    api = client_for(journey.commissioner)
    body = problem(api.patch(url(journey.competition), {"version": journey.competition.version}, format="json"), 400)
    assert list(body["errors"]) == ["non_field_errors"]
    body = problem(api.patch(url(journey.competition), {"title": "x"}, format="json", HTTP_IF_MATCH="yesterday"), 400)
    assert list(body["errors"]) == ["If-Match"]


# --- transitions -----------------------------------------------------------------------------------

def test_every_transition_is_a_post_action_with_a_hyphenated_path(journey):
    api = client_for(journey.procurement)
    for name in LIFECYCLE.services:
        response = api.get(url(journey.competition, name.replace("_", "-")))
        problem(response, 405)  # the path exists, for POST only


def test_a_successful_transition_answers_the_competition_as_it_now_is(journey):
    ready_to_launch(journey)
    competition = journey.refresh()
    response = client_for(journey.procurement).post(url(competition, "launch"), {"version": competition.version}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["state"] == "pre_qualification" and body["version"] == competition.version + 1
    assert journey.refresh().state == State.PRE_QUALIFICATION
    # The tender notice (UK4) is published under the competition's OCID.
    notices = client_for(journey.procurement).get(url(competition, "notices")).json()
    assert [(n["type"], n["version"]) for n in notices] == [("UK4", 1)]
    assert notices[0]["content"]["ocid"] == competition.ocid and notices[0]["published_at"]


def test_a_refused_transition_answers_409_listing_the_missing_conditions(journey):
    ready_to_launch(journey, leave_out="gate_2")
    competition = journey.refresh()
    body = problem(client_for(journey.procurement).post(url(competition, "launch"), {"version": competition.version}, format="json"), 409)
    gate_2 = next(c.label for c in guards.GUARDS["launch"] if c.code == "gate_2")
    assert body["missing"] == [gate_2] and body["transition"] == "launch"
    assert body["type"].endswith("transition-refused") and gate_2 in body["detail"]
    assert journey.refresh().state == State.PRE_PROCUREMENT and journey.competition.version == competition.version


def test_a_transition_from_the_wrong_state_is_refused(journey):
    body = problem(client_for(journey.procurement).post(url(journey.competition, "award"), {"version": journey.competition.version}, format="json"), 409)
    assert body["missing"] == ["Not possible from “Draft”"]


def test_a_transition_on_a_stale_version_answers_412(journey):
    journey.prepare("start_pre_procurement")
    competition = journey.refresh()
    journey.update(title="Changed by a colleague")
    body = problem(client_for(journey.commissioner).post(url(competition, "start-pre-procurement"), {"version": competition.version}, format="json"), 412)
    assert "has changed since" in body["detail"] and "missing" not in body
    assert journey.refresh().state == State.DRAFT


def test_abandon_needs_a_reason(journey):
    api = client_for(journey.commissioner)
    body = problem(api.post(url(journey.competition, "abandon"), {"version": journey.competition.version}, format="json"), 400)
    assert list(body["errors"]) == ["reason"] and body["errors"]["reason"] == ["Give the reason for abandoning the competition."]
    assert journey.refresh().state == State.DRAFT
    response = api.post(url(journey.competition, "abandon"), {"reason": "The service is to be delivered in house.", "version": journey.competition.version}, format="json")
    assert response.status_code == 200 and response.json()["state"] == "abandoned"
    assert response.json()["abandoned_reason"] == "The service is to be delivered in house."


def test_a_role_that_may_not_apply_the_transition_gets_403(journey):
    ready_to_launch(journey)
    body = problem(client_for(journey.commissioner).post(url(journey.competition, "launch"), format="json"), 403)
    assert body["detail"] == "Only MoJ Procurement officer can do this."
    assert journey.refresh().state == State.PRE_PROCUREMENT


def test_recommend_award_names_the_bid_and_why(journey):
    journey.advance_to(State.EVALUATION)
    journey.prepare("recommend_award")
    ranked_second = max(journey.bids(), key=lambda b: b.price)  # the dearer bid, lower ranked here
    api = client_for(journey.procurement)
    body = problem(api.post(url(journey.competition, "recommend-award"), {"bid": ranked_second.pk, "version": journey.competition.version}, format="json"), 400)
    assert list(body["errors"]) == ["rationale"]
    assert journey.refresh().state == State.EVALUATION
    response = api.post(url(journey.competition, "recommend-award"), {"bid": ranked_second.pk, "rationale": "Stronger outcomes."}, format="json",
                        HTTP_IF_MATCH=api.get(url(journey.competition))["ETag"])
    assert response.status_code == 200 and response.json()["award_recommendation"]["bid"] == ranked_second.pk


# --- the wall: the bid side ------------------------------------------------------------------------

def test_the_bid_team_sees_no_bids_and_no_draft(journey, bid_team_user):
    draft = make_competitions(1, actor=journey.commissioner, service_area=journey.service_area)[0]
    journey.advance_to(State.DIALOGUE)
    bid = journey.bids()[0]
    api = client_for(bid_team_user)
    assert api.get("/api/v1/bids/").json()["results"] == []
    assert api.get("/api/v1/bids/", {"competition": journey.competition.pk}).json()["count"] == 0
    assert problem(api.get(f"/api/v1/bids/{bid.pk}/"), 404)["detail"] == "Not found."
    assert problem(api.get(url(draft)), 404)["detail"] == "Not found."
    problem(api.get(url(draft, "notices")), 404)
    problem(api.post(url(draft, "abandon"), {"reason": "x"}, format="json"), 404)
    assert [c["id"] for c in api.get("/api/v1/competitions/").json()["results"]] == [journey.competition.pk]
    assert api.get("/api/v1/gateway-reviews/").json()["count"] == 0
    # The launched competition shows only what every bidder sees.
    body = api.get(url(journey.competition)).json()
    assert body["state"] == "dialogue" and body["available_transitions"] == []
    assert not {"sro", "mandate", "lead_commissioner", "business_cases"} & set(body)
    # The commissioning side sees the bids.
    assert client_for(journey.procurement).get("/api/v1/bids/", {"competition": journey.competition.pk}).json()["count"] == 2


def test_clarifications_reach_the_bid_team_answered_and_anonymised(journey, bid_team_user):
    journey.advance_to(State.PRE_QUALIFICATION)
    procurement = client_for(journey.procurement)
    asked = procurement.post(
        "/api/v1/clarifications/",
        {"competition": journey.competition.pk, "asked_by": journey.private_bidder.pk, "question": "Is TUPE expected to apply?"},
        format="json",
    )
    assert asked.status_code == 201, asked.content
    services.clarification_log(competition=journey.competition, actor=journey.procurement, asked_by=journey.private_bidder, question="Unanswered?")
    sensitive = services.clarification_log(
        competition=journey.competition, actor=journey.procurement, asked_by=journey.private_bidder, question="Our pricing?", commercially_sensitive=True,
    )
    services.clarification_answer(clarification=sensitive, actor=journey.procurement, answer="To you only.")
    problem(procurement.post(f"/api/v1/clarifications/{asked.json()['id']}/answer/", {"answer": " "}, format="json"), 400)
    answered = procurement.post(f"/api/v1/clarifications/{asked.json()['id']}/answer/", {"answer": "Yes."}, format="json")
    assert answered.status_code == 200 and answered.json()["published_at"]

    seen = client_for(bid_team_user).get("/api/v1/clarifications/", {"competition": journey.competition.pk}).json()["results"]
    assert [(c["question"], c["answer"]) for c in seen] == [("Is TUPE expected to apply?", "Yes.")]
    assert seen[0]["asked_by"] is None and seen[0]["logged_by"] is None  # the asker left out
    problem(client_for(bid_team_user).get(f"/api/v1/clarifications/{sensitive.pk}/"), 404)
    # MoJ Procurement sees all three, and who asked.
    everything = procurement.get("/api/v1/clarifications/").json()["results"]
    assert len(everything) == 3 and {c["asked_by"] for c in everything} == {journey.private_bidder.pk}
    # The bid team may not log or answer.
    problem(client_for(bid_team_user).post(f"/api/v1/clarifications/{asked.json()['id']}/answer/", {"answer": "No."}, format="json"), 403)


# --- gateway reviews and bids ------------------------------------------------------------------------

def test_a_gateway_review_is_recorded_with_its_recommendations(journey):
    api = client_for(journey.reviewer)
    response = api.post(
        "/api/v1/gateway-reviews/",
        {
            "competition": journey.competition.pk, "gate": 2, "held_on": "2025-03-01", "review_team": "A. Reviewer",
            "delivery_confidence": "red",
            "recommendations": [{"text": "Complete the market engagement.", "urgency": "critical"}],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["recommendations"][0]["status"] == "open"
    review = GatewayReview.objects.get(pk=response.json()["id"])
    assert review.recovery_action.status == "open"  # a Red rating opens one
    assert api.get("/api/v1/gateway-reviews/", {"competition": journey.competition.pk}).json()["count"] == 1
    assert api.get(f"/api/v1/gateway-reviews/{review.pk}/").json()["delivery_confidence"] == "red"
    body = problem(api.post("/api/v1/gateway-reviews/", {"competition": journey.competition.pk, "gate": 2, "held_on": "2025-03-01",
                                                          "review_team": "A", "delivery_confidence": "amber",
                                                          "recommendations": [{"text": "x"}]}, format="json"), 400)
    assert list(body["errors"]) == ["recommendations.0.urgency"]
    problem(client_for(journey.commissioner).post("/api/v1/gateway-reviews/", {"competition": journey.competition.pk, "gate": 2, "held_on": "2025-03-01",
                                                                               "review_team": "A", "delivery_confidence": "amber"}, format="json"), 403)


def test_a_bid_is_registered_once_per_bidder(journey):
    journey.advance_to(State.PRE_QUALIFICATION)
    member = OrganisationFactory(name="Nacro")
    api = client_for(journey.procurement)
    payload = {
        "competition": journey.competition.pk, "bidder": journey.private_bidder.pk, "structure": "consortium",
        "participants": [{"organisation": member.pk, "role": "member", "funding_share": "20", "risk_share": "20"}],
    }
    response = api.post("/api/v1/bids/", payload, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["participants"][0]["organisation_name"] == "Nacro"
    assert api.get(f"/api/v1/bids/{response.json()['id']}/").json()["stage"] == "eoi"
    body = problem(api.post("/api/v1/bids/", payload, format="json"), 400)
    assert list(body["errors"]) == ["bidder"]
    assert Bid.objects.filter(competition=journey.competition).count() == 1


# --- the error format and the schema ------------------------------------------------------------------

def test_an_anonymous_caller_gets_401_with_the_scheme_to_use(journey):
    body = problem(APIClient().get("/api/v1/competitions/"), 401)
    assert body["detail"]
    assert APIClient().get("/api/v1/competitions/")["WWW-Authenticate"] == "Token"


def test_malformed_json_is_a_problem_too(commissioner):
    response = client_for(commissioner).generic("POST", "/api/v1/competitions/", "{not json", content_type="application/json")
    problem(response, 400)


def test_the_openapi_schema_validates_without_warnings(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml"))
    schema = (tmp_path / "schema.yml").read_text()
    assert "/api/v1/competitions/{id}/start-pre-procurement/" in schema and "application/problem+json" in schema


def test_no_clarification_object_is_left_behind_by_a_refused_log(journey, bid_team_user):
    journey.advance_to(State.PRE_QUALIFICATION)
    problem(client_for(bid_team_user).post(
        "/api/v1/clarifications/",
        {"competition": journey.competition.pk, "asked_by": journey.private_bidder.pk, "question": "?"},
        format="json",
    ), 403)
    assert not Clarification.objects.exists()
