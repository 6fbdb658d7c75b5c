"""The commissioning cycles REST API (SPEC §2, §6): the same services as the pages, problem-details errors."""

import datetime
from decimal import Decimal

import pytest
from django.core.management import call_command

from core.models import ServiceArea
from core.roles import Role
from cycle import services
from cycle.models import CommissioningCycle, CycleEvent, Outcome, Priority, Stage
from ethical_walls.models import AuditEvent
from tests.api import as_read, client_for, problem
from tests.core.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

NEEDS_LABEL = "A needs assessment records demand, provision and a gap analysis"
EQUALITY_LABEL = "An equality impact assessment is complete"
CYCLES = "/api/v1/cycles/"


def url(cycle, action=""):
    return f"{CYCLES}{cycle.pk}/" + (f"{action}/" if action else "")


def fresh(cycle) -> CommissioningCycle:
    return CommissioningCycle.objects.get(pk=cycle.pk)


@pytest.fixture
def bass():
    area, _ = ServiceArea.objects.get_or_create(name="Bail accommodation and support (BASS)")
    return area


def make_cycle(actor, *, name="Offender services 2026–29", cycle_type="strategic", level="national", resources="10000000", **fields):
    return services.cycle_create(
        actor=actor, name=name, cycle_type=cycle_type, level=level, period_start=fields.pop("period_start", datetime.date(2026, 4, 1)),
        period_end=fields.pop("period_end", datetime.date(2029, 3, 31)), available_resources=Decimal(resources), **fields,
    )


def record_needs(cycle, actor, area, *, location="England and Wales", demand=2400, provision=1700):
    services.needs_assessment_record(
        cycle=fresh(cycle), actor=actor, service_area=area, location=location, cohort="Defendants bailed without an address",
        demand=demand, provision=provision, unit="bed spaces", gap_analysis="Courts remand where no address exists.",
        evidence="Court bail data",
    )


def add_priorities(cycle, actor, area, priorities):
    """priorities: (title, cost, outcome value, weight); ranked in the order given."""
    return [
        services.priority_add(cycle=fresh(cycle), actor=actor, title=title, service_area=area, cost=Decimal(cost),
                              outcome_value=Decimal(value), weight=Decimal(weight))
        for title, cost, value, weight in priorities
    ]


def at_prioritise(actor, area, **fields):
    cycle = make_cycle(actor, **fields)
    services.cycle_move_on(cycle=cycle, actor=actor, transition="assess_needs")
    record_needs(cycle, actor, area)
    return services.cycle_move_on(cycle=fresh(cycle), actor=actor, transition="prioritise")


# --- list ----------------------------------------------------------------------------------------

def test_list_filters_by_type_level_and_stage(commissioner):
    make_cycle(commissioner, name="Strategic 2026–29")
    make_cycle(commissioner, name="OLASS in the North West", cycle_type="co_commissioning", level="regional", area="North West")
    local = make_cycle(commissioner, name="Unpaid work in Kent", cycle_type="service_level", level="local", area="Kent")
    services.cycle_move_on(cycle=local, actor=commissioner, transition="assess_needs")
    api = client_for(commissioner)

    def names(**params):
        response = api.get(CYCLES, params)
        assert response.status_code == 200, response.content
        return [c["name"] for c in response.json()["results"]]

    assert names() == ["OLASS in the North West", "Strategic 2026–29", "Unpaid work in Kent"]
    assert names(type="co_commissioning") == ["OLASS in the North West"]
    assert names(level="local") == ["Unpaid work in Kent"]
    assert names(stage="evaluate") == ["OLASS in the North West", "Strategic 2026–29"]
    assert names(stage="assess_needs", type="service_level") == ["Unpaid work in Kent"]
    assert names(ordering="-name") == ["Unpaid work in Kent", "Strategic 2026–29", "OLASS in the North West"]
    row = api.get(CYCLES, {"level": "local"}).json()["results"][0]
    assert row["type"] == "service_level" and row["type_label"] == "Service-level commissioning"
    assert (row["stage"], row["stage_label"], row["phase"], row["version"]) == ("assess_needs", "Assess needs", "Planning", 2)
    assert row["owner"]["id"] == commissioner.pk and row["budget"] == "10000000.00"


def test_list_refuses_an_unknown_filter_value_naming_the_parameter(commissioner):
    body = problem(client_for(commissioner).get(CYCLES, {"stage": "shopping"}), 400)
    assert list(body["errors"]) == ["stage"]


@pytest.mark.parametrize("count", [1, 20])
def test_list_takes_the_same_queries_for_one_cycle_or_twenty(count, commissioner, bass, django_assert_num_queries):
    partner = OrganisationFactory(name="Skills Funding Agency")
    for n in range(count):
        cycle = make_cycle(commissioner, name=f"Cycle {n}")
        services.partner_add(cycle=cycle, actor=commissioner, organisation=partner, arrangement="pooled", contribution=Decimal("500000"))
        add_priorities(cycle, commissioner, bass, [(f"Priority {p}", "100000", "10", "1") for p in range(count)])
    api = client_for(commissioner)
    api.get(CYCLES)  # the user's roles, read once per user
    # count, the page of cycles with their owners, their partners (the budget counts pooled funding)
    with django_assert_num_queries(3):
        response = api.get(CYCLES)
    assert response.json()["count"] == count
    assert response.json()["results"][0]["budget"] == "10500000.00"


# --- visibility ------------------------------------------------------------------------------------

@pytest.mark.parametrize("role", [Role.COMMISSIONER, Role.SRO, Role.PROCUREMENT, Role.OVERSIGHT])
def test_the_commissioning_roles_and_oversight_see_cycles(role, commissioner):
    cycle = make_cycle(commissioner)
    api = client_for(UserFactory(roles=[role]))
    assert [c["id"] for c in api.get(CYCLES).json()["results"]] == [cycle.pk]
    assert api.get(url(cycle)).json()["name"] == cycle.name


@pytest.mark.parametrize("role", [Role.BID_TEAM, Role.CONTRACT_MANAGER, Role.GATEWAY_REVIEWER])
def test_anyone_else_sees_no_cycle_and_cannot_move_one(role, commissioner):
    cycle = make_cycle(commissioner)
    outsider = UserFactory(roles=[role])
    api = client_for(outsider)
    assert api.get(CYCLES).json() == {"count": 0, "more_than": None, "next": None, "previous": None, "results": []}
    assert problem(api.get(url(cycle)), 404)["detail"] == "Not found."
    problem(api.post(url(cycle, "assess-needs"), format="json"), 404)
    problem(api.post(url(cycle, "allocation"), format="json"), 404)
    assert AuditEvent.objects.filter(actor=outsider, action="refused", path=url(cycle)).exists()
    assert fresh(cycle).stage == Stage.EVALUATE


def test_a_commissioner_in_a_bid_team_sees_no_cycle_and_cannot_plan_one(commissioner):
    cycle = make_cycle(commissioner)
    api = client_for(UserFactory(roles=[Role.COMMISSIONER, Role.BID_TEAM]))
    assert api.get(CYCLES).json()["count"] == 0
    problem(api.get(url(cycle)), 404)
    problem(api.post(CYCLES, {
        "name": "Behind the wall", "type": "strategic", "level": "national",
        "period_start": "2027-04-01", "period_end": "2030-03-31", "available_resources": "5",
    }, format="json"), 403)
    assert CommissioningCycle.objects.count() == 1


def test_an_unknown_cycle_is_a_plain_404(commissioner):
    assert problem(client_for(commissioner).get(f"{CYCLES}999999/"), 404)["detail"] == "Not found."


# --- detail ----------------------------------------------------------------------------------------

def test_detail_shows_budget_partners_needs_priorities_the_suggestion_specifications_and_moves(commissioner, bass):
    cycle = at_prioritise(commissioner, bass, resources="1000000")
    sfa = OrganisationFactory(name="Skills Funding Agency")
    jobcentre = OrganisationFactory(name="Jobcentre Plus")
    services.partner_add(cycle=fresh(cycle), actor=commissioner, organisation=sfa, arrangement="pooled", contribution=Decimal("200000"))
    services.partner_add(cycle=fresh(cycle), actor=commissioner, organisation=jobcentre, arrangement="aligned", contribution=Decimal("900000"))
    _, second, third = add_priorities(cycle, commissioner, bass, [
        ("Bail beds in the North", "700000", "50", "1.5"),  # 75
        ("Bail beds in London", "600000", "60", "1"),  # 60
        ("Support workers", "600000", "30", "1"),  # 30
    ])
    # Budget 1.2m (aligned funding stays with Jobcentre Plus): the 2nd and 3rd (1.2m, 90) beat the 1st alone (75).
    services.allocation_set(cycle=fresh(cycle), actor=commissioner)
    outcome = Outcome.objects.get(title="Offenders and defendants are held lawfully and safely in custody")
    services.specification_record(cycle=fresh(cycle), actor=commissioner, priority=second, title="London bail accommodation",
                                  summary="Bed spaces for London courts.", outputs="Bed spaces", outcomes=[outcome])
    api = client_for(commissioner)

    body = api.get(url(cycle)).json()
    assert (body["stage"], body["stage_label"], body["stage_number"], body["phase"], body["version"]) == ("prioritise", "Prioritise", 3, "Planning", 4)  # two moves and an accepted allocation
    assert body["available_resources"] == "1000000.00" and body["budget"] == "1200000.00"
    assert [(p["organisation_name"], p["arrangement"], p["contribution"]) for p in body["partners"]] == [
        ("Skills Funding Agency", "pooled", "200000.00"), ("Jobcentre Plus", "aligned", "900000.00"),
    ]
    [needs] = body["needs_assessments"]
    assert (needs["demand"], needs["provision"], needs["gap"], needs["unit"]) == (2400, 1700, 700, "bed spaces")
    assert [(p["rank"], p["funded"], p["weighted_value"]) for p in body["priorities"]] == [
        (1, False, "75.0000"), (2, True, "60.0000"), (3, True, "30.0000"),
    ]
    assert body["suggested_allocation"] == {"priorities": [second.pk, third.pk], "total_value": "90.0000", "total_cost": "1200000.00"}
    [specification] = body["specifications"]
    assert specification["priority"] == second.pk and specification["outcomes"] == [outcome.pk]
    assert specification["securing_route"] == "" and specification["competition_reference"] is None
    assert body["equality_impact_assessment"] is None
    assert body["available_moves"] == []  # no equality impact assessment yet
    assert response_etag(api, cycle).startswith('"4-')

    services.equality_impact_assessment_record(cycle=fresh(cycle), actor=commissioner, summary="Women defendants need separate provision.")
    body = api.get(url(cycle)).json()
    assert body["available_moves"] == ["design_services"]
    assert body["equality_impact_assessment"]["completed_by"]["id"] == commissioner.pk
    # Others may read the cycle but not move it.
    assert client_for(UserFactory(roles=[Role.SRO])).get(url(cycle)).json()["available_moves"] == []


def response_etag(api, cycle):
    return api.get(url(cycle))["ETag"]


@pytest.mark.parametrize("count", [1, 20])
def test_detail_takes_the_same_queries_however_many_priorities_the_cycle_has(count, commissioner, bass, django_assert_num_queries):
    cycle = at_prioritise(commissioner, bass)
    for n in range(count):
        services.partner_add(cycle=fresh(cycle), actor=commissioner, organisation=OrganisationFactory(), arrangement="pooled", contribution=Decimal("1000"))
        record_needs(cycle, commissioner, bass, location=f"Region {n}")
    priorities = add_priorities(cycle, commissioner, bass, [(f"Priority {n}", "100000", str(10 + n), "1") for n in range(count)])
    services.allocation_set(cycle=fresh(cycle), actor=commissioner)
    outcomes = list(Outcome.objects.filter(level="service")[:2])
    for priority in priorities:
        services.specification_record(cycle=fresh(cycle), actor=commissioner, priority=priority, title=f"Specification {priority.rank}",
                                      summary="A service.", outputs="Places", outcomes=outcomes)
    api = client_for(commissioner)
    api.get(url(cycle))  # the user's roles, read once per user
    # the cycle with its owner, previous and next cycles, equality impact and closing evaluations; then its
    # partners, needs assessments, priorities, specifications (with competitions) and their outcomes, and the
    # records the pages share (cycle.selectors.cycle_get): market soundings, analyses, stimulation actions, events
    with django_assert_num_queries(10):
        body = api.get(url(cycle)).json()
    assert len(body["priorities"]) == len(body["specifications"]) == len(body["needs_assessments"]) - 1 == count
    assert body["available_moves"] == []


# --- create ----------------------------------------------------------------------------------------

def test_create_opens_a_cycle_at_evaluate_owned_by_the_caller(commissioner):
    response = client_for(commissioner).post(CYCLES, {
        "name": "Bail accommodation and support 2027–30", "type": "service_level", "level": "national",
        "period_start": "2027-04-01", "period_end": "2030-03-31", "available_resources": "48000000",
    }, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    cycle = CommissioningCycle.objects.get(pk=body["id"])
    assert response["Location"].endswith(url(cycle))
    assert (cycle.owner, cycle.cycle_type, cycle.stage, cycle.version) == (commissioner, "service_level", Stage.EVALUATE, 1)
    assert (body["stage"], body["budget"], body["available_moves"]) == ("evaluate", "48000000.00", ["assess_needs"])
    assert CycleEvent.objects.filter(cycle=cycle, action="created", actor=commissioner).exists()


def test_create_with_bad_input_names_the_fields_and_creates_nothing(commissioner):
    body = problem(client_for(commissioner).post(CYCLES, {
        "name": "Backwards", "type": "wishful", "level": "national",
        "period_start": "2027-04-01", "period_end": "2026-04-01", "available_resources": "-5",
    }, format="json"), 400)
    assert set(body["errors"]) == {"type", "available_resources"}
    body = problem(client_for(commissioner).post(CYCLES, {
        "name": "Backwards", "type": "strategic", "level": "national",
        "period_start": "2027-04-01", "period_end": "2026-04-01", "available_resources": "5",
    }, format="json"), 400)
    assert list(body["errors"]) == ["period_end"]
    assert not CommissioningCycle.objects.exists()


def test_a_period_whose_next_cycle_would_pass_the_calendars_end_is_refused_on_period_end(commissioner):
    # Closing a cycle opens the next, as long, the day after: that one must fit the service's years (to 2099) too.
    body = problem(client_for(commissioner).post(CYCLES, {
        "name": "Forever", "type": "strategic", "level": "national",
        "period_start": "2090-01-01", "period_end": "2099-12-31", "available_resources": "5",
    }, format="json"), 400)
    assert list(body["errors"]) == ["period_end"] and "31 December 2099" in body["errors"]["period_end"][0]
    assert not CommissioningCycle.objects.exists()


def test_only_a_commissioner_creates_a_cycle(user_with_role):
    body = problem(client_for(user_with_role(Role.PROCUREMENT)).post(CYCLES, {
        "name": "Not mine to plan", "type": "strategic", "level": "national",
        "period_start": "2027-04-01", "period_end": "2030-03-31", "available_resources": "5",
    }, format="json"), 403)
    assert body["detail"] == "Only a commissioner can do this."


# --- moves -----------------------------------------------------------------------------------------

def test_every_forward_move_is_a_post_action_with_a_hyphenated_path(commissioner):
    cycle = make_cycle(commissioner)
    api = client_for(commissioner)
    for name in services.FORWARD:
        assert api.get(url(cycle, name.replace("_", "-"))).status_code == 405, name


def test_a_move_takes_the_cycle_on_and_answers_it_as_it_now_is(commissioner):
    cycle = make_cycle(commissioner)
    response = client_for(commissioner).post(url(cycle, "assess-needs"), {"version": 1}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["stage"], body["version"], body["available_moves"]) == ("assess_needs", 2, [])
    event = CycleEvent.objects.filter(cycle=cycle).last()
    assert (event.action, event.from_stage, event.to_stage, event.actor) == ("assess_needs", "evaluate", "assess_needs", commissioner)


def test_a_refused_move_answers_409_with_the_missing_conditions(commissioner, bass):
    cycle = make_cycle(commissioner)
    services.cycle_move_on(cycle=cycle, actor=commissioner, transition="assess_needs")
    api = client_for(commissioner)
    body = problem(api.post(url(cycle, "prioritise"), format="json", **as_read(api, url(cycle))), 409)
    assert (body["transition"], body["missing"]) == ("prioritise", [NEEDS_LABEL])
    # From the wrong stage, the missing condition is the stage itself.
    body = problem(api.post(url(cycle, "deliver"), format="json", **as_read(api, url(cycle))), 409)
    assert body["missing"] == ["Not possible from “Assess needs”"]
    assert fresh(cycle).stage == Stage.ASSESS_NEEDS


def test_leaving_prioritise_names_every_unmet_condition(commissioner, bass):
    cycle = at_prioritise(commissioner, bass)
    api = client_for(commissioner)
    body = problem(api.post(url(cycle, "design-services"), format="json", **as_read(api, url(cycle))), 409)
    assert body["missing"] == [
        "Priorities are ranked and the funded ones chosen",
        "An equality impact assessment is complete",
    ]


def test_a_move_on_a_stale_version_answers_412_and_one_without_a_precondition_428(commissioner):
    cycle = make_cycle(commissioner)
    api = client_for(commissioner)
    body = problem(api.post(url(cycle, "assess-needs"), {"version": 7}, format="json"), 412)
    assert "has changed since" in body["detail"] and "missing" not in body
    problem(api.post(url(cycle, "assess-needs"), format="json", HTTP_IF_MATCH='"abc"'), 412)
    problem(api.post(url(cycle, "assess-needs"), format="json"), 428)
    problem(api.post(url(cycle, "allocation"), format="json"), 428)
    assert fresh(cycle).stage == Stage.EVALUATE


def test_only_a_commissioner_moves_a_cycle(commissioner, user_with_role):
    cycle = make_cycle(commissioner)
    problem(client_for(user_with_role(Role.SRO)).post(url(cycle, "assess-needs"), format="json"), 403)
    assert fresh(cycle).stage == Stage.EVALUATE


# --- step back ---------------------------------------------------------------------------------------

def test_step_back_needs_a_reason(commissioner, bass):
    cycle = at_prioritise(commissioner, bass)
    api = client_for(commissioner)
    body = problem(api.post(url(cycle, "step-back"), {"to_stage": "assess_needs"}, format="json", **as_read(api, url(cycle))), 400)
    assert list(body["errors"]) == ["reason"]
    body = problem(api.post(url(cycle, "step-back"), {"to_stage": "assess_needs", "reason": "   "}, format="json", **as_read(api, url(cycle))), 400)
    assert body["errors"]["reason"] == ["Say why the cycle is going back a stage."]
    assert fresh(cycle).stage == Stage.PRIORITISE


def test_step_back_goes_to_an_earlier_stage_and_records_why(commissioner, bass):
    cycle = at_prioritise(commissioner, bass)
    api = client_for(commissioner)
    body = problem(api.post(url(cycle, "step-back"), {"to_stage": "design_services", "reason": "Wrong way"}, format="json", **as_read(api, url(cycle))), 400)
    assert list(body["errors"]) == ["to_stage"]
    response = api.post(url(cycle, "step-back"), {"to_stage": "assess_needs", "reason": "Revised court data for 2026", "version": 3}, format="json")
    assert response.status_code == 200, response.content
    assert (response.json()["stage"], response.json()["version"]) == ("assess_needs", 4)
    event = CycleEvent.objects.filter(cycle=cycle).last()
    assert (event.from_stage, event.to_stage, event.reason) == ("prioritise", "assess_needs", "Revised court data for 2026")


# --- allocation ----------------------------------------------------------------------------------------

def test_allocation_accepts_the_suggestion_or_the_commissioners_choice_within_budget(commissioner, bass):
    cycle = at_prioritise(commissioner, bass, resources="1000000")
    first, second, third = add_priorities(cycle, commissioner, bass, [
        ("Bail beds in the North", "600000", "50", "1"),
        ("Bail beds in London", "500000", "40", "1"),
        ("Support workers", "400000", "45", "1"),
    ])
    api = client_for(commissioner)
    response = api.post(url(cycle, "allocation"), format="json", **as_read(api, url(cycle)))
    assert response.status_code == 200, response.content
    body = response.json()
    assert [p["funded"] for p in body["priorities"]] == [True, False, True]
    assert body["suggested_allocation"]["priorities"] == [first.pk, third.pk]
    assert CycleEvent.objects.filter(cycle=cycle, description="Suggested allocation accepted").exists()

    body = api.post(url(cycle, "allocation"), {"funded": [second.pk, third.pk], "version": body["version"]}, format="json").json()
    assert [p["funded"] for p in body["priorities"]] == [False, True, True]


def test_an_allocation_over_budget_is_refused_and_changes_nothing(commissioner, bass):
    cycle = at_prioritise(commissioner, bass, resources="1000000")
    priorities = add_priorities(cycle, commissioner, bass, [
        ("Bail beds in the North", "600000", "50", "1"), ("Bail beds in London", "500000", "40", "1"),
    ])
    api = client_for(commissioner)
    body = problem(api.post(url(cycle, "allocation"), {"funded": [p.pk for p in priorities]}, format="json", **as_read(api, url(cycle))), 400)
    assert body["errors"]["funded"] == ["The chosen priorities cost £1,100,000.00, more than the £1,000,000.00 available."]
    body = problem(api.post(url(cycle, "allocation"), {"funded": [999999]}, format="json", **as_read(api, url(cycle))), 400)
    assert body["errors"]["funded"] == ["Choose priorities of this cycle."]
    assert not Priority.objects.filter(funded=True).exists()


# --- outcomes and the schema ---------------------------------------------------------------------------

def test_outcomes_are_a_read_only_tree_with_level_and_parent(bid_team_user):
    api = client_for(bid_team_user)  # published reference data
    body = api.get("/api/v1/outcomes/", {"level": "strategic"}).json()
    assert body["count"] == 9 and all(o["parent"] is None for o in body["results"])
    child = Outcome.objects.get(title="The sentence of the court is delivered")
    detail = api.get(f"/api/v1/outcomes/{child.pk}/").json()
    assert (detail["level"], detail["level_label"], detail["parent"]) == ("service", "Service", child.parent_id)
    assert api.post("/api/v1/outcomes/", {"title": "Mine"}, format="json").status_code == 405


def test_the_openapi_schema_still_validates_without_warnings(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml"))
