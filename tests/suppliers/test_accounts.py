"""Supplier accounts (issue #18, "Who"): the first administrator approved by MoJ Procurement, colleagues by invitation."""

import datetime
import re

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from rest_framework.authtoken.models import Token

from core.models import Organisation, User
from core.roles import Role
from ethical_walls.models import AuditEvent
from ethical_walls.selectors import sees_commissioning_material
from suppliers import services
from suppliers.models import AccountRequest, Invitation
from tests.core.factories import UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "lantern-orchard-velvet-42"


@pytest.fixture
def provider():
    return Organisation.objects.create(name="Nacro", sector="vcse", organisation_type="charity")


@pytest.fixture
def procurement():
    return UserFactory(roles=[Role.PROCUREMENT])


def _ask(provider, **overrides):
    fields = dict(first_name="Asha", last_name="Patel", email="Asha.Patel@nacro.org.uk", password=PASSWORD, organisation=provider,
                  job_title="Head of bids")
    return services.account_request(**(fields | overrides))


@pytest.fixture
def administrator(provider, procurement):
    request = _ask(provider)
    services.account_request_decide(request=request, actor=procurement, approve=True)
    return User.objects.get(pk=request.user_id)


def _invite(administrator, email="sam.jones@nacro.org.uk", roles=(Role.CONTRACT_LEAD,)):
    return services.invitation_send(actor=administrator, email=email, roles=roles, accept_url="https://noms.example/suppliers/invitations/")


def _token_from_mail() -> str:
    return re.search(r"/suppliers/invitations/([^/\s]+)/", mail.outbox[-1].body).group(1)


# --- the first administrator -----------------------------------------------------------------------------

def test_asking_makes_an_inactive_account_that_moj_procurement_approves(provider, procurement, django_capture_on_commit_callbacks):
    request = _ask(provider)
    user = request.user
    assert not user.is_active and user.username == "asha.patel@nacro.org.uk" and user.organisation == provider
    assert user.has_role(Role.SUPPLIER_ADMINISTRATOR, Role.BID_MANAGER, Role.CONTRACT_LEAD)
    with django_capture_on_commit_callbacks(execute=True):
        services.account_request_decide(request=request, actor=procurement, approve=True)
    user.refresh_from_db()
    assert user.is_active and AccountRequest.objects.get().status == "approved"
    assert mail.outbox[-1].to == ["asha.patel@nacro.org.uk"] and "approved" in mail.outbox[-1].body
    assert AuditEvent.objects.filter(action="grant", subject=user, actor=procurement).exists()


def test_a_refusal_needs_a_reason_which_the_person_is_told(provider, procurement, django_capture_on_commit_callbacks):
    request = _ask(provider)
    with pytest.raises(ValidationError) as refused:
        services.account_request_decide(request=request, actor=procurement, approve=False)
    assert "reason" in refused.value.message_dict
    with django_capture_on_commit_callbacks(execute=True):
        services.account_request_decide(request=request, actor=procurement, approve=False, reason="Not on Nacro's list of signatories.")
    assert not User.objects.get(pk=request.user_id).is_active
    assert "Not on Nacro's list of signatories." in mail.outbox[-1].body


@pytest.mark.parametrize("role", [Role.COMMISSIONER, Role.CONTRACT_MANAGER, Role.BID_TEAM, Role.SUPPLIER_ADMINISTRATOR])
def test_only_moj_procurement_decides(provider, role):
    request = _ask(provider)
    with pytest.raises(PermissionDenied):
        services.account_request_decide(request=request, actor=UserFactory(roles=[role]), approve=True)
    assert AccountRequest.objects.get().status == "pending"


def test_an_organisation_with_an_administrator_or_a_request_takes_no_second_request(provider, administrator):
    with pytest.raises(ValidationError) as refused:
        _ask(provider, email="someone.else@nacro.org.uk")
    assert "ask them to invite you" in refused.value.message_dict["organisation"][0]
    assert User.objects.filter(organisation=provider).count() == 1


def test_a_new_organisation_is_named_with_its_sector_and_kind_and_public_bodies_are_not_self_registered(procurement):
    request = _ask(None, new_organisation_name="Bounce Back Foundation", sector="vcse", organisation_type="charity")
    assert request.organisation.name == "Bounce Back Foundation" and not request.organisation.is_crown_body
    with pytest.raises(ValidationError) as refused:
        _ask(None, email="x@y.gov.uk", new_organisation_name="A Prison", sector="public", organisation_type="business_unit")
    assert "sector" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        _ask(None, email="z@y.org.uk", new_organisation_name="bounce back foundation", sector="vcse", organisation_type="charity")
    assert "new_organisation_name" in refused.value.message_dict


@pytest.mark.parametrize("password, problem", [("short", "too short"), ("password12345", "too common"), ("483920175639", "entirely numeric")])
def test_the_password_policy_applies_and_nothing_is_stored(provider, password, problem):
    with pytest.raises(ValidationError) as weak:
        _ask(provider, password=password)
    assert any(problem in message for message in weak.value.message_dict["password"])
    assert not User.objects.filter(organisation=provider).exists() and not AccountRequest.objects.exists()


# --- colleagues ------------------------------------------------------------------------------------------------

def test_an_administrator_invites_a_colleague_who_sets_a_password_and_acts_in_the_roles_chosen(administrator, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = _invite(administrator, roles=[Role.CONTRACT_LEAD, Role.BID_MANAGER])
    assert mail.outbox[-1].to == ["sam.jones@nacro.org.uk"] and "7 days" in mail.outbox[-1].body
    colleague = services.invitation_accept(token=_token_from_mail(), first_name="Sam", last_name="Jones", password=PASSWORD)
    assert colleague.is_active and colleague.organisation == administrator.organisation
    assert colleague.has_role(Role.CONTRACT_LEAD) and colleague.has_role(Role.BID_MANAGER) and not colleague.has_role(Role.SUPPLIER_ADMINISTRATOR)
    invitation.refresh_from_db()
    assert invitation.accepted_by == colleague and not invitation.open
    with pytest.raises(ValidationError, match="used already"):
        services.invitation_accept(token=_token_from_mail(), first_name="Sam", last_name="Jones", password=PASSWORD)


def test_an_invitation_expires_and_a_forged_one_is_refused(administrator, django_capture_on_commit_callbacks, settings):
    with django_capture_on_commit_callbacks(execute=True):
        _invite(administrator)
    token = _token_from_mail()
    with time_machine.travel(timezone.now() + datetime.timedelta(days=settings.SUPPLIER_INVITATION_DAYS, minutes=1)):
        with pytest.raises(ValidationError, match="expired"):
            services.invitation_accept(token=token, first_name="Sam", last_name="Jones", password=PASSWORD)
    with pytest.raises(ValidationError, match="not genuine"):
        services.invitation_accept(token=token[:-2] + "xx", first_name="Sam", last_name="Jones", password=PASSWORD)
    assert not User.objects.filter(username="sam.jones@nacro.org.uk").exists()


def test_a_withdrawn_invitation_cannot_be_used(administrator, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = _invite(administrator)
    services.invitation_withdraw(invitation=invitation, actor=administrator)
    with pytest.raises(ValidationError, match="withdrawn"):
        services.invitation_accept(token=_token_from_mail(), first_name="Sam", last_name="Jones", password=PASSWORD)


def test_only_an_administrator_invites_and_only_supplier_roles(administrator, provider):
    contract_lead = UserFactory(roles=[Role.CONTRACT_LEAD], organisation=provider)
    with pytest.raises(PermissionDenied):
        _invite(contract_lead)
    with pytest.raises(PermissionDenied):
        _invite(UserFactory(roles=[Role.PROCUREMENT]))
    with pytest.raises(ValidationError) as refused:
        _invite(administrator, roles=[Role.COMMISSIONER])
    assert "roles" in refused.value.message_dict
    assert not Invitation.objects.exists()


def test_a_removed_colleague_can_no_longer_sign_in_nor_use_a_token(administrator, provider, client):
    colleague = UserFactory(roles=[Role.BID_MANAGER], organisation=provider)
    token = Token.objects.create(user=colleague)
    client.force_login(colleague)
    services.colleague_remove(user=colleague, actor=administrator)
    colleague.refresh_from_db()
    assert not colleague.is_active and not colleague.has_role(Role.BID_MANAGER) and not Token.objects.filter(pk=token.pk).exists()
    assert client.get("/suppliers/organisation/").status_code == 302  # the old session is no longer signed in
    assert AuditEvent.objects.filter(action="revoke", subject=colleague, actor=administrator).exists()


def test_the_last_administrator_stays_and_another_organisations_people_are_not_yours(administrator, provider):
    with pytest.raises(ValidationError, match="last administrator"):
        services.colleague_remove(user=administrator, actor=administrator)
    other = UserFactory(roles=[Role.BID_MANAGER], organisation=Organisation.objects.create(name="Serco", sector="private", organisation_type="company"))
    with pytest.raises(PermissionDenied):
        services.colleague_remove(user=other, actor=administrator)
    assert User.objects.get(pk=other.pk).is_active


def test_a_supplier_user_is_on_the_bid_side_of_every_wall(administrator):
    """Suppliers bid for and provide what the agency commissions: none of its commissioning material is theirs."""
    assert not sees_commissioning_material(administrator)
    assert not sees_commissioning_material(UserFactory(roles=[Role.CONTRACT_LEAD, Role.CONTRACT_MANAGER]), Role.CONTRACT_MANAGER)


# --- the pages ------------------------------------------------------------------------------------------------

def test_asking_for_an_account_through_the_page_names_the_field_at_fault(client, provider):
    page = client.get("/suppliers/register/")
    assert page.status_code == 200 and "Ask for an account" in page.content.decode()
    form = {"organisation": provider.pk, "first_name": "Asha", "last_name": "Patel", "email": "asha@nacro.org.uk",
            "password": "short", "password_again": "short"}
    refused = client.post("/suppliers/register/", form)
    assert refused.status_code == 200 and "too short" in refused.content.decode() and not AccountRequest.objects.exists()
    done = client.post("/suppliers/register/", form | {"password": PASSWORD, "password_again": PASSWORD})
    assert "Account requested" in done.content.decode() and AccountRequest.objects.get().organisation == provider


def test_procurement_decides_on_its_page_and_the_administrator_invites_on_theirs(client, provider, procurement, django_capture_on_commit_callbacks):
    request = _ask(provider)
    client.force_login(procurement)
    assert provider.name in client.get("/suppliers/requests/").content.decode()
    client.post(f"/suppliers/requests/{request.pk}/", {"approve": "yes"})
    administrator = User.objects.get(pk=request.user_id)
    assert administrator.is_active
    client.force_login(administrator)
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post("/suppliers/organisation/invite/", {"email": "sam.jones@nacro.org.uk", "roles": [Role.CONTRACT_LEAD]})
    assert sent.status_code == 302 and "sam.jones@nacro.org.uk" in client.get("/suppliers/organisation/").content.decode()
    assert "http://testserver/suppliers/invitations/" in mail.outbox[-1].body
    client.logout()
    token = _token_from_mail()
    assert "Join Nacro" in client.get(f"/suppliers/invitations/{token}/").content.decode()
    joined = client.post(f"/suppliers/invitations/{token}/", {"first_name": "Sam", "last_name": "Jones", "password": PASSWORD,
                                                              "password_again": PASSWORD})
    assert joined.status_code == 302 and User.objects.get(username="sam.jones@nacro.org.uk").is_active
    used = client.get(f"/suppliers/invitations/{token}/")
    assert used.status_code == 400 and "used already" in used.content.decode()


@pytest.mark.parametrize("path", ["/suppliers/requests/", "/suppliers/organisation/", "/suppliers/organisation/invite/"])
def test_people_who_are_not_its_own_get_the_walls_404_and_a_logged_refusal(client, path, provider):
    staff = UserFactory(roles=[Role.COMMISSIONER])
    supplier = UserFactory(roles=[Role.BID_MANAGER], organisation=provider)
    for user in (staff, supplier):
        if path == "/suppliers/organisation/" and user is supplier:
            continue  # a supplier's own organisation page is theirs
        client.force_login(user)
        assert client.get(path).status_code == 404
        assert AuditEvent.objects.filter(action="refused", actor=user, path=path).exists()


def test_another_organisations_person_or_invitation_is_not_found(client, administrator):
    other_org = Organisation.objects.create(name="Serco", sector="private", organisation_type="company")
    stranger = UserFactory(roles=[Role.BID_MANAGER], organisation=other_org)
    client.force_login(administrator)
    assert client.post(f"/suppliers/organisation/people/{stranger.pk}/remove/").status_code == 404
    assert User.objects.get(pk=stranger.pk).is_active


def test_a_supplier_user_neither_declares_interests_nor_joins_either_side_of_a_wall(administrator):
    from ethical_walls import services as wall
    from ethical_walls.models import ConflictDeclaration
    from tests.competitions.journey import Journey

    journey = Journey()
    with pytest.raises(PermissionDenied, match="bid side of every wall"):
        wall.conflict_declare(competition=journey.refresh(), actor=administrator, nature="nil")
    with pytest.raises(ValidationError):
        wall.wall_join(competition=journey.refresh(), user=administrator, side="commissioning", role="evaluator", actor=journey.commissioner)
    assert not ConflictDeclaration.objects.filter(user=administrator).exists()
