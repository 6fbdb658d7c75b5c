"""Agreements: every transition and guard, rectification, Notices of Change, 2023 notices, expiry."""

import datetime
from decimal import Decimal

import pytest
from dateutil.relativedelta import relativedelta
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from competitions.models import State as CompetitionState
from contracts import services, tasks
from contracts.models import Agreement, AgreementState, AgreementVersion, NoticeOfChange, Return
from core.errors import TransitionRefused
from core.models import Organisation, ServiceArea
from core.roles import Role
from cycle.models import Outcome
from scenarios.drivers import agree_exit_plan, complete_mobilisation
from tests.competitions.journey import Journey
from tests.core.factories import UserFactory

pytestmark = pytest.mark.django_db
D = Decimal


def framework_agreement(people, *, start=None, months=24):
    provider = Organisation.objects.create(name="Nacro", sector="vcse", organisation_type="charity")
    area, _ = ServiceArea.objects.get_or_create(name="Resettlement")
    start = start or timezone.localdate().replace(day=1) - relativedelta(months=6)
    return services.agreement_create(
        actor=people["procurement"], reference="FW-001", title="Resettlement support", provider=provider, service_area=area,
        value=D("1200000"), route="framework", start_date=start, end_date=start + relativedelta(months=months),
    )


def make_live(agreement, people, *, kpis=1):
    outcome = Outcome.objects.filter(level="service").first()
    for n in range(kpis):
        services.measure_add(agreement=agreement, actor=people["procurement"], name=f"Accommodation on release {n}", target=D("90"),
                             tolerance=D("5"), outcome=outcome, penalty_red=D("5000"), penalty_amber=D("1000"))
    services.agreement_update(agreement=agreement, actor=people["procurement"], contract_manager=people["manager"])
    if Agreement.objects.get(pk=agreement.pk).state == AgreementState.DRAFT:
        services.agreement_mobilise(agreement=Agreement.objects.get(pk=agreement.pk), actor=people["procurement"])
    complete_mobilisation(agreement, people["procurement"])
    return services.agreement_go_live(agreement=Agreement.objects.get(pk=agreement.pk), actor=people["procurement"])


def test_the_full_path_draft_mobilising_live_rectification_live_terminated(people):
    agreement = framework_agreement(people)
    assert agreement.state == AgreementState.DRAFT and agreement.versions.count() == 0
    live = make_live(agreement, people)
    assert live.state == AgreementState.LIVE and live.versions.get().number == 1  # version 1: the terms as it goes live
    notice = services.rectification_notice_issue(agreement=live, actor=people["manager"], failings="Returns late and red",
                                                 deadline=timezone.localdate() + datetime.timedelta(days=28))
    assert Agreement.objects.get(pk=live.pk).state == AgreementState.UNDER_RECTIFICATION
    services.rectification_notice_close(notice=notice, actor=people["manager"], satisfied=True)
    assert Agreement.objects.get(pk=live.pk).state == AgreementState.LIVE
    second = services.rectification_notice_issue(agreement=Agreement.objects.get(pk=live.pk), actor=people["manager"],
                                                 failings="Red again", deadline=timezone.localdate() + datetime.timedelta(days=14))
    services.rectification_notice_close(notice=second, actor=people["manager"], satisfied=False)
    failed = Agreement.objects.get(pk=live.pk)
    assert failed.state == AgreementState.UNDER_RECTIFICATION  # failed: termination may follow
    with pytest.raises(TransitionRefused, match="latest rectification notice is satisfied"):
        services._transition("end_rectification", agreement=failed, actor=people["manager"])
    with pytest.raises(ValidationError) as error:
        services.agreement_terminate(agreement=failed, actor=people["procurement"], reason=" ")
    assert "reason" in error.value.message_dict
    ended = services.agreement_terminate(agreement=failed, actor=people["procurement"], reason="Failed rectification")
    assert ended.state == AgreementState.TERMINATED and ended.ended_reason == "Failed rectification"


def test_each_guard_names_what_is_missing(people):
    agreement = framework_agreement(people)
    Agreement.objects.filter(pk=agreement.pk).update(end_date=None)
    with pytest.raises(TransitionRefused, match="The start and end dates are set"):
        services.agreement_mobilise(agreement=Agreement.objects.get(pk=agreement.pk), actor=people["procurement"])
    Agreement.objects.filter(pk=agreement.pk).update(end_date=agreement.end_date)
    services.agreement_mobilise(agreement=Agreement.objects.get(pk=agreement.pk), actor=people["procurement"])
    with pytest.raises(TransitionRefused) as refused:
        services.agreement_go_live(agreement=Agreement.objects.get(pk=agreement.pk), actor=people["procurement"])
    assert refused.value.missing == ["At least one measure is set, linked to an outcome", "A contract manager is assigned",
                                     "The mobilisation plan is drawn up and every milestone is done or its gap accepted by the SRO with a reason"]
    with pytest.raises(TransitionRefused, match="Not possible from"):
        services.agreement_terminate(agreement=Agreement.objects.get(pk=agreement.pk), actor=people["procurement"], reason="x")


def test_decommissioning_is_the_commissioners_and_termination_procurements(people):
    live = make_live(framework_agreement(people), people)
    with pytest.raises(PermissionDenied):
        services.agreement_terminate(agreement=live, actor=people["manager"], reason="x")
    with pytest.raises(PermissionDenied):
        services.agreement_decommission(agreement=live, actor=people["procurement"], reason="x")
    agree_exit_plan(live, people["manager"], people["commissioner"])
    ended = services.agreement_decommission(agreement=Agreement.objects.get(pk=live.pk), actor=people["commissioner"],
                                            reason="Service no longer a priority")
    assert ended.state == AgreementState.DECOMMISSIONED


def test_a_bid_team_member_cannot_act_on_an_agreement_whatever_else_they_hold(people):
    """SPEC §4: the services hold the wall too, not only the pages and the API that never find the agreement."""
    live = make_live(framework_agreement(people), people)
    both_sides = {role: UserFactory(roles=[role, Role.BID_TEAM]) for role in (Role.COMMISSIONER, Role.PROCUREMENT, Role.CONTRACT_MANAGER)}
    with pytest.raises(PermissionDenied, match="HMPS Business Development Group"):
        services.agreement_decommission(agreement=live, actor=both_sides[Role.COMMISSIONER], reason="Taking it in house")
    with pytest.raises(PermissionDenied):
        services.agreement_terminate(agreement=live, actor=both_sides[Role.PROCUREMENT], reason="Taking it in house")
    with pytest.raises(PermissionDenied):
        services.rectification_notice_issue(agreement=live, actor=both_sides[Role.CONTRACT_MANAGER], failings="Late returns",
                                            deadline=timezone.localdate() + relativedelta(months=1))
    live.refresh_from_db()
    assert live.state == AgreementState.LIVE and not live.rectification_notices.exists()


def test_agreements_expire_by_themselves_when_the_end_date_passes(people):
    live = make_live(framework_agreement(people, start=timezone.localdate() - relativedelta(months=25), months=24), people)
    still = make_live(framework_agreement_two(people), people)
    assert tasks.expire_agreements.delay().get() == [live.reference]
    assert Agreement.objects.get(pk=live.pk).state == AgreementState.EXPIRED
    assert Agreement.objects.get(pk=still.pk).state == AgreementState.LIVE
    assert tasks.expire_agreements.delay().get() == []  # running it again changes nothing


def framework_agreement_two(people):
    area, _ = ServiceArea.objects.get_or_create(name="Resettlement")
    provider = Organisation.objects.create(name="Catch22", sector="vcse", organisation_type="charity")
    start = timezone.localdate().replace(day=1) - relativedelta(months=3)
    return services.agreement_create(actor=people["procurement"], reference="FW-002", title="Mentoring", provider=provider,
                                     service_area=area, value=D("300000"), route="grant", start_date=start, end_date=start + relativedelta(years=2))


def test_returns_are_for_ended_periods_once_each_and_only_by_contract_managers(people):
    live = make_live(framework_agreement(people), people)
    measure = live.measures.get()
    last_month = timezone.localdate().replace(day=1) - relativedelta(months=1)
    with pytest.raises(PermissionDenied):
        services.return_submit(measure=measure, actor=people["procurement"], period_start=last_month, value=D("91"))
    services.return_submit(measure=measure, actor=people["manager"], period_start=last_month, value=D("91"))
    with pytest.raises(ValidationError) as error:
        services.return_submit(measure=measure, actor=people["manager"], period_start=last_month, value=D("80"))
    assert "already in" in str(error.value)
    with pytest.raises(ValidationError) as error:
        services.return_submit(measure=measure, actor=people["manager"], period_start=timezone.localdate().replace(day=1), value=D("80"))
    assert "period_start" in error.value.message_dict
    assert Return.objects.count() == 1


def test_notices_of_change_only_from_procurement_and_material_ones_wait_for_the_lead_commissioner():
    journey = Journey(regime="2011", procedure="restricted", major=False, public_bid=False)
    try:
        journey.advance_to(CompetitionState.AWARDED)
        agreement = Agreement.objects.get(competition=journey.competition)
        assert agreement.state == AgreementState.MOBILISING and not agreement.versions.exists()
        with pytest.raises(PermissionDenied):
            services.notice_of_change_issue(agreement=agreement, actor=journey.commissioner, summary="x", material=False, changes={"value": "1"})
        minor = services.notice_of_change_issue(agreement=agreement, actor=journey.procurement, summary="Indexation", material=False,
                                                changes={"value": str(agreement.value + 1000)})
        assert minor.status == NoticeOfChange.Status.IN_EFFECT and minor.number == 1
        material = services.notice_of_change_issue(agreement=Agreement.objects.get(pk=agreement.pk), actor=journey.procurement,
                                                   summary="Extend by a year", material=True, changes={"end_date": "2031-03-31"})
        assert material.status == NoticeOfChange.Status.AWAITING_AGREEMENT
        assert Agreement.objects.get(pk=agreement.pk).end_date is None  # not in effect yet
        other_commissioner = UserFactory(roles=[Role.COMMISSIONER])
        with pytest.raises(PermissionDenied, match="lead commissioner"):
            services.notice_of_change_decide(notice=material, actor=other_commissioner, agree=True)
        services.notice_of_change_decide(notice=material, actor=journey.commissioner, agree=True)
        versions = list(AgreementVersion.objects.filter(agreement=agreement).order_by("number"))
        assert [v.number for v in versions] == [1, 2, 3]
        assert versions[2].snapshot["end_date"] == "2031-03-31" and versions[2].notice_of_change == material
        difference = services.version_difference(versions[0].snapshot, versions[2].snapshot)
        assert ("end_date", None, "2031-03-31") in difference and any(d[0] == "value" for d in difference)
        with pytest.raises(ValidationError, match="cannot change"):
            services.notice_of_change_issue(agreement=agreement, actor=journey.procurement, summary="x", material=False, changes={"provider": 1})
    finally:
        journey.stop_travel()


def test_procurement_act_agreements_publish_uk7_uk9_uk10_and_uk11_under_the_competitions_ocid():
    journey = Journey(regime="2023", major=True, public_bid=False)
    try:
        journey.advance_to(CompetitionState.AWARDED)
        competition = journey.refresh()
        agreement = Agreement.objects.get(competition=competition)
        people = {"procurement": journey.procurement, "manager": UserFactory(roles=[Role.CONTRACT_MANAGER])}
        start = timezone.localdate().replace(day=1)
        services.agreement_update(agreement=agreement, actor=journey.procurement, start_date=start, end_date=start + relativedelta(years=5))
        with pytest.raises(TransitionRefused, match="At least three KPIs"):
            make_live(Agreement.objects.get(pk=agreement.pk), people, kpis=2)
        live = make_live(Agreement.objects.get(pk=agreement.pk), people, kpis=1)  # now three in all
        services.notice_of_change_issue(agreement=live, actor=journey.procurement, summary="Indexation", material=False, changes={"value": "1"})
        assert services.performance_notice_possible(Agreement.objects.get(pk=live.pk))
        services.agreement_terminate(agreement=Agreement.objects.get(pk=live.pk), actor=journey.procurement, reason="Insolvency")
        # Ended: the page no longer offers a UK9 (the same rule as the service's), and the service refuses one.
        ended = Agreement.objects.get(pk=live.pk)
        assert not services.performance_notice_possible(ended)
        with pytest.raises(ValidationError, match="published while the agreement is running"):
            services.performance_notice_publish(agreement=ended, actor=journey.procurement)
        types = list(competition.notices.values_list("notice_type", flat=True))
        assert types == ["UK4", "UK6", "UK7", "UK10", "UK9", "UK11"]
        uk7 = competition.notices.get(notice_type="UK7").content
        assert len(uk7["kpis"]) == 3 and uk7["ocid"] == competition.ocid
        uk9 = competition.notices.get(notice_type="UK9").content
        assert {k["rating"] for k in uk9["kpis"]} == {"Other"} and "Inadequate if over a third Red" in uk9["rule"]
        assert competition.notices.get(notice_type="UK11").content["termination"]["reason"] == "Insolvency"
    finally:
        journey.stop_travel()


def test_uk9_notices_fall_due_every_12_months_and_expiry_publishes_by_itself():
    journey = Journey(regime="2023", major=True, public_bid=False)
    try:
        journey.advance_to(CompetitionState.AWARDED)
        competition = journey.refresh()
        agreement = Agreement.objects.get(competition=competition)
        people = {"procurement": journey.procurement, "manager": UserFactory(roles=[Role.CONTRACT_MANAGER])}
        start = timezone.localdate().replace(day=1)
        services.agreement_update(agreement=agreement, actor=journey.procurement, start_date=start, end_date=start + relativedelta(months=18))
        make_live(Agreement.objects.get(pk=agreement.pk), people, kpis=3)
        assert tasks.publish_due_performance_notices.delay().get() == []  # UK7 was just published
        journey.travel_to(timezone.localdate() + relativedelta(months=12))
        assert len(tasks.publish_due_performance_notices.delay().get()) == 1
        assert tasks.publish_due_performance_notices.delay().get() == []  # not again the same day
        journey.travel_to(start + relativedelta(months=19))
        assert tasks.expire_agreements.delay().get() == [agreement.reference]
        assert list(competition.notices.filter(notice_type__in=["UK9", "UK11"]).values_list("notice_type", "published_by")) == [
            ("UK9", None), ("UK9", None), ("UK11", None),
        ]
    finally:
        journey.stop_travel()
