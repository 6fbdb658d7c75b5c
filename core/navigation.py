"""Service navigation: which sections each role sees in the header."""

from dataclasses import dataclass

from core.roles import BID_SIDE_ROLES, STAFF_ROLES, SUPPLIER_ROLES, Role

ALL_ROLES = frozenset(Role)
AGREEMENT_READERS = frozenset({Role.COMMISSIONER, Role.SRO, Role.PROCUREMENT, Role.CONTRACT_MANAGER, Role.OVERSIGHT})
# Agreements do not exist for the bid team, whatever else a member holds (ethical_walls.selectors.sees_commissioning_material).
NOT_THE_BID_TEAM = BID_SIDE_ROLES


@dataclass(frozen=True)
class Section:
    title: str
    url_name: str
    path_prefix: str
    roles: frozenset
    hidden_from: frozenset = frozenset()  # roles that hide the section even from someone holding one of `roles`


SECTIONS = (
    Section("Home", "home", "/", ALL_ROLES),  # and for someone with no role yet (sections_for)
    Section(
        "Commissioning cycles",
        "cycle:index",
        "/cycles/",
        frozenset({Role.COMMISSIONER, Role.SRO, Role.PROCUREMENT, Role.OVERSIGHT}),
    ),
    Section("Competitions", "competitions:index", "/competitions/", ALL_ROLES),
    Section("Opportunities", "competitions:opportunities", "/competitions/opportunities/", frozenset({Role.BID_MANAGER, Role.BID_TEAM})),
    Section("Your agreements", "contracts:provider-index", "/contracts/provider/", frozenset({Role.CONTRACT_LEAD})),
    Section("Your organisation", "suppliers:organisation", "/suppliers/organisation/", SUPPLIER_ROLES),
    Section("Contracts and SLAs", "contracts:index", "/contracts/", AGREEMENT_READERS, NOT_THE_BID_TEAM),
    Section("Reports", "evaluations:index", "/reports/", AGREEMENT_READERS, NOT_THE_BID_TEAM),
    Section("Risks", "governance:portfolio", "/risks/", AGREEMENT_READERS, NOT_THE_BID_TEAM),
    Section("Boards", "boards:index", "/boards/", AGREEMENT_READERS | {Role.GATEWAY_REVIEWER}, NOT_THE_BID_TEAM),
    # Everyone declares interests there; the wall pages themselves check who may see what.
    Section("Ethical walls", "ethical_walls:index", "/walls/", STAFF_ROLES),
    Section("Organisations", "organisations", "/organisations/", ALL_ROLES),
    Section("Supplier accounts", "suppliers:requests", "/suppliers/requests/", frozenset({Role.PROCUREMENT})),
)


def sections_for(role_names) -> list[Section]:
    """The sections a person's roles open; Home (their inbox, and the way to sign out) for everyone signed in."""
    return [section for section in SECTIONS if section.url_name == "home" or (
        section.roles.intersection(role_names) and not section.hidden_from.intersection(role_names))]
