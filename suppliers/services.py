"""Every write to supplier accounts (issue #18): asking for an account, approving it, inviting and removing colleagues.

Each is audited in the wall's log (an account is access: who was let in, by whom). An invitation
is a signed, expiring link (`django.core.signing`, salted for invitations): whoever holds it may
set a password and join the organisation with the roles the administrator chose, once, before it
expires. A removed colleague's account is closed: they can no longer sign in, their sessions end
(Django refuses an inactive user's session) and their API token is deleted.
"""

from collections.abc import Collection
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from rest_framework.authtoken.models import Token

from core.models import Organisation, OrganisationType, Sector, User
from core.roles import SUPPLIER_ROLES, Role, roles_text
from ethical_walls import audit, tokens
from ethical_walls.selectors import sees_commissioning_material
from suppliers import selectors
from suppliers.models import AccountRequest, Invitation

INVITATION_SALT = "suppliers.invitation"
FIRST_ADMINISTRATOR_ROLES = (Role.SUPPLIER_ADMINISTRATOR, Role.BID_MANAGER, Role.CONTRACT_LEAD)


def _normalised_email(email: str) -> str:
    return (email or "").strip().lower()


def _check_new_person(*, email: str, password: str, first_name: str, last_name: str) -> str:
    """The e-mail (their username) is free, the names given, the password meets the policy: else field errors."""
    email = _normalised_email(email)
    errors: dict[str, Any] = {}
    if not email:
        errors["email"] = "Enter your e-mail address."
    elif User.objects.filter(username=email).exists():
        errors["email"] = "There is already an account for this e-mail address: sign in, or ask your administrator."
    if not first_name.strip():
        errors["first_name"] = "Enter your first name."
    if not last_name.strip():
        errors["last_name"] = "Enter your last name."
    try:
        validate_password(password, User(username=email, email=email, first_name=first_name, last_name=last_name))
    except ValidationError as weak:
        errors["password"] = weak.messages
    if errors:
        raise ValidationError(errors)
    return email


def _new_user(*, email: str, password: str, first_name: str, last_name: str, organisation: Organisation,
              roles: Collection[str], active: bool) -> User:
    user = User(username=email, email=email, first_name=first_name.strip(), last_name=last_name.strip(),
                organisation=organisation, is_active=active)
    user.set_password(password)
    user.save()
    user.groups.add(*Group.objects.filter(name__in=roles))
    return user


def _require_procurement(actor: User) -> None:
    if not (actor.has_role(Role.PROCUREMENT) and sees_commissioning_material(actor)):
        raise PermissionDenied("Only MoJ Procurement officers can approve supplier accounts.")


def _require_administrator(actor: User, organisation: Organisation) -> None:
    if not (actor.has_role(Role.SUPPLIER_ADMINISTRATOR) and actor.organisation_id == organisation.pk and actor.is_active):
        raise PermissionDenied("Only an administrator of the organisation can do this.")


def _require_colleagues_administrator(actor: User, colleague: User, doing: str) -> Organisation:
    """The actor administers the organisation the colleague belongs to; returns it."""
    organisation = actor.organisation
    if organisation is None or colleague.organisation_id != organisation.pk:
        raise PermissionDenied(f"Only an administrator of the organisation can {doing}.")
    _require_administrator(actor, organisation)
    return organisation


# --- the first administrator ------------------------------------------------------------------------------

@transaction.atomic
def account_request(*, first_name: str, last_name: str, email: str, password: str, organisation: Organisation | None = None,
                    new_organisation_name: str = "", sector: str = "", organisation_type: str = "",
                    job_title: str = "") -> AccountRequest:
    """Ask to be an organisation's first administrator: an inactive account until MoJ Procurement approves it.

    The organisation is one already known (a provider or bidder on record) or a new one named here.
    An organisation that has an administrator already adds its people by invitation instead.
    """
    email = _check_new_person(email=email, password=password, first_name=first_name, last_name=last_name)
    if organisation is None:
        name = new_organisation_name.strip()
        if not name:
            raise ValidationError({"organisation": "Choose your organisation, or give its name if it is not listed."})
        if Organisation.objects.filter(name__iexact=name).exists():
            raise ValidationError({"new_organisation_name": "That organisation is already listed: choose it from the list."})
        if sector not in Sector.values or sector == Sector.PUBLIC:
            raise ValidationError({"sector": "Choose the sector your organisation is in (public bodies are set up by MoJ Procurement)."})
        if organisation_type not in OrganisationType.values:
            raise ValidationError({"organisation_type": "Choose what kind of organisation it is."})
        organisation = Organisation.objects.create(name=name, sector=sector, organisation_type=organisation_type)
    else:
        organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    if organisation.is_crown_body:
        raise ValidationError({"organisation": "Crown bodies' accounts are set up by MoJ Procurement."})
    if selectors.has_administrator(organisation):
        raise ValidationError({"organisation": f"{organisation} already has an administrator: ask them to invite you."})
    user = _new_user(email=email, password=password, first_name=first_name, last_name=last_name, organisation=organisation,
                     roles=FIRST_ADMINISTRATOR_ROLES, active=False)
    request = AccountRequest.objects.create(user=user, organisation=organisation, job_title=job_title.strip())
    audit.record(action=audit.Action.REQUEST, channel=audit.Channel.SERVICE, actor=None, obj=request, subject=user,
                 detail=f"Asked to be the first administrator of {organisation}")
    return request


@transaction.atomic
def account_request_decide(*, request: AccountRequest, actor: User, approve: bool, reason: str = "") -> AccountRequest:
    """MoJ Procurement approves (the account opens) or refuses (with a reason, sent to the person) a first administrator."""
    _require_procurement(actor)
    request = AccountRequest.objects.select_for_update().select_related("user", "organisation").get(pk=request.pk)
    if request.status != AccountRequest.Status.PENDING:
        raise ValidationError(f"This request was {request.get_status_display().lower()} already.")
    if not approve and not reason.strip():
        raise ValidationError({"reason": "Say why the account is refused: the person who asked is told."})
    if approve and selectors.administrators(request.organisation).exists():
        raise ValidationError({"approve": f"{request.organisation} has an administrator already: refuse this request."})
    request.status = AccountRequest.Status.APPROVED if approve else AccountRequest.Status.REFUSED
    request.decided_by, request.decided_at, request.reason = actor, timezone.now(), reason.strip()
    request.save(update_fields=["status", "decided_by", "decided_at", "reason"])
    user = request.user
    if approve:
        user.is_active = True
        user.save(update_fields=["is_active"])
    audit.record(action=audit.Action.GRANT if approve else audit.Action.REVOKE, channel=audit.Channel.SERVICE, actor=actor,
                 obj=request, subject=user,
                 detail=f"{'Approved' if approve else 'Refused'} as first administrator of {request.organisation}")
    outcome = ("Your account is approved: you can now sign in and invite your colleagues." if approve
               else f"Your request for an account was refused: {request.reason}")
    transaction.on_commit(lambda: send_mail(
        subject=f"Your NOMS Commissioning account for {request.organisation}", message=outcome,
        from_email=None, recipient_list=[user.email],
    ))
    return request


# --- colleagues -----------------------------------------------------------------------------------------------

def invitation_token(invitation: Invitation) -> str:
    return signing.dumps(invitation.pk, salt=INVITATION_SALT)


def invitation_from_token(token: str) -> Invitation:
    """The open invitation a link carries; a ValidationError saying why not (expired, not genuine, used, withdrawn)."""
    try:
        pk = signing.loads(token, salt=INVITATION_SALT, max_age=timedelta(days=settings.SUPPLIER_INVITATION_DAYS))
    except signing.SignatureExpired:
        raise ValidationError("This invitation has expired: ask your organisation's administrator to send a new one.") from None
    except signing.BadSignature:
        raise ValidationError("This invitation link is not genuine: use the link in the e-mail, or ask for a new one.") from None
    invitation = Invitation.objects.select_related("organisation").filter(pk=pk).first()
    if invitation is None or invitation.withdrawn_at is not None:
        raise ValidationError("This invitation was withdrawn: ask your organisation's administrator.")
    if invitation.accepted_at is not None:
        raise ValidationError("This invitation has been used already: sign in with the account it made.")
    return invitation


@transaction.atomic
def invitation_send(*, actor: User, email: str, roles: Collection[str], accept_url: str) -> Invitation:
    """An administrator invites a colleague to their organisation by e-mail; `accept_url` + the token is the link."""
    organisation = actor.organisation
    if organisation is None:
        raise PermissionDenied("Only an administrator of an organisation can invite colleagues.")
    _require_administrator(actor, organisation)
    email = _normalised_email(email)
    if not email:
        raise ValidationError({"email": "Enter your colleague's e-mail address."})
    if User.objects.filter(username=email).exists():
        raise ValidationError({"email": "There is already an account for this e-mail address."})
    chosen = set(roles)
    if not chosen or not chosen <= SUPPLIER_ROLES:
        raise ValidationError({"roles": "Choose at least one role: bid manager, contract lead or organisation administrator."})
    Invitation.objects.filter(organisation=organisation, email=email, accepted_at=None, withdrawn_at=None).update(withdrawn_at=timezone.now())
    invitation = Invitation.objects.create(organisation=organisation, email=email, roles=sorted(chosen), invited_by=actor)
    audit.record(action=audit.Action.REQUEST, channel=audit.Channel.SERVICE, actor=actor, obj=invitation,
                 detail=f"Invited {email} to {organisation} as {roles_text(sorted(chosen))}")
    link = f"{accept_url}{invitation_token(invitation)}/"
    days = settings.SUPPLIER_INVITATION_DAYS
    transaction.on_commit(lambda: send_mail(
        subject=f"{actor.get_full_name()} invites you to act for {organisation} in NOMS Commissioning",
        message=f"Set your password and join {organisation} as {roles_text(sorted(chosen))}: {link}\n"
                f"The link works once, for {days} days.",
        from_email=None, recipient_list=[email],
    ))
    return invitation


@transaction.atomic
def invitation_withdraw(*, invitation: Invitation, actor: User) -> Invitation:
    _require_administrator(actor, invitation.organisation)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.open:
        raise ValidationError("This invitation is no longer open.")
    invitation.withdrawn_at = timezone.now()
    invitation.save(update_fields=["withdrawn_at"])
    audit.record(action=audit.Action.REVOKE, channel=audit.Channel.SERVICE, actor=actor, obj=invitation,
                 detail=f"Invitation of {invitation.email} withdrawn")
    return invitation


@transaction.atomic
def invitation_accept(*, token: str, first_name: str, last_name: str, password: str) -> User:
    """The invitee sets their name and a password meeting the policy: an account in the organisation, with the roles chosen."""
    invitation = invitation_from_token(token)
    invitation = Invitation.objects.select_for_update().select_related("organisation").get(pk=invitation.pk)
    if not invitation.open:
        raise ValidationError("This invitation has been used already: sign in with the account it made.")
    email = _check_new_person(email=invitation.email, password=password, first_name=first_name, last_name=last_name)
    user = _new_user(email=email, password=password, first_name=first_name, last_name=last_name,
                     organisation=invitation.organisation, roles=invitation.roles, active=True)
    invitation.accepted_by, invitation.accepted_at = user, timezone.now()
    invitation.save(update_fields=["accepted_by", "accepted_at"])
    audit.record(action=audit.Action.GRANT, channel=audit.Channel.SERVICE, actor=user, obj=invitation, subject=user,
                 detail=f"Joined {invitation.organisation} as {roles_text(invitation.roles)}")
    return user


@transaction.atomic
def colleague_remove(*, user: User, actor: User) -> User:
    """An administrator closes a colleague's account: no sign-in, no session, no API token; the last administrator stays."""
    organisation = _require_colleagues_administrator(actor, user, "remove its people")
    user = User.objects.select_for_update().get(pk=user.pk)
    if not user.is_active:
        raise ValidationError("This account is closed already.")
    others = selectors.administrators(organisation).exclude(pk=user.pk)
    if user.has_role(Role.SUPPLIER_ADMINISTRATOR) and not others.exists():
        raise ValidationError("The organisation's last administrator cannot be removed: make a colleague an administrator first.")
    user.is_active = False
    user.save(update_fields=["is_active"])
    user.groups.remove(*Group.objects.filter(name__in=SUPPLIER_ROLES))
    Token.objects.filter(user=user).delete()
    audit.record(action=audit.Action.REVOKE, channel=audit.Channel.SERVICE, actor=actor, obj=user, subject=user,
                 detail=f"Removed from {organisation}")
    return user


@transaction.atomic
def colleague_token_issue(*, user: User, actor: User) -> str:
    """An administrator issues an API token for a colleague (or a system account) of the organisation (issue #18).

    The token acts as that person, scoped as they are: a contract lead's reaches the organisation's own
    agreements, returns and notices. Issuing replaces any earlier token; the key is shown once.
    """
    _require_colleagues_administrator(actor, user, "issue its people's API tokens")
    if not user.is_active:
        raise ValidationError("This account is closed: a closed account gets no API token.")
    key: str = tokens.token_issue(user=user, actor=actor).key
    return key


@transaction.atomic
def colleague_token_revoke(*, user: User, actor: User) -> bool:
    _require_colleagues_administrator(actor, user, "revoke its people's API tokens")
    return tokens.token_revoke(user=user, actor=actor)
