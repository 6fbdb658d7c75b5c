"""Agreements: contracts with non-crown providers, SLAs with crown bodies (SPEC §5).

Award of a competition creates the agreement in `mobilising`; the contracts
issue completes the model (measures, returns, rectification, changes).
"""

from django.db import models
from django_fsm import ConcurrentTransitionMixin, FSMField


class AgreementKind(models.TextChoices):
    CONTRACT = "contract", "Contract"
    SLA = "sla", "Service level agreement"


class AgreementState(models.TextChoices):
    DRAFT = "draft", "Draft"
    MOBILISING = "mobilising", "Mobilising"
    LIVE = "live", "Live"
    UNDER_RECTIFICATION = "under_rectification", "Under rectification"
    TERMINATED = "terminated", "Terminated"
    EXPIRED = "expired", "Expired"
    DECOMMISSIONED = "decommissioned", "Decommissioned"


class Agreement(ConcurrentTransitionMixin, models.Model):
    reference = models.CharField(max_length=40, unique=True)
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=10, choices=AgreementKind.choices)
    provider = models.ForeignKey("core.Organisation", on_delete=models.PROTECT, related_name="agreements")
    competition = models.OneToOneField(
        "competitions.Competition", null=True, blank=True, on_delete=models.PROTECT, related_name="agreement"
    )
    service_area = models.ForeignKey("core.ServiceArea", on_delete=models.PROTECT, related_name="agreements")
    value = models.DecimalField("value (£)", max_digits=14, decimal_places=2)
    state = FSMField(default=AgreementState.DRAFT, choices=AgreementState.choices, protected=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["reference"]

    def __str__(self):
        return f"{self.reference} {self.title}"
