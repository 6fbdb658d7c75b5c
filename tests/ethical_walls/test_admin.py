"""The wall in the admin: read-only for oversight, and no way round it for superusers (SPEC §4 rule 7)."""

import pytest
from django.contrib import admin

from core.roles import Role
from ethical_walls import models
from ethical_walls.models import AuditEvent, ConflictDeclaration, Membership
from tests.core.factories import UserFactory
from tests.ethical_walls.conftest import declare

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser(db):
    return UserFactory(is_staff=True, is_superuser=True)


@pytest.fixture
def oversight_staff(db):
    return UserFactory(roles=[Role.OVERSIGHT], is_staff=True)


def event_url(event, view="change"):
    return f"/admin/ethical_walls/auditevent/{event.pk}/" + (f"{view}/" if view else "")


def test_a_superuser_cannot_see_add_change_or_delete_audit_events(client, journey, superuser):
    event = AuditEvent.objects.filter(action="grant").first()
    before = (AuditEvent.objects.count(), event.detail, event.action)
    client.force_login(superuser)
    assert client.get(event_url(event)).status_code in (403, 404)
    assert client.post(event_url(event), {"action": "revoke", "detail": "rewritten"}).status_code in (403, 404)
    assert client.post(event_url(event, "delete"), {"post": "yes"}).status_code in (403, 404)
    assert client.get("/admin/ethical_walls/auditevent/").status_code in (403, 404)
    assert client.get("/admin/ethical_walls/auditevent/add/").status_code in (403, 404)
    assert client.post("/admin/ethical_walls/auditevent/", {"action": "delete_selected", "_selected_action": [event.pk], "post": "yes"}).status_code in (403, 404)
    assert "ethical_walls/auditevent" not in client.get("/admin/").content.decode()
    event = AuditEvent.objects.get(pk=event.pk)
    refusals = AuditEvent.objects.filter(action="refused", channel="admin", actor=superuser).count()
    assert (AuditEvent.objects.count() - refusals, event.detail, event.action) == before
    assert refusals >= 4  # each refused attempt is itself logged


def test_oversight_views_the_audit_log_in_the_admin_and_changes_nothing(client, journey, oversight_staff):
    event = AuditEvent.objects.filter(action="grant").first()
    count = AuditEvent.objects.count()
    client.force_login(oversight_staff)
    listing = client.get("/admin/ethical_walls/auditevent/")
    assert listing.status_code == 200
    html = listing.content.decode()
    assert "Access granted" in html and "delete_selected" not in html and "Add audit event" not in html
    page = client.get(event_url(event))
    assert page.status_code == 200
    html = page.content.decode()
    assert event.detail in html and 'name="_save"' not in html and "/delete/" not in html
    assert client.post(event_url(event), {"action": "revoke", "detail": "rewritten"}).status_code == 403
    assert client.get("/admin/ethical_walls/auditevent/add/").status_code == 403
    assert client.post(event_url(event, "delete"), {"post": "yes"}).status_code in (403, 404)
    assert AuditEvent.objects.get(pk=event.pk).detail == event.detail
    assert AuditEvent.objects.exclude(action="refused").count() == count


def test_declarations_and_memberships_are_view_only_and_read_through_the_wall(client, with_sro, superuser):
    person = UserFactory(roles=[Role.COMMISSIONER], first_name="Connie", last_name="Flict")
    declaration = declare(with_sro, person, "conflict", "Shares in Serco.")
    member = Membership.objects.filter(left_at=None).first()
    # A superuser with no role on the register sees neither.
    client.force_login(superuser)
    assert client.get(f"/admin/ethical_walls/conflictdeclaration/{declaration.pk}/change/").status_code in (403, 404)
    assert client.get(f"/admin/ethical_walls/membership/{member.pk}/change/").status_code in (403, 404)
    # The SRO (staff) reads their competition's register, and changes nothing.
    sro = with_sro.sro
    sro.is_staff = True
    sro.save()
    client.force_login(sro)
    assert "Connie Flict" in client.get("/admin/ethical_walls/conflictdeclaration/").content.decode()
    assert client.post(
        f"/admin/ethical_walls/conflictdeclaration/{declaration.pk}/change/", {"assessment": "mitigated"},
    ).status_code == 403
    assert ConflictDeclaration.objects.get(pk=declaration.pk).assessment == "pending"
    assert client.get(f"/admin/ethical_walls/membership/{member.pk}/change/").status_code in (403, 404)
    # Oversight reads the memberships.
    client.force_login(UserFactory(roles=[Role.OVERSIGHT], is_staff=True))
    assert client.get(f"/admin/ethical_walls/membership/{member.pk}/change/").status_code == 200
    assert client.get("/admin/ethical_walls/membership/add/").status_code == 403


def test_guardian_permission_models_are_not_in_the_admin():
    registered = set(admin.site._registry)
    permission_models = {
        model for name, model in vars(models).items()
        if name.endswith(("UserObjectPermission", "GroupObjectPermission")) and getattr(model, "_meta", None) and not model._meta.abstract
    }
    assert permission_models and not permission_models & registered
