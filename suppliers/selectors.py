"""Reads of supplier accounts (issue #18)."""

from django.db.models import QuerySet

from core.models import Organisation, User
from core.roles import Role
from suppliers.models import AccountRequest, Invitation


def administrators(organisation: Organisation) -> QuerySet[User]:
    """The organisation's active administrators."""
    return User.objects.filter(organisation=organisation, is_active=True, groups__name=Role.SUPPLIER_ADMINISTRATOR).distinct()


def has_administrator(organisation: Organisation) -> bool:
    """An active administrator, or a first administrator's request awaiting MoJ Procurement."""
    return administrators(organisation).exists() or AccountRequest.objects.filter(
        organisation=organisation, status=AccountRequest.Status.PENDING,
    ).exists()


def colleagues(organisation: Organisation) -> QuerySet[User]:
    """The organisation's people with an open account, with their roles."""
    return User.objects.filter(organisation=organisation, is_active=True).prefetch_related("groups").order_by("last_name", "first_name", "pk")


def open_invitations(organisation: Organisation) -> QuerySet[Invitation]:
    return Invitation.objects.filter(organisation=organisation, accepted_at=None, withdrawn_at=None).select_related("invited_by")


def pending_account_requests() -> QuerySet[AccountRequest]:
    return AccountRequest.objects.filter(status=AccountRequest.Status.PENDING).select_related("user", "organisation")


def decided_account_requests() -> QuerySet[AccountRequest]:
    return AccountRequest.objects.exclude(status=AccountRequest.Status.PENDING).select_related("user", "organisation", "decided_by")


def organisation_options() -> QuerySet[Organisation]:
    """Organisations a supplier may ask an account for: any but crown bodies (theirs are set up by MoJ Procurement)."""
    return Organisation.objects.filter(is_crown_body=False).order_by("name")
