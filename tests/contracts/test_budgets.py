"""Budgets against commitments and spend (issue #20): known answers for the year split, the warnings, the cycle's Budget part."""

import csv
import datetime
import io
from decimal import Decimal as D

import pytest

from contracts import budgets, claims
from contracts.models import Agreement
from core.models import Organisation
from core.roles import Role
from cycle import selectors
from cycle import services as cycle_services
from cycle.models import Priority, ServiceSpecification
from tests.contracts.test_claims import Q1, returns
from tests.contracts.test_pages import fresh
from tests.core.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_value_is_spread_over_the_financial_years_by_its_days():
    # 1 January 2026 to 31 December 2026: 90 days in 2025-26 (January to March), 275 in 2026-27.
    shares = budgets.spread_by_year(D(365000), datetime.date(2026, 1, 1), datetime.date(2026, 12, 31))
    assert shares == {datetime.date(2025, 4, 1): D(90000), datetime.date(2026, 4, 1): D(275000)}
    # 1,096 days (29 February 2028 among them): the shares are rounded to the penny and always add up.
    thirds = budgets.spread_by_year(D(1000), datetime.date(2026, 4, 1), datetime.date(2029, 3, 31))
    assert list(thirds.values()) == [D("333.03"), D("333.94"), D("333.03")] and sum(thirds.values()) == D(1000)
    assert budgets.spread_by_year(D(1), datetime.date(2026, 4, 2), datetime.date(2026, 4, 1)) == {}


def test_the_cycle_budget_counts_pooled_funding_not_aligned_and_warns_of_a_year_over(pbr, people, client):
    agreement, housed, _ = pbr
    commissioner = people["commissioner"]
    cycle = cycle_services.cycle_create(actor=commissioner, name="South West resettlement 2026-29", cycle_type="service_level", level="regional",
                                        period_start=datetime.date(2026, 4, 1), period_end=datetime.date(2029, 3, 31), available_resources=D(900000))
    council, health = Organisation.objects.create(name="Bristol City Council"), Organisation.objects.create(name="NHS South West")
    cycle_services.partner_add(cycle=cycle, actor=commissioner, organisation=council, arrangement="pooled", contribution=D(300000))
    cycle_services.partner_add(cycle=cycle, actor=commissioner, organisation=health, arrangement="aligned", contribution=D(5000000))
    priority = Priority.objects.create(cycle=cycle, rank=1, title="Resettlement", service_area=agreement.service_area, cost=D(1200000), outcome_value=D(8))
    specification = ServiceSpecification.objects.create(cycle=cycle, priority=priority, title="Through-the-gate resettlement",
                                                        summary="Resettlement.", outputs="A plan for every prisoner.")
    Agreement.objects.filter(pk=agreement.pk).update(specification=specification)  # let for the cycle's specification
    returns(housed, people, Q1, ["12", "12", "12"])
    claim = claims.claim_raise(agreement=fresh(agreement), actor=people["manager"], period_start=Q1)

    budget = selectors.cycle_budget(user=commissioner, cycle=cycle)
    assert budget.resources == D(1200000) and budget.committed == D(1200000)  # the aligned £5m is listed, not counted
    year = budget.years[datetime.date(2026, 4, 1)]
    # The resources: 365 of the cycle's 1,096 days; the agreement (1 April 2026 to 1 April 2029): 365 of its 1,097.
    assert year.accrued == claim.total and year.paid == 0 and year.budget == D("399635.04") and year.committed == D("399270.74")
    # Each counted funder's share of the commitments, in proportion to what it put in (the aligned partner is not one).
    assert budget.by_funder == [("Own resources", D(900000), D(900000)), ("Bristol City Council", D(300000), D(300000))]
    # Its last day, 1 April 2029, falls in a year the cycle has no budget for: the one warning.
    assert budget.warnings == ["2029-30: £1,093.89 committed against a budget of £0.00 (£1,093.89 over)."]

    Agreement.objects.filter(pk=agreement.pk).update(value=D(1500000))
    budget = selectors.cycle_budget(user=commissioner, cycle=cycle)
    assert budget.warnings[0].startswith("The agreements commit £1,500,000.00 over their lives, £300,000.00 more than")
    assert "2026-27: £499,088.42 committed against a budget of £399,635.04 (£99,453.38 over)." in budget.warnings

    client.force_login(commissioner)
    page = client.get(f"/cycles/{cycle.pk}/", {"section": "budget"}).content.decode()
    assert "Aligned: in the partner's own budget, not counted" in page and "Over budget" in page
    assert "£99,453.38 over" in page and "budget-chart" in page and "By service area" in page


def test_the_finance_page_and_its_csv_of_approved_payments(pbr, people, client):
    agreement, housed, _ = pbr
    returns(housed, people, Q1, ["12", "12", "12"])
    claim = claims.claim_raise(agreement=fresh(agreement), actor=people["manager"], period_start=Q1)
    claims.claim_check(claim=claim, actor=UserFactory(roles=[Role.CONTRACT_MANAGER]))
    claims.claim_approve(claim=claim, actor=people["procurement"])
    client.force_login(people["procurement"])
    page = client.get("/contracts/finance/").content.decode()
    assert "2026-27" in page and "£74,836.50" in page and "finance-chart" in page  # approved: 60,000 + 36 × £412.125
    rows = list(csv.reader(io.StringIO(client.get("/contracts/finance/payments.csv").content.decode())))
    assert rows[0][0] == "Agreement" and rows[1][0] == "PBR-001" and rows[1][-1] == "74836.50" and rows[1][4] == "Approved for payment"
    client.force_login(people["oversight"])
    assert client.get("/contracts/finance/").status_code == 200
    client.force_login(UserFactory(roles=[Role.BID_TEAM]))
    assert client.get("/contracts/finance/").status_code == 404 and client.get("/contracts/finance/payments.csv").status_code == 404
