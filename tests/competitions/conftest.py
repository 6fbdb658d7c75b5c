import pytest

from tests.competitions.journey import Journey


@pytest.fixture
def journey(db):
    """A 2023-regime competition in draft, with its commissioning side, walked by the services (time travel undone after)."""
    trip = Journey()
    yield trip
    trip.stop_travel()
