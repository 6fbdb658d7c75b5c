"""Money (issue #20): outcome payments, caps, deductions and year boundaries, known answers; two approvers; paid once."""

import datetime
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from hypothesis import given, settings
from hypothesis import strategies as st

from contracts import claims, payments, services
from contracts.models import Claim, ClaimLine, Measure
from core.dates import financial_year_label, financial_year_start
from core.roles import Role
from scenarios.drivers import complete_mobilisation
from tests.contracts.test_pages import fresh, make_agreement, outcome
from tests.core.factories import UserFactory

pytestmark = pytest.mark.django_db

Q1, Q2 = datetime.date(2026, 4, 1), datetime.date(2026, 7, 1)


# --- the arithmetic, known answers -------------------------------------------------------------------

def test_a_payment_is_rounded_to_the_penny_once_half_up():
    assert payments.to_penny(D("2.675")) == D("2.68")  # a float would make this 2.67
    assert payments.to_penny(D("0.005")) == D("0.01") and payments.to_penny(D("0.0049")) == D("0.00")
    assert payments.to_penny(D("-1000.005")) == D("-1000.01")


def test_binary_and_frequency_outcomes_and_their_caps():
    # 37 people housed on release at £412.125 each: £15,248.625, paid as £15,248.63.
    assert payments.outcome_payment(basis="binary", tariff=D("412.125"), achieved=D(37)) == D("15248.625")
    # Reoffences down from a baseline of 120 to 95: 25 fewer at £800 each; at or above the baseline, nothing.
    assert payments.outcome_payment(basis="frequency", tariff=D(800), achieved=D(95), baseline=D(120)) == D(20000)
    assert payments.outcome_payment(basis="frequency", tariff=D(800), achieved=D(130), baseline=D(120)) == 0
    assert payments.outcome_payment(basis="binary", tariff=D(800), achieved=D(30), cap=D(15000)) == D(15000)
    with pytest.raises(ValueError):
        payments.outcome_units(basis="frequency", achieved=D(1), baseline=None)


def test_the_financial_year_runs_april_to_march():
    assert financial_year_start(datetime.date(2027, 3, 31)) == datetime.date(2026, 4, 1)
    assert financial_year_start(datetime.date(2027, 4, 1)) == datetime.date(2027, 4, 1)
    assert financial_year_label(datetime.date(2026, 4, 1)) == "2026-27" and financial_year_label(datetime.date(2099, 4, 1)) == "2099-00"


@settings(max_examples=200, deadline=None, derandomize=True)
@given(
    fee=st.decimals(min_value=0, max_value=10**7, places=2),
    outcomes=st.lists(st.decimals(min_value=0, max_value=10**6, places=4), max_size=5),
    deductions=st.lists(st.decimals(min_value=0, max_value=10**5, places=2), max_size=5),
    room=st.one_of(st.none(), st.decimals(min_value=-100, max_value=10**6, places=2)),
)
def test_a_claims_lines_add_up_and_never_pay_more_than_the_terms_allow(fee, outcomes, deductions, room):
    lines = payments.claim_lines(fee=fee, outcomes=[("o", amount, "") for amount in outcomes],
                                 deductions=[("d", amount, "") for amount in deductions], outcome_room=room)
    assert payments.total(lines) == sum(line.amount for line in lines)
    assert all(line.amount == line.amount.quantize(D("0.01")) for line in lines)
    paid_for_outcomes = sum((line.amount for line in lines if line.kind == "outcome"), D(0))
    exact = sum(outcomes, D(0)) if room is None else min(sum(outcomes, D(0)), max(room, D(0)))
    assert paid_for_outcomes <= payments.to_penny(exact) + D("0.005") * len(outcomes)  # each line rounded once, at most half a penny
    assert payments.total(lines) <= payments.to_penny(fee) + paid_for_outcomes


# --- claims through the services -----------------------------------------------------------------------

def returns(measure, people, first_month: datetime.date, values):
    for number, value in enumerate(values):
        services.return_submit(measure=Measure.objects.get(pk=measure.pk), actor=people["manager"],
                               period_start=datetime.date(first_month.year, first_month.month + number, 1), value=D(value))


def lines_of(claim):
    return [(line.kind, line.amount) for line in claim.lines.order_by("id")]


def test_a_quarters_claim_pays_the_fee_the_outcomes_and_deducts_the_penalty(pbr, people):
    agreement, housed, reoffences = pbr
    returns(housed, people, Q1, ["10", "12", "15"])  # April is Amber (10 against 12, within 2): a £1,000 penalty
    returns(reoffences, people, Q1, ["110", "100", "95"])  # 55 fewer than the baseline of 120: £44,000, capped at £15,000
    claim = claims.claim_raise(agreement=agreement, actor=people["manager"], period_start=Q1)
    assert claim.period_end == datetime.date(2026, 6, 30)
    assert lines_of(claim) == [("fee", D("60000.00")), ("outcome", D("15248.63")), ("outcome", D("15000.00")), ("deduction", D("-1000.00"))]
    assert claim.total == D("89248.63") == sum(amount for _, amount in lines_of(claim))
    deduction = claim.lines.get(kind="deduction")
    assert deduction.reference == "Housed on release, period from 1 April 2026, Amber" and deduction.penalised_return.period_start == Q1
    assert "capped at £15,000.00" in claim.lines.filter(kind="outcome").last().description

    # The next quarter: the yearly cap leaves £19,751.37 for outcomes; the April penalty is not deducted again.
    returns(housed, people, Q2, ["20", "20", "20"])
    returns(reoffences, people, Q2, ["100", "100", "100"])
    second = claims.claim_raise(agreement=agreement, actor=people["manager"], period_start=Q2)
    assert lines_of(second) == [("fee", D("60000.00")), ("outcome", D("19751.37")), ("outcome", D("0.00"))]
    assert second.total == D("79751.37")
    with pytest.raises(ValidationError, match="already in"):
        claims.claim_raise(agreement=agreement, actor=people["manager"], period_start=Q2)
    with pytest.raises(ValidationError, match="fee period of this agreement that has ended"):
        claims.claim_raise(agreement=agreement, actor=people["manager"], period_start=datetime.date(2026, 10, 1))


def test_the_yearly_cap_starts_again_in_april(people):
    agreement = make_agreement(people, reference="PBR-002", start=datetime.date(2025, 4, 1), months=36, payment_model="pbr")
    housed = services.measure_add(agreement=fresh(agreement), actor=people["procurement"], name="Housed on release", target=D(1), outcome=outcome())
    claims.payment_terms_set(agreement=fresh(agreement), actor=people["procurement"], fee=D(0), fee_frequency="quarterly", outcome_cap_per_year=D(10000))
    claims.outcome_tariff_set(agreement=fresh(agreement), actor=people["procurement"], measure_id=housed.pk, basis="binary", tariff=D(1000))
    services.agreement_update(agreement=fresh(agreement), actor=people["procurement"], contract_manager=people["manager"])
    services.agreement_mobilise(agreement=fresh(agreement), actor=people["procurement"])
    complete_mobilisation(fresh(agreement), people["procurement"])
    services.agreement_go_live(agreement=fresh(agreement), actor=people["procurement"])
    returns(housed, people, datetime.date(2026, 1, 1), ["4", "4", "4"])  # January to March 2026: £12,000 earned
    returns(housed, people, datetime.date(2026, 4, 1), ["4", "4", "4"])  # April to June 2026, a new financial year
    march = claims.claim_raise(agreement=fresh(agreement), actor=people["manager"], period_start=datetime.date(2026, 1, 1))
    june = claims.claim_raise(agreement=fresh(agreement), actor=people["manager"], period_start=datetime.date(2026, 4, 1))
    assert march.total == D("10000.00") and june.total == D("10000.00")  # each year's cap, not one cap across both


def test_two_different_people_approve_neither_of_them_the_author_then_it_is_paid(pbr, people):
    agreement, housed, _ = pbr
    returns(housed, people, Q1, ["12", "12", "12"])
    claim = claims.claim_raise(agreement=agreement, actor=people["manager"], period_start=Q1)
    with pytest.raises(PermissionDenied, match="another contract manager must check it"):
        claims.claim_check(claim=claim, actor=people["manager"])
    with pytest.raises(PermissionDenied, match="Only"):
        claims.claim_check(claim=claim, actor=people["procurement"])
    checker = UserFactory(roles=[Role.CONTRACT_MANAGER])
    with pytest.raises(ValidationError, match="awaiting the contract manager: it cannot be approved now"):
        claims.claim_approve(claim=claim, actor=people["procurement"])
    claims.claim_check(claim=claim, actor=checker)
    with pytest.raises(PermissionDenied, match="Only MoJ Procurement"):
        claims.claim_approve(claim=claim, actor=checker)  # not procurement at all
    claim.refresh_from_db()
    assert claim.status == Claim.Status.CHECKED and claim.checked_by == checker
    with pytest.raises(ValidationError, match="cannot be marked paid now"):
        claims.claim_pay(claim=claim, actor=people["procurement"], paid_on=datetime.date(2026, 11, 1), payment_reference="BACS-1")
    claims.claim_approve(claim=claim, actor=people["procurement"])
    with pytest.raises(ValidationError) as future:
        claims.claim_pay(claim=claim, actor=people["procurement"], paid_on=datetime.date(2099, 1, 1), payment_reference="BACS-1")
    assert "paid_on" in future.value.message_dict
    paid = claims.claim_pay(claim=claim, actor=people["procurement"], paid_on=datetime.date(2026, 11, 1), payment_reference="BACS-2026-0412")
    assert (paid.status, paid.approved_by, paid.payment_reference) == (Claim.Status.PAID, people["procurement"], "BACS-2026-0412")
    assert agreement.events.filter(action="payment").count() == 7  # terms, two tariffs, raised, checked, approved, paid


def test_one_person_holding_both_roles_still_cannot_approve_twice(pbr, people):
    agreement, housed, _ = pbr
    returns(housed, people, Q1, ["12", "12", "12"])
    claim = claims.claim_raise(agreement=agreement, actor=people["manager"], period_start=Q1)
    both = UserFactory(roles=[Role.CONTRACT_MANAGER, Role.PROCUREMENT])
    claims.claim_check(claim=claim, actor=both)
    with pytest.raises(PermissionDenied, match="a different procurement officer must approve it"):
        claims.claim_approve(claim=claim, actor=both)
    # And the database refuses it even if the service were bypassed.
    with pytest.raises(IntegrityError), transaction.atomic():
        Claim.objects.filter(pk=claim.pk).update(status="approved", approved_by=both)


def test_a_queried_claim_is_rebuilt_from_the_figures_as_they_now_stand(pbr, people):
    agreement, housed, _ = pbr
    returns(housed, people, Q1, ["10", "12", "12"])
    claim = claims.claim_raise(agreement=agreement, actor=people["manager"], period_start=Q1)
    assert claim.lines.filter(kind="deduction").count() == 1
    checker = UserFactory(roles=[Role.CONTRACT_MANAGER])
    with pytest.raises(ValidationError) as empty:
        claims.claim_query(claim=claim, actor=checker, reason="  ")
    assert "reason" in empty.value.message_dict
    claims.claim_query(claim=claim, actor=checker, reason="April's figure was corrected to 12 after the audit.")
    claim.refresh_from_db()
    assert claim.status == Claim.Status.QUERIED and claim.query_reason.startswith("April's figure")
    Measure.objects.get(pk=housed.pk).returns.filter(period_start=Q1).update(value=D(12))  # the corrected return
    amended = claims.claim_amend(claim=claim, actor=people["manager"])
    assert amended.status == Claim.Status.SUBMITTED and not amended.lines.filter(kind="deduction").exists()
    assert amended.total == D("60000.00") + payments.to_penny(D("412.125") * 36)
    assert ClaimLine.objects.filter(penalised_return__isnull=False).count() == 0


def test_payment_terms_are_fixed_once_live_and_claims_need_them(pbr, people):
    agreement, housed, _ = pbr
    with pytest.raises(ValidationError, match="Notice of Change"):
        claims.payment_terms_set(agreement=agreement, actor=people["procurement"], fee=D(1), fee_frequency="monthly")
    plain = make_agreement(people, reference="FIX-001", start=datetime.date(2026, 4, 1))
    with pytest.raises(ValidationError, match="payment-by-results"):
        claims.outcome_tariff_set(agreement=plain, actor=people["procurement"], measure_id=housed.pk, basis="binary", tariff=D(1))
    with pytest.raises(PermissionDenied):
        claims.claim_raise(agreement=agreement, actor=UserFactory(roles=[Role.PROCUREMENT]), period_start=Q1)


# --- the pages ----------------------------------------------------------------------------------------

def test_the_payments_part_raises_checks_approves_and_pays_a_claim(client, pbr, people):
    agreement, housed, _ = pbr
    returns(housed, people, Q1, ["10", "12", "15"])
    url = f"/contracts/{agreement.pk}/"
    client.force_login(people["manager"])
    page = client.get(url, {"section": "payments"}).content.decode()
    assert "£60,000.00 quarterly" in page and "Housed on release" in page and "£412.125" in page and "No claims yet." in page
    raise_url = f"{url}records/claim/"
    assert 'href="/contracts/%d/records/claim/"' % agreement.pk in page
    form = client.get(raise_url).content.decode()
    assert "1 April 2026 to 30 June 2026" in form and "1 July 2026 to 30 September 2026" in form
    assert "1 October 2026 to" not in form  # a period not yet ended is not offered
    saved = client.post(raise_url, {"period_start": "2026-04-01"})
    assert saved.status_code == 302 and saved["Location"] == f"{url}?section=payments#claims"
    claim = Claim.objects.get(agreement=agreement)
    page = client.get(url, {"section": "payments"}).content.decode()
    assert "Awaiting the contract manager" in page and "less £1,000.00" in page and "£74,248.63" in page
    assert f"records/check-claim/{claim.pk}/" not in page  # its author is not offered the check
    assert client.post(f"{url}records/check-claim/{claim.pk}/").status_code == 403
    checker = UserFactory(roles=[Role.CONTRACT_MANAGER])
    client.force_login(checker)
    assert f"records/check-claim/{claim.pk}/" in client.get(url, {"section": "payments"}).content.decode()
    assert client.post(f"{url}records/check-claim/{claim.pk}/").status_code == 302
    client.force_login(people["procurement"])
    assert client.post(f"{url}records/approve-claim/{claim.pk}/").status_code == 302
    refused = client.post(f"{url}records/pay-claim/{claim.pk}/", {"paid_on_day": "1", "paid_on_month": "11", "paid_on_year": "2026"})
    assert "Enter payment reference" in refused.content.decode()
    client.post(f"{url}records/pay-claim/{claim.pk}/", {"paid_on_day": "1", "paid_on_month": "11", "paid_on_year": "2026",
                                                         "payment_reference": "BACS-2026-0412"})
    claim.refresh_from_db()
    assert claim.status == Claim.Status.PAID and claim.checked_by == checker and claim.approved_by == people["procurement"]
    page = client.get(url, {"section": "payments"}).content.decode()
    assert "Paid" in page and "reference BACS-2026-0412" in page and f"checked by {checker}" in page


def test_a_claim_waits_in_the_inbox_of_whoever_must_act_next(pbr, people):
    from core.inbox import inbox_for

    agreement, housed, _ = pbr
    returns(housed, people, Q1, ["12", "12", "12"])
    claim = claims.claim_raise(agreement=agreement, actor=people["manager"], period_start=Q1)
    checker = UserFactory(roles=[Role.CONTRACT_MANAGER])
    title = "Nacro's claim for 1 April 2026 to 30 June 2026 on PBR-001"

    def titles(user):
        return [task.title for task in inbox_for(user).decisions]

    assert f"Check {title}" in titles(checker) and not any(title in t for t in titles(people["manager"]))
    assert not any(title in t for t in titles(people["procurement"]))
    claims.claim_check(claim=claim, actor=checker)
    assert f"Approve {title}" in titles(people["procurement"]) and not any(title in t for t in titles(checker))
    claims.claim_query(claim=claim, actor=people["procurement"], reason="The April figure is unsigned.")
    assert f"Rebuild the queried {title}" in titles(people["manager"])


# --- the API ----------------------------------------------------------------------------------------------

def test_the_api_raises_approves_and_pays_a_claim_with_the_same_preconditions(pbr, people):
    from rest_framework.test import APIClient

    agreement, housed, _ = pbr
    returns(housed, people, Q1, ["10", "12", "15"])

    def api(user):
        client = APIClient()
        client.force_authenticate(user)
        return client

    raised = api(people["manager"]).post("/api/v1/claims/", {"agreement": agreement.pk, "period_start": "2026-04-01"}, format="json")
    assert raised.status_code == 201, raised.content
    body = raised.json()
    assert body["total"] == "74248.63" and [line["amount"] for line in body["lines"]] == ["60000.00", "15248.63", "-1000.00"]
    claim_url = f"/api/v1/claims/{body['id']}/"
    refused = api(people["manager"]).post(f"{claim_url}check/")
    assert refused.status_code == 403 and "another contract manager must check it" in refused.json()["detail"]
    assert api(people["procurement"]).post(f"{claim_url}approve/").status_code == 400  # not checked yet
    assert api(UserFactory(roles=[Role.CONTRACT_MANAGER])).post(f"{claim_url}check/").json()["status"] == "checked"
    assert api(people["procurement"]).post(f"{claim_url}approve/").json()["status"] == "approved"
    bad = api(people["procurement"]).post(f"{claim_url}pay/", {"paid_on": "2026-11-01"}, format="json")
    assert bad.status_code == 400 and "payment_reference" in str(bad.json())
    api(people["procurement"]).post(f"{claim_url}pay/", {"paid_on": "2026-11-01", "payment_reference": "BACS-1"}, format="json")
    payments_list = api(people["procurement"]).get("/api/v1/payments/").json()
    assert [(p["agreement_reference"], p["amount"], p["paid_on"], p["payment_reference"]) for p in payments_list["results"]] == [
        ("PBR-001", "74248.63", "2026-11-01", "BACS-1")]
    outsider = UserFactory(roles=[Role.BID_TEAM])
    assert api(outsider).get(claim_url).status_code == 404 and api(outsider).get("/api/v1/payments/").json()["results"] == []


def test_the_nightly_evaluation_counts_value_for_money_from_what_was_paid(pbr, people):
    from evaluations.evaluate import evaluate
    from evaluations.selectors import for_evaluation

    agreement, housed, _ = pbr
    returns(housed, people, Q1, ["10", "12", "15"])  # 37 housed: the paid outcomes, with April's £1,000 penalty
    services.cohort_result_record(agreement=fresh(agreement), actor=people["manager"], period_start=Q1, cohort="Adults released",
                                  difficulty="medium", referrals=60, outcomes=37)
    claim = claims.claim_raise(agreement=agreement, actor=people["manager"], period_start=Q1)
    night = datetime.date(2026, 12, 1)
    before = evaluate(for_evaluation([agreement.pk]).get(), night)
    assert before.detail["paid_year"] == "0.00" and any("No payments recorded yet." in f for c in before.detail["criteria"] for f in c["findings"])
    claims.claim_check(claim=claim, actor=UserFactory(roles=[Role.CONTRACT_MANAGER]))
    claims.claim_approve(claim=claim, actor=people["procurement"])
    claims.claim_pay(claim=claim, actor=people["procurement"], paid_on=datetime.date(2026, 11, 1), payment_reference="BACS-9")
    after = evaluate(for_evaluation([agreement.pk]).get(), night)
    assert after.detail["paid_year"] == "74248.63" and after.detail["deducted_year"] == "1000.00"
    value = next(c for c in after.detail["criteria"] if c["name"] == "Performance and value for money")
    assert "Paid over the last 12 months: £74,248.63 in 1 payment, after deductions of £1,000.00" in " ".join(value["findings"])
    assert after.outcomes_delivered == 37 and after.cost_per_outcome == D("2006.72")  # £74,248.63 ÷ 37, not the annual value ÷ 37
    assert before.cost_per_outcome != after.cost_per_outcome


def test_the_providers_contract_lead_raises_its_own_claim_and_no_one_elses(client, pbr, people):
    from core.models import Organisation

    agreement, housed, _ = pbr
    returns(housed, people, Q1, ["12", "12", "12"])
    lead = UserFactory(roles=[Role.CONTRACT_LEAD], organisation=Organisation.objects.get(name="Nacro"))
    client.force_login(lead)
    page = client.get(f"/contracts/provider/{agreement.pk}/").content.decode()
    assert "No claims yet." in page and f"/contracts/provider/{agreement.pk}/claims/" in page
    sent = client.post(f"/contracts/provider/{agreement.pk}/claims/", {"period_start": "2026-04-01"})
    assert sent.status_code == 302
    claim = Claim.objects.get(agreement=agreement)
    assert claim.raised_by == lead and claim.total == D("60000.00") + payments.to_penny(D("412.125") * 36)
    page = client.get(f"/contracts/provider/{agreement.pk}/").content.decode()
    assert "Awaiting the contract manager" in page and "£74,836.50" in page
    # The contract manager checks what the provider raised: it waits in their inbox.
    from core.inbox import inbox_for

    assert any(t.title.startswith("Check Nacro's claim") for t in inbox_for(people["manager"]).decisions)
    other = UserFactory(roles=[Role.CONTRACT_LEAD], organisation=Organisation.objects.create(name="Catch22", sector="vcse", organisation_type="charity"))
    client.force_login(other)
    assert client.get(f"/contracts/provider/{agreement.pk}/claims/").status_code == 404
    with pytest.raises(PermissionDenied):
        claims.claim_raise(agreement=agreement, actor=other, period_start=Q2)


def test_once_live_the_fee_changes_only_by_a_notice_of_change_and_is_versioned(pbr, people):
    agreement, housed, _ = pbr
    with pytest.raises(ValidationError, match="Notice of Change"):
        claims.payment_terms_set(agreement=agreement, actor=people["procurement"], fee=D(65000), fee_frequency="quarterly")
    notice = services.notice_of_change_issue(agreement=fresh(agreement), actor=people["procurement"], summary="Indexation of the fee",
                                             material=False, changes={"fee": "63000"})
    assert notice.changes == {"fee": "63000.00"}
    assert fresh(agreement).payment_terms.fee == D(63000)
    latest, earlier = fresh(agreement).versions.order_by("-number")[:2]
    assert services.version_difference(earlier.snapshot, latest.snapshot) == [("fee", "60000.00", "63000.00")]
    tariff = fresh(agreement).tariffs.get(measure=housed)
    services.notice_of_change_issue(agreement=fresh(agreement), actor=people["procurement"], summary="A higher tariff for housing",
                                    material=False, changes={"tariffs": {tariff.pk: "500"}})
    newest = fresh(agreement).versions.order_by("-number").first()
    assert services.version_difference(latest.snapshot, newest.snapshot) == [("Housed on release: tariff", "412.1250", "500.0000")]
    with pytest.raises(ValidationError, match="this agreement's outcome tariffs"):
        services.notice_of_change_issue(agreement=fresh(agreement), actor=people["procurement"], summary="x", material=False,
                                        changes={"tariffs": {tariff.pk + 999: "1"}})
    returns(housed, people, Q1, ["12", "12", "12"])
    claim = claims.claim_raise(agreement=fresh(agreement), actor=people["manager"], period_start=Q1)
    assert claim.lines.get(kind="fee").amount == D(63000) and claim.lines.filter(kind="outcome").first().amount == D(18000)  # 36 × £500
    with pytest.raises(ValidationError, match="no payment terms"):
        services.notice_of_change_issue(agreement=make_agreement(people, reference="NOFEE"), actor=people["procurement"], summary="x",
                                        material=False, changes={"fee": "1"})


def test_a_service_credit_reduces_the_claim_before_it_is_checked(client, pbr, people):
    agreement, housed, _ = pbr
    returns(housed, people, Q1, ["12", "12", "12"])
    claim = claims.claim_raise(agreement=agreement, actor=people["manager"], period_start=Q1)
    url = f"/contracts/{agreement.pk}/records/credit-claim/{claim.pk}/"
    client.force_login(people["manager"])
    refused = client.post(url, {"description": "Helpline closed two days", "amount": "-5"}).content.decode()
    assert "Service credit (£) must be 0 or more" in refused
    fraction = client.post(url, {"description": "Helpline closed for two days in May (schedule 4, paragraph 2)", "amount": "1250.505"})
    assert "Service credit (£) must have 2 decimal places or fewer" in fraction.content.decode()
    assert not claim.lines.filter(kind="service_credit").exists()
    client.post(url, {"description": "Helpline closed for two days in May (schedule 4, paragraph 2)", "amount": "1250.50"})
    claim.refresh_from_db()
    credit = claim.lines.get(kind="service_credit")
    assert credit.amount == D("-1250.50") and claim.total == sum(line.amount for line in claim.lines.all())
    claims.claim_check(claim=claim, actor=UserFactory(roles=[Role.CONTRACT_MANAGER]))
    with pytest.raises(ValidationError, match="cannot be credited now"):
        claims.claim_credit_add(claim=claim, actor=people["manager"], description="Late", amount=D(1))
