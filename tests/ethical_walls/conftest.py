"""Fixtures for the ethical wall's pages, API and admin: a competition with its two sides."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from competitions.models import State
from core.roles import Role
from ethical_walls import services as wall_services
from tests.competitions.journey import Journey
from tests.core.factories import UserFactory


@pytest.fixture
def journey(db):
    """A draft competition: lead commissioner, procurement, an evaluator and a reviewer on its commissioning side."""
    trip = Journey()
    yield trip
    trip.stop_travel()


@pytest.fixture
def with_sro(journey):
    """The journey's competition with its SRO appointed (and so on the commissioning side)."""
    journey.satisfy("sro")
    return journey


@pytest.fixture
def launched(journey):
    """Launched, with a private bid and a crown-body (HMPS) bid registered."""
    journey.advance_to(State.PRE_QUALIFICATION)
    journey.prepare("open_dialogue")
    return journey


def crown_bid(journey):
    return next(bid for bid in journey.bids() if bid.bidder.is_crown_body)


def declare(journey, user, nature="nil", details=""):
    return wall_services.conflict_declare(competition=journey.refresh(), actor=user, nature=nature, details=details)


def bid_team_member(journey):
    """A Business Development Group member on the crown bid's team."""
    member = UserFactory(roles=[Role.BID_TEAM], first_name="Bea", last_name="Bidder")
    journey.join(member, "bid_team", side="bid", bid=crown_bid(journey))
    return member


def queries_for(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.status_code
    return len(queries)


@pytest.fixture
def assert_fixed_queries(client, django_assert_num_queries):
    """The page at `url` takes the same number of queries before and after `grow()` adds many rows."""

    def check(url, grow):
        before = queries_for(client, url)
        grow()
        after = queries_for(client, url)
        assert before == after, (before, after)
        with django_assert_num_queries(before):
            response = client.get(url)
        return response

    return check
