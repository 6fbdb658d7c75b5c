"""The provider's own agreements (issue #18): its contract leads see them, and only them, and submit their returns."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from contracts import performance, services
from contracts.models import Agreement, RemedialActionPlan, Return
from core.models import Organisation
from core.roles import Role
from ethical_walls.models import AuditEvent
from ethical_walls.selectors import owned, sees
from tests.contracts.test_services import framework_agreement, make_live
from tests.core.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def live(people):
    return make_live(framework_agreement(people), people)


@pytest.fixture
def contract_lead(live):
    return UserFactory(roles=[Role.CONTRACT_LEAD], organisation=live.provider)


def _other_providers_agreement(people):
    other = Organisation.objects.create(name="Catch22", sector="vcse", organisation_type="charity")
    area = Agreement.objects.first().service_area
    return services.agreement_create(actor=people["procurement"], reference="FW-002", title="Mentoring", provider=other,
                                     service_area=area, value=100, route="framework")


def test_a_contract_lead_sees_their_own_organisations_agreements_and_no_other(live, contract_lead, people):
    other = _other_providers_agreement(people)
    assert list(owned(contract_lead, Agreement.objects.all())) == [live]
    assert sees(contract_lead, live) and not sees(contract_lead, other)
    bid_manager = UserFactory(roles=[Role.BID_MANAGER], organisation=live.provider)  # acts in competitions, not on agreements
    assert not owned(bid_manager, Agreement.objects.all()).exists() and not sees(bid_manager, live)
    assert not owned(people["manager"], Agreement.objects.all()).exists()  # staff read agreements by role, not as a provider


def test_the_provider_pages_show_their_agreement_and_refuse_another_with_the_walls_404(client, live, contract_lead, people):
    other = _other_providers_agreement(people)
    client.force_login(contract_lead)
    listing = client.get("/contracts/provider/").content.decode()
    assert live.reference in listing and "FW-002" not in listing
    page = client.get(f"/contracts/provider/{live.pk}/")
    assert page.status_code == 200 and "Accommodation on release 0" in page.content.decode() and "Submit a return" in page.content.decode()
    path = f"/contracts/provider/{other.pk}/"
    assert client.get(path).status_code == 404
    assert AuditEvent.objects.filter(action="refused", actor=contract_lead, path=path).exists()


@pytest.mark.parametrize("path", ["/contracts/", "/contracts/{pk}/", "/reports/", "/cycles/"])
def test_the_staff_pages_stay_the_commissioning_sides(client, live, contract_lead, path):
    client.force_login(contract_lead)
    assert client.get(path.format(pk=live.pk)).status_code == 404


def test_staff_do_not_reach_the_provider_pages(client, live, people):
    client.force_login(people["manager"])
    assert client.get("/contracts/provider/").status_code == 404
    assert client.get(f"/contracts/provider/{live.pk}/").status_code == 404


def test_the_provider_submits_a_return_for_a_period_that_has_ended_and_the_rating_follows(client, live, contract_lead):
    measure = live.measures.first()
    client.force_login(contract_lead)
    form = client.get(f"/contracts/provider/{live.pk}/returns/").content.decode()
    choice = form.split('name="period"')[1].split('<option value="')[2].split('"')[0]  # the first return offered
    assert choice.startswith(f"{measure.pk}:")
    period = choice.split(":")[1]
    response = client.post(f"/contracts/provider/{live.pk}/returns/", {"period": choice, "value": "82"})
    assert response.status_code == 302
    item = Return.objects.get(measure=measure, period_start=period)
    assert item.submitted_by == contract_lead and item.value == 82
    assert live.events.filter(action="return", actor=contract_lead).exists()
    again = client.post(f"/contracts/provider/{live.pk}/returns/", {"period": choice, "value": "90"})
    assert again.status_code == 200 and Return.objects.filter(measure=measure, period_start=period).count() == 1


def test_a_provider_cannot_submit_for_another_providers_agreement(live, people):
    stranger = UserFactory(roles=[Role.CONTRACT_LEAD], organisation=Organisation.objects.create(name="Catch22", sector="vcse", organisation_type="charity"))
    measure = live.measures.first()
    period = live.start_date
    with pytest.raises(PermissionDenied):
        services.return_submit(measure=measure, actor=stranger, period_start=period, value=80)
    with pytest.raises(ValidationError):  # a period that has not ended
        services.return_submit(measure=measure, actor=UserFactory(roles=[Role.CONTRACT_LEAD], organisation=live.provider),
                               period_start=period.replace(year=period.year + 5), value=80)
    assert not Return.objects.filter(measure=measure).exists()


def _provider_return(live, contract_lead, value=82):
    measure = live.measures.first()
    return services.return_submit(measure=measure, actor=contract_lead, period_start=live.start_date, value=Decimal(value))


def test_a_providers_return_awaits_the_contract_manager_who_validates_it(live, contract_lead, people):
    item = _provider_return(live, contract_lead)
    assert item.status == Return.Status.SUBMITTED and item.reviewed_by is None
    services.return_validate(item=item, actor=people["manager"])
    item.refresh_from_db()
    assert item.status == Return.Status.VALIDATED and item.reviewed_by == people["manager"]
    with pytest.raises(ValidationError, match="awaiting the contract manager"):
        services.return_validate(item=item, actor=people["manager"])


def test_a_return_the_contract_manager_keys_in_is_validated_as_it_is_entered(live, people):
    item = services.return_submit(measure=live.measures.first(), actor=people["manager"], period_start=live.start_date, value=90)
    assert item.status == Return.Status.VALIDATED and item.reviewed_by == people["manager"]


def test_a_queried_return_goes_back_to_the_provider_with_the_reason_and_comes_back_corrected(client, live, contract_lead, people):
    item = _provider_return(live, contract_lead)
    with pytest.raises(ValidationError) as no_reason:
        services.return_query(item=item, actor=people["manager"], reason=" ")
    assert "reason" in no_reason.value.message_dict
    client.force_login(people["manager"])
    page = client.get(f"/contracts/{live.pk}/?section=all").content.decode()
    assert "Awaiting the contract manager" in page and "Validate or query" in page
    client.post(f"/contracts/{live.pk}/records/review-return/{item.pk}/", {"validate": "no", "reason": "The figure counts referrals, not outcomes."})
    item.refresh_from_db()
    assert item.status == Return.Status.QUERIED and item.query_reason == "The figure counts referrals, not outcomes."

    client.force_login(contract_lead)
    provider_page = client.get(f"/contracts/provider/{live.pk}/").content.decode()
    assert "The figure counts referrals, not outcomes." in provider_page and "Correct it" in provider_page
    corrected = client.post(f"/contracts/provider/{live.pk}/returns/{item.pk}/", {"value": "71", "evidence": "Outcomes only, from case records."})
    assert corrected.status_code == 302
    item.refresh_from_db()
    assert item.status == Return.Status.SUBMITTED and item.value == 71
    assert live.events.filter(action="return", reason="The figure counts referrals, not outcomes.").exists()


def test_only_the_contract_manager_reviews_and_only_the_provider_corrects(live, contract_lead, people):
    item = _provider_return(live, contract_lead)
    for outsider in (contract_lead, people["commissioner"], UserFactory(roles=[Role.BID_TEAM, Role.CONTRACT_MANAGER])):
        with pytest.raises(PermissionDenied):
            services.return_validate(item=item, actor=outsider)
    services.return_query(item=item, actor=people["manager"], reason="Check the denominator.")
    with pytest.raises(PermissionDenied):
        services.return_correct(item=item, actor=people["manager"], value=70)
    stranger = UserFactory(roles=[Role.CONTRACT_LEAD], organisation=Organisation.objects.create(name="Catch22", sector="vcse", organisation_type="charity"))
    with pytest.raises(PermissionDenied):
        services.return_correct(item=item, actor=stranger, value=70)
    assert Return.objects.get(pk=item.pk).value == 82


def test_another_providers_return_is_not_found_on_the_correction_page(client, live, contract_lead, people):
    item = _provider_return(live, contract_lead)
    services.return_query(item=item, actor=people["manager"], reason="Check it.")
    stranger_org = Organisation.objects.create(name="Catch22", sector="vcse", organisation_type="charity")
    client.force_login(UserFactory(roles=[Role.CONTRACT_LEAD], organisation=stranger_org))
    assert client.get(f"/contracts/provider/{live.pk}/returns/{item.pk}/").status_code == 404


# --- remedial action plans --------------------------------------------------------------------------------------

def _propose(live, contract_lead, **overrides):
    fields = dict(agreement=live, actor=contract_lead, actions="Weekly housing surgeries at each prison.",
                  due_on=timezone.localdate() + datetime.timedelta(days=30), measure=live.measures.first())
    return services.remedial_plan_propose(**(fields | overrides))


def test_the_provider_proposes_a_plan_the_contract_manager_accepts_and_later_marks_complete(client, live, contract_lead, people):
    client.force_login(contract_lead)
    assert "Propose a remedial action plan" in client.get(f"/contracts/provider/{live.pk}/").content.decode()
    due = (timezone.localdate() + datetime.timedelta(days=30)).isoformat()
    sent = client.post(f"/contracts/provider/{live.pk}/remedial-plans/", {"actions": "Weekly housing surgeries.", "due_on": due})
    assert sent.status_code == 302
    plan = RemedialActionPlan.objects.get(agreement=live)
    assert plan.status == RemedialActionPlan.Status.PROPOSED and plan.proposed_by == contract_lead and plan.agreed_on is None

    client.force_login(people["manager"])
    assert "Accept or reject" in client.get(f"/contracts/{live.pk}/?section=all").content.decode()
    client.post(f"/contracts/{live.pk}/records/decide-remedial-plan/{plan.pk}/", {"accept": "yes"})
    plan.refresh_from_db()
    assert plan.status == RemedialActionPlan.Status.OPEN and plan.agreed_on == timezone.localdate() and plan.decided_by == people["manager"]
    client.post(f"/contracts/{live.pk}/records/complete-remedial-plan/{plan.pk}/", {})
    plan.refresh_from_db()
    assert plan.status == RemedialActionPlan.Status.COMPLETED and plan.completed_on == timezone.localdate()


def test_a_rejected_plan_says_why_to_the_provider(client, live, contract_lead, people):
    plan = _propose(live, contract_lead)
    with pytest.raises(ValidationError) as no_reason:
        services.remedial_plan_decide(plan=plan, actor=people["manager"], accept=False)
    assert "reason" in no_reason.value.message_dict
    services.remedial_plan_decide(plan=plan, actor=people["manager"], accept=False, reason="Surgeries alone will not house anyone.")
    client.force_login(contract_lead)
    assert "Surgeries alone will not house anyone." in client.get(f"/contracts/provider/{live.pk}/").content.decode()
    with pytest.raises(ValidationError, match="rejected"):
        services.remedial_plan_complete(plan=plan, actor=people["manager"])


def test_only_the_provider_proposes_and_only_the_contract_manager_decides(live, contract_lead, people):
    with pytest.raises(PermissionDenied):
        _propose(live, people["manager"])
    stranger = UserFactory(roles=[Role.CONTRACT_LEAD], organisation=Organisation.objects.create(name="Catch22", sector="vcse", organisation_type="charity"))
    with pytest.raises(PermissionDenied):
        _propose(live, stranger)
    with pytest.raises(ValidationError) as past:
        _propose(live, contract_lead, due_on=timezone.localdate() - datetime.timedelta(days=1))
    assert "due_on" in past.value.message_dict
    plan = _propose(live, contract_lead)
    for outsider in (contract_lead, people["commissioner"], people["procurement"]):
        with pytest.raises(PermissionDenied):
            services.remedial_plan_decide(plan=plan, actor=outsider, accept=True)
    assert RemedialActionPlan.objects.get(pk=plan.pk).status == RemedialActionPlan.Status.PROPOSED


# --- returns from a file --------------------------------------------------------------------------------------

def _workbook(rows) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["measure", "period_start", "value", "evidence"])
    for row in rows:
        book.active.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _upload(client, live, name, content):
    return client.post(f"/contracts/provider/{live.pk}/returns/upload/", {"file": SimpleUploadedFile(name, content)})


def test_the_template_lists_every_return_awaited_and_comes_back_filled_in(client, live, contract_lead):
    from openpyxl import load_workbook

    client.force_login(contract_lead)
    download = client.get(f"/contracts/provider/{live.pk}/returns/template.xlsx")
    assert download["Content-Type"].startswith("application/vnd.openxmlformats") and "FW-001-returns.xlsx" in download["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(download.content)).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0] == ["measure", "period_start", "value", "evidence", "evidence_file"]
    awaited = rows[1:]
    assert awaited and {r[0] for r in awaited} == {"Accommodation on release 0"}
    filled = [[measure, period, "88.5", "Case records"] for measure, period, _, _, _ in awaited]
    response = _upload(client, live, "returns.xlsx", _workbook(filled))
    assert response.status_code == 302
    assert Return.objects.filter(measure__agreement=live).count() == len(awaited)
    assert all(r.status == Return.Status.SUBMITTED and r.submitted_by == contract_lead for r in Return.objects.filter(measure__agreement=live))


def test_a_file_with_one_bad_row_names_every_problem_and_stores_nothing(client, live, contract_lead):
    periods = performance.periods(live.measures.first(), live.start_date, timezone.localdate() + datetime.timedelta(days=1))
    name = live.measures.first().name
    client.force_login(contract_lead)
    response = _upload(client, live, "returns.xlsx", _workbook([
        [name, periods[0].isoformat(), "80", ""],
        ["Reoffending", periods[1].isoformat(), "80", ""],           # row 3: no such measure
        [name, "31/01/2026", "80", ""],                               # row 4: not ISO
        [name, periods[2].isoformat(), "-4", ""],                     # row 5: negative
        [name, periods[0].isoformat(), "81", ""],                     # row 6: the same as row 2
    ]))
    html = response.content.decode()
    assert response.status_code == 200
    for expected in ("Row 3, column measure", "Row 4, column period_start", "Row 5, column value", "Row 6: the same measure and period as row 2"):
        assert expected in html, expected
    assert not Return.objects.filter(measure__agreement=live).exists()
    fixed = _upload(client, live, "returns.csv", (f"measure,period_start,value,evidence\n{name},{periods[0].isoformat()},80,\n"
                                                 f"{name},{periods[1].isoformat()},79.25,Case records\n").encode())
    assert fixed.status_code == 302 and Return.objects.filter(measure__agreement=live).count() == 2


@pytest.mark.parametrize("name, content, problem", [
    ("returns.pdf", b"%PDF-1.7", "CSV file (.csv) or an Excel workbook"),
    ("returns.xlsx", b"not a workbook", "cannot be opened"),
    ("returns.csv", b"value\n80\n", "missing: measure, period_start"),
    ("returns.csv", "measure,period_start,value\n".encode(), "no returns in it"),
    ("returns.csv", b"\xff\xfe\x00bad", "not UTF-8"),
])
def test_a_file_that_cannot_be_read_says_why(client, live, contract_lead, name, content, problem):
    client.force_login(contract_lead)
    response = _upload(client, live, name, content)
    assert response.status_code == 200 and problem in response.content.decode()
    assert not Return.objects.filter(measure__agreement=live).exists()


def test_another_providers_upload_page_is_not_found(client, live):
    stranger = UserFactory(roles=[Role.CONTRACT_LEAD], organisation=Organisation.objects.create(name="Catch22", sector="vcse", organisation_type="charity"))
    client.force_login(stranger)
    assert client.get(f"/contracts/provider/{live.pk}/returns/upload/").status_code == 404
    assert client.get(f"/contracts/provider/{live.pk}/returns/template.xlsx").status_code == 404


def test_the_provider_acknowledges_a_notice_of_change_once_and_the_contract_manager_sees_it(client, live, contract_lead, people):
    from contracts.models import NoticeOfChange

    notice = services.notice_of_change_issue(agreement=live, actor=people["procurement"], summary="Extend by six months",
                                             material=False, changes={"end_date": (live.end_date + datetime.timedelta(days=180)).isoformat()})
    client.force_login(contract_lead)
    page = client.get(f"/contracts/provider/{live.pk}/").content.decode()
    assert "Extend by six months" in page and "Acknowledge" in page and "Key performance indicators" in page
    client.post(f"/contracts/provider/{live.pk}/notices-of-change/{notice.pk}/acknowledge/")
    notice.refresh_from_db()
    assert notice.acknowledged_by == contract_lead and notice.acknowledged_at is not None
    with pytest.raises(ValidationError, match="acknowledged already"):
        services.notice_of_change_acknowledge(notice=NoticeOfChange.objects.get(pk=notice.pk), actor=contract_lead)
    with pytest.raises(PermissionDenied):
        services.notice_of_change_acknowledge(notice=notice, actor=people["manager"])
    client.force_login(people["manager"])
    assert "Acknowledged" in client.get(f"/contracts/{live.pk}/?section=all").content.decode()


def test_evidence_files_named_by_rows_are_attached_and_a_missing_or_unnamed_one_stops_the_upload(client, live, contract_lead):
    periods = performance.periods(live.measures.first(), live.start_date, timezone.localdate() + datetime.timedelta(days=1))
    name = live.measures.first().name
    client.force_login(contract_lead)
    url = f"/contracts/provider/{live.pk}/returns/upload/"
    csv = (f"measure,period_start,value,evidence,evidence_file\n{name},{periods[0].isoformat()},80,,gate-log.pdf\n"
           f"{name},{periods[1].isoformat()},81,,missing.pdf\n").encode()
    log = b"%PDF-1.4 gate log for January"
    refused = client.post(url, {"file": SimpleUploadedFile("returns.csv", csv), "evidence_files": [
        SimpleUploadedFile("gate-log.pdf", log), SimpleUploadedFile("spare.txt", b"unused")]}).content.decode()
    assert "Row 3, column evidence_file: no file called “missing.pdf” is attached" in refused
    assert "The evidence file “spare.txt” is attached but no row names it" in refused
    assert not Return.objects.filter(measure__agreement=live).exists()
    disguised = client.post(url, {"file": SimpleUploadedFile("returns.csv", csv), "evidence_files": [
        SimpleUploadedFile("gate-log.pdf", b"not a pdf")]}).content.decode()
    assert "gate-log.pdf: The file is not a real PDF file." in disguised
    fixed = csv.replace(b"missing.pdf", b"gate-log.pdf")
    response = client.post(url, {"file": SimpleUploadedFile("returns.csv", fixed), "evidence_files": [SimpleUploadedFile("gate-log.pdf", log)]})
    assert response.status_code == 302
    stored = Return.objects.filter(measure__agreement=live).order_by("period_start")
    assert [r.evidence_file.read() for r in stored] == [log, log]
