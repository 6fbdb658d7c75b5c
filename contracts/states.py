"""An agreement's states (SPEC §5): outside models.py so guards and the machine can read them."""

from django.db import models


class AgreementState(models.TextChoices):
    DRAFT = "draft", "Draft"
    MOBILISING = "mobilising", "Mobilising"
    LIVE = "live", "Live"
    UNDER_RECTIFICATION = "under_rectification", "Under rectification"
    TERMINATED = "terminated", "Terminated"
    EXPIRED = "expired", "Expired"
    DECOMMISSIONED = "decommissioned", "Decommissioned"


RUNNING = [AgreementState.LIVE, AgreementState.UNDER_RECTIFICATION]
# An agreement that has ended: nothing more happens to it.
ENDED = (AgreementState.TERMINATED, AgreementState.EXPIRED, AgreementState.DECOMMISSIONED)
