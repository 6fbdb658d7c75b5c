"""Fixtures for the OCDS tests: competitions walked through their lifecycle, and their live contracts."""

from decimal import Decimal

import pytest
from dateutil.relativedelta import relativedelta
from django.utils import timezone

from contracts import services as contract_services
from contracts.models import Agreement, AgreementState
from core.roles import Role
from cycle.models import Outcome
from scenarios.drivers import complete_mobilisation
from tests.competitions.journey import Journey
from tests.core.factories import UserFactory


@pytest.fixture
def journey(db):
    """A Procurement Act 2023 competition (competitive flexible, major, HMPS may bid), in draft."""
    trip = Journey()
    yield trip
    trip.stop_travel()


@pytest.fixture
def journey_2011(db):
    """A 2011-rules competition (restricted procedure, no public-sector bid), in draft."""
    trip = Journey(regime="2011", procedure="restricted", public_bid=False)
    yield trip
    trip.stop_travel()


def take_agreement_live(journey, *, kpis: int = 3) -> Agreement:
    """Complete the awarded agreement's terms and take it live (under the 2023 Act this publishes the UK7)."""
    agreement = Agreement.objects.get(competition=journey.refresh())
    manager = UserFactory(roles=[Role.CONTRACT_MANAGER])
    start = timezone.localdate().replace(day=1)
    contract_services.agreement_update(
        agreement=agreement, actor=journey.procurement, start_date=start, end_date=start + relativedelta(years=5),
        contract_manager=manager,
    )
    outcome = Outcome.objects.filter(level="service").first()
    for n in range(kpis):
        contract_services.measure_add(
            agreement=Agreement.objects.get(pk=agreement.pk), actor=journey.procurement, name=f"Purposeful activity {n + 1}",
            target=Decimal("90"), tolerance=Decimal("5"), outcome=outcome,
        )
    if Agreement.objects.get(pk=agreement.pk).state == AgreementState.DRAFT:
        contract_services.agreement_mobilise(agreement=Agreement.objects.get(pk=agreement.pk), actor=journey.procurement)
    complete_mobilisation(agreement, journey.procurement)
    return contract_services.agreement_go_live(agreement=Agreement.objects.get(pk=agreement.pk), actor=journey.procurement)
