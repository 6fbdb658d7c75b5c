"""Boards and decisions (issue #21): bodies, members, meetings, papers, interests and decisions, and the guards that read them."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from boards import selectors, services
from boards.models import Body, BodyKind, Decision, Matter, Meeting, Paper
from competitions.models import State
from core.errors import TransitionRefused
from core.roles import Role
from ethical_walls.models import AuditEvent
from tests.competitions.journey import Journey
from tests.core.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def journey():
    built = Journey()
    yield built
    built.stop_travel()


def _body(kind):
    return Body.objects.get(kind=kind)


def _meeting(journey, kind=BodyKind.SUB_COMMITTEE, attendees=None, held_on=None):
    body = _body(kind)
    people = attendees or [journey.commissioner, journey.procurement, journey.second_evaluator]
    for person in people:
        if not body.members.filter(person=person).exists():
            services.member_add(actor=journey.commissioner, body=body, person=person, joined_on=timezone.localdate() - datetime.timedelta(days=400))
    return services.meeting_record(actor=journey.commissioner, body=body, held_on=held_on or timezone.localdate(), attendees=people)


def _decide(journey, meeting, matter=Matter.COMPETE, outcome="approved", **kwargs):
    return services.decision_record(actor=journey.commissioner, meeting=meeting, matter=matter, competition=journey.refresh(), outcome=outcome,
                                    minute=kwargs.pop("minute", "Decided on the paper presented."), **kwargs)


COMPETE = "The Commissioning and Commercial Sub-Committee has decided to compete the service"


def unmet_detail(journey, step):
    from competitions import guards

    unmet, = guards.unmet(journey.refresh(), step)
    return unmet.detail


def _launch_refused_for(journey):
    journey.prepare("launch", leave_out="decision_to_compete")
    with pytest.raises(TransitionRefused) as refused:
        journey.run("launch")
    return refused.value


# --- the bodies the guide names ---------------------------------------------------------------------------

def test_every_body_the_guide_names_comes_with_the_database_with_its_quorum():
    assert {b.kind: b.quorum for b in Body.objects.all()} == {
        "agency_board": 4, "sub_committee": 3, "competition_board": 3, "investment_committee": 3, "procurement_committee": 3, "mpa": 1}
    assert "decision to compete" in _body(BodyKind.SUB_COMMITTEE).remit


def test_nobody_on_the_bid_side_sits_on_a_body(journey):
    for roles in ([Role.BID_TEAM], [Role.COMMISSIONER, Role.BID_TEAM], [Role.BID_MANAGER]):
        person = UserFactory(roles=roles)
        with pytest.raises(ValidationError) as refused:
            services.member_add(actor=journey.commissioner, body=_body(BodyKind.SUB_COMMITTEE), person=person, joined_on=timezone.localdate())
        assert "bid side" in refused.value.message_dict["person"][0]
    assert not _body(BodyKind.SUB_COMMITTEE).members.exists()


def test_only_the_commissioning_sides_governance_roles_record(journey):
    for roles in ([Role.CONTRACT_MANAGER], [Role.OVERSIGHT], [Role.BID_TEAM]):
        with pytest.raises(PermissionDenied):
            services.member_add(actor=UserFactory(roles=roles), body=_body(BodyKind.SUB_COMMITTEE), person=journey.sro, joined_on=timezone.localdate())


def test_a_meeting_counts_only_members_on_the_day(journey):
    body = _body(BodyKind.SUB_COMMITTEE)
    services.member_add(actor=journey.commissioner, body=body, person=journey.commissioner, joined_on=timezone.localdate() - datetime.timedelta(days=10))
    with pytest.raises(ValidationError) as refused:
        services.meeting_record(actor=journey.commissioner, body=body, held_on=timezone.localdate() - datetime.timedelta(days=20),
                                attendees=[journey.commissioner])
    assert "Not members of the Commissioning and Commercial Sub-Committee on" in refused.value.message_dict["attendees"][0]
    with pytest.raises(ValidationError) as refused:
        services.meeting_record(actor=journey.commissioner, body=body, held_on=timezone.localdate() + datetime.timedelta(days=1),
                                attendees=[journey.commissioner])
    assert "held_on" in refused.value.message_dict
    assert not Meeting.objects.exists()


# --- decisions ------------------------------------------------------------------------------------------------

def test_a_matter_is_decided_only_by_the_body_that_owns_it(journey):
    meeting = _meeting(journey, BodyKind.COMPETITION_BOARD)
    with pytest.raises(ValidationError) as refused:
        _decide(journey, meeting, Matter.COMPETE)
    assert refused.value.message_dict["matter"] == [
        "Decision to compete the service is the Commissioning and Commercial Sub-Committee's to decide (seed 002): record it at one of its "
        "meetings, not the Offender Services Competition Programme Board's."]
    assert not Decision.objects.exists()


def test_a_decision_needs_a_quorum_of_those_who_did_not_withdraw(journey):
    meeting = _meeting(journey)
    services.interest_declare(actor=journey.commissioner, meeting=meeting, person=journey.second_evaluator, competition=journey.refresh(),
                              interest="Spouse works for a bidder.", withdrew=True)
    with pytest.raises(ValidationError) as refused:
        _decide(journey, meeting)
    assert refused.value.message_dict["meeting"] == [
        "The meeting was not quorate for this item: 2 member(s) took part, the Commissioning and Commercial Sub-Committee needs 3."]
    # Other business is not about that competition: the member who withdrew from it still counts.
    services.decision_record(actor=journey.commissioner, meeting=meeting, matter=Matter.OTHER, subject="Forward plan", outcome="approved",
                             minute="Noted and approved.")
    assert list(Decision.objects.values_list("matter", flat=True)) == ["other"]


@pytest.mark.parametrize("changes, field", [
    ({"outcome": "deferred", "conditions": "Bring back the costs."}, "conditions"),
    ({"minute": "  "}, "minute"),
    ({"outcome": "maybe"}, "outcome"),
])
def test_a_decision_badly_put_is_refused_naming_the_field(journey, changes, field):
    meeting = _meeting(journey)
    with pytest.raises(ValidationError) as refused:
        _decide(journey, meeting, **changes)
    assert field in refused.value.message_dict
    assert not Decision.objects.exists()


# --- the guards that read them --------------------------------------------------------------------------

def test_launch_waits_for_the_sub_committees_decision_to_compete_and_names_it(journey):
    journey.advance_to(State.PRE_PROCUREMENT)
    assert _launch_refused_for(journey).missing == [COMPETE]
    assert unmet_detail(journey, "launch") == "No decision recorded: it is the Commissioning and Commercial Sub-Committee's to take at one of its meetings."
    _decide(journey, _meeting(journey))
    journey.run("launch")
    assert journey.refresh().state == State.PRE_QUALIFICATION


def test_a_later_deferral_supersedes_an_approval(journey):
    journey.advance_to(State.PRE_PROCUREMENT)
    _decide(journey, _meeting(journey, held_on=timezone.localdate() - datetime.timedelta(days=7)))
    _decide(journey, _meeting(journey), outcome="deferred", minute="Deferred until the market engagement reports.")
    assert _launch_refused_for(journey).missing == [COMPETE]
    assert unmet_detail(journey, "launch").startswith("Deferred at the meeting of")
    assert "market engagement" in unmet_detail(journey, "launch")


def test_pre_procurement_needs_the_mandate_authorised_and_a_major_project_the_starting_gate(journey):
    journey.prepare("start_pre_procurement", leave_out="starting_gate")
    with pytest.raises(TransitionRefused) as refused:
        journey.run("start_pre_procurement")
    assert refused.value.missing == ["The Major Projects Authority's Starting Gate review has cleared it, as a major project"]
    decision = journey.decide(Matter.STARTING_GATE)
    assert decision.meeting.body.kind == "mpa" and decision.meeting.attendees.get() == journey.reviewer
    journey.run("start_pre_procurement")


def test_a_project_below_the_threshold_has_no_starting_gate(journey):
    from competitions import guards

    minor = Journey(major=False)
    assert "starting_gate" not in minor.codes("start_pre_procurement") and "award_approval" not in minor.codes("start_standstill")
    assert "starting_gate" in journey.codes("start_pre_procurement") and "award_approval" in journey.codes("start_standstill")
    assert guards.GUARDS["start_standstill"][-1].code == "award_approval"


def test_the_mandate_is_authorised_only_when_there_is_one_and_dates_it(journey):
    meeting = _meeting(journey, BodyKind.COMPETITION_BOARD, held_on=timezone.localdate() - datetime.timedelta(days=3))
    with pytest.raises(ValidationError) as refused:
        _decide(journey, meeting, Matter.MANDATE)
    assert "no mandate to authorise" in refused.value.message_dict["competition"][0]
    assert not Decision.objects.exists()
    journey.update(mandate="Compete the operation of HMP Birmingham.")
    _decide(journey, meeting, Matter.MANDATE)
    competition = journey.refresh()
    assert competition.mandate_issued_on == meeting.held_on
    assert competition.events.filter(action="board_decision").get().description.startswith("Authorise the project mandate: approved")


def test_the_board_cannot_agree_criteria_that_do_not_add_up_and_a_change_needs_them_agreed_again(journey):
    from decimal import Decimal

    from competitions import services as competition_services

    competition_services.criterion_add(competition=journey.refresh(), actor=journey.procurement, name="Quality", kind="quality", weight=Decimal(60))
    competition_services.criterion_add(competition=journey.refresh(), actor=journey.procurement, name="Price", kind="price", weight=Decimal(30))
    meeting = _meeting(journey, BodyKind.COMPETITION_BOARD)
    with pytest.raises(ValidationError) as refused:
        _decide(journey, meeting, Matter.CRITERIA)
    assert refused.value.message_dict["matter"] == ["The board cannot agree these criteria: the MEAT weights must sum to 100; they sum to 90."]
    assert not Decision.objects.exists() and journey.refresh().criteria_agreed_on is None

    competition_services.criterion_add(competition=journey.refresh(), actor=journey.procurement, name="Social value", kind="quality", weight=Decimal(10))
    _decide(journey, meeting, Matter.CRITERIA)
    assert journey.refresh().criteria_agreed_on == meeting.held_on
    assert [c.met for c in journey_conditions(journey, "criteria")] == [True]
    criterion = journey.refresh().criteria.get(name="Social value")
    competition_services.criterion_update(criterion=criterion, actor=journey.procurement, name="Social value", kind="quality", weight=Decimal(10),
                                          description="Now with a description")
    assert [c.met for c in journey_conditions(journey, "criteria")] == [False]


def journey_conditions(journey, code):
    from competitions import guards

    return [c for step in guards.GUARDS for c in guards.conditions(journey.refresh(), step) if c.code == code][:1]


# --- pages ---------------------------------------------------------------------------------------------------

def _client(user):
    client = Client()
    client.force_login(user)
    return client


def test_an_sro_records_a_meeting_from_the_checklist_and_its_decision_then_launch_is_ready(journey):
    """The competition page's board decisions lead to the body; the meeting recorded leads straight on to the decision, prefilled."""
    journey.advance_to(State.PRE_PROCUREMENT)
    journey.prepare("launch", leave_out="decision_to_compete")
    body = _body(BodyKind.SUB_COMMITTEE)
    for person in (journey.commissioner, journey.sro, journey.procurement):
        services.member_add(actor=journey.commissioner, body=body, person=person, joined_on=timezone.localdate() - datetime.timedelta(days=30))
    client = _client(journey.sro)
    page = client.get(f"/competitions/{journey.competition.pk}/").content.decode()
    link = f"/boards/{body.pk}/?competition={journey.competition.pk}&amp;matter=compete"
    assert link in page and "Not decided yet" in page
    body_page = client.get(link.replace("&amp;", "&")).content.decode()
    assert f"/boards/{body.pk}/meetings/add/?competition={journey.competition.pk}&amp;matter=compete" in body_page
    today = timezone.localdate()
    response = client.post(f"/boards/{body.pk}/meetings/add/?competition={journey.competition.pk}&matter=compete", {
        "held_on_day": today.day, "held_on_month": today.month, "held_on_year": today.year,
        "attendees": [journey.commissioner.pk, journey.sro.pk, journey.procurement.pk], "agenda": "Decision to compete"})
    meeting = Meeting.objects.get(body=body)
    assert response.status_code == 302 and response["Location"] == f"/boards/meetings/{meeting.pk}/decide/?competition={journey.competition.pk}&matter=compete"
    form = client.get(response["Location"]).content.decode()
    assert 'value="compete" checked' in form and f'<option value="{journey.competition.pk}" selected>' in form
    response = client.post(response["Location"], {"matter": "compete", "competition": journey.competition.pk, "outcome": "approved",
                                                  "minute": "The Sub-Committee decided to compete the service."})
    assert response.status_code == 302
    page = client.get(f"/competitions/{journey.competition.pk}/").content.decode()
    assert "Not decided yet" not in page.split('id="board-decisions"')[1].split("</table>")[0].split("Decision to compete")[1].split("</tr>")[0]
    from competitions import guards

    assert all(c.met for c in guards.conditions(journey.refresh(), "launch"))


def test_a_refused_decision_page_names_the_field_and_saves_nothing(journey):
    meeting = _meeting(journey, BodyKind.COMPETITION_BOARD)
    response = _client(journey.commissioner).post(f"/boards/meetings/{meeting.pk}/decide/", {
        "matter": "compete", "competition": journey.competition.pk, "outcome": "approved", "minute": "Decided."})
    assert response.status_code == 400
    assert "is the Commissioning and Commercial Sub-Committee&#x27;s to decide" in response.content.decode()
    assert not Decision.objects.exists()


def test_papers_with_their_files_and_only_for_the_competitions_commissioning_side(journey):
    meeting = _meeting(journey)
    client = _client(journey.commissioner)
    response = client.post(f"/boards/meetings/{meeting.pk}/papers/add/", {
        "title": "Options appraisal", "competition": journey.competition.pk, "summary": "Three options.",
        "file": SimpleUploadedFile("options.pdf", b"%PDF-1.7 three options", content_type="application/pdf")})
    assert response.status_code == 302
    paper = Paper.objects.get()
    download = client.get(f"/boards/papers/{paper.pk}/file/")
    assert b"".join(download.streaming_content) == b"%PDF-1.7 three options"
    bad = client.post(f"/boards/meetings/{meeting.pk}/papers/add/", {
        "title": "Sneaky", "summary": "x", "file": SimpleUploadedFile("x.exe", b"MZ", content_type="application/octet-stream")})
    assert bad.status_code == 400 and "The file must be one of" in bad.content.decode() and Paper.objects.count() == 1

    # A contract manager reads the boards, not the competition's papers; the bid team reads nothing of them.
    manager = UserFactory(roles=[Role.CONTRACT_MANAGER])
    meeting_page = _client(manager).get(f"/boards/meetings/{meeting.pk}/")
    assert meeting_page.status_code == 200 and "Options appraisal" not in meeting_page.content.decode()
    assert _client(manager).get(f"/boards/papers/{paper.pk}/").status_code == 404
    assert _client(manager).get(f"/boards/meetings/{meeting.pk}/papers/add/").status_code == 403
    bid_team = UserFactory(roles=[Role.BID_TEAM])
    for path in ("/boards/", f"/boards/{meeting.body_id}/", f"/boards/meetings/{meeting.pk}/", f"/boards/papers/{paper.pk}/"):
        assert _client(bid_team).get(path).status_code == 404
    assert AuditEvent.objects.filter(actor=bid_team, action="refused").count() == 4


def test_the_bid_side_sits_on_no_body_by_the_members_form_either(journey):
    bid_team = UserFactory(roles=[Role.BID_TEAM])
    body = _body(BodyKind.SUB_COMMITTEE)
    form = _client(journey.commissioner).get(f"/boards/{body.pk}/members/add/").content.decode()
    assert f'value="{bid_team.pk}"' not in form
    today = timezone.localdate()
    response = _client(journey.commissioner).post(f"/boards/{body.pk}/members/add/", {
        "person": bid_team.pk, "joined_on_day": today.day, "joined_on_month": today.month, "joined_on_year": today.year})
    assert response.status_code == 400 and not body.members.exists()


# --- the API -----------------------------------------------------------------------------------------------

def test_decisions_in_the_api_with_who_was_present_and_interests_filtered_and_walled(journey):
    meeting = _meeting(journey)
    services.interest_declare(actor=journey.commissioner, meeting=meeting, person=journey.procurement, competition=journey.refresh(),
                              interest="Former employer bids.")
    decision = _decide(journey, meeting, conditions="Report the market's response.")
    api = APIClient()
    api.force_authenticate(journey.commissioner)
    body = api.get(f"/api/v1/decisions/?competition={journey.competition.pk}&matter=compete").json()
    assert body["count"] == 1
    row = body["results"][0]
    assert (row["id"], row["body_kind"], row["outcome"], row["conditions"]) == (decision.pk, "sub_committee", "approved", "Report the market's response.")
    assert len(row["present"]) == 3 and row["interests"] == [{"person": journey.procurement.get_full_name(), "interest": "Former employer bids.",
                                                             "withdrew": False}]
    nonsense = api.get("/api/v1/decisions/?matter=nonsense")
    assert nonsense.status_code == 400 and "matter" in str(nonsense.json())
    bid_team = UserFactory(roles=[Role.BID_TEAM])
    api.force_authenticate(bid_team)
    assert api.get("/api/v1/decisions/").json()["count"] == 0
    assert api.get(f"/api/v1/decisions/{decision.pk}/").status_code == 404
    assert AuditEvent.objects.filter(actor=bid_team, action="refused", competition_id=journey.competition.pk).exists()


def test_the_decision_list_and_a_meeting_page_cost_the_same_whatever_their_size(journey):
    api = APIClient()
    api.force_authenticate(journey.commissioner)
    meeting = _meeting(journey)
    _decide(journey, meeting)

    def measure():
        with CaptureQueriesContext(connection) as api_queries:
            assert api.get("/api/v1/decisions/").status_code == 200
        with CaptureQueriesContext(connection) as page_queries:
            assert _client(journey.commissioner).get(f"/boards/meetings/{meeting.pk}/").status_code == 200
        return len(api_queries), len(page_queries)

    before = measure()
    for n in range(4):
        services.paper_add(actor=journey.commissioner, meeting=meeting, competition=journey.refresh(), title=f"Paper {n}", summary="x")
        services.interest_declare(actor=journey.commissioner, meeting=meeting, person=journey.procurement, interest=f"Interest {n}")
        _decide(journey, meeting, outcome="deferred")
    assert measure() == before


def test_who_reads_what(journey):
    meeting = _meeting(journey)
    decision = _decide(journey, meeting)
    assert selectors.sees_boards(UserFactory(roles=[Role.OVERSIGHT])) and not selectors.may_record(UserFactory(roles=[Role.OVERSIGHT]))
    assert list(selectors.decision_list(journey.procurement)) == [decision]
    assert list(selectors.decision_list(UserFactory(roles=[Role.COMMISSIONER]))) == []  # not on this competition's side
    assert list(selectors.decision_list(UserFactory(roles=[Role.COMMISSIONER, Role.BID_TEAM]))) == []
