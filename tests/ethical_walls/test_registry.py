"""The wall's registry of protected records (issue #17): what it holds, and the system check that keeps it honest."""

import pytest
from django.core import checks

from ethical_walls import registry
from ethical_walls.checks import permission_tables, protected_records_have_permission_tables


def test_every_record_with_permission_tables_is_registered_and_the_check_passes():
    assert {p.label for p in registry.protected()} == set(permission_tables())
    assert protected_records_have_permission_tables() == []
    assert not [m for m in checks.run_checks(tags=[checks.Tags.security]) if m.id.startswith("ethical_walls.")]


def test_a_bid_team_is_registered_to_see_its_own_bid_its_documents_and_its_debrief_letter_only():
    # SPEC §4 rule 1: never its scores, the criteria drafts or anything of the commissioning side.
    assert {p.label: p.own_bid_path for p in registry.protected() if p.own_bid_path} == {
        "competitions.bid": "pk", "competitions.biddocument": "bid_id", "competitions.debriefletter": "bid_id",
    }


@pytest.fixture
def registered_without_tables():
    registry.register_protected("core.servicearea", competition_path="competitions__id")
    yield
    registry._protected.pop("core.servicearea")
    registry._competition_paths.pop("core.servicearea")


def test_a_protected_record_without_permission_tables_fails_the_check(registered_without_tables):
    errors = protected_records_have_permission_tables()
    assert [(e.id, e.msg.split(" ")[0]) for e in errors] == [("ethical_walls.E001", "core.servicearea")]


def test_permission_tables_for_an_unregistered_record_fail_the_check():
    tiebreak = registry._protected.pop("competitions.tiebreak")
    try:
        errors = protected_records_have_permission_tables()
    finally:
        registry._protected["competitions.tiebreak"] = tiebreak
    assert [(e.id, e.msg.split(" ")[0]) for e in errors] == [("ethical_walls.E002", "competitions.tiebreak")]


def test_the_wall_finds_each_records_competition_and_bid_by_its_registered_path():
    from types import SimpleNamespace

    assert registry.own_bid_id(SimpleNamespace(_meta=SimpleNamespace(label_lower="competitions.biddocument"), bid_id=7)) == 7
    assert registry.competition_path("competitions.moderatedscore") == "bid__competition_id"
    assert registry.subject_model()._meta.label_lower == "competitions.competition"


@pytest.mark.django_db
@pytest.mark.parametrize("roles, asked, expected", [
    (["Commissioner"], (), True),
    (["Commissioner"], ("Contract manager",), False),
    (["Commissioner", "HMPS Business Development Group"], (), False),  # the bid side bars it, whatever else is held
    (["Oversight", "HMPS Business Development Group"], ("Oversight",), False),
    (["Oversight"], ("Oversight",), True),
])
def test_commissioning_material_is_one_rule_for_every_role(roles, asked, expected):
    from django.contrib.auth.models import AnonymousUser

    from core.roles import Role
    from ethical_walls.selectors import sees_commissioning_material
    from tests.core.factories import UserFactory

    assert sees_commissioning_material(UserFactory(roles=[Role(r) for r in roles]), *asked) is expected
    assert sees_commissioning_material(AnonymousUser(), *asked) is False
