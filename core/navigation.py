"""Service navigation: which sections each role sees in the header."""

from dataclasses import dataclass

from core.roles import Role

ALL_ROLES = frozenset(Role)


@dataclass(frozen=True)
class Section:
    title: str
    url_name: str
    path_prefix: str
    roles: frozenset


SECTIONS = (
    Section("Home", "home", "/", ALL_ROLES),
    Section(
        "Commissioning cycles",
        "cycle:index",
        "/cycles/",
        frozenset({Role.COMMISSIONER, Role.SRO, Role.PROCUREMENT, Role.OVERSIGHT}),
    ),
    Section("Competitions", "competitions:index", "/competitions/", ALL_ROLES),
    Section(
        "Contracts and SLAs",
        "contracts:index",
        "/contracts/",
        frozenset({Role.COMMISSIONER, Role.SRO, Role.PROCUREMENT, Role.CONTRACT_MANAGER, Role.OVERSIGHT}),
    ),
    # Everyone declares interests there; the wall pages themselves check who may see what.
    Section("Ethical walls", "ethical_walls:index", "/walls/", ALL_ROLES),
    Section("Organisations", "organisations", "/organisations/", ALL_ROLES),
)


def sections_for(role_names) -> list[Section]:
    return [section for section in SECTIONS if section.roles.intersection(role_names)]
