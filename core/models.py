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
