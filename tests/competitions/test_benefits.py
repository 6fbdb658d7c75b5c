"""Benefits realisation (issue #21): each business case's benefits, their actuals over time, and the SRO's Gate 5 report built from them."""

import datetime
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from competitions import services
from competitions.benefits import progress_of
from competitions.models import Benefit, BusinessCase, State
from contracts.models import Agreement, Measure, Return
from core.roles import Role
from ethical_walls.models import AuditEvent
from tests.competitions.journey import Journey
from tests.core.factories import UserFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


@pytest.fixture
def journey():
    built = Journey()
    built.satisfy("sro")
    built.satisfy("outline_business_case")
    yield built
    built.stop_travel()


def _case(journey):
    return BusinessCase.objects.get(competition=journey.competition, kind="outline")


def _benefit(journey, **changes):
    terms = {"description": "Fewer people released homeless", "how_measured": "Share of releases with settled accommodation", "unit": "%",
             "baseline": D("62"), "target": D("85"), "owner": journey.sro}
    return services.benefit_add(business_case=_case(journey), actor=journey.commissioner, **{**terms, **changes})


def test_a_benefit_has_an_owner_on_the_commissioning_side_and_a_target_that_differs_from_its_baseline(journey):
    for changes, field in (({"owner": UserFactory(roles=[Role.BID_TEAM])}, "owner"), ({"owner": UserFactory(roles=[Role.COMMISSIONER])}, "owner"),
                           ({"target": D("62")}, "target")):
        with pytest.raises(ValidationError) as refused:
            _benefit(journey, **changes)
        assert list(refused.value.message_dict) == [field]
    assert not Benefit.objects.exists()


def test_recorded_actuals_give_the_progress_from_baseline_to_target(journey):
    benefit = _benefit(journey)
    for days, value in ((60, "66"), (30, "70.5")):
        services.benefit_actual_record(benefit=benefit, actor=journey.sro, measured_on=TODAY() - datetime.timedelta(days=days), value=D(value))
    with pytest.raises(ValidationError) as twice:
        services.benefit_actual_record(benefit=benefit, actor=journey.sro, measured_on=TODAY() - datetime.timedelta(days=30), value=D("1"))
    assert list(twice.value.message_dict) == ["measured_on"]
    progress = progress_of([Benefit.objects.get(pk=benefit.pk)])[0]
    assert progress.latest == (TODAY() - datetime.timedelta(days=30), D("70.50")) and progress.share == D("37.0")  # 8.5 of 23
    reduction = _benefit(journey, description="Fewer proven reoffences", baseline=D("120"), target=D("100"), unit="offences")
    services.benefit_actual_record(benefit=reduction, actor=journey.sro, measured_on=TODAY(), value=D("95"))
    assert progress_of([Benefit.objects.get(pk=reduction.pk)])[0].share == D("125.0")  # beyond the target, downwards


def test_a_benefit_linked_to_the_agreements_measure_takes_its_validated_returns_and_the_report_is_built_from_them():
    journey = Journey()
    try:
        journey.satisfy("sro")
        journey.advance_to(State.AWARDED)
        agreement = Agreement.objects.get(competition=journey.competition)
        measure = Measure.objects.create(agreement=agreement, name="Settled accommodation on release", target=D(85))
        for month, value, status in ((1, "70", "validated"), (2, "74", "validated"), (3, "90", "submitted")):
            Return.objects.create(measure=measure, period_start=datetime.date(2026, month, 1), value=D(value), status=status,
                                  submitted_by=journey.procurement)
        case = BusinessCase.objects.get(competition=journey.competition, kind="full")
        linked = services.benefit_add(business_case=case, actor=journey.commissioner, description="Fewer people released homeless",
                                      how_measured="The contract's measure", unit="%", baseline=D("62"), target=D("85"),
                                      owner=journey.sro, measure=measure)
        with pytest.raises(ValidationError, match="come from its agreement's measure"):
            services.benefit_actual_record(benefit=linked, actor=journey.sro, measured_on=TODAY(), value=D("1"))
        progress = progress_of([linked])[0]
        assert (progress.source, progress.actuals) == ("measure", [(datetime.date(2026, 1, 1), D("70.00")), (datetime.date(2026, 2, 1), D("74.00"))])
        report = services.benefits_report_submit(competition=journey.refresh(), actor=journey.sro, summary="On track for 85%.")
        assert report.benefits == [{"description": "Fewer people released homeless", "unit": "%", "owner": str(journey.sro),
                                    "baseline": "62.00", "target": "85.00", "latest_actual": "74.00", "measured_on": "2026-02-01",
                                    "share_of_target": "52.2", "source": "measure"}]
    finally:
        journey.stop_travel()


def test_the_pages_add_a_benefit_and_record_an_actual_and_the_bid_team_finds_none(journey):
    page = Client()
    page.force_login(journey.commissioner)
    detail = f"/competitions/{journey.competition.pk}/?section=all"
    assert "Add a benefit" in page.get(detail).content.decode()
    saved = page.post(f"/competitions/{journey.competition.pk}/records/benefit/", {
        "business_case": _case(journey).pk, "description": "Fewer people released homeless", "how_measured": "Share housed",
        "unit": "%", "baseline": "62", "target": "85", "owner": journey.sro.pk, "measure": ""})
    benefit = Benefit.objects.get()
    assert saved.status_code == 302
    day = TODAY()
    page.post(f"/competitions/{journey.competition.pk}/records/benefit-actual/{benefit.pk}/",
              {"measured_on_day": day.day, "measured_on_month": day.month, "measured_on_year": day.year, "value": "73"})
    text = page.get(detail).content.decode()
    assert "Fewer people released homeless" in text and "47.8%" in text  # 11 of 23

    api = APIClient()
    api.force_authenticate(journey.commissioner)
    rows = api.get(f"/api/v1/benefits/?competition={journey.competition.pk}").json()["results"]
    assert [(r["id"], r["latest_actual"], r["share_of_target"]) for r in rows] == [(benefit.pk, "73.00", "47.8")]
    bid_team = UserFactory(roles=[Role.BID_TEAM])
    api.force_authenticate(bid_team)
    assert api.get("/api/v1/benefits/").json()["results"] == []
    assert api.get(f"/api/v1/benefits/{benefit.pk}/").status_code == 404
    assert AuditEvent.objects.filter(action="refused", actor=bid_team, path=f"/api/v1/benefits/{benefit.pk}/").exists()
