"""Contracts pages: the contract managers' dashboard and list, the agreement page, record forms, transitions, versions."""

import datetime
import re
from decimal import Decimal

import pytest
from dateutil.relativedelta import relativedelta
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from competitions import services as competition_services
from contracts import charts, performance, selectors, services
from contracts.models import (
    Agreement,
    AgreementEvent,
    AgreementState,
    AgreementVersion,
    BreakPoint,
    CohortResult,
    Measure,
    NoticeOfChange,
    RectificationNotice,
    Return,
    SupplyChainMember,
    notice_date,
)
from core.models import Organisation, OrganisationType, Sector, ServiceArea
from core.roles import Role
from cycle.models import Outcome
from evaluations import services as evaluation_services
from evaluations.models import Evaluation, EvaluationRun
from core.inbox import inbox_for
from scenarios.drivers import agree_exit_plan, complete_mobilisation
from tests.core.factories import UserFactory

pytestmark = pytest.mark.django_db
D = Decimal


# --- building agreements through the services ------------------------------------------------------

def organisation(name, sector=Sector.VCSE, kind=OrganisationType.CHARITY):
    return Organisation.objects.get_or_create(name=name, defaults={"sector": sector, "organisation_type": kind})[0]


def area(name="Resettlement"):
    return ServiceArea.objects.get_or_create(name=name)[0]


def outcome():
    return Outcome.objects.filter(level=Outcome.Level.SERVICE).order_by("id").first()


def months_ago(months):
    return timezone.localdate().replace(day=1) - relativedelta(months=months)


def fresh(agreement):
    return Agreement.objects.get(pk=agreement.pk)


def make_agreement(people, *, reference="FW-001", title="Resettlement support", provider="Nacro", service="Resettlement",
                   start=None, months=24, value="1200000", **terms):
    start = start or months_ago(12)
    return services.agreement_create(
        actor=people["procurement"], reference=reference, title=title, provider=organisation(provider), service_area=area(service),
        value=D(value), route=terms.pop("route", "framework"), start_date=start, end_date=start + relativedelta(months=months), **terms,
    )


def add_measure(agreement, people, name="Accommodation on release", target="90", tolerance="5", **fields):
    return services.measure_add(agreement=fresh(agreement), actor=people["procurement"], name=name, target=D(target), tolerance=D(tolerance),
                                outcome=outcome(), penalty_amber=D("1000"), penalty_red=D("5000"), **fields)


def go_live(agreement, people):
    services.agreement_update(agreement=fresh(agreement), actor=people["procurement"], contract_manager=people["manager"])
    services.agreement_mobilise(agreement=fresh(agreement), actor=people["procurement"])
    complete_mobilisation(fresh(agreement), people["procurement"])
    return services.agreement_go_live(agreement=fresh(agreement), actor=people["procurement"])


def live_agreement(people, *, measures=1, **kwargs):
    agreement = make_agreement(people, **kwargs)
    for n in range(measures):
        add_measure(agreement, people, name=f"Accommodation on release {n}" if measures > 1 else "Accommodation on release")
    return go_live(agreement, people)


def submit(measure, people, values):
    """Returns for the measure's first periods, in order."""
    agreement = fresh(measure.agreement)
    for period, value in zip(performance.periods(measure, agreement.start_date, timezone.localdate()), values):
        services.return_submit(measure=Measure.objects.get(pk=measure.pk), actor=people["manager"], period_start=period, value=D(value))


def competition(people, title="Resettlement in the South West"):
    return competition_services.competition_create(actor=people["commissioner"], title=title, service_area=area(),
                                                   estimated_value=D("1200000"))


def html_of(response):
    return response.content.decode()


def count_queries(client, url):
    client.get(url)  # warm-up: sessions, content types, the first-use caches
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


# --- the dashboard and the list --------------------------------------------------------------------

def test_the_dashboard_shows_portfolio_rag_overdue_returns_rectification_expiries_break_points_and_stewardship(client, people):
    red = make_agreement(people, reference="FW-RED", title="Women's centres", start=months_ago(6))
    measure = add_measure(red, people, name="Women engaged within 5 days")
    services.break_point_add(agreement=fresh(red), actor=people["procurement"], on=timezone.localdate() + relativedelta(months=3), notice_months=2)
    services.supply_chain_member_add(agreement=fresh(red), actor=people["procurement"], organisation=organisation("Together Women"),
                                     role="sub_prime", funding_share=D("20"), risk_share=D("35"))
    go_live(red, people)
    submit(measure, people, ["95", "80"])  # the latest is Red; later periods are overdue
    services.rectification_notice_issue(agreement=fresh(red), actor=people["manager"], failings="Engagement well below target",
                                        deadline=timezone.localdate() + datetime.timedelta(days=28))
    green = live_agreement(people, reference="FW-GREEN", title="Unpaid work", provider="Groundwork", start=months_ago(20), months=23)
    submit(green.measures.get(), people, ["95"] * 30)  # every ended period
    make_agreement(people, reference="FW-DRAFT", title="Draft")  # not running: not in the portfolio

    client.force_login(people["manager"])
    html = html_of(client.get("/contracts/"))
    assert "2 running agreements" in html and "No nightly evaluation has finished yet" in html and "FW-RED" not in section(html, "overdue")

    run = evaluate_tonight()
    live_agreement(people, reference="FW-NEW", title="Gone live after the evaluation", start=months_ago(1))
    html = html_of(client.get("/contracts/"))
    assert f"nightly evaluation of {run.on:%-d %B %Y}" in html and f'href="/reports/{run.on.isoformat()}/"' in html
    counts = dict(re.findall(r'govuk-tag--\w+">([A-Za-z ]+)</strong></th><td class="govuk-table__cell govuk-table__cell--numeric">(\d+)<', html))
    assert counts == {"Red": "1", "Amber": "0", "Green": "1", "No returns yet": "0"}
    assert "3 running agreements" in html and re.search(r"Not evaluated yet .*?numeric\">1<", html, re.S)
    overdue = section(html, "overdue")
    assert "FW-RED" in overdue and "FW-GREEN" not in overdue and "1 agreement with returns more than ten days late" in overdue
    late = Evaluation.objects.get(run=run, agreement__reference="FW-RED").overdue_returns
    assert late > 0 and f'numeric">{late}</td>' in overdue
    # Returns sent since last night: the dashboard (and the contract manager's inbox) no longer list them as overdue.
    red_measure = Measure.objects.get(agreement__reference="FW-RED")
    for begins in performance.overdue(red_measure, red_measure.agreement.start_date, timezone.localdate()):
        services.return_submit(measure=Measure.objects.get(pk=red_measure.pk), actor=people["manager"], period_start=begins, value=D("90"))
    now = html_of(client.get("/contracts/"))
    assert "FW-RED" not in section(now, "overdue") and not any("FW-RED" in t.title for t in inbox_for(people["manager"]).decisions)
    rectification = html[html.index('id="rectification"'):html.index('id="ahead"')]
    assert "Engagement well below target" in rectification and f"{timezone.localdate() + datetime.timedelta(days=28):%-d %b %Y}" in rectification
    ahead = html[html.index('id="ahead"'):html.index('id="stewardship"')]
    assert "FW-GREEN" in ahead  # ends in three months
    assert f"{timezone.localdate() + relativedelta(months=3):%-d %b %Y}" in ahead  # the break point, notice two months before
    assert f"{timezone.localdate() + relativedelta(months=1):%-d %b %Y}" in ahead
    stewardship = section(html, "stewardship")
    # (performance formats the shares with :g, which keeps a stored Decimal's two places: "35.00%"; reported.)
    assert re.search(r"Together Women carries 35(\.00)?% of the risk for 20(\.00)?% of the funding\.", stewardship)


def test_the_list_filters_by_state_kind_provider_service_and_rating(client, people):
    red = live_agreement(people, reference="FW-RED", provider="Nacro", service="Resettlement")
    submit(red.measures.get(), people, ["70"])
    amber = live_agreement(people, reference="FW-AMBER", provider="St Giles Trust", service="Education")
    submit(amber.measures.get(), people, ["86"])
    crown = organisation("HMP Dartmoor", sector=Sector.PUBLIC, kind=OrganisationType.PRISON)
    Organisation.objects.filter(pk=crown.pk).update(is_crown_body=True)
    make_agreement(people, reference="SLA-001", title="Healthcare in custody", provider="HMP Dartmoor", service="Health")
    organisation("Idle Trust")

    client.force_login(people["oversight"])

    def references(**query):
        html = html_of(client.get("/contracts/", query))
        return set(re.findall(r">((?:FW|SLA)-[A-Z0-9]+)</a>", html[html.index('id="agreements"'):]))

    assert references() == {"FW-RED", "FW-AMBER", "SLA-001"}
    assert references(state="draft") == {"SLA-001"}
    assert references(kind="sla") == {"SLA-001"}
    st_giles = Organisation.objects.get(name="St Giles Trust")
    assert references(provider=st_giles.pk) == {"FW-AMBER"}
    provider_filter = html_of(client.get("/contracts/", {"provider": st_giles.pk})).split('id="id_provider"')[1].split("</select>")[0]
    assert f'<option value="{st_giles.pk}" selected>St Giles Trust</option>' in provider_filter
    assert "HMP Dartmoor" in provider_filter and "Idle Trust" not in provider_filter  # only organisations holding agreements
    assert references(service_area=ServiceArea.objects.get(name="Resettlement").pk) == {"FW-RED"}
    assert references(rag="red") == {"FW-RED"}
    assert references(rag="amber") == {"FW-AMBER"}
    assert references(rag="none") == {"SLA-001"}
    assert "No agreements match" in html_of(client.get("/contracts/", {"rag": "green"}))


@pytest.mark.parametrize("target, tolerance, direction, value", [
    ("1.10", "0.30", "higher", "0.80"),   # exactly target − tolerance: Amber (float arithmetic alone would say Red)
    ("1.10", "0.30", "higher", "0.79"),   # Red
    ("95", "5", "higher", "95"),          # on target: Green
    ("0.70", "0.10", "lower", "0.80"),    # exactly target + tolerance: Amber
    ("10", "2", "lower", "12.01"),        # Red
    ("10", "0", "lower", "9.99"),         # better than target: Green
])
def test_the_lists_rating_agrees_with_the_performance_rule_at_the_boundaries(people, target, tolerance, direction, value):
    agreement = make_agreement(people)
    measure = add_measure(agreement, people, target=target, tolerance=tolerance, direction=direction)
    go_live(agreement, people)
    submit(measure, people, [value])
    listed = selectors.agreement_list(people["oversight"]).get(pk=agreement.pk)
    expected = performance.overall_rag(selectors.agreement_get(people["oversight"], agreement.pk))
    assert listed.rag == expected


def section(html, anchor):
    """The dashboard's section from its heading to the next one."""
    start = html.index(f'id="{anchor}"')
    return html[start:html.index("<h2", start + 1)]


def evaluate_tonight():
    """Tonight's evaluation of every running agreement, as the nightly task stores it (the dashboard reads it)."""
    run, ids = evaluation_services.run_start(timezone.localdate())
    evaluation_services.evaluate_agreements(run, ids)
    return evaluation_services.run_finish(run)


def bulk_portfolio(count, *, offset, people):
    """`count` running agreements with a measure, returns, a supply chain, cohorts, a break point and (some) a notice."""
    today = timezone.localdate()
    start = months_ago(6)
    provider, sub_prime, area_ = organisation("Bulk provider"), organisation("Bulk sub-prime"), area()
    agreements = Agreement.objects.bulk_create([
        Agreement(reference=f"BULK-{offset + n:04}", title=f"Bulk agreement {offset + n}", kind="contract", provider=provider, service_area=area_,
                  value=D("100000"), route="framework", start_date=start, end_date=today + relativedelta(months=3 if n % 2 else 30),
                  state=AgreementState.UNDER_RECTIFICATION if n % 5 == 0 else AgreementState.LIVE, contract_manager=people["manager"])
        for n in range(count)
    ])
    measures = Measure.objects.bulk_create([Measure(agreement=a, name="On time", target=D(90), tolerance=D(5), outcome=outcome()) for a in agreements])
    Return.objects.bulk_create([
        Return(measure=m, period_start=start + relativedelta(months=p), value=D(80 + 5 * p), submitted_by=people["manager"])
        for m in measures for p in range(2)
    ])
    SupplyChainMember.objects.bulk_create([
        SupplyChainMember(agreement=a, organisation=sub_prime, role="sub_prime", funding_share=D(10), risk_share=D(20)) for a in agreements
    ])
    CohortResult.objects.bulk_create([
        CohortResult(agreement=a, period_start=start, cohort="Prolific offenders", difficulty="high", referrals=10, outcomes=2) for a in agreements
    ])
    on = today + relativedelta(months=2)
    BreakPoint.objects.bulk_create([BreakPoint(agreement=a, on=on, notice_by=notice_date(on, 6)) for a in agreements])
    RectificationNotice.objects.bulk_create([
        RectificationNotice(agreement=a, failings="Late", issued_on=today, deadline=today + datetime.timedelta(days=30), issued_by=people["manager"])
        for a in agreements if a.state == AgreementState.UNDER_RECTIFICATION
    ])
    run, _ = EvaluationRun.objects.get_or_create(on=today, defaults={"status": EvaluationRun.Status.COMPLETED, "started_at": timezone.now()})
    Evaluation.objects.bulk_create([  # last night's findings, every section of the dashboard with rows
        Evaluation(run=run, agreement=a, rag=("red", "amber", "green")[n % 3], overdue_returns=n % 4, flags=n % 2, evaluated_at=timezone.now(),
                   detail={"stewardship": ["Bulk sub-prime carries 20% of the risk for 10% of the funding."] if n % 2 else []}, fingerprint="x")
        for n, a in enumerate(agreements)
    ])


def test_the_dashboard_and_list_run_a_fixed_number_of_queries_for_5_and_for_500_agreements(client, people, django_assert_num_queries,
                                                                                       django_assert_max_num_queries):
    bulk_portfolio(5, offset=0, people=people)
    client.force_login(people["manager"])
    expected = count_queries(client, "/contracts/")
    bulk_portfolio(495, offset=5, people=people)
    assert Agreement.objects.count() == 500
    client.get("/contracts/")
    with django_assert_num_queries(expected):
        response = client.get("/contracts/")
    html = html_of(response)
    assert "500 running agreements" in html and "Page 1 of 20" in html
    # Each dashboard list shows its first 20, and every row when its section is asked for.
    ahead = section(html, "ahead")
    assert "The first 20 of 500 break points" in ahead and ahead.count("#break-points") == 20
    assert "The first 20 of 249 expiries" in ahead and 'href="?show=ahead#ahead"' in ahead
    assert "The first 20 of 100 open notices" in section(html, "rectification")
    with django_assert_max_num_queries(expected):  # a section shown in full is counted by its rows: no count of its own
        response = client.get("/contracts/?show=ahead")
    ahead = section(html_of(response), "ahead")
    assert ahead.count("#break-points") == 500 and "The first 20" not in ahead
    assert "The first 20 of 100 open notices" in section(html_of(response), "rectification")


# --- the agreement page ----------------------------------------------------------------------------

def rich_agreement(people, *, measures=1, returns=1, reference="FW-001", title="Resettlement support"):
    """A live agreement let by a 2023 competition, with one or more of every record its page shows."""
    agreement = make_agreement(people, reference=reference, title=title, route="competition",
                               competition=competition(people, title=f"Competition for {reference}"))
    for n in range(measures):
        add_measure(agreement, people, name=f"Measure {n}", target="90", tolerance="5")
    services.break_point_add(agreement=fresh(agreement), actor=people["procurement"], on=timezone.localdate() + relativedelta(months=4))
    services.supply_chain_member_add(agreement=fresh(agreement), actor=people["procurement"], organisation=organisation("Shelter"),
                                     role="sub_prime", funding_share=D("20"), risk_share=D("30"))
    go_live(agreement, people)
    for measure in Measure.objects.filter(agreement=agreement):
        submit(measure, people, [str(80 + (n * 7) % 20) for n in range(returns)])
    services.cohort_result_record(agreement=fresh(agreement), actor=people["manager"], period_start=months_ago(3), cohort="Women",
                                  difficulty="low", referrals=10, outcomes=9)
    services.remedial_plan_add(agreement=fresh(agreement), actor=people["manager"], actions="Weekly calls", due_on=timezone.localdate() + datetime.timedelta(days=30),
                               measure=Measure.objects.filter(agreement=agreement).first())
    notice = services.rectification_notice_issue(agreement=fresh(agreement), actor=people["manager"], failings="Late returns",
                                                 deadline=timezone.localdate() + datetime.timedelta(days=14))
    services.rectification_notice_close(notice=notice, actor=people["manager"], satisfied=True)
    services.notice_of_change_issue(agreement=fresh(agreement), actor=people["procurement"], summary="Extra referrals from Bristol",
                                    material=False, changes={"value": "1300000"})
    return fresh(agreement)


def test_the_agreement_page_shows_terms_supply_chain_measures_charts_performance_and_notices(client, people):
    agreement = rich_agreement(people, measures=2, returns=4)
    client.force_login(people["manager"])
    html = html_of(client.get(f"/contracts/{agreement.pk}/?section=all"))
    assert "Resettlement support" in html and "£1,300,000.00" in html and "Nacro" in html
    assert "Shelter" in html and "20%" in html and "30%" in html and "More risk than funding" in html
    assert f"{timezone.localdate() + relativedelta(months=4):%-d %B %Y}" in html  # the break point
    assert "Measure 0" in html and "Measure 1" in html and "90% (higher is better); Amber to 85%, Red beyond" in html
    # Trend charts: server-side SVG with a title and description, and the same numbers in a table.
    assert html.count('<svg class="app-chart"') == 2
    assert '<title id="measure-' in html and "Trend of “Measure 0”" in html and "<desc id=" in html
    assert "Returns for “Measure 0”" in html
    # Performance by period: ratings in words, score, penalties and their total.
    by_period = html[html.index('id="performance"'):html.index('id="overdue"')]
    assert "Penalties in total" in by_period and "£" in by_period and ">Red</strong>" in by_period and ">Green</strong>" in by_period
    total = sum((p.penalties for p in performance.by_period(selectors.agreement_get(people["manager"], agreement.pk))), D(0))
    assert f"£{total:,.2f}" in by_period
    assert "Weekly calls" in html and "Late returns" in html and "Satisfied" in html
    assert "Extra referrals from Bristol" in html and "In effect" in html
    assert f'href="/contracts/{agreement.pk}/versions/2/"' in html
    assert re.search(r"Shelter carries 30(\.00)?% of the risk for 20(\.00)?% of the funding\.", html)
    uk7 = agreement.competition.notices.get(notice_type="UK7")
    assert f'href="/competitions/{agreement.competition_id}/notices/{uk7.pk}.json"' in html and "UK7 Contract details notice" in html
    assert "Publish a contract performance notice (UK9)" in html
    assert "Go live: Mobilising to Live" in html and "Rectification notice satisfied" in html
    # The next moves: terminate (procurement only), decommission (commissioners only), expiry overnight.
    assert "Only MoJ Procurement officer can do this." in html and "Agreements expire overnight" in html


def test_the_trend_chart_escapes_names_and_names_each_point_in_words(people):
    agreement = make_agreement(people)
    measure = add_measure(agreement, people, name="<script>alert(1)</script> on time", unit="%")
    quiet = add_measure(agreement, people, name="No returns yet")
    go_live(agreement, people)
    submit(measure, people, ["95", "87", "70"])
    loaded = {m.pk: m for m in selectors.agreement_get(people["manager"], agreement.pk).measures.all()}
    svg = str(charts.trend_chart(loaded[measure.pk], chart_id="chart"))
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert svg.startswith('<svg class="app-chart"') and 'aria-labelledby="chart-title chart-desc"' in svg
    assert '<title id="chart-title">' in svg and '<desc id="chart-desc">3 returns from' in svg
    assert ": 95%, Green</title>" in svg and ": 87%, Amber</title>" in svg and ": 70%, Red</title>" in svg
    assert ">Green</text>" in svg and ">Amber</text>" in svg and ">Red</text>" in svg
    assert "style=" not in svg and "<script" not in svg
    assert charts.trend_chart(loaded[quiet.pk], chart_id="quiet") == ""


def test_the_agreement_page_runs_a_fixed_number_of_queries_for_few_and_many_measures_and_returns(client, people, django_assert_num_queries):
    few = rich_agreement(people, measures=1, returns=1, reference="FW-FEW")
    many = rich_agreement(people, measures=6, returns=10, reference="FW-MANY")
    services.notice_of_change_issue(agreement=fresh(many), actor=people["procurement"], summary="Longer", material=False,
                                    changes={"end_date": fresh(many).end_date + relativedelta(months=6)})
    assert Return.objects.filter(measure__agreement=many).count() == 60
    client.force_login(people["manager"])
    expected = count_queries(client, f"/contracts/{few.pk}/?section=all")
    client.get(f"/contracts/{many.pk}/?section=all")
    with django_assert_num_queries(expected):
        client.get(f"/contracts/{many.pk}/?section=all")


# --- transitions ---------------------------------------------------------------------------------

def test_a_refused_transition_shows_its_missing_conditions_and_changes_nothing(client, people):
    agreement = make_agreement(people)
    services.agreement_mobilise(agreement=fresh(agreement), actor=people["procurement"])
    before = fresh(agreement)
    events = AgreementEvent.objects.filter(agreement=agreement).count()
    client.force_login(people["procurement"])
    html = html_of(client.get(f"/contracts/{agreement.pk}/?section=all"))
    assert "Go live" in html and "Not ready" in html and "Not met" in html
    response = client.post(f"/contracts/{agreement.pk}/transitions/go_live/", {"version": before.version})
    assert response.status_code == 409
    html = html_of(response)
    assert "Go live: not possible yet" in html
    summary = html[html.index("govuk-error-summary"):html.index("</ul>", html.index("govuk-error-summary"))]
    assert "At least one measure is set, linked to an outcome" in summary and "A contract manager is assigned" in summary
    after = fresh(agreement)
    assert (after.state, after.version) == (AgreementState.MOBILISING, before.version)
    assert AgreementEvent.objects.filter(agreement=agreement).count() == events


def test_moving_on_with_buttons_and_a_stale_version(client, people):
    agreement = make_agreement(people)
    client.force_login(people["procurement"])
    response = client.post(f"/contracts/{agreement.pk}/transitions/mobilise/", {"version": agreement.version}, follow=True)
    assert "Start mobilisation: now Mobilising." in html_of(response)
    response = client.post(f"/contracts/{agreement.pk}/transitions/go_live/", {"version": agreement.version}, follow=True)
    assert "changed by someone else since you opened it. Reload the page" in html_of(response)
    assert fresh(agreement).state == AgreementState.MOBILISING


def test_a_services_permission_denied_is_the_403_page(client, people):
    agreement = make_agreement(people)
    client.force_login(people["oversight"])
    response = client.post(f"/contracts/{agreement.pk}/transitions/mobilise/", {"version": agreement.version})
    assert response.status_code == 403 and "You cannot do this" in html_of(response) and "Only " in html_of(response)  # who may, said
    assert fresh(agreement).state == AgreementState.DRAFT


def test_termination_needs_procurement_and_a_reason(client, people):
    agreement = live_agreement(people)
    client.force_login(people["manager"])
    assert client.get(f"/contracts/{agreement.pk}/transitions/terminate/").status_code == 403
    client.force_login(people["procurement"])
    response = client.post(f"/contracts/{agreement.pk}/transitions/terminate/", {"version": agreement.version, "reason": ""})
    html = html_of(response)
    assert 'href="#id_reason"' in html and "Give the reason for ending the agreement." in html
    response = client.post(f"/contracts/{agreement.pk}/transitions/terminate/", {"version": agreement.version, "reason": "Persistent failure"}, follow=True)
    assert "Terminate early: now Terminated." in html_of(response)
    ended = fresh(agreement)
    assert ended.state == AgreementState.TERMINATED and ended.ended_reason == "Persistent failure"
    assert "Nothing: the agreement has ended (terminated" in html_of(client.get(f"/contracts/{agreement.pk}/?section=all"))


def test_decommissioning_is_for_commissioners(client, people):
    agreement = live_agreement(people)
    client.force_login(people["procurement"])
    assert client.post(f"/contracts/{agreement.pk}/transitions/decommission/", {"reason": "No longer needed"}).status_code == 403
    agree_exit_plan(agreement, people["manager"], people["commissioner"])
    client.force_login(people["commissioner"])
    client.post(f"/contracts/{agreement.pk}/transitions/decommission/", {"version": fresh(agreement).version, "reason": "Service recommissioned"})
    assert fresh(agreement).state == AgreementState.DECOMMISSIONED


# --- record forms --------------------------------------------------------------------------------

def test_completing_the_terms_checks_the_version_and_names_fields(client, people):
    agreement = make_agreement(people)
    client.force_login(people["procurement"])
    url = f"/contracts/{agreement.pk}/records/terms/"
    form = {"version": agreement.version, "title": "Resettlement support (South West)", "start_date": "2025-04-01", "end_date": "2025-03-01",
            "payment_model": "pbr", "share_at_risk": "10", "contract_manager": people["manager"].pk, "specification": ""}
    html = html_of(client.post(url, form))
    assert 'href="#id_end_date_0"' in html and "The end date must be after the start date." in html
    form["end_date"] = "2027-03-31"
    response = client.post(url, form, follow=True)
    assert "Complete the terms: saved." in html_of(response)
    saved = fresh(agreement)
    assert (saved.title, saved.payment_model, saved.contract_manager, saved.version) == (
        "Resettlement support (South West)", "pbr", people["manager"], agreement.version + 1)
    response = client.post(url, {**form, "title": "Someone else's old copy"})  # the version posted is now stale
    assert response.status_code == 409 and "changed by someone else" in html_of(response)
    assert fresh(agreement).title == "Resettlement support (South West)"


@pytest.mark.parametrize("kind, who", [
    ("terms", "procurement"), ("break-point", "procurement"), ("supply-chain-member", "manager"), ("measure", "procurement"),
    ("return", "manager"), ("cohort-result", "manager"), ("remedial-plan", "manager"), ("rectification-notice", "manager"),
    ("notice-of-change", "procurement"), ("performance-notice", "manager"),
])
def test_every_record_form_renders_for_those_it_is_offered_to(client, people, kind, who):
    agreement = rich_agreement(people)
    client.force_login(people[who])
    response = client.get(f"/contracts/{agreement.pk}/records/{kind}/")
    assert response.status_code == 200
    assert 'class="govuk-button"' in html_of(response)


def test_records_before_and_after_go_live_are_saved_through_the_services(client, people):
    agreement = make_agreement(people, start=months_ago(4))
    client.force_login(people["procurement"])
    base = f"/contracts/{agreement.pk}/records"
    on = (timezone.localdate() + relativedelta(months=8)).isoformat()
    assert client.post(f"{base}/break-point/", {"on": on, "notice_months": "3"}).status_code == 302
    assert client.post(f"{base}/supply-chain-member/", {"organisation": organisation("Crisis").pk, "role": "member",
                                                        "funding_share": "15", "risk_share": "15"}).status_code == 302
    assert client.post(f"{base}/measure/", {"name": "Settled accommodation at 12 weeks", "outcome": outcome().pk, "unit": "%", "target": "80",
                                            "tolerance": "5", "direction": "higher", "frequency": "quarterly", "weight": "2",
                                            "penalty_amber": "0", "penalty_red": "2500", "is_kpi": "no"}).status_code == 302
    measure = Measure.objects.get(agreement=agreement)
    assert (measure.frequency, measure.weight, measure.is_kpi, measure.outcome) == ("quarterly", D(2), False, outcome())
    assert BreakPoint.objects.get(agreement=agreement).notice_months == 3
    go_live(agreement, people)
    html = html_of(client.post(f"{base}/measure/", {"name": "Too late", "outcome": outcome().pk, "unit": "%", "target": "80", "tolerance": "5",
                                                    "direction": "higher", "frequency": "monthly", "weight": "1", "penalty_amber": "0",
                                                    "penalty_red": "0", "is_kpi": "yes"}))
    assert "Once live, the agreement changes only by a Notice of Change." in html  # the service's refusal, in the summary
    client.force_login(people["manager"])
    assert client.post(f"{base}/cohort-result/", {"period_start": months_ago(3).isoformat(), "cohort": "Women", "difficulty": "low",
                                                  "referrals": "10", "outcomes": "12"}).status_code == 200  # more outcomes than referrals
    assert client.post(f"{base}/cohort-result/", {"period_start": months_ago(3).isoformat(), "cohort": "Women", "difficulty": "low",
                                                  "referrals": "10", "outcomes": "8"}).status_code == 302
    assert client.post(f"{base}/remedial-plan/", {"measure": measure.pk, "actions": "Weekly calls with the housing team",
                                                  "due_on": (timezone.localdate() + relativedelta(months=1)).isoformat()}).status_code == 302
    html = html_of(client.get(f"/contracts/{agreement.pk}/?section=all"))
    assert "Crisis" in html and "Women" in html and "Weekly calls with the housing team" in html


def test_record_forms_name_each_error_and_show_service_errors_by_field(client, people):
    agreement = make_agreement(people)
    client.force_login(people["procurement"])
    html = html_of(client.post(f"/contracts/{agreement.pk}/records/measure/", {}))
    for field in ("name", "outcome", "target", "direction_0", "frequency_0", "is_kpi_0"):
        assert f'href="#id_{field}"' in html
    services.supply_chain_member_add(agreement=fresh(agreement), actor=people["procurement"], organisation=organisation("Shelter"),
                                     role="sub_prime", funding_share=D("70"), risk_share=D("70"))
    response = client.post(f"/contracts/{agreement.pk}/records/supply-chain-member/", {
        "organisation": organisation("Crisis").pk, "role": "member", "funding_share": "40", "risk_share": "10"})
    html = html_of(response)
    assert 'href="#id_funding_share"' in html and re.search(r"would total 110(\.00)?%", html)
    assert not SupplyChainMember.objects.filter(organisation__name="Crisis").exists()


def test_a_return_with_evidence_is_submitted_and_downloaded_and_a_repeat_is_refused_by_field(client, people):
    agreement = live_agreement(people, start=months_ago(3))
    measure = agreement.measures.get()
    period = performance.periods(measure, agreement.start_date, timezone.localdate())[0]
    client.force_login(people["manager"])
    url = f"/contracts/{agreement.pk}/records/return/"
    html = html_of(client.get(url, {"measure": measure.pk}))
    choice = f"{measure.pk}:{period.isoformat()}"
    assert f'<option value="{choice}"' in html and "(overdue)" in html and 'name="measure"' not in html  # one field, not two
    evidence = SimpleUploadedFile("evidence.csv", b"month,housed\nJan,92\n", content_type="text/csv")
    response = client.post(url, {"period": choice, "value": "92", "evidence": "NDelius extract", "evidence_file": evidence}, follow=True)
    assert "Submit a return: saved." in html_of(response)
    item = Return.objects.get(measure=measure)
    download = client.get(f"/contracts/{agreement.pk}/returns/{item.pk}/evidence/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"month,housed\nJan,92\n"
    assert choice not in html_of(client.get(url))  # no longer offered
    services_error = client.post(url, {"period": choice, "value": "93"})
    assert services_error.status_code == 200  # not a choice any more: the form names the field
    assert 'href="#id_period"' in html_of(services_error)


def test_rectification_through_the_pages(client, people):
    agreement = live_agreement(people)
    client.force_login(people["manager"])
    url = f"/contracts/{agreement.pk}/records/rectification-notice/"
    past = client.post(url, {"failings": "Late returns", "deadline": (timezone.localdate() - datetime.timedelta(days=1)).isoformat()})
    assert 'href="#id_deadline_0"' in html_of(past) and "The deadline must be in the future." in html_of(past)
    client.post(url, {"failings": "Late returns", "deadline": (timezone.localdate() + datetime.timedelta(days=21)).isoformat()})
    assert fresh(agreement).state == AgreementState.UNDER_RECTIFICATION
    deadline = (timezone.localdate() + datetime.timedelta(days=21)).isoformat()
    second = client.post(url, {"failings": "More", "deadline": deadline})  # one is open: the service says so by field
    assert 'href="#id_failings"' in html_of(second) and "A rectification notice is already open." in html_of(second)
    assert RectificationNotice.objects.filter(agreement=agreement).count() == 1
    notice = RectificationNotice.objects.get(agreement=agreement)
    html = html_of(client.get(f"/contracts/{agreement.pk}/?section=all"))
    assert f"/records/close-rectification/{notice.pk}/" in html
    client.post(f"/contracts/{agreement.pk}/records/close-rectification/{notice.pk}/", {"satisfied": "no"})
    assert fresh(agreement).state == AgreementState.UNDER_RECTIFICATION  # failed: termination may follow
    assert client.get(f"/contracts/{agreement.pk}/records/close-rectification/{notice.pk}/").status_code == 403  # closed already
    assert "Issue a further rectification notice" in html_of(client.get(f"/contracts/{agreement.pk}/?section=all"))
    client.post(url, {"failings": "Still late", "deadline": deadline})
    further = RectificationNotice.objects.get(agreement=agreement, status="open")
    client.post(f"/contracts/{agreement.pk}/records/close-rectification/{further.pk}/", {"satisfied": "yes"})
    assert fresh(agreement).state == AgreementState.LIVE


def test_a_rectification_notice_before_go_live_is_refused_with_409_and_changes_nothing(client, people):
    agreement = make_agreement(people)
    client.force_login(people["manager"])
    response = client.post(f"/contracts/{agreement.pk}/records/rectification-notice/",
                           {"failings": "Late", "deadline": (timezone.localdate() + datetime.timedelta(days=21)).isoformat()})
    assert response.status_code == 409
    assert "Put under rectification: not possible yet" in html_of(response) and "Not possible from “Draft”" in html_of(response)
    assert not RectificationNotice.objects.filter(agreement=agreement).exists() and fresh(agreement).state == AgreementState.DRAFT


def test_notices_of_change_issue_by_procurement_only_and_agreement_by_the_lead_commissioner_only(client, people):
    agreement = rich_agreement(people)
    measure = agreement.measures.get()
    url = f"/contracts/{agreement.pk}/records/notice-of-change/"
    client.force_login(people["manager"])
    assert client.get(url).status_code == 403
    assert client.post(url, {"summary": "More", "material": "yes", "value": "2000000"}).status_code == 403
    assert not NoticeOfChange.objects.filter(agreement=agreement, material=True).exists()

    client.force_login(people["procurement"])
    html = html_of(client.post(url, {"summary": "Nothing", "material": "no"}))
    assert 'href="#id_value"' in html and "the notice must change something" in html
    client.post(url, {"summary": "Add Gloucestershire", "material": "yes", "value": "2000000", f"target_{measure.pk}": "92"})
    noc = NoticeOfChange.objects.get(agreement=agreement, material=True)
    assert noc.status == NoticeOfChange.Status.AWAITING_AGREEMENT
    decide = f"/contracts/{agreement.pk}/records/decide-notice-of-change/{noc.pk}/"

    other_commissioner = UserFactory(roles=[Role.COMMISSIONER])
    client.force_login(other_commissioner)
    assert "Agree or refuse" not in html_of(client.get(f"/contracts/{agreement.pk}/?section=all"))
    assert client.get(decide).status_code == 403
    assert client.post(decide, {"agree": "yes"}).status_code == 403
    assert NoticeOfChange.objects.get(pk=noc.pk).status == NoticeOfChange.Status.AWAITING_AGREEMENT

    client.force_login(people["commissioner"])  # who created the competition: its lead commissioner
    assert "Agree or refuse" in html_of(client.get(f"/contracts/{agreement.pk}/?section=all"))
    client.post(decide, {"agree": "yes"})
    assert NoticeOfChange.objects.get(pk=noc.pk).status == NoticeOfChange.Status.IN_EFFECT
    assert fresh(agreement).value == D("2000000") and Measure.objects.get(pk=measure.pk).target == D("92")


def test_the_version_and_compare_pages_show_any_version_and_the_difference(client, people):
    agreement = live_agreement(people)
    measure = agreement.measures.get()
    services.notice_of_change_issue(agreement=fresh(agreement), actor=people["procurement"], summary="More referrals", material=False,
                                    changes={"value": "1500000", "measure_targets": {measure.pk: "92.5"}})
    new_end = fresh(agreement).end_date + relativedelta(years=1)
    services.notice_of_change_issue(agreement=fresh(agreement), actor=people["procurement"], summary="Extension", material=False,
                                    changes={"end_date": new_end})
    assert AgreementVersion.objects.filter(agreement=agreement).count() == 3
    client.force_login(people["oversight"])
    html = html_of(client.get(f"/contracts/{agreement.pk}/versions/1/"))
    assert "Version 1" in html and "£1,200,000.00" in html and "Superseded" in html and "the terms before any Notice of Change" in html
    html = html_of(client.get(f"/contracts/{agreement.pk}/versions/3/"))
    assert "Current version" in html and "by Notice of Change 2: Extension" in html

    html = html_of(client.get(f"/contracts/{agreement.pk}/versions/compare/", {"a": 1, "b": 3}))
    table = html[html.index("What changed from version 1 to version 3"):]
    assert "£1,200,000.00" in table and "£1,500,000.00" in table
    assert "End date" in table and f"{new_end.day} {new_end:%B %Y}" in table
    assert "Accommodation on release: target" in table and "<del class=\"app-contracts-before\">90</del>" in table and ">92.5<" in table
    assert "Start date" not in table and "Share of payment at risk" not in table  # the same in both, however stored
    table = html_of(client.get(f"/contracts/{agreement.pk}/versions/compare/", {"a": 3, "b": 2}))
    assert "What changed from version 2 to version 3" in table and "Value" not in table.split("What changed")[1]
    same = html_of(client.get(f"/contracts/{agreement.pk}/versions/compare/", {"a": 2, "b": 2}))
    assert 'href="#id_b"' in same and "Choose two different versions." in same
    unknown = html_of(client.get(f"/contracts/{agreement.pk}/versions/compare/", {"a": 1, "b": 9}))
    assert 'href="#id_b"' in unknown and "Choose a version of this agreement." in unknown
    assert client.get(f"/contracts/{agreement.pk}/versions/9/").status_code == 404


def test_the_version_pages_run_a_fixed_number_of_queries_however_many_versions(client, people, django_assert_num_queries):
    agreement = live_agreement(people)

    def change(n):
        services.notice_of_change_issue(agreement=fresh(agreement), actor=people["procurement"], summary=f"Change {n}", material=False,
                                        changes={"value": str(1200000 + n * 1000)})

    change(1)
    client.force_login(people["oversight"])
    urls = [f"/contracts/{agreement.pk}/versions/2/", f"/contracts/{agreement.pk}/versions/compare/?a=1&b=2"]
    expected = {url: count_queries(client, url) for url in urls}
    for n in range(2, 8):
        change(n)
    for url in urls:
        client.get(url)
        with django_assert_num_queries(expected[url]):
            client.get(url)


def test_a_performance_notice_is_published_from_the_page(client, people):
    agreement = rich_agreement(people)
    client.force_login(people["manager"])
    response = client.post(f"/contracts/{agreement.pk}/records/performance-notice/", follow=True)
    html = html_of(response)
    uk9 = agreement.competition.notices.get(notice_type="UK9")
    assert f"/competitions/{agreement.competition_id}/notices/{uk9.pk}.json" in html and "UK9 Contract performance notice" in html
    assert "KPI ratings for a contract performance notice" in html


# --- who sees agreements ---------------------------------------------------------------------------

@pytest.mark.parametrize("roles", [[Role.BID_TEAM], [Role.BID_TEAM, Role.COMMISSIONER], [Role.GATEWAY_REVIEWER]])
def test_the_bid_team_and_anyone_without_a_contracts_role_gets_404_everywhere(client, people, roles):
    agreement = rich_agreement(people)
    item = Return.objects.filter(measure__agreement=agreement).first()
    Return.objects.filter(pk=item.pk).update(evidence_file="evidence/x.csv")
    notice = RectificationNotice.objects.get(agreement=agreement)
    client.force_login(UserFactory(roles=roles))
    base = f"/contracts/{agreement.pk}"
    for url in ["/contracts/", f"{base}/", f"{base}/versions/1/", f"{base}/versions/compare/?a=1&b=2", f"{base}/records/measure/",
                f"{base}/records/close-rectification/{notice.pk}/", f"{base}/returns/{item.pk}/evidence/", f"{base}/transitions/terminate/"]:
        assert client.get(url).status_code == 404, url
    assert client.post(f"{base}/transitions/mobilise/").status_code == 404
    assert client.post(f"{base}/records/notice-of-change/", {"summary": "x", "material": "no", "value": "1"}).status_code == 404


@pytest.mark.parametrize("role", [Role.COMMISSIONER, Role.SRO, Role.PROCUREMENT, Role.CONTRACT_MANAGER, Role.OVERSIGHT])
def test_the_commissioning_side_sees_agreements(client, people, role):
    agreement = make_agreement(people)
    client.force_login(UserFactory(roles=[role]))
    assert client.get("/contracts/").status_code == 200
    assert client.get(f"/contracts/{agreement.pk}/?section=all").status_code == 200


def test_figures_on_the_agreement_page_have_thousands_separators(client, people):
    agreement = live_agreement(people)
    services.cohort_result_record(agreement=fresh(agreement), actor=people["manager"], period_start=months_ago(3), cohort="Women",
                                  difficulty="low", referrals=12500, outcomes=4300)
    client.force_login(people["manager"])
    page = html_of(client.get(f"/contracts/{agreement.pk}/?section=all"))
    assert "12,500" in page and "4,300" in page and "12500" not in page
