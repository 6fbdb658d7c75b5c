"""The roles of SPEC §1, each a Django group created by a data migration."""

from collections.abc import Iterable

from django.db import models


class Role(models.TextChoices):
    COMMISSIONER = "Commissioner", "Commissioner"
    SRO = "SRO", "Senior Responsible Officer"
    PROCUREMENT = "MoJ Procurement", "MoJ Procurement officer"
    CONTRACT_MANAGER = "Contract manager", "Contract manager"
    GATEWAY_REVIEWER = "Gateway reviewer", "Gateway reviewer"
    BID_TEAM = "HMPS Business Development Group", "HMPS Business Development Group (bid team)"
    OVERSIGHT = "Oversight", "Oversight (Board, auditors)"


# Roles on the bid side of every wall: holding one bars the commissioning side's material outside any one
# competition (plans, agreements, reports, the whole portfolio), whatever else the person holds (SPEC §4).
# Read by ethical_walls.selectors.sees_commissioning_material and the navigation.
BID_SIDE_ROLES = frozenset({Role.BID_TEAM})


def roles_text(roles: Iterable[str]) -> str:
    """"Commissioner or MoJ Procurement officer": who may do something, in words."""
    return " or ".join(Role(r).label for r in roles)
