from django.contrib.auth.models import AbstractUser, AnonymousUser
from django.db import models

from core.roles import Role


class Sector(models.TextChoices):
    PUBLIC = "public", "Public"
    PRIVATE = "private", "Private"
    VCSE = "vcse", "Voluntary, community and social enterprise"


class OrganisationType(models.TextChoices):
    PRISON = "prison", "Prison"
    PROBATION_TRUST = "probation_trust", "Probation Trust"
    BUSINESS_UNIT = "business_unit", "Agency business unit"
    COMPANY = "company", "Company"
    CHARITY = "charity", "Charity"
    SOCIAL_ENTERPRISE = "social_enterprise", "Social enterprise"
    GOVERNMENT_DEPARTMENT = "government_department", "Government department"
    HEALTH_BODY = "health_body", "Health body"
    LOCAL_AUTHORITY = "local_authority", "Local authority"
    DEVOLVED_GOVERNMENT = "devolved_government", "Devolved government"
    CONSORTIUM = "consortium", "Consortium"


class Organisation(models.Model):
    """A provider, bidder or co-commissioning partner. Organisations are records, not users."""

    name = models.CharField(max_length=200, unique=True)
    sector = models.CharField(max_length=20, choices=Sector.choices)
    organisation_type = models.CharField("type", max_length=30, choices=OrganisationType.choices)
    # Crown bodies (HMPS and its prisons) hold SLAs, not contracts: SPEC §5.
    is_crown_body = models.BooleanField("crown body", default=False)
    # The consortium, group or prime an organisation belongs to.
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="members"
    )
    region = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            # Only public-sector bodies can be crown bodies.
            models.CheckConstraint(
                condition=models.Q(is_crown_body=False) | models.Q(sector="public"),
                name="crown_body_is_public_sector",
            ),
        ]

    def __str__(self):
        return self.name


class ServiceArea(models.Model):
    """A kind of offender service (PECS, BASS, community payback…).

    Competitions and specifications belong to one; the ethical wall's quarantine
    rule (SPEC §4, rule 3) treats all competitions in one service area as related.
    """

    name = models.CharField(max_length=120, unique=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class User(AbstractUser):
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="staff"
    )

    class Meta:
        ordering = ["username"]

    def __str__(self):
        return self.get_full_name() or self.username

    @property
    def role_names(self) -> frozenset[str]:
        """The user's roles; cached per request by the instance."""
        if not hasattr(self, "_role_names"):
            self._role_names = frozenset(self.groups.values_list("name", flat=True))
        return self._role_names

    def has_role(self, *roles: Role) -> bool:
        return bool(self.role_names.intersection(roles))


# Whoever a request carries, signed in or not (public pages and the OCDS export read as anonymous): what selectors take.
Viewer = User | AnonymousUser


class Sequence(models.Model):
    """A named counter (a year's competition references): `core.sequences.next_value` takes the next under a row lock."""

    name = models.CharField(max_length=40, unique=True)
    last = models.PositiveBigIntegerField(default=0)

    def __str__(self):
        return f"{self.name}: {self.last}"


class NotificationPreference(models.Model):
    """How a person wants to hear of new work (issue #19); without a row, as it happens."""

    class Delivery(models.TextChoices):
        IMMEDIATE = "immediate", "An e-mail for each task, as it comes"
        DAILY = "daily", "One e-mail each morning listing new tasks"
        NONE = "none", "No e-mails: I will check my home page"

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="notification_preference")
    delivery = models.CharField(max_length=10, choices=Delivery.choices, default=Delivery.IMMEDIATE)


class Notification(models.Model):
    """The outbox (core/notifications.py): one row per task per person, written once (the key is unique), delivered by
    a Celery task that checks again, just before sending, that the task is still the person's to see."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to be sent"
        SENT = "sent", "Sent"
        WITHHELD = "withheld", "Not sent: no longer yours when it was due to go"
        OFF = "off", "Not sent: you chose no e-mails"
        FAILED = "failed", "Could not be sent"

    recipient = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    key = models.CharField(max_length=400)
    subject = models.CharField(max_length=300)
    url = models.CharField(max_length=400)
    due = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["recipient", "key"], name="one_notification_per_task")]

    def __str__(self):
        return f"{self.subject} → {self.recipient}"
