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


def test_an_agreement_is_scoped_by_its_provider_organisation_and_read_by_the_commissioning_side():
    scope = registry.scope_of("contracts.agreement")
    assert scope.organisation_path == "provider_id" and scope.competition_path == "competition_id"
    assert "HMPS Business Development Group" not in scope.readers
    from ethical_walls.checks import scoped_records_belong_to_an_organisation

    assert scoped_records_belong_to_an_organisation() == []


@pytest.fixture
def scoped_by_the_wrong_path():
    registry.register_scoped("contracts.measure", readers=("Contract manager",), organisation_path="agreement_id")
    yield
    registry._scoped.pop("contracts.measure")


def test_a_scoped_record_whose_path_leads_to_no_organisation_fails_the_check(scoped_by_the_wrong_path):
    from ethical_walls.checks import scoped_records_belong_to_an_organisation

    errors = scoped_records_belong_to_an_organisation()
    assert [(e.id, e.msg.split(" ")[0]) for e in errors] == [("ethical_walls.E003", "contracts.measure's")]


def test_a_kind_nobody_registered_has_no_scope_to_read_by():
    with pytest.raises(LookupError, match="core.servicearea"):
        registry.scope_of("core.servicearea")


@pytest.mark.django_db
def test_sees_and_scoped_agree_for_every_role_and_an_exclusion(people):
    """One access API: `scoped` over a list and `sees` of one record give the same answer, exclusions included."""
    from django.utils import timezone

    from contracts.models import Agreement
    from core.roles import Role
    from ethical_walls.models import ConflictDeclaration
    from ethical_walls.selectors import forget_cached_access, scoped, sees
    from tests.competitions.journey import Journey
    from tests.contracts.test_services import framework_agreement
    from tests.core.factories import UserFactory

    outside = framework_agreement(people)  # let outside any competition
    journey = Journey()
    let = Agreement.objects.create(reference="LET-1", title="Let by a competition", provider=outside.provider,
                                   service_area=outside.service_area, value=1, route="competition", competition=journey.competition)
    excluded = UserFactory(roles=[Role.CONTRACT_MANAGER])
    ConflictDeclaration.objects.create(competition=journey.competition, user=excluded, nature="conflict", details="Shares", declared_at=timezone.now(),
                                       assessment=ConflictDeclaration.Assessment.EXCLUDED)
    forget_cached_access(excluded)
    users = [UserFactory(roles=[role]) for role in Role] + [UserFactory(roles=[Role.COMMISSIONER, Role.BID_TEAM]), excluded]
    for user in users:
        listed = set(scoped(user, Agreement.objects.filter(pk__in=[outside.pk, let.pk])).values_list("pk", flat=True))
        assert listed == {a.pk for a in (outside, let) if sees(user, a)}
        if user.has_role(Role.BID_TEAM) or user.has_role(Role.GATEWAY_REVIEWER):
            assert listed == set()
    assert set(scoped(excluded, Agreement.objects.all()).values_list("pk", flat=True)) >= {outside.pk}
    assert not sees(excluded, let) and sees(excluded, outside)
