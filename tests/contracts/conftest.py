"""Fixtures shared by the contracts tests."""

import datetime
from decimal import Decimal as D

import pytest

from contracts import claims, services
from scenarios.drivers import complete_mobilisation
from tests.contracts.test_pages import fresh, make_agreement, outcome


@pytest.fixture
def pbr(people):
    """A payment-by-results agreement from 1 April 2026: £60,000 a quarter, outcome payments capped at £50,000 a year."""
    agreement = make_agreement(people, reference="PBR-001", start=datetime.date(2026, 4, 1), months=36, payment_model="pbr", share_at_risk=D(30))
    housed = services.measure_add(agreement=fresh(agreement), actor=people["procurement"], name="Housed on release", unit="people",
                                  target=D(12), tolerance=D(2), outcome=outcome(), penalty_amber=D(1000), penalty_red=D(5000))
    reoffences = services.measure_add(agreement=fresh(agreement), actor=people["procurement"], name="Reoffences in the cohort", unit="offences",
                                      target=D(110), tolerance=D(10), direction="lower", outcome=outcome())
    claims.payment_terms_set(agreement=fresh(agreement), actor=people["procurement"], fee=D(60000), fee_frequency="quarterly",
                             outcome_cap_per_year=D(50000), cohort="Adults released from HMP Bristol")
    claims.outcome_tariff_set(agreement=fresh(agreement), actor=people["procurement"], measure_id=housed.pk, basis="binary", tariff=D("412.125"))
    claims.outcome_tariff_set(agreement=fresh(agreement), actor=people["procurement"], measure_id=reoffences.pk, basis="frequency",
                              tariff=D(800), baseline=D(120), cap_per_claim=D(15000))
    services.agreement_update(agreement=fresh(agreement), actor=people["procurement"], contract_manager=people["manager"])
    services.agreement_mobilise(agreement=fresh(agreement), actor=people["procurement"])
    complete_mobilisation(fresh(agreement), people["procurement"])
    services.agreement_go_live(agreement=fresh(agreement), actor=people["procurement"])
    return fresh(agreement), housed, reoffences
