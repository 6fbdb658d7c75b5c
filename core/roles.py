"""The roles of SPEC §1, each a Django group created by a data migration."""

from django.db import models


class Role(models.TextChoices):
    COMMISSIONER = "Commissioner", "Commissioner"
    SRO = "SRO", "Senior Responsible Officer"
    PROCUREMENT = "MoJ Procurement", "MoJ Procurement officer"
    CONTRACT_MANAGER = "Contract manager", "Contract manager"
    GATEWAY_REVIEWER = "Gateway reviewer", "Gateway reviewer"
    BID_TEAM = "HMPS Business Development Group", "HMPS Business Development Group (bid team)"
    OVERSIGHT = "Oversight", "Oversight (Board, auditors)"
