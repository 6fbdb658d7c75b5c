"""The mobilisation plan (issue #21): milestones from award to go-live, each done or its gap accepted by the SRO."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from contracts import mobilisation, services
from contracts.models import STANDARD_MILESTONES, MilestoneKind, MobilisationMilestone
from core.errors import TransitionRefused
from core.inbox import inbox_for
from core.roles import Role
from ethical_walls.models import AuditEvent
from tests.contracts.test_pages import add_measure, fresh, make_agreement
from tests.core.factories import UserFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def mobilising(people, **terms):
    """An agreement ready to go live in every respect but its mobilisation plan."""
    agreement = make_agreement(people, start=TODAY() + datetime.timedelta(days=60), **terms)
    add_measure(agreement, people)
    services.agreement_update(agreement=fresh(agreement), actor=people["procurement"], contract_manager=people["manager"])
    services.agreement_mobilise(agreement=fresh(agreement), actor=people["procurement"])
    return fresh(agreement)


def go_live(agreement, people):
    return services.agreement_go_live(agreement=fresh(agreement), actor=people["procurement"])


def test_go_live_waits_for_a_mobilisation_plan_and_names_what_is_not_done(people):
    agreement = mobilising(people)
    with pytest.raises(TransitionRefused) as refused:
        go_live(agreement, people)
    assert refused.value.missing == ["The mobilisation plan is drawn up and every milestone is done or its gap accepted by the SRO with a reason"]
    milestones = mobilisation.mobilisation_plan_draw_up(agreement=fresh(agreement), actor=people["manager"])
    assert [m.kind for m in milestones] == list(STANDARD_MILESTONES)
    assert all(TODAY() < m.due_on < fresh(agreement).start_date for m in milestones)  # due before the service starts
    assert [m.due_on for m in milestones] == sorted(m.due_on for m in milestones)
    page = Client()
    page.force_login(people["manager"])
    text = page.get(f"/contracts/{agreement.pk}/?section=next").content.decode()
    assert "Not done and no gap accepted: TUPE consultation with affected staff;" in text
    for milestone in milestones[:-1]:
        mobilisation.milestone_complete(milestone=milestone, actor=people["manager"], done_on=TODAY())
    with pytest.raises(TransitionRefused):
        go_live(agreement, people)
    with pytest.raises(ValidationError) as no_findings:
        mobilisation.milestone_complete(milestone=milestones[-1], actor=people["manager"], done_on=TODAY())
    assert no_findings.value.message_dict == {"findings": ["Record what the readiness visit found."]}
    mobilisation.milestone_complete(milestone=milestones[-1], actor=people["manager"], done_on=TODAY(), findings="Ready: staff trained.")
    assert go_live(agreement, people).state == "live"
    with pytest.raises(ValidationError, match="closed once the agreement is live"):
        mobilisation.milestone_add(agreement=fresh(agreement), actor=people["manager"], kind="other", title="Late", owner=people["manager"],
                                   due_on=TODAY())


def test_a_plan_is_drawn_up_once_and_milestones_are_owned_by_people_who_work_on_the_agreement(people):
    agreement = mobilising(people)
    mobilisation.mobilisation_plan_draw_up(agreement=agreement, actor=people["manager"])
    with pytest.raises(ValidationError, match="already has a mobilisation plan"):
        mobilisation.mobilisation_plan_draw_up(agreement=fresh(agreement), actor=people["manager"])
    for owner in (UserFactory(roles=[Role.BID_TEAM]), UserFactory(roles=[Role.COMMISSIONER, Role.BID_TEAM]), people["oversight"]):
        with pytest.raises(ValidationError) as refused:
            mobilisation.milestone_add(agreement=agreement, actor=people["manager"], kind="premises", title="", owner=owner, due_on=TODAY())
        assert list(refused.value.message_dict) == ["owner"]
    added = mobilisation.milestone_add(agreement=agreement, actor=people["procurement"], kind="premises", title=" ", owner=people["manager"],
                                       due_on=TODAY())
    assert added.title == MilestoneKind.PREMISES.label
    with pytest.raises(PermissionDenied):
        mobilisation.milestone_add(agreement=agreement, actor=people["commissioner"], kind="other", title="X", owner=people["manager"],
                                   due_on=TODAY())
    with pytest.raises(ValidationError) as future:
        mobilisation.milestone_complete(milestone=added, actor=people["manager"], done_on=TODAY() + datetime.timedelta(days=1))
    assert list(future.value.message_dict) == ["done_on"]


def test_the_sro_accepts_a_gap_with_a_reason_and_the_service_goes_live(people):
    sro = UserFactory(roles=[Role.SRO])
    agreement = mobilising(people)
    milestones = mobilisation.mobilisation_plan_draw_up(agreement=agreement, actor=people["manager"])
    for milestone in milestones[1:]:
        mobilisation.milestone_complete(milestone=milestone, actor=people["manager"], done_on=TODAY(), findings="Ready.")
    with pytest.raises(PermissionDenied):
        mobilisation.milestone_gap_accept(milestone=milestones[0], actor=people["manager"], reason="Not needed")
    with pytest.raises(ValidationError) as no_reason:
        mobilisation.milestone_gap_accept(milestone=milestones[0], actor=sro, reason="  ")
    assert list(no_reason.value.message_dict) == ["reason"]
    mobilisation.milestone_gap_accept(milestone=milestones[0], actor=sro, reason="No staff transfer: the provider recruits afresh")
    with pytest.raises(ValidationError, match="gap accepted by the sro already"):
        mobilisation.milestone_complete(milestone=milestones[0], actor=people["manager"], done_on=TODAY())
    assert go_live(agreement, people).state == "live"
    assert fresh(agreement).events.filter(action="mobilisation", reason__startswith="No staff transfer").exists()


def test_only_the_letting_competitions_sro_accepts_a_gap_in_its_agreements_mobilisation():
    from tests.competitions.journey import Journey
    from competitions.models import State
    from contracts.models import Agreement

    journey = Journey()
    try:
        journey.advance_to(State.AWARDED)
        agreement = Agreement.objects.get(competition=journey.competition)
        milestone = mobilisation.mobilisation_plan_draw_up(agreement=agreement, actor=journey.procurement)[0]
        with pytest.raises(PermissionDenied, match=f"Only the SRO of {journey.competition.reference}"):
            mobilisation.milestone_gap_accept(milestone=milestone, actor=UserFactory(roles=[Role.SRO]), reason="Fine")
        mobilisation.milestone_gap_accept(milestone=milestone, actor=journey.sro, reason="Fine")
    finally:
        journey.stop_travel()


def test_the_database_refuses_a_milestone_both_done_and_accepted_or_accepted_without_a_reason(people):
    agreement = mobilising(people)
    base = {"agreement": agreement, "kind": "other", "title": "X", "owner": people["manager"], "due_on": TODAY(), "added_by": people["manager"]}
    for wrong in ({"done_on": TODAY(), "gap_accepted_at": timezone.now(), "gap_reason": "R"}, {"gap_accepted_at": timezone.now()}):
        with pytest.raises(IntegrityError), transaction.atomic():
            MobilisationMilestone.objects.create(**base, **wrong)


def test_milestones_come_to_their_owners_and_the_pages_offer_each_person_their_part(people):
    sro = UserFactory(roles=[Role.SRO])
    agreement = mobilising(people)
    page = Client()
    page.force_login(people["manager"])
    assert page.post(f"/contracts/{agreement.pk}/records/mobilisation-plan/").status_code == 302
    first = fresh(agreement).milestones.first()
    assert f"Mobilisation of {agreement.reference}: {first.title}" in [t.title for t in inbox_for(people["manager"]).deadlines]
    part = page.get(f"/contracts/{agreement.pk}/?section=mobilisation").content.decode()
    assert "Mark the milestone done" in part and "Accept going live without this milestone" not in part
    refused = page.post(f"/contracts/{agreement.pk}/records/complete-milestone/{first.pk}/",
                        {"done_on_day": "31", "done_on_month": "2", "done_on_year": "2026"})
    assert refused.status_code == 200 and "Done on must be a real date" in refused.content.decode()
    today = TODAY()
    done = page.post(f"/contracts/{agreement.pk}/records/complete-milestone/{first.pk}/",
                     {"done_on_day": today.day, "done_on_month": today.month, "done_on_year": today.year})
    assert done.status_code == 302 and fresh(agreement).milestones.get(pk=first.pk).done_on == today
    page.force_login(sro)
    assert "Accept going live without this milestone" in page.get(f"/contracts/{agreement.pk}/?section=mobilisation").content.decode()
    second = fresh(agreement).milestones.filter(done_on__isnull=True).first()
    assert page.post(f"/contracts/{agreement.pk}/records/accept-gap/{second.pk}/", {"reason": "Held by the SRO"}).status_code == 302
    assert page.post(f"/contracts/{agreement.pk}/records/accept-gap/{first.pk}/", {"reason": "Again"}).status_code == 403  # done already


def test_the_api_lists_milestones_and_the_bid_team_reaches_none(people):
    agreement = mobilising(people)
    milestones = mobilisation.mobilisation_plan_draw_up(agreement=agreement, actor=people["manager"])
    api = APIClient()
    api.force_authenticate(people["manager"])
    rows = api.get(f"/api/v1/mobilisation-milestones/?agreement={agreement.pk}").json()["results"]
    assert [(r["id"], r["kind"], r["status"]) for r in rows] == [(m.pk, m.kind, "Not done") for m in milestones]
    bid_team = UserFactory(roles=[Role.BID_TEAM])
    api.force_authenticate(bid_team)
    assert api.get("/api/v1/mobilisation-milestones/").json()["results"] == []
    path = f"/api/v1/mobilisation-milestones/{milestones[0].pk}/"
    assert api.get(path).status_code == 404
    assert AuditEvent.objects.filter(action="refused", actor=bid_team, path=path).exists()


def test_the_competition_starts_mobilisation_once_the_plan_is_drawn_up_and_goes_live_once_it_is_complete():
    from competitions.models import State
    from contracts.models import Agreement
    from tests.competitions.journey import Journey

    journey = Journey()
    try:
        journey.advance_to(State.AWARDED)
        with pytest.raises(TransitionRefused) as refused:
            journey.run("start_mobilisation")
        assert refused.value.missing == ["The agreement's mobilisation plan is drawn up"]
        page = Client()
        page.force_login(journey.commissioner)
        text = page.get(f"/competitions/{journey.competition.pk}/").content.decode()
        agreement = Agreement.objects.get(competition=journey.competition)
        assert f"/contracts/{agreement.pk}/?section=mobilisation#mobilisation" in text
        plan = mobilisation.mobilisation_plan_draw_up(agreement=agreement, actor=journey.procurement)
        journey.run("start_mobilisation")
        journey.prepare("go_live", leave_out="mobilisation")
        with pytest.raises(TransitionRefused) as not_done:
            journey.run("go_live")
        assert not_done.value.missing == ["The agreement's mobilisation plan is complete: every milestone done or its gap accepted by the SRO"]
        for milestone in plan:
            mobilisation.milestone_complete(milestone=milestone, actor=journey.procurement, done_on=TODAY(), findings="Ready.")
        assert journey.run("go_live").state == State.LIVE
    finally:
        journey.stop_travel()
