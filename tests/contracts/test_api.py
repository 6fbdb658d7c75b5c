"""The agreements REST API (SPEC §5, §6): the same services as the pages, problem-details errors."""

import datetime
from decimal import Decimal

import pytest
from dateutil.relativedelta import relativedelta
from django.utils import timezone

from competitions.models import State as CompetitionState
from contracts import services
from contracts.models import Agreement, AgreementState, Measure, NoticeOfChange, RectificationNotice, Return
from core.models import OrganisationType, Sector, ServiceArea
from core.roles import Role
from cycle.models import Outcome
from ethical_walls.models import AuditEvent
from scenarios.drivers import agree_exit_plan, complete_mobilisation
from tests.api import as_read, client_for, problem
from tests.competitions.journey import Journey
from tests.core.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db
D = Decimal

AGREEMENTS = "/api/v1/agreements/"


def url(agreement, action=""):
    return f"{AGREEMENTS}{agreement.pk}/" + (f"{action}/" if action else "")


def fresh(agreement) -> Agreement:
    return Agreement.objects.get(pk=agreement.pk)


def months_ago(months: int) -> datetime.date:
    return timezone.localdate().replace(day=1) - relativedelta(months=months)


@pytest.fixture
def outcome():
    return Outcome.objects.get(title="Reparation is made to the community")


def make_agreement(people, *, reference="FW-001", provider=None, area="Community payback (unpaid work)", started_months_ago=6, **terms):
    start = months_ago(started_months_ago)
    return services.agreement_create(
        actor=people["procurement"], reference=reference, title=f"Agreement {reference}",
        provider=provider or OrganisationFactory(name="Serco Justice Services"),
        service_area=ServiceArea.objects.get_or_create(name=area)[0], value=D("1200000"), route="framework",
        start_date=start, end_date=start + relativedelta(years=3), **terms,
    )


def add_measure(agreement, people, outcome, *, name="Hours credited", target="90", tolerance="5", **fields):
    return services.measure_add(agreement=fresh(agreement), actor=people["procurement"], name=name, target=D(target),
                                tolerance=D(tolerance), outcome=outcome, **fields)


def make_live(agreement, people, outcome, *, measures=1):
    for n in range(measures):
        add_measure(agreement, people, outcome, name=f"Measure {n}", penalty_amber=D("1000"), penalty_red=D("5000"))
    services.agreement_update(agreement=fresh(agreement), actor=people["procurement"], contract_manager=people["manager"])
    services.agreement_mobilise(agreement=fresh(agreement), actor=people["procurement"])
    complete_mobilisation(fresh(agreement), people["procurement"])
    return services.agreement_go_live(agreement=fresh(agreement), actor=people["procurement"])


def submit(measure, people, months_back: int, value: str):
    measure = Measure.objects.select_related("agreement").get(pk=measure.pk)
    period = measure.agreement.start_date + relativedelta(months=months_back)
    return services.return_submit(measure=measure, actor=people["manager"], period_start=period, value=D(value))


# --- list ------------------------------------------------------------------------------------------

def test_list_filters_by_state_kind_provider_and_service_area(people, outcome):
    serco = OrganisationFactory(name="Serco Justice Services")
    dartmoor = OrganisationFactory(name="HMP Dartmoor", sector=Sector.PUBLIC, organisation_type=OrganisationType.PRISON, is_crown_body=True)
    make_agreement(people, reference="A-1", provider=serco)
    live = make_live(make_agreement(people, reference="A-2", provider=serco, area="Electronic monitoring"), people, outcome)
    make_agreement(people, reference="A-3", provider=dartmoor, area="Prison operation")
    submit(live.measures.get(), people, 0, "80")  # red
    api = client_for(people["manager"])

    def references(**params):
        response = api.get(AGREEMENTS, params)
        assert response.status_code == 200, response.content
        return [row["reference"] for row in response.json()["results"]]

    assert references() == ["A-1", "A-2", "A-3"]
    assert references(state="live") == ["A-2"]
    assert references(kind="sla") == ["A-3"]
    assert references(provider=serco.pk) == ["A-1", "A-2"]
    assert references(service_area=live.service_area_id) == ["A-2"]
    assert references(state="draft", kind="contract") == ["A-1"]
    assert references(rag="red") == ["A-2"] and references(rag="none") == ["A-1", "A-3"]
    assert references(ordering="-reference") == ["A-3", "A-2", "A-1"]
    row = api.get(AGREEMENTS, {"state": "live"}).json()["results"][0]
    assert (row["kind"], row["kind_label"], row["state"], row["state_label"]) == ("contract", "Contract", "live", "Live")
    assert (row["provider_name"], row["service_area_name"], row["rag"]) == ("Serco Justice Services", "Electronic monitoring", "red")
    assert row["contract_manager"]["id"] == people["manager"].pk and row["value"] == "1200000.00"
    sla = api.get(AGREEMENTS, {"kind": "sla"}).json()["results"][0]
    assert (sla["kind_label"], sla["rag"], sla["contract_manager"]) == ("Service level agreement", None, None)


def test_list_refuses_an_unknown_filter_value_naming_the_parameter(people):
    body = problem(client_for(people["manager"]).get(AGREEMENTS, {"state": "paused"}), 400)
    assert list(body["errors"]) == ["state"]


@pytest.mark.parametrize("count", [5, 50])
def test_list_takes_the_same_queries_for_five_agreements_or_fifty(count, people, outcome, django_assert_num_queries):
    for n in range(count):
        agreement = make_live(make_agreement(people, reference=f"A-{n:03}", started_months_ago=3), people, outcome)
        submit(agreement.measures.get(), people, 0, "95")
    api = client_for(people["procurement"])
    api.get(AGREEMENTS)  # the user's roles, read once per user
    # count, the page with providers, areas and managers, each row's RAG worked out in the same query
    with django_assert_num_queries(2):
        response = api.get(AGREEMENTS)
    assert response.json()["count"] == count
    assert {row["rag"] for row in response.json()["results"]} == {"green"}


# --- detail --------------------------------------------------------------------------------------------

def test_detail_shows_terms_supply_chain_break_points_measures_performance_warnings_and_versions(people, outcome):
    agreement = make_agreement(people, payment_model="pbr", share_at_risk=D("20"))
    services.break_point_add(agreement=agreement, actor=people["procurement"], on=agreement.start_date + relativedelta(years=2))
    services.supply_chain_member_add(agreement=agreement, actor=people["procurement"], organisation=agreement.provider, role="prime",
                                     funding_share=D("70"), risk_share=D("60"))
    services.supply_chain_member_add(agreement=fresh(agreement), actor=people["procurement"], organisation=OrganisationFactory(name="Catch22"),
                                     role="sub_prime", funding_share=D("30"), risk_share=D("40"))
    live = make_live(agreement, people, outcome, measures=2)
    first, second = live.measures.order_by("pk")
    submit(first, people, 0, "95")   # green
    submit(second, people, 0, "88")  # amber: 1,000
    submit(first, people, 1, "70")   # red: 5,000
    api = client_for(people["procurement"])

    response = api.get(url(live))
    assert response.status_code == 200, response.content
    body = response.json()
    assert response["ETag"].startswith(f'"{body["version"]}-') and body["version"] == fresh(live).version
    assert (body["state"], body["payment_model"], body["share_at_risk"], body["route"]) == ("live", "pbr", "20.00", "framework")
    assert body["start_date"] == live.start_date.isoformat() and body["end_date"] == live.end_date.isoformat()
    assert [b["on"] for b in body["break_points"]] == [(live.start_date + relativedelta(years=2)).isoformat()]
    assert [(m["organisation_name"], m["role"], m["funding_share"], m["risk_share"]) for m in body["supply_chain"]] == [
        ("Serco Justice Services", "prime", "70.00", "60.00"), ("Catch22", "sub_prime", "30.00", "40.00"),
    ]
    [warning] = body["stewardship_warnings"]
    assert warning.startswith("Catch22 carries 40") and "for 30" in warning
    measures = {m["id"]: m for m in body["measures"]}
    assert (measures[first.pk]["latest_rag"], measures[first.pk]["latest_period_start"]) == ("red", (live.start_date + relativedelta(months=1)).isoformat())
    assert measures[second.pk]["latest_rag"] == "amber" and measures[second.pk]["outcome_title"] == outcome.title
    # The second measure has no return from the second month on: overdue once ten days past each period.
    assert measures[second.pk]["overdue_periods"][0] == (live.start_date + relativedelta(months=1)).isoformat()
    assert [(p["period_start"], p["score"], p["penalties"]) for p in body["performance"]] == [
        (live.start_date.isoformat(), "75.0", "1000.00"), ((live.start_date + relativedelta(months=1)).isoformat(), "0.0", "5000.00"),
    ]
    assert {r["measure"]: r["rag"] for r in body["performance"][0]["ratings"]} == {first.pk: "green", second.pk: "amber"}
    assert body["rag"] == "red" and body["contract_version"] == 1
    assert [(v["number"], v["notice_of_change"], v["changes"]) for v in body["versions"]] == [(1, None, [])]
    # MoJ Procurement may terminate a live agreement; going live again is not possible.
    assert body["available_transitions"] == ["terminate"]
    commissioner = client_for(people["commissioner"])
    assert commissioner.get(url(live)).json()["available_transitions"] == []  # decommissioning waits for an agreed exit plan
    agree_exit_plan(fresh(live), people["manager"], people["commissioner"])
    assert commissioner.get(url(live)).json()["available_transitions"] == ["decommission"]


@pytest.mark.parametrize("months", [1, 12])
def test_detail_takes_the_same_queries_for_few_returns_or_many(months, people, outcome, django_assert_num_queries):
    live = make_live(make_agreement(people, started_months_ago=13), people, outcome, measures=3)
    services.supply_chain_member_add(agreement=fresh(live), actor=people["procurement"], organisation=live.provider, role="prime",
                                     funding_share=D("100"), risk_share=D("100"))
    for measure in live.measures.all():
        for month in range(months):
            submit(measure, people, month, "91")
    api = client_for(people["manager"])
    api.get(url(live))  # the user's roles, read once per user
    # the agreement with provider, area, competition, manager and specification; then its break points, supply
    # chain, measures with outcomes, their returns, cohort results, feedback, equality results, remedial plans,
    # rectification notices, notices of change, versions, events, mobilisation milestones and the contract management log
    # (contracts.selectors.agreement_get, as the page)
    with django_assert_num_queries(15):
        response = api.get(url(live))
    assert len(response.json()["performance"]) == months


# --- terms ------------------------------------------------------------------------------------------------

def test_patch_completes_the_terms_with_the_version_read(people):
    agreement = make_agreement(people)
    api = client_for(people["procurement"])
    etag = api.get(url(agreement))["ETag"]
    response = api.patch(url(agreement), {"contract_manager": people["manager"].pk, "payment_model": "volume"}, format="json", HTTP_IF_MATCH=etag)
    assert response.status_code == 200, response.content
    assert response.json()["contract_manager"]["id"] == people["manager"].pk and response.json()["payment_model"] == "volume"
    # The version read before is stale now: 412, and nothing changes.
    body = problem(api.patch(url(agreement), {"title": "Mine"}, format="json", HTTP_IF_MATCH=etag), 412)
    assert body["type"].endswith("stale-object")
    problem(api.patch(url(agreement), {"title": "Mine"}, format="json"), 428)
    body = problem(api.patch(url(agreement), {"contract_manager": people["commissioner"].pk}, format="json", **as_read(api, url(agreement))), 400)
    assert body["errors"] == {"contract_manager": ["Choose someone with the contract manager role."]}
    assert fresh(agreement).title == "Agreement FW-001"


def test_patch_once_live_is_refused_terms_change_by_notice_of_change(people, outcome):
    live = make_live(make_agreement(people), people, outcome)
    api = client_for(people["procurement"])
    body = problem(api.patch(url(live), {"title": "Renamed"}, format="json", **as_read(api, url(live))), 400)
    assert body["detail"] == "Once live, the agreement changes only by a Notice of Change."


# --- transitions --------------------------------------------------------------------------------------------

def test_transitions_are_post_actions_mobilise_then_go_live(people, outcome):
    agreement = make_agreement(people)
    add_measure(agreement, people, outcome)
    services.agreement_update(agreement=fresh(agreement), actor=people["procurement"], contract_manager=people["manager"])
    api = client_for(people["manager"])
    assert api.get(url(agreement)).json()["available_transitions"] == ["mobilise"]
    response = api.post(url(agreement, "mobilise"), format="json", **as_read(api, url(agreement)))
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "mobilising" and response.json()["available_transitions"] == []  # no mobilisation plan yet
    complete_mobilisation(fresh(agreement), people["manager"])
    assert api.get(url(agreement)).json()["available_transitions"] == ["go_live"]
    response = api.post(url(agreement, "go-live"), {"version": fresh(agreement).version}, format="json")
    assert response.status_code == 200 and response.json()["state"] == "live"
    assert fresh(agreement).events.filter(action="go_live", actor=people["manager"]).exists()


def test_a_refused_transition_answers_409_with_the_missing_conditions(people):
    agreement = make_agreement(people)
    services.agreement_mobilise(agreement=agreement, actor=people["procurement"])
    api = client_for(people["procurement"])
    body = problem(api.post(url(agreement, "go-live"), format="json", **as_read(api, url(agreement))), 409)
    assert body["type"].endswith("transition-refused") and body["transition"] == "go_live"
    assert body["missing"] == ["At least one measure is set, linked to an outcome", "A contract manager is assigned",
                               "The mobilisation plan is drawn up and every milestone is done or its gap accepted by the SRO with a reason"]
    assert fresh(agreement).state == AgreementState.MOBILISING
    # From the wrong state: said so.
    body = problem(api.post(url(agreement, "mobilise"), format="json", **as_read(api, url(agreement))), 409)
    assert body["missing"] == ["Not possible from “Mobilising”"]


def test_terminate_without_a_reason_answers_400_naming_reason(people, outcome):
    live = make_live(make_agreement(people), people, outcome)
    api = client_for(people["procurement"])
    body = problem(api.post(url(live, "terminate"), {"reason": "  "}, format="json", **as_read(api, url(live))), 400)
    assert body["errors"] == {"reason": ["Give the reason."]}
    assert fresh(live).state == AgreementState.LIVE
    # Decommissioning is the commissioner's: MoJ Procurement is refused.
    problem(api.post(url(live, "decommission"), {"reason": "No longer needed"}, format="json"), 403)
    response = api.post(url(live, "terminate"), {"reason": "Provider insolvent"}, format="json", **as_read(api, url(live)))
    assert response.status_code == 200, response.content
    assert (response.json()["state"], response.json()["ended_reason"]) == ("terminated", "Provider insolvent")


# --- measures and returns ----------------------------------------------------------------------------------

def test_measures_are_added_before_go_live_and_listed_by_agreement(people, outcome):
    agreement = make_agreement(people)
    other = make_agreement(people, reference="FW-002")
    add_measure(other, people, outcome)
    api = client_for(people["procurement"])
    response = api.post("/api/v1/measures/", {
        "agreement": agreement.pk, "outcome": outcome.pk, "name": "Placements stood down late", "target": "5", "tolerance": "2",
        "direction": "lower", "frequency": "quarterly", "penalty_red": "2500",
    }, format="json")
    assert response.status_code == 201, response.content
    created = response.json()
    assert (created["direction"], created["frequency"], created["latest_rag"], created["overdue_periods"]) == ("lower", "quarterly", None, [])
    assert response["Location"].endswith(f"/api/v1/measures/{created['id']}/")
    assert [m["name"] for m in api.get("/api/v1/measures/", {"agreement": agreement.pk}).json()["results"]] == ["Placements stood down late"]
    body = problem(api.post("/api/v1/measures/", {"agreement": agreement.pk, "name": "No target"}, format="json"), 400)
    assert list(body["errors"]) == ["target"]


def test_a_return_for_a_period_not_yet_ended_answers_400(people, outcome):
    live = make_live(make_agreement(people, started_months_ago=2), people, outcome)
    measure = live.measures.get()
    api = client_for(people["manager"])
    this_month = timezone.localdate().replace(day=1)
    body = problem(api.post("/api/v1/returns/", {"measure": measure.pk, "period_start": this_month.isoformat(), "value": "92"}, format="json"), 400)
    assert body["errors"] == {"period_start": ["Choose the start of a period of this measure that has ended."]}
    assert not Return.objects.exists()
    response = api.post("/api/v1/returns/", {"measure": measure.pk, "period_start": live.start_date.isoformat(), "value": "86"}, format="json")
    assert response.status_code == 201, response.content
    assert (response.json()["rag"], response.json()["agreement"], response.json()["submitted_by"]["id"]) == ("amber", live.pk, people["manager"].pk)
    assert [r["value"] for r in api.get("/api/v1/returns/", {"agreement": live.pk}).json()["results"]] == ["86.00"]
    assert api.get("/api/v1/returns/", {"measure": measure.pk + 1000}).json()["count"] == 0


# --- Notices of Change ----------------------------------------------------------------------------------

def test_only_moj_procurement_issues_a_notice_of_change(people, outcome):
    live = make_live(make_agreement(people), people, outcome)
    request = {"agreement": live.pk, "summary": "Indexation at CPI", "material": False, "changes": {"value": "1221600.00"}}
    body = problem(client_for(people["manager"]).post("/api/v1/notices-of-change/", request, format="json"), 403)
    assert body["detail"] == "Only MoJ Procurement officer can do this."
    assert not NoticeOfChange.objects.exists()
    response = client_for(people["procurement"]).post("/api/v1/notices-of-change/", request, format="json")
    assert response.status_code == 201, response.content
    assert (response.json()["number"], response.json()["status"], response.json()["resulting_version"]) == (1, "in_effect", 2)
    assert fresh(live).value == D("1221600.00")
    body = problem(client_for(people["procurement"]).post("/api/v1/notices-of-change/", {**request, "changes": {}}, format="json"), 400)
    assert body["errors"] == {"changes": ["Say what the notice changes."]}


def test_a_material_notice_of_change_agreed_by_the_lead_commissioner_makes_version_2():
    journey = Journey(regime="2011", procedure="restricted", major=False, public_bid=False)
    try:
        journey.advance_to(CompetitionState.AWARDED)
        agreement = Agreement.objects.get(competition=journey.competition)
        new_value = str(agreement.value + 250000)
        response = client_for(journey.procurement).post("/api/v1/notices-of-change/", {
            "agreement": agreement.pk, "summary": "Two more prisons in scope", "material": True, "changes": {"value": new_value},
        }, format="json")
        assert response.status_code == 201, response.content
        notice = response.json()
        assert (notice["status"], notice["resulting_version"]) == ("awaiting", None)
        decide = f"/api/v1/notices-of-change/{notice['id']}/decide/"
        body = problem(client_for(UserFactory(roles=[Role.COMMISSIONER])).post(decide, {"agree": True}, format="json"), 403)
        assert "lead commissioner" in body["detail"]
        problem(client_for(journey.commissioner).post(decide, {}, format="json"), 400)

        response = client_for(journey.commissioner).post(decide, {"agree": True}, format="json")
        assert response.status_code == 200, response.content
        assert (response.json()["status"], response.json()["resulting_version"]) == ("in_effect", 2)
        assert response.json()["decided_by"]["id"] == journey.commissioner.pk
        detail = client_for(journey.procurement).get(url(agreement)).json()
        assert detail["contract_version"] == 2 and detail["value"] == new_value
        assert [v["number"] for v in detail["versions"]] == [1, 2] and detail["versions"][1]["notice_of_change_number"] == 1
        assert {"what": "value", "before": str(agreement.value), "after": new_value} in detail["versions"][1]["changes"]
        assert [(n["number"], n["material"], n["status"]) for n in detail["notices_of_change"]] == [(1, True, "in_effect")]
        problem(client_for(journey.commissioner).post(decide, {"agree": False}, format="json"), 400)  # decided already
    finally:
        journey.stop_travel()


# --- rectification ----------------------------------------------------------------------------------------

def test_a_rectification_notice_puts_the_agreement_under_rectification_until_closed(people, outcome):
    live = make_live(make_agreement(people), people, outcome)
    api = client_for(people["manager"])
    deadline = timezone.localdate() + datetime.timedelta(days=30)
    response = api.post("/api/v1/rectification-notices/", {"agreement": live.pk, "failings": "Hours credited Red", "deadline": deadline.isoformat()}, format="json")
    assert response.status_code == 201, response.content
    notice = response.json()
    assert (notice["status"], notice["deadline"]) == ("open", deadline.isoformat())
    assert fresh(live).state == AgreementState.UNDER_RECTIFICATION
    assert [n["id"] for n in api.get("/api/v1/rectification-notices/", {"agreement": live.pk}).json()["results"]] == [notice["id"]]
    # A second while one is open is refused, naming the field.
    body = problem(api.post("/api/v1/rectification-notices/", {"agreement": live.pk, "failings": "Again", "deadline": deadline.isoformat()}, format="json"), 400)
    assert body["errors"]["failings"] == ["A rectification notice is already open."]
    response = api.post(f"/api/v1/rectification-notices/{notice['id']}/close/", {"satisfied": True}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "satisfied" and fresh(live).state == AgreementState.LIVE
    assert RectificationNotice.objects.get().closed_on == timezone.localdate()


# --- visibility -----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("role", [Role.COMMISSIONER, Role.SRO, Role.PROCUREMENT, Role.CONTRACT_MANAGER, Role.OVERSIGHT])
def test_the_commissioning_side_procurement_contract_managers_and_oversight_see_agreements(role, people):
    agreement = make_agreement(people)
    api = client_for(UserFactory(roles=[role]))
    assert [a["id"] for a in api.get(AGREEMENTS).json()["results"]] == [agreement.pk]
    assert api.get(url(agreement)).json()["reference"] == "FW-001"


@pytest.mark.parametrize("roles", [[Role.BID_TEAM], [Role.GATEWAY_REVIEWER], [Role.COMMISSIONER, Role.BID_TEAM]])
def test_anyone_else_sees_no_agreement_and_gets_404(roles, people, outcome):
    live = make_live(make_agreement(people), people, outcome)
    outsider = UserFactory(roles=roles)
    api = client_for(outsider)
    assert api.get(AGREEMENTS).json() == {"count": 0, "more_than": None, "next": None, "previous": None, "results": []}
    assert problem(api.get(url(live)), 404)["detail"] == "Not found."
    problem(api.post(url(live, "terminate"), {"reason": "x"}, format="json"), 404)
    for records in ("measures", "returns", "notices-of-change", "rectification-notices"):
        assert api.get(f"/api/v1/{records}/").json()["count"] == 0, records
    problem(api.get(f"/api/v1/measures/{live.measures.get().pk}/"), 404)
    # An id in a request body reads as not existing either.
    body = problem(api.post("/api/v1/rectification-notices/", {"agreement": live.pk, "failings": "x", "deadline": "2099-01-01"}, format="json"), 400)
    assert list(body["errors"]) == ["agreement"]
    assert AuditEvent.objects.filter(actor=outsider, action="refused", path=url(live)).exists()
    assert fresh(live).state == AgreementState.LIVE


def test_an_unknown_agreement_is_a_plain_404(people):
    assert problem(client_for(people["procurement"]).get(f"{AGREEMENTS}999999/"), 404)["detail"] == "Not found."


def test_the_schema_documents_the_transition_actions(people):
    schema = client_for(people["procurement"]).get("/api/schema/", {"format": "json"}).json()
    paths = schema["paths"]
    for action in ("mobilise", "go-live", "terminate", "decommission"):
        assert "post" in paths[f"/api/v1/agreements/{{id}}/{action}/"], action
    assert "post" in paths["/api/v1/notices-of-change/{id}/decide/"]
    assert "post" in paths["/api/v1/rectification-notices/{id}/close/"]
