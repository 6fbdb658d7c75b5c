"""A provider's quarterly claim, checked by the contract manager and approved by MoJ Procurement; the cycle's budget moves (issue #20)."""

import datetime
from decimal import Decimal as D

from playwright.sync_api import expect

from contracts import claims, services
from contracts.models import Agreement, Claim, Measure
from core.models import Organisation
from core.roles import Role
from cycle import services as cycle_services
from cycle.models import Priority, ServiceSpecification
from scenarios.drivers import complete_mobilisation
from tests.browser.conftest import BROWSER_DB
from tests.contracts.test_pages import make_agreement, outcome
from tests.core.factories import UserFactory

pytestmark = BROWSER_DB


def fresh(agreement):
    return Agreement.objects.get(pk=agreement.pk)


def test_a_claim_with_an_outcome_payment_and_a_red_deduction_is_approved_twice_and_the_budget_moves(journey):
    people = {
        "procurement": UserFactory(roles=[Role.PROCUREMENT], first_name="Priya", last_name="Shah"),
        "manager": UserFactory(roles=[Role.CONTRACT_MANAGER], first_name="Mo", last_name="Farouk"),
        "commissioner": UserFactory(roles=[Role.COMMISSIONER]),
    }
    agreement = make_agreement(people, reference="PBR-2026-007", title="Through-the-gate resettlement (PbR)", provider="Nacro",
                               start=datetime.date(2026, 4, 1), months=36, payment_model="pbr", share_at_risk=D(30))
    housed = services.measure_add(agreement=fresh(agreement), actor=people["procurement"], name="Housed on release", unit="people",
                                  target=D(12), tolerance=D(2), outcome=outcome(), penalty_amber=D(1000), penalty_red=D(5000))
    claims.payment_terms_set(agreement=fresh(agreement), actor=people["procurement"], fee=D(60000), fee_frequency="quarterly")
    claims.outcome_tariff_set(agreement=fresh(agreement), actor=people["procurement"], measure_id=housed.pk, basis="binary", tariff=D(450))
    services.agreement_update(agreement=fresh(agreement), actor=people["procurement"], contract_manager=people["manager"])
    services.agreement_mobilise(agreement=fresh(agreement), actor=people["procurement"])
    complete_mobilisation(fresh(agreement), people["procurement"])
    services.agreement_go_live(agreement=fresh(agreement), actor=people["procurement"])
    for month, value in ((4, "8"), (5, "13"), (6, "14")):  # April is Red (8 against 12, beyond 2): a £5,000 deduction
        services.return_submit(measure=Measure.objects.get(pk=housed.pk), actor=people["manager"], period_start=datetime.date(2026, month, 1), value=D(value))
    cycle = cycle_services.cycle_create(actor=people["commissioner"], name="South West resettlement 2026-29", cycle_type="service_level",
                                        level="regional", period_start=datetime.date(2026, 4, 1), period_end=datetime.date(2029, 3, 31),
                                        available_resources=D(1200000))
    priority = Priority.objects.create(cycle=cycle, rank=1, title="Resettlement", service_area=agreement.service_area, cost=D(1200000), outcome_value=D(8))
    specification = ServiceSpecification.objects.create(cycle=cycle, priority=priority, title="Through-the-gate resettlement", summary="Resettlement.",
                                                        outputs="A plan for every prisoner.")
    Agreement.objects.filter(pk=agreement.pk).update(specification=specification)
    lead = UserFactory(roles=[Role.CONTRACT_LEAD], organisation=Organisation.objects.get(name="Nacro"))
    claim = claims.claim_raise(agreement=fresh(agreement), actor=lead, period_start=datetime.date(2026, 4, 1))  # the provider's claim
    page = journey.page

    # The contract manager finds the claim waiting, reads its lines and gives the first approval.
    journey.sign_in(people["manager"])
    task = "Check Nacro's claim for 1 April 2026 to 30 June 2026 on PBR-2026-007"
    journey.link(task)
    card = page.locator(f"#claim-{claim.pk}")
    expect(card).to_contain_text("Outcome payment: Housed on release: 35 × £450")
    expect(card).to_contain_text("Housed on release, period from 1 April 2026, Red")
    expect(card).to_contain_text("less £5,000.00")
    expect(card).to_contain_text("£70,750.00")  # £60,000 + £15,750 − £5,000
    journey.link("Check the claim (first approval)")
    journey.button("Confirm")
    assert "Check the claim (first approval): saved." in journey.success()
    expect(page.locator(f"#claim-{claim.pk}")).to_contain_text("Awaiting MoJ Procurement")

    # MoJ Procurement gives the second approval, from its own inbox.
    page.context.clear_cookies()
    journey.sign_in(people["procurement"])
    journey.link(task.replace("Check", "Approve"))
    journey.link("Approve the claim for payment (second approval)")
    journey.button("Confirm")
    expect(page.locator(f"#claim-{claim.pk}")).to_contain_text("Approved for payment")
    assert Claim.objects.get(pk=claim.pk).approved_by == people["procurement"]

    # The cycle's budget shows the approved money against the year.
    journey.visit(f"/cycles/{cycle.pk}/?section=budget")
    year = page.get_by_role("row").filter(has_text="2026-27")
    expect(year).to_contain_text("£70,750.00")
    journey.finish()
