"""Evaluation report pages: the runs, a run's page, the PDFs, the agreement page's Evaluation section, and the wall."""

import datetime
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from contracts.models import EqualityResult, Feedback
from core.roles import Role
from ethical_walls.models import AuditEvent
from evaluations import services as evaluation_services
from evaluations.models import Evaluation, EvaluationRun
from tests.contracts.test_pages import (
    add_measure,
    fresh,
    go_live,
    html_of,
    live_agreement,
    make_agreement,
    months_ago,
    outcome,
    submit,
)
from tests.core.factories import UserFactory
from tests.pdf import pdf_text

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def night():
    return timezone.localdate()


def red_and_green(people):
    """FW-RED: its one measure's latest return is Red (and it turned red). FW-GREEN: every return on target."""
    red = make_agreement(people, reference="FW-RED", title="Women's centres", provider="Together Women", start=months_ago(6))
    measure = add_measure(red, people, name="Women engaged within 5 days")
    go_live(red, people)
    submit(measure, people, ["95", "95", "70"])
    green = live_agreement(people, reference="FW-GREEN", title="Unpaid work", provider="Groundwork", start=months_ago(6))
    submit(green.measures.get(), people, ["95"] * 6)
    return fresh(red), fresh(green)


def failing_for(monkeypatch, reference):
    """Make the evaluation of one agreement fail, as a bug or bad data would."""
    evaluate = evaluation_services.evaluate

    def flaky(agreement, on):
        if agreement.reference == reference:
            raise RuntimeError("Measure data could not be read")
        return evaluate(agreement, on)

    monkeypatch.setattr(evaluation_services, "evaluate", flaky)


def stored_run(on, agreements) -> EvaluationRun:
    """A finished run stored directly (no rendering): for the query counts, where only the number of rows matters."""
    run = EvaluationRun.objects.create(on=on, status=EvaluationRun.Status.COMPLETED, total=len(agreements), started_at=timezone.now(),
                                       finished_at=timezone.now())
    Evaluation.objects.bulk_create([
        Evaluation(run=run, agreement=agreement, rag="green", score=D(100), detail={"criteria": [], "trend": []}, fingerprint=str(n),
                   pdf=f"agreements/{on}/{agreement.reference}.pdf", evaluated_at=timezone.now())
        for n, agreement in enumerate(agreements)
    ])
    return run


def queries_of(client, url) -> int:
    client.get(url)  # warm-up
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def refusals(user, path) -> int:
    return AuditEvent.objects.filter(action=AuditEvent.Action.REFUSED, actor=user, path=path).count()


# --- the runs and a run's page ----------------------------------------------------------------------

def test_the_reports_list_the_runs_and_the_run_page_shows_progress_failures_ratings_evaluations_and_notifications(
        client, people, night, monkeypatch, settings):
    red, green = red_and_green(people)
    broken = live_agreement(people, reference="FW-BROKEN", title="Broken data", provider="Nacro", start=months_ago(6))
    failing_for(monkeypatch, "FW-BROKEN")
    evaluation_services.run_in_process(night)
    client.force_login(people["manager"])

    html = html_of(client.get("/reports/"))
    assert "Nightly evaluation reports" in html and f"at {settings.EVALUATION_TIME}" in html
    for criterion in ("Outcomes delivered", "User and stakeholder feedback", "Performance and value for money",
                      "Compliance with the agreement", "Equality monitoring"):
        assert criterion in html
    assert f'href="/reports/{night.isoformat()}/"' in html and f"{night:%-d %B %Y}" in html
    assert "2 of 3" in html and ">Completed with failures</strong>" in html
    assert f'href="/reports/{night.isoformat()}/summary.pdf"' in html

    html = html_of(client.get(f"/reports/{night.isoformat()}/"))
    assert "2 of 3 agreements evaluated" in html and "1 could not be evaluated" in html
    assert '<progress class="app-progress" max="3" value="2"' in html and "2 of 2 PDF reports ready." in html
    failures = html[html.index('id="failures"'):html.index('id="ratings"')]
    assert "FW-BROKEN" in failures and "RuntimeError: Measure data could not be read" in failures and f'href="/contracts/{broken.pk}/"' in failures
    # The chart, and its numbers in a table with the ratings in words.
    assert '<svg xmlns="http://www.w3.org/2000/svg" role="img"' in html and "Red: 1; Amber: 0; Green: 1; No returns yet: 0" in html
    counts = dict(re.findall(r'govuk-tag--\w+">([A-Za-z ]+)</strong></th><td class="govuk-table__cell govuk-table__cell--numeric">(\d+)<', html))
    assert counts == {"Red": "1", "Amber": "0", "Green": "1", "No returns yet": "0"}
    evaluations = html[html.index('id="evaluations"'):html.index('id="notifications"')]
    assert "2 agreements" in evaluations and "FW-RED" in evaluations and "FW-GREEN" in evaluations and "FW-BROKEN" not in evaluations
    assert "Together Women" in evaluations and "Groundwork" in evaluations
    assert f'href="/reports/{night.isoformat()}/agreements/{red.pk}.pdf"' in evaluations
    assert f'href="/contracts/{green.pk}/?section=evaluation#evaluation"' in evaluations
    notifications = html[html.index('id="notifications"'):]
    assert "Women engaged within 5 days" in notifications and "FW-RED" in notifications and str(people["manager"]) in notifications
    assert ">Sent</strong>" in notifications
    assert "style=" not in html and "<script>" not in html


def test_the_run_page_filters_by_rating(client, people, night):
    red_and_green(people)
    evaluation_services.run_in_process(night)
    client.force_login(people["manager"])
    url = f"/reports/{night.isoformat()}/"
    evaluations = html_of(client.get(url, {"rag": "red"})).split('id="evaluations"')[1]
    assert "1 agreement rated Red" in evaluations and "FW-RED" in evaluations and "FW-GREEN" not in evaluations
    evaluations = html_of(client.get(url, {"rag": "amber"})).split('id="evaluations"')[1]
    assert "0 agreements rated Amber" in evaluations and "No agreement has this rating." in evaluations
    html = html_of(client.get(url, {"rag": "purple"}))
    assert 'href="#id_rag"' in html and "FW-RED" in html and "FW-GREEN" in html  # a bad value is named, and filters nothing


def test_a_run_still_going_shows_its_progress_and_has_no_summary_yet(client, people, night):
    red, _ = red_and_green(people)
    run, ids = evaluation_services.run_start(night)
    evaluation_services.evaluate_agreements(run, [red.pk])
    client.force_login(people["manager"])
    html = html_of(client.get(f"/reports/{night.isoformat()}/"))
    assert ">Running</strong>" in html and "1 of 2 agreements evaluated" in html and "(50%)" in html and "reload the page" in html
    assert "Rendered when the run finishes" in html and "summary.pdf" not in html
    assert "0 of 1 PDF report ready: the reports are rendered after the evaluations" in html
    assert client.get(f"/reports/{night.isoformat()}/summary.pdf").status_code == 404


@pytest.mark.parametrize("url", ["/reports/", "/reports/{night}/"])
def test_the_report_pages_run_a_fixed_number_of_queries_however_many_runs_and_evaluations(client, people, url, django_assert_num_queries):
    agreements = [make_agreement(people, reference=f"FW-{n:03}") for n in range(30)]
    few, many = datetime.date(2026, 1, 1), datetime.date(2026, 1, 2)
    stored_run(few, agreements[:1])
    stored_run(many, agreements)
    client.force_login(people["manager"])
    expected = queries_of(client, url.format(night=few.isoformat()))
    for n in range(3, 20):
        stored_run(datetime.date(2026, 1, n), agreements[:2])
    client.get(url.format(night=many.isoformat()))
    with django_assert_num_queries(expected):
        client.get(url.format(night=many.isoformat()))


# --- the PDFs ------------------------------------------------------------------------------------

def test_both_pdfs_download_as_attachments_and_the_download_is_logged(client, people, night):
    red, _ = red_and_green(people)
    evaluation_services.run_in_process(night)
    client.force_login(people["manager"])

    response = client.get(f"/reports/{night.isoformat()}/summary.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="portfolio-evaluation-{night.isoformat()}.pdf"'
    text = pdf_text(b"".join(response.streaming_content))
    assert "Portfolio evaluation" in text and "FW-RED" in text

    path = f"/reports/{night.isoformat()}/agreements/{red.pk}.pdf"
    response = client.get(path)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="FW-RED-evaluation-{night.isoformat()}.pdf"'
    text = pdf_text(b"".join(response.streaming_content))
    assert "FW-RED" in text and "Women's centres" in text

    viewed = AuditEvent.objects.filter(action=AuditEvent.Action.VIEW, channel=AuditEvent.Channel.PDF, actor=people["manager"])
    assert set(viewed.values_list("path", flat=True)) == {f"/reports/{night.isoformat()}/summary.pdf", path}


def test_unknown_nights_impossible_dates_unknown_agreements_and_missing_files_are_404(client, people, night):
    red, _ = red_and_green(people)
    other = make_agreement(people, reference="FW-DRAFT")  # not running: not evaluated
    evaluation_services.run_in_process(night)
    client.force_login(people["manager"])
    day = night.isoformat()
    for url in ["/reports/2026-02-30/", "/reports/2026-13-01/summary.pdf", "/reports/1999-01-01/", "/reports/1999-01-01/summary.pdf",
                f"/reports/1999-01-01/agreements/{red.pk}.pdf", f"/reports/{day}/agreements/{other.pk}.pdf",
                f"/reports/{day}/agreements/999999.pdf", "/reports/22-11-2026/"]:
        assert client.get(url).status_code == 404, url
    evaluation = Evaluation.objects.get(agreement=red)
    evaluation.pdf.storage.delete(evaluation.pdf.name)  # the file gone from the reports storage
    assert client.get(f"/reports/{day}/agreements/{red.pk}.pdf").status_code == 404


# --- the agreement page ----------------------------------------------------------------------------

def test_the_agreement_page_shows_the_latest_evaluation_its_criteria_and_its_pdf(client, people, night):
    red, _ = red_and_green(people)
    client.force_login(people["manager"])
    html = html_of(client.get(f"/contracts/{red.pk}/?section=all"))
    assert 'href="?section=evaluation"' in html and 'id="evaluation"' in html and "No nightly evaluation yet" in html

    evaluation_services.run_in_process(night - datetime.timedelta(days=1))
    evaluation_services.run_in_process(night)
    html = html_of(client.get(f"/contracts/{red.pk}/?section=all"))
    section = html[html.index('id="evaluation"'):html.index('id="feedback"')]
    assert f"Nightly evaluation of {night:%-d %B %Y}" in section and ">Red</strong>" in section
    for criterion in ("1. Outcomes delivered", "2. User and stakeholder feedback", "3. Performance and value for money",
                      "4. Compliance with the agreement", "5. Equality monitoring"):
        assert criterion in section
    assert ">Concern</strong>" in section and ">No data</strong>" in section
    assert f"{outcome().title}: Red" in section  # a finding of the first criterion: the measure's outcome is Red
    assert f'href="/reports/{night.isoformat()}/agreements/{red.pk}.pdf" download>Download the evaluation report (PDF)' in section
    assert "Recent nightly evaluations" in section and f'href="/reports/{(night - datetime.timedelta(days=1)).isoformat()}/"' in section
    assert "No nightly evaluation yet" not in section


def test_the_agreement_page_query_count_does_not_grow_with_evaluations_feedback_or_equality_rows(client, people, django_assert_num_queries):
    quiet = live_agreement(people, reference="FW-QUIET", start=months_ago(6))
    busy = live_agreement(people, reference="FW-BUSY", start=months_ago(6))
    for n in range(5):
        stored_run(datetime.date(2026, 1, n + 1), [busy])
        Feedback.objects.create(agreement=busy, received_on=months_ago(n), source="service_user", respondents=10, satisfaction=D("3.5"),
                                recorded_by=people["manager"])
        EqualityResult.objects.create(agreement=busy, period_start=months_ago(n + 1), characteristic="age", group="18 to 24", referrals=10, outcomes=n)
    client.force_login(people["manager"])
    expected = queries_of(client, f"/contracts/{quiet.pk}/?section=all")
    client.get(f"/contracts/{busy.pk}/?section=all")
    with django_assert_num_queries(expected):
        response = client.get(f"/contracts/{busy.pk}/?section=all")
    assert "Recent nightly evaluations" in html_of(response)


def test_feedback_and_equality_monitoring_are_recorded_from_the_agreement_page(client, people):
    agreement = live_agreement(people, start=months_ago(6))
    client.force_login(people["procurement"])
    html = html_of(client.get(f"/contracts/{agreement.pk}/?section=all"))
    assert "No feedback recorded." in html and "No equality monitoring recorded." in html
    assert "/records/feedback/" not in html and "/records/equality-result/" not in html  # for contract managers only

    client.force_login(people["manager"])
    html = html_of(client.get(f"/contracts/{agreement.pk}/?section=all"))
    assert f'href="/contracts/{agreement.pk}/records/feedback/">Record feedback' in html
    assert f'href="/contracts/{agreement.pk}/records/equality-result/">Record equality monitoring' in html
    assert client.get(f"/contracts/{agreement.pk}/records/feedback/").status_code == 200
    received = (timezone.localdate() - datetime.timedelta(days=10)).isoformat()
    response = client.post(f"/contracts/{agreement.pk}/records/feedback/", {
        "source": "service_user", "received_on": received, "respondents": "42", "satisfaction": "3.8", "summary": "Housing advice came late"})
    assert response.status_code == 302 and response["Location"] == f"/contracts/{agreement.pk}/?section=evaluation#evaluation"
    response = client.post(f"/contracts/{agreement.pk}/records/equality-result/", {
        "period_start": months_ago(3).isoformat(), "characteristic": "ethnicity", "group": "Black or Black British", "referrals": "40", "outcomes": "10"})
    assert response.status_code == 302 and response["Location"] == f"/contracts/{agreement.pk}/?section=evaluation#evaluation"

    html = html_of(client.get(f"/contracts/{agreement.pk}/?section=all"))
    feedback = html[html.index('id="feedback"'):html.index('id="equality"')]
    assert "Service users" in feedback and ">42<" in feedback and "3.80 out of 5" in feedback and "Housing advice came late" in feedback
    equality = html[html.index('id="equality"'):]
    assert "Ethnicity" in equality and "Black or Black British" in equality and ">40<" in equality and "25%" in equality


def test_bad_feedback_or_equality_values_are_named_by_field_and_change_nothing(client, people):
    agreement = live_agreement(people, start=months_ago(6))
    client.force_login(people["manager"])
    response = client.post(f"/contracts/{agreement.pk}/records/feedback/", {
        "source": "stakeholder", "received_on": timezone.localdate().isoformat(), "respondents": "3", "satisfaction": "6"})
    html = html_of(response)
    assert response.status_code == 200 and 'href="#id_satisfaction"' in html and "Satisfaction (1 to 5) must be 5 or less" in html
    response = client.post(f"/contracts/{agreement.pk}/records/equality-result/", {
        "period_start": months_ago(3).isoformat(), "characteristic": "age", "group": "18 to 24", "referrals": "10", "outcomes": "12"})
    html = html_of(response)
    assert response.status_code == 200 and 'href="#id_outcomes"' in html and "Outcomes cannot exceed referrals." in html
    assert not Feedback.objects.exists() and not EqualityResult.objects.exists()


# --- who sees the reports ------------------------------------------------------------------------

@pytest.mark.parametrize("roles", [[Role.BID_TEAM], [Role.BID_TEAM, Role.COMMISSIONER], [Role.GATEWAY_REVIEWER]])
def test_whoever_may_not_see_agreements_gets_404_on_every_report_url_and_the_attempt_is_logged(client, people, night, roles):
    red, _ = red_and_green(people)
    evaluation_services.run_in_process(night)
    intruder = UserFactory(roles=roles)
    client.force_login(intruder)
    day = night.isoformat()
    for url in ["/reports/", f"/reports/{day}/", f"/reports/{day}/?rag=red", f"/reports/{day}/summary.pdf",
                f"/reports/{day}/agreements/{red.pk}.pdf", "/reports/2026-02-30/", "/reports/1999-01-01/summary.pdf"]:
        response = client.get(url)
        assert response.status_code == 404, url
        assert b"FW-RED" not in (b"".join(response.streaming_content) if response.streaming else response.content)
        assert refusals(intruder, url.split("?")[0]) >= 1, url
    pdf_refusals = AuditEvent.objects.filter(action=AuditEvent.Action.REFUSED, actor=intruder, channel=AuditEvent.Channel.PDF)
    assert pdf_refusals.count() == 3
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.VIEW, actor=intruder).exists()
    nav = html_of(client.get("/")).split('class="govuk-service-navigation__list"')[1].split("</ul>")[0]
    assert "Reports" not in nav and "Contracts and SLAs" not in nav


@pytest.mark.parametrize("role", [Role.COMMISSIONER, Role.SRO, Role.PROCUREMENT, Role.CONTRACT_MANAGER, Role.OVERSIGHT])
def test_the_commissioning_side_sees_the_reports_in_its_navigation(client, role):
    client.force_login(UserFactory(roles=[role]))
    nav = html_of(client.get("/")).split('class="govuk-service-navigation__list"')[1].split("</ul>")[0]
    assert 'href="/reports/"' in nav
    response = client.get("/reports/")
    assert response.status_code == 200 and "No nightly evaluation has run yet." in html_of(response)
    assert '<a class="govuk-service-navigation__link" href="/reports/" aria-current="page">' in html_of(response)


def test_a_provider_downloads_its_own_agreements_evaluation_pdf_and_no_other(client, people, night):
    from core.models import Organisation

    red, green = red_and_green(people)
    evaluation_services.run_in_process(night)
    lead = UserFactory(roles=[Role.CONTRACT_LEAD], organisation=Organisation.objects.get(name="Together Women"))
    client.force_login(lead)
    page = client.get(f"/contracts/provider/{red.pk}/").content.decode()
    own = f"/reports/provider/{night.isoformat()}/agreements/{red.pk}.pdf"
    assert own in page
    response = client.get(own)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "FW-RED" in pdf_text(b"".join(response.streaming_content))
    assert AuditEvent.objects.filter(action=AuditEvent.Action.VIEW, channel=AuditEvent.Channel.PDF, actor=lead, path=own).exists()
    # Another provider's report, and the staff's report routes, are the wall's 404, logged.
    for url in (f"/reports/provider/{night.isoformat()}/agreements/{green.pk}.pdf", f"/reports/{night.isoformat()}/agreements/{red.pk}.pdf",
                f"/reports/{night.isoformat()}/summary.pdf"):
        assert client.get(url).status_code == 404, url
    assert AuditEvent.objects.filter(action=AuditEvent.Action.REFUSED, actor=lead).count() == 3
    client.force_login(people["manager"])  # staff use their own routes
    assert client.get(own).status_code == 404
