"""Supplier accounts (issue #18): the people of a bidding or providing organisation, acting for it.

A supplier user is a `core.models.User` with an `organisation` and only supplier roles
(`core.roles.SUPPLIER_ROLES`). An organisation's first administrator asks for an account
(`AccountRequest`) and MoJ Procurement approves it; from then on the organisation's
administrators invite colleagues by e-mail (`Invitation`: a signed link that expires) and
remove them. Writes go through `suppliers.services`.
"""

from django.conf import settings
from django.db import models

from core.models import Organisation


class AccountRequest(models.Model):
    """Someone asking to be their organisation's first administrator: an inactive account until MoJ Procurement approves."""

    class Status(models.TextChoices):
        PENDING = "pending", "Awaiting MoJ Procurement"
        APPROVED = "approved", "Approved"
        REFUSED = "refused", "Refused"

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="account_request")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="account_requests")
    job_title = models.CharField(max_length=120, blank=True)
    requested_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True, help_text="Why it was refused (sent to the person who asked).")

    class Meta:
        ordering = ["requested_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="pending") | (models.Q(decided_by__isnull=False) & models.Q(decided_at__isnull=False)),
                name="decided_account_request_has_decider_and_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} for {self.organisation} ({self.get_status_display().lower()})"


class Invitation(models.Model):
    """An administrator's invitation to a colleague: a signed link by e-mail, valid for SUPPLIER_INVITATION_DAYS."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="invitations")
    email = models.EmailField()
    roles = models.JSONField(help_text="The supplier roles the colleague will hold.")
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    accepted_by = models.OneToOneField(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="invitation")
    accepted_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.email} to {self.organisation}"

    @property
    def open(self) -> bool:
        return self.accepted_at is None and self.withdrawn_at is None
