"""Commissioning-cycle pages: list, cycle page with stage diagram and checklist, record forms, plan, outcomes, pipeline."""

import datetime
import json
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from competitions import services as competition_services
from competitions.models import State
from core.models import Organisation, OrganisationType, Sector, ServiceArea
from core.roles import Role
from cycle import services
from cycle.models import CommissioningCycle, CycleEvent, MarketSounding, NeedsAssessment, Outcome, Priority, Stage
from cycle.views import RECORD_ACTIONS
from tests.competitions.journey import Journey
from tests.core.factories import UserFactory
from tests.pdf import pdf_text

pytestmark = pytest.mark.django_db


# --- building cycles through the services -------------------------------------------------------

@pytest.fixture
def commissioner():
    return UserFactory(roles=[Role.COMMISSIONER])


@pytest.fixture
def area():
    return ServiceArea.objects.get_or_create(name="Accommodation")[0]


def make_cycle(actor, *, name="South West accommodation 2025-26", resources="100000", **fields):
    return services.cycle_create(
        actor=actor, name=name, cycle_type=fields.pop("cycle_type", "service_level"), level=fields.pop("level", "regional"),
        area="South West", period_start=datetime.date(2025, 4, 1), period_end=datetime.date(2026, 3, 31),
        available_resources=Decimal(resources), **fields,
    )


def service_outcomes():
    return list(Outcome.objects.filter(level=Outcome.Level.SERVICE).order_by("id")[:2])


def add_priorities_and_specifications(cycle, actor, area, count, *, start=0):
    for n in range(start, start + count):
        priority = services.priority_add(cycle=cycle, actor=actor, title=f"Priority {n}", service_area=area,
                                         cost=Decimal(1000 + n), outcome_value=Decimal(n + 1), evidence=f"Evidence {n}")
        services.specification_record(cycle=cycle, actor=actor, priority=priority, title=f"Specification {n}",
                                      summary="Summary", outputs="Output one\nOutput two", outcomes=service_outcomes())


def refreshed(cycle):
    return CommissioningCycle.objects.get(pk=cycle.pk)


def move_to(cycle, actor, stage):
    """Forward moves along the happy path (only those without guards are needed here)."""
    cycle = refreshed(cycle)
    while cycle.stage != stage:
        transition = services.FORWARD[list(Stage.values).index(cycle.stage)]
        cycle = services.cycle_move_on(cycle=cycle, actor=actor, transition=transition)
    return refreshed(cycle)


# --- list --------------------------------------------------------------------------------------

def test_list_shows_cycles_filters_them_and_offers_creation_to_commissioners(client, commissioner, area):
    make_cycle(commissioner, name="Wales women's services", level="national", cycle_type="joint")
    make_cycle(commissioner, name="Bristol accommodation", level="local")
    client.force_login(commissioner)
    html = client.get("/cycles/").content.decode()
    assert "Wales women&#x27;s services" in html and "Bristol accommodation" in html and "Create a cycle" in html
    html = client.get("/cycles/", {"level": "local"}).content.decode()
    assert "Bristol accommodation" in html and "Wales women" not in html
    html = client.get("/cycles/", {"cycle_type": "joint", "phase": "Planning", "stage": "evaluate"}).content.decode()
    assert "Wales women" in html and "Bristol accommodation" not in html
    assert "No commissioning cycles match" in client.get("/cycles/", {"phase": "Performance"}).content.decode()

    client.force_login(UserFactory(roles=[Role.OVERSIGHT]))
    html = client.get("/cycles/").content.decode()
    assert "Bristol accommodation" in html and "Create a cycle" not in html


def test_list_is_paginated(client, commissioner):
    for n in range(26):
        make_cycle(commissioner, name=f"Cycle {n:02}")
    client.force_login(commissioner)
    assert "Page 1 of 2" in client.get("/cycles/").content.decode()
    assert "Page 2 of 2" in client.get("/cycles/", {"page": 2}).content.decode()


def count_queries(client, url):
    client.get(url)  # warm-up: sessions, content types, the first-use caches
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def add_page_records(cycle, actor, area, count, *, start=0):
    """Partners, needs, soundings (each with providers) and stimulation actions: `count` of each."""
    for n in range(start, start + count):
        provider = Organisation.objects.create(name=f"Provider {n}", sector=Sector.VCSE, organisation_type=OrganisationType.CHARITY)
        services.partner_add(cycle=refreshed(cycle), actor=actor, organisation=provider, arrangement="pooled", contribution=Decimal(100))
        services.needs_assessment_record(cycle=refreshed(cycle), actor=actor, service_area=area, location=f"Area {n}",
                                         cohort="Women", demand=10, provision=5, gap_analysis="Short.")
        services.market_sounding_record(cycle=refreshed(cycle), actor=actor, service_area=area, kind="forum", held_on=datetime.date(2025, 5, 1),
                                        providers=Organisation.objects.filter(name__startswith="Provider "), learned="Appetite for lots.")
        services.stimulation_action_add(cycle=refreshed(cycle), actor=actor, service_area=area, action=f"Action {n}")


def test_list_and_detail_run_a_fixed_number_of_queries(client, commissioner, area, django_assert_num_queries):
    cycle = make_cycle(commissioner)
    add_priorities_and_specifications(cycle, commissioner, area, 1)
    add_page_records(cycle, commissioner, area, 1)
    services.market_analysis_record(cycle=refreshed(cycle), actor=commissioner, service_area=area, providers_by_sector="Mixed",
                                    capacity="Low", key_players="Few", barriers_to_entry="Capital", maturity="developing")
    client.force_login(commissioner)
    small = {url: count_queries(client, url) for url in ("/cycles/", f"/cycles/{cycle.pk}/?section=all", f"/cycles/{cycle.pk}/plan/")}

    add_priorities_and_specifications(refreshed(cycle), commissioner, area, 29, start=1)
    add_page_records(cycle, commissioner, area, 4, start=1)
    services.allocation_set(cycle=refreshed(cycle), actor=commissioner)
    for n in range(29):
        make_cycle(commissioner, name=f"Another cycle {n}")
    assert Priority.objects.filter(cycle=cycle).count() == cycle.specifications.count() == 30
    for url, expected in small.items():
        client.get(url)
        with django_assert_num_queries(expected):
            client.get(url)


# --- create ------------------------------------------------------------------------------------

def test_a_commissioner_creates_a_cycle_and_errors_name_their_fields(client, commissioner):
    client.force_login(commissioner)
    response = client.post("/cycles/new/", {"name": "", "cycle_type": "strategic", "level": "national",
                                            "period_start": "2025-04-01", "period_end": "2025-03-01", "available_resources": "-1"})
    html = response.content.decode()
    assert response.status_code == 200 and "There is a problem" in html
    assert 'href="#id_name"' in html and 'href="#id_available_resources"' in html
    assert "The period must end after it starts." in html
    response = client.post("/cycles/new/", {"name": "National strategic 2025", "cycle_type": "strategic", "level": "national",
                                            "period_start": "2025-04-01", "period_end": "2026-03-31", "available_resources": "5000000"})
    cycle = CommissioningCycle.objects.get(name="National strategic 2025")
    assert response.status_code == 302 and response["Location"] == f"/cycles/{cycle.pk}/"
    assert cycle.owner == commissioner and cycle.stage == Stage.EVALUATE


def test_the_form_refuses_a_period_whose_next_cycle_would_pass_the_calendars_end(client, commissioner):
    client.force_login(commissioner)
    response = client.post("/cycles/new/", {"name": "Forever", "cycle_type": "strategic", "level": "national",
                                            "period_start": "2090-01-01", "period_end": "2099-12-31", "available_resources": "5"})
    html = response.content.decode()
    assert response.status_code == 200 and 'href="#id_period_end_0"' in html and "would end after 31 December 2099" in html
    assert not CommissioningCycle.objects.exists()


def test_only_commissioners_may_create(client):
    client.force_login(UserFactory(roles=[Role.SRO]))
    assert client.get("/cycles/new/").status_code == 403


# --- the cycle page ----------------------------------------------------------------------------

def test_the_cycle_page_shows_the_stage_diagram_checklist_and_every_section(client, commissioner, area):
    cycle = make_cycle(commissioner)
    nhs = Organisation.objects.create(name="NHS England", sector=Sector.PUBLIC, organisation_type=OrganisationType.HEALTH_BODY)
    services.partner_add(cycle=cycle, actor=commissioner, organisation=nhs, arrangement="pooled", contribution=Decimal("50000"), responsibilities="Health in justice")
    services.needs_assessment_record(cycle=cycle, actor=commissioner, service_area=area, location="Bristol", cohort="Women",
                                     demand=120, provision=80, gap_analysis="Too few approved premises beds for women.")
    add_priorities_and_specifications(cycle, commissioner, area, 2)
    services.equality_impact_assessment_record(cycle=cycle, actor=commissioner, summary="Women and BAME offenders benefit most.")
    services.stimulation_action_add(cycle=cycle, actor=commissioner, service_area=area, action="Small lots for local charities")
    cycle = move_to(cycle, commissioner, Stage.ASSESS_NEEDS)
    client.force_login(commissioner)
    html = client.get(f"/cycles/{cycle.pk}/?section=all").content.decode()

    # Where the cycle stands: phases, stages, status in words (and for screen readers), the current step marked.
    for phase in ("Planning", "Purchasing", "Performance"):
        assert phase in html
    assert '<ol class="app-cycle-diagram" role="list">' in html
    assert html.count("Status: </span>Done") == 1 and html.count("Status: </span>Current stage") == 1
    assert 'aria-current="step"' in html
    # The next move's checklist and its button, with the version.
    assert "Move on to prioritising" in html and "A needs assessment records demand, provision and a gap analysis" in html
    assert f'name="version" value="{cycle.version}"' in html
    # Sections.
    assert "NHS England" in html and "Pooled" in html and "£150,000.00" in html  # own resources plus pooled funding
    assert "Gap of 40 places" in html
    assert "Priority 0" in html and "Priority 1" in html and "Below the line" in html
    assert "Accept the suggested allocation" in html and "Choose the priorities to fund yourself" in html
    assert "Funding line" in html
    assert "Women and BAME offenders benefit most." in html
    assert "Specification 0" in html and "Output two" in html
    assert "Small lots for local charities" in html and "MoJ Procurement" in html
    assert "Closing evaluation" in html and "moj-timeline" in html and "Cycle created" in html and "Cycle created by" not in html


def test_a_refused_move_lists_its_missing_conditions_and_changes_nothing(client, commissioner):
    cycle = move_to(make_cycle(commissioner), commissioner, Stage.ASSESS_NEEDS)
    events = CycleEvent.objects.filter(cycle=cycle).count()
    client.force_login(commissioner)
    response = client.post(f"/cycles/{cycle.pk}/move-on/prioritise/", {"version": cycle.version})
    html = response.content.decode()
    assert response.status_code == 409
    assert "govuk-error-summary" in html and "Move on to prioritising: not possible yet" in html
    assert "A needs assessment records demand, provision and a gap analysis" in html
    after = refreshed(cycle)
    assert (after.stage, after.version) == (Stage.ASSESS_NEEDS, cycle.version)
    assert CycleEvent.objects.filter(cycle=cycle).count() == events


def test_moving_on_with_a_stale_version_says_someone_else_changed_it(client, commissioner):
    cycle = make_cycle(commissioner)
    client.force_login(commissioner)
    response = client.post(f"/cycles/{cycle.pk}/move-on/assess_needs/", {"version": cycle.version + 5}, follow=True)
    assert "changed by someone else" in response.content.decode()
    assert refreshed(cycle).stage == Stage.EVALUATE
    response = client.post(f"/cycles/{cycle.pk}/move-on/assess_needs/", {"version": cycle.version})
    assert response.status_code == 302 and refreshed(cycle).stage == Stage.ASSESS_NEEDS


def test_step_back_without_a_reason_shows_the_field_error(client, commissioner):
    cycle = move_to(make_cycle(commissioner), commissioner, Stage.ASSESS_NEEDS)
    client.force_login(commissioner)
    response = client.post(f"/cycles/{cycle.pk}/step-back/", {"to_stage": "evaluate", "reason": "  ", "version": cycle.version})
    html = response.content.decode()
    assert response.status_code == 200
    assert '<a href="#id_reason">Say why the cycle is going back a stage.</a>' in html
    assert 'id="id_reason-error"' in html
    assert refreshed(cycle).stage == Stage.ASSESS_NEEDS

    response = client.post(f"/cycles/{cycle.pk}/step-back/", {"to_stage": "evaluate", "reason": "Court data was out of date.", "version": cycle.version})
    assert response.status_code == 302 and refreshed(cycle).stage == Stage.EVALUATE
    html = client.get(f"/cycles/{cycle.pk}/?section=all").content.decode()
    assert "Reason: Court data was out of date." in html


def test_accepting_the_suggested_allocation_funds_the_optimal_priorities(client, commissioner, area):
    cycle = make_cycle(commissioner, resources="100000")
    # Funding in rank order would stop after the first (60k of 100k); the optimum is the second and third.
    for title, cost, value in [("Approved premises", 60000, 10), ("Floating support", 50000, 8), ("Rent deposits", 50000, 8)]:
        services.priority_add(cycle=cycle, actor=commissioner, title=title, service_area=area, cost=Decimal(cost), outcome_value=Decimal(value))
    client.force_login(commissioner)
    html = client.get(f"/cycles/{cycle.pk}/?section=all").content.decode()
    assert "the largest total of outcome value × weight is 16" in html
    response = client.post(f"/cycles/{cycle.pk}/records/accept-allocation/")
    assert response.status_code == 302
    funded = set(Priority.objects.filter(cycle=cycle, funded=True).values_list("title", flat=True))
    assert funded == {"Floating support", "Rent deposits"}
    html = client.get(f"/cycles/{cycle.pk}/?section=all").content.decode()
    assert "The priorities funded are the suggested ones." in html
    assert "Candidate for decommissioning" in html and "Approved premises" in html


def test_the_commissioner_overrides_the_allocation_within_budget(client, commissioner, area):
    cycle = make_cycle(commissioner, resources="100000")
    first = services.priority_add(cycle=cycle, actor=commissioner, title="Approved premises", service_area=area, cost=Decimal(60000), outcome_value=Decimal(10))
    second = services.priority_add(cycle=cycle, actor=commissioner, title="Floating support", service_area=area, cost=Decimal(50000), outcome_value=Decimal(8))
    client.force_login(commissioner)
    response = client.post(f"/cycles/{cycle.pk}/records/allocation/", {"funded": [first.pk, second.pk]})
    html = response.content.decode()
    assert response.status_code == 200 and "more than the £100,000.00 available" in html and 'href="#id_funded_0"' in html
    response = client.post(f"/cycles/{cycle.pk}/records/allocation/", {"funded": [first.pk]})
    assert response.status_code == 302
    assert list(Priority.objects.filter(cycle=cycle, funded=True)) == [first]


# --- record forms ------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", [k for k, action in RECORD_ACTIONS.items() if action.target is None])
def test_every_record_form_renders(client, commissioner, area, kind):
    cycle = make_cycle(commissioner)
    add_priorities_and_specifications(cycle, commissioner, area, 2)
    client.force_login(commissioner)
    response = client.get(f"/cycles/{cycle.pk}/records/{kind}/")
    assert response.status_code == 200 and RECORD_ACTIONS[kind].title in response.content.decode()


def test_needs_assessment_with_an_evidence_file(client, commissioner, area):
    cycle = make_cycle(commissioner)
    client.force_login(commissioner)
    upload = SimpleUploadedFile("court-data.pdf", b"%PDF-1.4 court data", content_type="application/pdf")
    response = client.post(f"/cycles/{cycle.pk}/records/needs-assessment/", {
        "service_area": area.pk, "location": "Bristol", "cohort": "Young adults", "demand": "50", "provision": "20",
        "unit": "places", "gap_analysis": "Sentencing has risen.", "evidence": "Court data 2024", "evidence_file": upload,
    })
    assert response.status_code == 302
    assessment = NeedsAssessment.objects.get(cycle=cycle)
    assert assessment.gap == 30 and assessment.evidence_file.name.startswith("evidence/")
    html = client.get(f"/cycles/{cycle.pk}/?section=all").content.decode()
    assert f"/cycles/{cycle.pk}/evidence/{assessment.pk}/" in html
    download = client.get(f"/cycles/{cycle.pk}/evidence/{assessment.pk}/")
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")


def test_specification_with_outcomes_and_a_competition_route_links_to_the_competition(client, commissioner, area):
    cycle = make_cycle(commissioner)
    priority = services.priority_add(cycle=cycle, actor=commissioner, title="Approved premises", service_area=area, cost=Decimal(1000), outcome_value=Decimal(1))
    outcome = Outcome.objects.filter(level=Outcome.Level.BENEFICIARY).first()
    client.force_login(commissioner)
    form = client.get(f"/cycles/{cycle.pk}/records/specification/").content.decode()
    assert "Strategic outcomes" in form and "Service beneficiary outcomes" in form
    response = client.post(f"/cycles/{cycle.pk}/records/specification/", {"priority": priority.pk, "title": "AP beds", "summary": "Beds", "outputs": "Beds"})
    assert '<a href="#id_outcomes_0">Link the specification to at least one outcome.</a>' in response.content.decode()
    response = client.post(f"/cycles/{cycle.pk}/records/specification/", {"priority": priority.pk, "title": "AP beds", "summary": "Beds", "outputs": "Beds", "outcomes": [outcome.pk]})
    assert response.status_code == 302
    specification = cycle.specifications.get()
    competition = competition_services.competition_create(actor=commissioner, title="Approved premises South West", service_area=area, estimated_value=Decimal("3000000"))
    url = f"/cycles/{cycle.pk}/records/securing-route/{specification.pk}/"
    response = client.post(url, {"securing_route": "competition"})
    assert "Name the competition that secures this service." in response.content.decode()
    assert client.post(url, {"securing_route": "competition", "competition": competition.pk}).status_code == 302
    html = client.get(f"/cycles/{cycle.pk}/?section=all").content.decode()
    assert f'href="/competitions/{competition.pk}/"' in html and outcome.title in html


def test_rerank_reorders_and_rejects_duplicate_ranks(client, commissioner, area):
    cycle = make_cycle(commissioner)
    first = services.priority_add(cycle=cycle, actor=commissioner, title="First", service_area=area, cost=Decimal(1), outcome_value=Decimal(1))
    second = services.priority_add(cycle=cycle, actor=commissioner, title="Second", service_area=area, cost=Decimal(1), outcome_value=Decimal(1))
    client.force_login(commissioner)
    response = client.post(f"/cycles/{cycle.pk}/records/rerank/", {f"rank_{first.pk}": "1", f"rank_{second.pk}": "1"})
    assert "Give each priority a different rank" in response.content.decode()
    response = client.post(f"/cycles/{cycle.pk}/records/rerank/", {f"rank_{first.pk}": "2", f"rank_{second.pk}": "1"})
    assert response.status_code == 302
    assert list(Priority.objects.filter(cycle=cycle).order_by("rank").values_list("title", flat=True)) == ["Second", "First"]


def test_closing_evaluation_shows_its_five_criteria(client, commissioner):
    cycle = make_cycle(commissioner)
    client.force_login(commissioner)
    criteria = {"outcomes_delivered": "Fewer women recalled", "user_reception": "Welcomed by courts", "value_for_money": "Within budget",
                "compliance": "Fully compliant", "equality_public_value": "Reached BAME women"}
    assert client.post(f"/cycles/{cycle.pk}/records/closing-evaluation/", criteria).status_code == 302
    html = client.get(f"/cycles/{cycle.pk}/?section=all").content.decode()
    for text in criteria.values():
        assert text in html


def test_soundings_during_a_live_competition_are_refused_naming_moj_procurement(client):
    journey = Journey()
    try:
        journey.advance_to(State.PRE_QUALIFICATION)
    finally:
        journey.stop_travel()
    cycle = make_cycle(journey.commissioner)
    provider = Organisation.objects.create(name="Nacro", sector=Sector.VCSE, organisation_type=OrganisationType.CHARITY)
    client.force_login(journey.commissioner)
    response = client.post(f"/cycles/{cycle.pk}/records/market-sounding/", {
        "service_area": journey.service_area.pk, "kind": "forum", "held_on": timezone.localdate().isoformat(),
        "providers": [provider.pk], "learned": "Appetite for smaller lots.",
    })
    html = response.content.decode()
    assert response.status_code == 200 and "There is a problem" in html
    assert f"{journey.competition.reference} is a live competition" in html and "MoJ Procurement" in html
    assert '<a href="#id_service_area">' in html
    assert not MarketSounding.objects.exists()

    other = ServiceArea.objects.create(name="Education")
    response = client.post(f"/cycles/{cycle.pk}/records/market-sounding/", {
        "service_area": other.pk, "kind": "forum", "held_on": timezone.localdate().isoformat(),
        "providers": [provider.pk], "learned": "Appetite for smaller lots.",
    })
    assert response.status_code == 302 and MarketSounding.objects.get().providers.get() == provider


# --- the plan, outcomes and pipeline -----------------------------------------------------------

def test_the_plan_page_and_pdf_carry_priorities_and_gaps(client, commissioner, area):
    cycle = make_cycle(commissioner)
    services.needs_assessment_record(cycle=cycle, actor=commissioner, service_area=area, location="Bristol", cohort="Women",
                                     demand=120, provision=80, gap_analysis="Too few beds.", evidence="Court data 2024")
    services.priority_add(cycle=cycle, actor=commissioner, title="Women's approved premises", service_area=area,
                          cost=Decimal(60000), outcome_value=Decimal(10), evidence="OASys needs profile")
    client.force_login(commissioner)
    html = client.get(f"/cycles/{cycle.pk}/plan/").content.decode()
    assert "Commissioning Intentions Plan" in html and "Women&#x27;s approved premises" in html and "Gap of 40 places" in html

    response = client.get(f"/cycles/{cycle.pk}/plan.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    text = pdf_text(response.content)
    assert "Commissioning Intentions Plan" in text
    assert "Women's approved premises" in text and "OASys needs profile" in text
    assert "Gap of 40 places" in text and "Court data 2024" in text
    assert "Status:" not in text  # screen-reader-only text stays out of print


def test_the_outcomes_tree_groups_by_theme_and_links_specifications(client, commissioner, area):
    cycle = make_cycle(commissioner)
    add_priorities_and_specifications(cycle, commissioner, area, 1)
    client.force_login(commissioner)
    html = client.get("/cycles/outcomes/").content.decode()
    for theme in ("Deliver the sentence of the courts", "Protect the public from harm", "Reduce the amount of crime as a result of reoffending"):
        assert theme in html
    assert "Justice is done" in html and "The sentence of the court is delivered" in html
    assert "Offenders complete the sentence or order of the court" in html
    assert f'href="/cycles/{cycle.pk}/?section=delivery#specifications">Specification 0</a>' in html


def test_the_pipeline_lists_planned_competitions_with_uk1_content(client, commissioner, area):
    today = timezone.localdate()

    def planned(title, value, *, regime="2023", procedure="competitive_flexible", days=60):
        competition = competition_services.competition_create(actor=commissioner, title=title, service_area=area, estimated_value=Decimal(value),
                                                              regime=regime, procedure=procedure, description=f"{title} description")
        if days is not None:
            competition_services.planned_review_add(competition=competition, actor=commissioner, review_type="tap",
                                                    before_state="pre_qualification", planned_on=today + datetime.timedelta(days=days))
        return competition

    large = planned("Accommodation South West", "3500000")
    small = planned("Rent deposit scheme", "900000")
    old_rules = planned("Legacy recompete", "5000000", regime="2011", procedure="restricted")
    unscheduled = planned("Floating support", "2500000", days=None)
    too_late = planned("Far future service", "9000000", days=500)
    client.force_login(commissioner)
    html = client.get("/cycles/pipeline/").content.decode()
    for competition in (large, small, old_rules, unscheduled):
        assert competition.reference in html
    assert too_late.reference not in html
    assert "Expected publication of the tender notice" in html and "Not planned yet" in html

    response = client.get("/cycles/pipeline/uk1.json")
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    notice = json.loads(response.content)
    assert notice["noticeType"] == "UK1"
    entries = {entry["id"]: entry for entry in notice["plannedProcurements"]}
    assert set(entries) == {large.reference, unscheduled.reference}  # over £2m and under the 2023 Act
    assert entries[large.reference] == {
        "ocid": large.ocid, "id": large.reference, "title": "Accommodation South West",
        "description": "Accommodation South West description", "value": {"amount": 3500000.0, "currency": "GBP"},
        "procurementMethodDetails": large.get_procedure_display(),
        "estimatedTenderNoticeDate": (today + datetime.timedelta(days=60)).isoformat(), "serviceArea": "Accommodation",
    }
    assert entries[unscheduled.reference]["estimatedTenderNoticeDate"] is None


# --- who may see cycles ------------------------------------------------------------------------

def test_the_bid_team_gets_404_on_every_cycle_page(client, commissioner, area):
    cycle = make_cycle(commissioner)
    add_priorities_and_specifications(cycle, commissioner, area, 1)
    specification = cycle.specifications.get()
    assessment = services.needs_assessment_record(
        cycle=cycle, actor=commissioner, service_area=area, location="Bristol", cohort="Women", demand=1, provision=0, gap_analysis="Gap.",
        evidence_file=SimpleUploadedFile("e.txt", b"evidence"),
    )
    client.force_login(UserFactory(roles=[Role.BID_TEAM]))
    urls = [
        "/cycles/", "/cycles/new/", "/cycles/outcomes/", "/cycles/pipeline/", "/cycles/pipeline/uk1.json",
        f"/cycles/{cycle.pk}/?section=all", f"/cycles/{cycle.pk}/plan/", f"/cycles/{cycle.pk}/plan.pdf", f"/cycles/{cycle.pk}/step-back/",
        f"/cycles/{cycle.pk}/evidence/{assessment.pk}/", f"/cycles/{cycle.pk}/records/securing-route/{specification.pk}/",
        *[f"/cycles/{cycle.pk}/records/{kind}/" for kind, action in RECORD_ACTIONS.items() if action.target is None],
    ]
    for url in urls:
        assert client.get(url).status_code == 404, url
    assert client.post(f"/cycles/{cycle.pk}/move-on/assess_needs/").status_code == 404
    assert client.post(f"/cycles/{cycle.pk}/records/accept-allocation/").status_code == 404
    assert refreshed(cycle).stage == Stage.EVALUATE


def test_a_commissioner_who_is_also_on_a_bid_team_sees_no_cycle(client, commissioner):
    cycle = make_cycle(commissioner)
    client.force_login(UserFactory(roles=[Role.COMMISSIONER, Role.BID_TEAM]))
    assert client.get(f"/cycles/{cycle.pk}/?section=all").status_code == 404


@pytest.mark.parametrize("role", [Role.SRO, Role.PROCUREMENT, Role.OVERSIGHT])
def test_other_commissioning_roles_read_cycles_but_cannot_change_them(client, commissioner, role):
    cycle = make_cycle(commissioner)
    client.force_login(UserFactory(roles=[role]))
    html = client.get(f"/cycles/{cycle.pk}/?section=all").content.decode()
    assert cycle.name in html and "Only a commissioner can move the cycle on." in html and "Add a priority" not in html
    assert client.get(f"/cycles/{cycle.pk}/records/priority/").status_code == 403
    assert client.post(f"/cycles/{cycle.pk}/move-on/assess_needs/").status_code == 403
    assert refreshed(cycle).stage == Stage.EVALUATE
