"""The roles of SPEC §1 and the supplier roles of issue #18, each a Django group created by a data migration."""

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
    # Supplier users: people of a bidding or providing organisation (core.models.User.organisation), acting for it.
    BID_MANAGER = "Bid manager", "Bid manager"  # acts for the organisation in competitions
    CONTRACT_LEAD = "Contract lead", "Contract lead"  # acts for it on its agreements
    SUPPLIER_ADMINISTRATOR = "Organisation administrator", "Organisation administrator"  # invites and removes colleagues


# The agency's own people (SPEC §1), and the suppliers' (issue #18): a supplier user holds only supplier roles.
SUPPLIER_ROLES = frozenset({Role.BID_MANAGER, Role.CONTRACT_LEAD, Role.SUPPLIER_ADMINISTRATOR})
STAFF_ROLES = frozenset(Role) - SUPPLIER_ROLES


# Roles on the bid side of every wall: holding one bars the commissioning side's material outside any one
# competition (plans, agreements, reports, the whole portfolio), whatever else the person holds (SPEC §4).
# Read by ethical_walls.selectors.sees_commissioning_material and the navigation. Every supplier user is on
# the bid side: suppliers bid for and provide what the agency commissions.
BID_SIDE_ROLES = frozenset({Role.BID_TEAM}) | SUPPLIER_ROLES


def roles_text(roles: Iterable[str]) -> str:
    """"Commissioner or MoJ Procurement officer": who may do something, in words."""
    return " or ".join(Role(r).label for r in roles)
