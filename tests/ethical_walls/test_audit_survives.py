"""A refusal is in the audit log even when the transaction it happened in rolls back (issue #15, "Audit that survives")."""

import pytest
from rest_framework.test import APIClient

from core.roles import Role
from ethical_walls import audit
from ethical_walls.models import AuditEvent
from tests.core.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_wall_refusal_inside_a_refused_edit_is_kept(journey):
    """Appointing an SRO who has not declared: the wall refuses their place, the edit is refused and rolled back,
    and the wall's refusal stays in the log."""
    undeclared = UserFactory(roles=[Role.SRO], first_name="Una", last_name="Declared")
    api = APIClient()
    api.force_authenticate(journey.commissioner)
    competition = journey.refresh()
    response = api.patch(f"/api/v1/competitions/{competition.pk}/", {"sro": undeclared.pk, "version": competition.version}, format="json")
    assert response.status_code == 400 and "has not declared their interests" in response.json()["errors"]["sro"][0]
    assert journey.refresh().sro_id is None
    refusal = AuditEvent.objects.get(action="refused", competition_id=competition.pk, detail__contains="Una Declared refused a place")
    assert refusal.actor == journey.commissioner


def test_keep_refusals_writes_again_only_what_the_rollback_took(journey):
    from django.db import transaction

    with audit.keep_refusals():
        with pytest.raises(RuntimeError), transaction.atomic():
            audit.refused(actor=journey.commissioner, channel=audit.Channel.SERVICE, object_type="competitions.competition", detail="Rolled back")
            raise RuntimeError
        audit.refused(actor=journey.commissioner, channel=audit.Channel.SERVICE, object_type="competitions.competition", detail="Kept")
    assert AuditEvent.objects.filter(detail="Rolled back").count() == 1
    assert AuditEvent.objects.filter(detail="Kept").count() == 1
