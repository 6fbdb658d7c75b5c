"""What the bid side may see of a competition: launched ones; never one abandoned before launch."""

import pytest
from django.test import Client

from competitions import services
from competitions.models import State
from core.roles import Role
from ethical_walls.models import AuditEvent
from tests.api import client_for
from tests.competitions.journey import Journey
from tests.core.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("launched", [False, True])
def test_an_abandoned_competition_is_public_only_if_it_was_launched(launched):
    journey = Journey()
    journey.advance_to(State.PRE_QUALIFICATION if launched else State.PRE_PROCUREMENT)
    services.competition_abandon(competition=journey.refresh(), actor=journey.commissioner, reason="The need has gone.")
    competition = journey.refresh()
    assert competition.state == State.ABANDONED
    outsider = UserFactory(roles=[Role.BID_TEAM])
    api = client_for(outsider)
    assert (api.get(f"/api/v1/competitions/{competition.pk}/").status_code == 200) == launched
    assert (competition.pk in [row["id"] for row in api.get("/api/v1/competitions/").json()["results"]]) == launched
    page = Client()
    page.force_login(outsider)
    assert (page.get(f"/competitions/{competition.pk}/?section=all").status_code == 200) == launched
    if not launched:
        # The refusal is filed under the competition, so its SRO sees it on the breach view.
        refused = AuditEvent.objects.filter(action="refused", actor=outsider, path=f"/competitions/{competition.pk}/").get()
        assert refused.competition_id == competition.pk
    journey.stop_travel()
