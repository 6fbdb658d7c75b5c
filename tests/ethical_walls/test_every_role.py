"""The wall for every role, not only the bid team (SPEC §4 rules 3, 4 and 6; issue #14).

Rule 4 for everyone: a competition not yet launched exists only for its commissioning side
and oversight; a conflict exclusion covers the agreement the competition let; the bid
team's role bars the commissioning side of a competition the public sector may bid in, and
quarantine runs both ways; every refusal — 403 for a role, 404 for a hidden record — is in
the audit log under its competition, on that competition's breach view; role changes are
audited and nobody changes their own.
"""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from rest_framework.test import APIClient

from competitions import services as competition_services
from competitions.models import State
from contracts import services as contract_services
from contracts.models import Agreement
from ethical_walls.access import user_roles_set
from core.models import Organisation, ServiceArea
from core.roles import Role
from ethical_walls import services as wall
from ethical_walls.models import AuditEvent, Membership
from tests.core.factories import UserFactory
from tests.ethical_walls.conftest import crown_bid, declare

pytestmark = pytest.mark.django_db


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def page(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- rule 4 for everyone ---------------------------------------------------------------------------------

@pytest.mark.parametrize("role", [Role.CONTRACT_MANAGER, Role.GATEWAY_REVIEWER, Role.COMMISSIONER, Role.PROCUREMENT, Role.SRO])
def test_staff_who_never_declared_do_not_know_an_unlaunched_competition_exists(journey, role):
    outsider = UserFactory(roles=[role])
    competition = journey.competition
    listed = api(outsider).get("/api/v1/competitions/")
    assert listed.json()["count"] == 0
    assert api(outsider).get(f"/api/v1/competitions/{competition.pk}/").status_code == 404
    browser = page(outsider)
    for url in (f"/competitions/{competition.pk}/?section=all", "/competitions/export.csv", "/competitions/?state=draft", "/walls/"):
        response = browser.get(url)
        assert competition.title not in response.content.decode() and competition.reference not in response.content.decode(), url
    refused = AuditEvent.objects.filter(action="refused", actor=outsider, competition_id=competition.pk)
    assert refused.filter(channel="api").exists() and refused.filter(channel="page").exists()


def test_oversight_sees_the_whole_portfolio_but_not_its_confidential_records(journey, oversight_user):
    journey.satisfy("mandate")
    body = api(oversight_user).get(f"/api/v1/competitions/{journey.competition.pk}/").json()
    assert body["title"] == journey.competition.title and "mandate" not in body


def test_an_oversight_member_who_joins_the_bid_team_loses_the_portfolio(journey):
    both = UserFactory(roles=[Role.OVERSIGHT, Role.BID_TEAM])
    assert api(both).get("/api/v1/competitions/").json()["count"] == 0


def test_a_person_excluded_from_a_competition_cannot_see_or_act_on_the_agreement_it_let():
    from tests.competitions.journey import Journey

    journey = Journey()
    try:
        excluded = UserFactory(roles=[Role.COMMISSIONER, Role.CONTRACT_MANAGER])
        journey.join(excluded, "evaluator")
        journey.satisfy("sro")
        declaration = wall.conflict_declare(competition=journey.refresh(), actor=excluded, nature="conflict", details="Shares in Serco")
        wall.conflict_assess(declaration=declaration, actor=journey.sro, outcome="excluded")
        journey.advance_to(State.AWARDED)
        agreement = Agreement.objects.get(competition=journey.competition)
        assert api(excluded).get("/api/v1/agreements/").json()["count"] == 0
        assert api(excluded).get(f"/api/v1/agreements/{agreement.pk}/").status_code == 404
        assert page(excluded).get(f"/contracts/{agreement.pk}/?section=all").status_code == 404
        with pytest.raises(PermissionDenied, match="excluded from the competition"):
            contract_services.agreement_decommission(agreement=agreement, actor=excluded, reason="Mine to end")
        assert AuditEvent.objects.filter(action="refused", actor=excluded, competition_id=journey.competition.pk, path=f"/contracts/{agreement.pk}/").exists()
        # Someone with the same roles and no exclusion sees it.
        colleague = UserFactory(roles=[Role.COMMISSIONER, Role.CONTRACT_MANAGER])
        assert api(colleague).get(f"/api/v1/agreements/{agreement.pk}/").status_code == 200
    finally:
        journey.stop_travel()


# --- rule 3: the bid team's role, and quarantine both ways ---------------------------------------------

def test_holding_the_bid_team_role_bars_the_commissioning_side_of_a_competition_the_public_sector_may_bid_in(journey):
    both = UserFactory(roles=[Role.COMMISSIONER, Role.BID_TEAM])
    declare(journey, both)
    with pytest.raises(ValidationError, match="bars the commissioning side"):
        wall.wall_join(competition=journey.refresh(), user=both, side="commissioning", role="evaluator", actor=journey.commissioner)
    assert not Membership.objects.filter(user=both).exists()
    refusal = AuditEvent.objects.get(action="refused", competition_id=journey.competition.pk, detail__contains="bars the commissioning side")
    assert refusal.actor == journey.commissioner


def test_no_public_sector_bid_while_a_bid_team_role_holder_is_on_the_commissioning_side():
    from tests.competitions.journey import Journey

    journey = Journey(public_bid=False)
    try:
        both = UserFactory(roles=[Role.COMMISSIONER, Role.BID_TEAM], first_name="Dual", last_name="Role")
        journey.join(both, "evaluator")  # no public-sector bid is possible: allowed
        with pytest.raises(ValidationError, match="Dual Role holds the HMPS Business Development Group"):
            competition_services.competition_update(competition=journey.refresh(), actor=journey.commissioner, public_sector_bid_possible=True)
        journey.advance_to(State.PRE_QUALIFICATION)
        with pytest.raises(ValidationError, match="remove them before the public sector may bid"):
            competition_services.bid_register(competition=journey.refresh(), actor=journey.procurement, bidder=journey.public_bidder)
    finally:
        journey.stop_travel()


def test_bid_team_work_in_a_service_area_bars_its_commissioning_sides_for_the_quarantine_period(launched, settings):
    mover = UserFactory(roles=[Role.BID_TEAM], first_name="Bea", last_name="Mover")
    launched.join(mover, "bid_team", side="bid", bid=crown_bid(launched))
    other = competition_services.competition_create(actor=launched.commissioner, title="HMP Wolds operation",
                                                    service_area=launched.service_area, estimated_value=Decimal(1))
    wall.conflict_declare(competition=other, actor=mover, nature="nil")
    user_roles_set(user=mover, roles=[Role.COMMISSIONER])  # moves back to commissioning
    with pytest.raises(ValidationError, match="is doing bid-team work"):
        wall.wall_join(competition=other, user=mover, side="commissioning", role="evaluator", actor=launched.commissioner)
    wall.wall_leave(member=Membership.objects.get(user=mover, left_at=None), actor=mover)
    with pytest.raises(ValidationError, match="did bid-team work .* in quarantine until"):
        wall.wall_join(competition=other, user=mover, side="commissioning", role="evaluator", actor=launched.commissioner)
    launched.travel_to(datetime.date.today() + datetime.timedelta(days=31 * settings.WALL_QUARANTINE_MONTHS + 1))
    assert wall.wall_join(competition=other, user=mover, side="commissioning", role="evaluator", actor=launched.commissioner).side == "commissioning"


# --- rule 6: every refusal, under its competition ----------------------------------------------------------

def test_a_role_refused_through_the_api_is_logged_under_its_competition_and_on_the_sros_breach_view(with_sro):
    bid_team = UserFactory(roles=[Role.BID_TEAM])
    competition = with_sro.refresh()
    response = api(bid_team).post(f"/api/v1/competitions/{competition.pk}/abandon/", {"reason": "x"}, format="json")
    assert response.status_code in (403, 404)
    response = api(bid_team).post("/api/v1/bids/", {"competition": competition.pk, "bidder": with_sro.private_bidder.pk}, format="json")
    assert response.status_code in (400, 403)
    refused = AuditEvent.objects.filter(action="refused", actor=bid_team, competition_id=competition.pk)
    assert refused.count() >= 1
    breaches = page(with_sro.sro).get("/walls/breaches/").content.decode()
    assert str(bid_team) in breaches


def test_a_role_refused_on_a_visible_competition_is_a_logged_403(launched):
    bid_team = UserFactory(roles=[Role.BID_TEAM])
    competition = launched.refresh()
    response = api(bid_team).patch(f"/api/v1/competitions/{competition.pk}/", {"title": "Mine"}, format="json")
    assert response.status_code == 403
    event = AuditEvent.objects.get(action="refused", actor=bid_team, channel="api", path=f"/api/v1/competitions/{competition.pk}/")
    assert event.competition_id == competition.pk and event.detail.startswith("Refused (403)")


def test_a_bid_looked_up_by_id_is_refused_under_its_competition(launched):
    bid_team = UserFactory(roles=[Role.BID_TEAM])
    serco = next(bid for bid in launched.bids() if not bid.bidder.is_crown_body)
    assert api(bid_team).get(f"/api/v1/bids/{serco.pk}/").status_code == 404
    assert AuditEvent.objects.filter(action="refused", actor=bid_team, competition_id=launched.competition.pk, path=f"/api/v1/bids/{serco.pk}/").exists()


def test_a_page_refusing_a_role_logs_it(launched):
    contract_manager = UserFactory(roles=[Role.CONTRACT_MANAGER])
    area, _ = ServiceArea.objects.get_or_create(name="Resettlement")
    provider = Organisation.objects.create(name="Nacro", sector="vcse", organisation_type="charity")
    procurement = launched.procurement
    agreement = contract_services.agreement_create(actor=procurement, reference="FW-9", title="Resettlement", provider=provider,
                                                   service_area=area, value=Decimal(1), route="framework")
    response = page(contract_manager).post(f"/contracts/{agreement.pk}/transitions/terminate/", {"reason": "x"})
    assert response.status_code == 403
    assert AuditEvent.objects.filter(action="refused", actor=contract_manager, path=f"/contracts/{agreement.pk}/transitions/terminate/").exists()


# --- roles in the admin --------------------------------------------------------------------------------------

def test_role_changes_in_the_admin_are_audited_and_nobody_changes_their_own(db):
    superuser = UserFactory(is_superuser=True, is_staff=True, username="root_admin")
    person = UserFactory(roles=[Role.COMMISSIONER], username="person")
    from django.contrib.auth.models import Group

    client = page(superuser)
    form = client.get(f"/admin/core/user/{person.pk}/change/").content.decode()
    assert 'name="groups"' in form and "user_permissions" not in form
    oversight = Group.objects.get(name=Role.OVERSIGHT)
    commissioner = Group.objects.get(name=Role.COMMISSIONER)
    response = client.post(f"/admin/core/user/{person.pk}/change/", {
        "username": "person", "first_name": person.first_name, "last_name": person.last_name, "email": "",
        "is_active": "on", "groups": [oversight.pk, commissioner.pk], "last_login_0": "", "last_login_1": "",
        "date_joined_0": "2026-01-01", "date_joined_1": "09:00:00",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    event = AuditEvent.objects.get(action="role", subject=person)
    assert event.actor == superuser and "given Oversight" in event.detail
    # Their own: the roles and flags are shown, not editable.
    own = client.get(f"/admin/core/user/{superuser.pk}/change/").content.decode()
    assert 'name="groups"' not in own and 'name="is_superuser"' not in own
    with pytest.raises(PermissionDenied):
        user_roles_set(user=superuser, roles=[Role.OVERSIGHT], actor=superuser)


def test_nothing_is_deleted_in_the_admin(journey):
    superuser = UserFactory(is_superuser=True, is_staff=True)
    client = page(superuser)
    for url in (f"/admin/core/servicearea/{journey.service_area.pk}/delete/", f"/admin/core/organisation/{journey.private_bidder.pk}/delete/",
                f"/admin/core/user/{journey.commissioner.pk}/delete/"):
        response = client.get(url)
        assert response.status_code == 403 and journey.competition.title not in response.content.decode()
        assert AuditEvent.objects.filter(action="refused", actor=superuser, channel="admin", path=url).exists()
