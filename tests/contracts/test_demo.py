"""The demo agreements (SPEC §5, §7): live contracts and SLAs with returns, reached through the services, seeded once."""

import io

import pytest
from dateutil.relativedelta import relativedelta
from django.core.management import call_command
from django.utils import timezone

from contracts import performance
from scenarios import contracts as demo
from contracts.models import (
    RUNNING,
    Agreement,
    AgreementEvent,
    AgreementState,
    AgreementVersion,
    CohortResult,
    NoticeOfChange,
    RectificationNotice,
    Return,
    SupplyChainMember,
)

pytestmark = pytest.mark.django_db


def seed():
    call_command("seed_demo", stdout=io.StringIO())


def snapshot():
    return {
        "agreements": list(Agreement.objects.order_by("reference").values_list(
            "reference", "kind", "state", "version", "value", "start_date", "end_date", "contract_manager__username",
        )),
        "returns": list(Return.objects.order_by("pk").values_list("measure__agreement__reference", "measure__name", "period_start", "value")),
        "supply_chain": list(SupplyChainMember.objects.order_by("pk").values_list("agreement__reference", "organisation__name", "role")),
        "notices_of_change": list(NoticeOfChange.objects.order_by("pk").values_list("agreement__reference", "number", "material", "status")),
        "versions": list(AgreementVersion.objects.order_by("pk").values_list("agreement__reference", "number")),
        "rectification": list(RectificationNotice.objects.order_by("pk").values_list("agreement__reference", "status", "deadline")),
        "cohort_results": CohortResult.objects.count(),
        "events": AgreementEvent.objects.count(),
    }


def loaded(reference) -> Agreement:
    return Agreement.objects.prefetch_related("measures__returns", "supply_chain__organisation", "cohort_results").get(reference=reference)


def test_seed_demo_twice_changes_nothing():
    seed()
    first = snapshot()
    seed()
    assert snapshot() == first
    assert {reference for reference, *_ in first["agreements"]} >= {reference for reference, _ in demo.SCENARIOS}


def test_the_portfolio_has_red_measures_a_rectification_a_noc_awaiting_agreement_and_a_stewardship_warning():
    seed()
    running = Agreement.objects.filter(state__in=RUNNING).prefetch_related("measures__returns", "supply_chain__organisation", "cohort_results")
    # Red in recent months: the latest return of at least one measure of a running agreement.
    red = [(a.reference, m) for a in running for m, rating in performance.latest_ratings(a).items() if rating == performance.RED]
    assert {reference for reference, _ in red} >= {demo.CP_LONDON, demo.EM_G4S}

    # Under rectification, with an open notice and its deadline ahead.
    rectified = Agreement.objects.get(reference=demo.EM_G4S)
    assert rectified.state == AgreementState.UNDER_RECTIFICATION
    [notice] = rectified.rectification_notices.filter(status=RectificationNotice.Status.OPEN)
    assert notice.deadline > timezone.localdate() and notice.issued_by.username == "contract_manager"

    # A material Notice of Change awaits the agreement of the lead commissioner: the demo commissioner.
    [awaiting] = NoticeOfChange.objects.filter(status=NoticeOfChange.Status.AWAITING_AGREEMENT).select_related("agreement__competition")
    assert awaiting.material and awaiting.issued_by.username == "procurement"
    assert awaiting.agreement.competition.lead_commissioner.username == "commissioner"
    # A non-material one is in effect: version 2.
    in_effect = NoticeOfChange.objects.get(agreement__reference=demo.CP_LONDON)
    assert not in_effect.material and in_effect.status == NoticeOfChange.Status.IN_EFFECT
    assert in_effect.resulting_version.number == 2

    # Stewardship: a sub-prime carrying more risk than funding, and creaming in the cohort results.
    warnings = performance.stewardship_warnings(loaded(demo.RESETTLEMENT_PBR))
    assert any(w.startswith("Catch22 carries") for w in warnings)
    assert any(w.startswith("Creaming:") for w in warnings)


def test_a_live_agreement_has_18_months_of_returns_and_an_sla_has_an_overdue_one():
    seed()
    agreement = loaded(demo.CP_LONDON)
    today = timezone.localdate()
    assert agreement.state == AgreementState.LIVE and agreement.start_date == today.replace(day=1) - relativedelta(months=18)
    for measure in agreement.measures.all():
        periods = sorted(r.period_start for r in measure.returns.all())
        assert periods == [agreement.start_date + relativedelta(months=n) for n in range(18)], measure.name
        assert performance.overdue(measure, agreement.start_date, today) == []
    assert len(performance.by_period(agreement)) == 18
    # Every measure is linked to an outcome, with a target, a tolerance and a penalty rule.
    assert all(m.outcome_id and m.penalty_red > 0 for m in agreement.measures.all())

    sla = loaded(demo.SLA_DARTMOOR)
    assert sla.kind == "sla" and sla.provider.is_crown_body
    overdue = [p for m in sla.measures.all() for p in performance.overdue(m, sla.start_date, today)]
    assert overdue == [sla.start_date + relativedelta(months=15)]


def test_the_agreements_the_demo_competitions_awarded_are_completed_and_live():
    seed()
    bass = loaded(demo.BASS)
    assert bass.state == AgreementState.LIVE and bass.competition.reference == "DEMO-004"
    assert bass.start_date and bass.end_date and bass.contract_manager.username == "contract_manager"
    assert [(m.organisation.name, m.role) for m in bass.supply_chain.all()] == [("Nacro", "prime"), ("Shelter", "sub_prime")]
    assert bass.measures.count() == 3 and bass.specification.title == "Bail Accommodation and Support Service"
    assert bass.notices_of_change.get().status == NoticeOfChange.Status.AWAITING_AGREEMENT
    assert Agreement.objects.get(reference=demo.PECS).state == AgreementState.LIVE
