"""Ethical wall pages: index, a competition's wall and its forms, declarations, register, CSV, breaches, audit log."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from competitions import services as competition_services
from core.models import ServiceArea
from core.roles import Role
from ethical_walls import audit
from ethical_walls import services as wall_services
from ethical_walls.models import AuditEvent, ConflictDeclaration, Membership
from tests.core.factories import UserFactory
from tests.ethical_walls.conftest import bid_team_member, crown_bid, declare

pytestmark = pytest.mark.django_db


def wall_url(journey, action=""):
    return f"/walls/{journey.competition.pk}/" + (f"{action}/" if action else "")


def error_summary(response) -> str:
    """The page's GOV.UK error summary (asserting there is one)."""
    html = response.content.decode()
    assert 'class="govuk-error-summary"' in html, html
    start = html.index('class="govuk-error-summary"')
    return html[start:html.index("</ul>", start)]


def refusals(**filters):
    return AuditEvent.objects.filter(action=AuditEvent.Action.REFUSED, **filters)


# --- index ---------------------------------------------------------------------------------------

def test_index_lists_the_walls_the_user_is_on_and_their_declarations(client, journey):
    client.force_login(journey.procurement)
    html = client.get("/walls/").content.decode()
    assert journey.competition.reference in html
    assert f'href="/walls/{journey.competition.pk}/"' in html
    assert "Nil return: no interest to declare" in html
    # Procurement has no place in the register, the breach view or the audit log.
    assert "/walls/register/" not in html and "/walls/breaches/" not in html and "/walls/audit/" not in html


def test_index_links_to_the_register_breaches_and_audit_log_by_role(client, with_sro, oversight_user):
    client.force_login(with_sro.sro)
    html = client.get("/walls/").content.decode()
    assert "/walls/register/" in html and "/walls/breaches/" in html and "/walls/audit/" not in html
    client.force_login(oversight_user)
    html = client.get("/walls/").content.decode()
    assert "/walls/register/" in html and "/walls/breaches/" in html and "/walls/audit/" in html
    assert "You are not on the commissioning side of any competition." in html


def test_index_shows_a_bid_team_member_no_walls(client, journey, bid_team_user):
    client.force_login(bid_team_user)
    html = client.get("/walls/").content.decode()
    assert "You are not on the commissioning side of any competition." in html
    assert f"/walls/{journey.competition.pk}/" not in html


def test_index_leads_to_the_declaration_page_of_a_chosen_competition(client, journey):
    person = UserFactory(roles=[Role.COMMISSIONER])
    client.force_login(person)
    # Not launched and nobody has asked them: the competition is not theirs to choose (rule 4).
    response = client.get("/walls/declare/", {"competition": journey.competition.pk})
    assert response.status_code == 200 and journey.competition.title not in response.content.decode()
    wall_services.wall_invite(competition=journey.competition, user=person, role="evaluator", actor=journey.commissioner)
    html = client.get("/walls/").content.decode()
    assert "You have been asked to declare your interests" in html and journey.competition.title in html
    response = client.get("/walls/declare/", {"competition": journey.competition.pk})
    assert response.status_code == 302 and response["Location"] == wall_url(journey, "declare")
    response = client.get("/walls/declare/", {"competition": ""})
    assert 'href="#id_competition"' in error_summary(response)
    assert "Choose a competition to declare your interests in." in error_summary(response)


def test_index_takes_the_same_queries_for_one_wall_or_many(client, journey, assert_fixed_queries):
    client.force_login(journey.commissioner)
    area = ServiceArea.objects.create(name="Community payback")

    def grow():
        for n in range(12):
            competition_services.competition_create(
                actor=journey.commissioner, title=f"Unpaid work {n}", service_area=area, estimated_value=Decimal(1000 + n),
            )

    html = assert_fixed_queries("/walls/", grow).content.decode()
    assert "Unpaid work 11" in html


# --- one competition's wall -------------------------------------------------------------------------

def test_wall_shows_each_side_role_since_and_added_by_and_who_left(client, launched):
    member = bid_team_member(launched)
    wall_services.wall_leave(member=Membership.objects.get(user=launched.reviewer, left_at=None), actor=launched.commissioner, reason="Review done")
    client.force_login(launched.commissioner)
    response = client.get(wall_url(launched))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Commissioning side" in html and str(launched.procurement) in html and "MoJ Procurement" in html
    assert str(launched.commissioner) in html  # added the others
    assert timezone.localdate().strftime("%-d %B %Y") in html
    assert "Bid team of HMPS Business Development Group" in html and str(member) in html and "Bid team member" in html
    left = html[html.index("People who have left"):]
    assert str(launched.reviewer) in left and "Gateway reviewer" in left.replace("gateway reviewer", "Gateway reviewer")


def test_wall_takes_the_same_queries_for_one_member_or_many(client, journey, assert_fixed_queries):
    client.force_login(journey.commissioner)

    def grow():
        for n in range(15):
            person = UserFactory(roles=[Role.COMMISSIONER], last_name=f"Evaluator{n}")
            member = journey.join(person, "evaluator")
            if n % 3 == 0:
                wall_services.wall_leave(member=member, actor=journey.commissioner)

    html = assert_fixed_queries(wall_url(journey), grow).content.decode()
    assert "Evaluator14" in html and "Evaluator12" in html


@pytest.mark.parametrize("who", ["bid team", "oversight", "another commissioner"])
def test_wall_answers_404_to_anyone_off_the_commissioning_side_and_logs_the_attempt(client, launched, who):
    user = {
        "bid team": lambda: bid_team_member(launched),
        "oversight": lambda: UserFactory(roles=[Role.OVERSIGHT]),
        "another commissioner": lambda: UserFactory(roles=[Role.COMMISSIONER]),
    }[who]()
    client.force_login(user)
    for url in (wall_url(launched), wall_url(launched, "commissioning-side/add"), wall_url(launched, "arrangements")):
        assert client.get(url).status_code == 404
    assert refusals(actor=user, competition_id=launched.competition.pk, path=wall_url(launched)).exists()


def test_a_missing_competition_answers_404_like_a_refused_one(client, journey):
    client.force_login(journey.commissioner)
    assert client.get("/walls/999999/").status_code == 404
    assert refusals(actor=journey.commissioner, object_id="999999").exists()


# --- forms on the wall: each service refusal named by its field, nothing changed ----------------------

def test_adding_a_person_to_the_commissioning_side(client, journey):
    evaluator = UserFactory(roles=[Role.SRO], first_name="Eve", last_name="Evaluator")
    declare(journey, evaluator)
    client.force_login(journey.commissioner)
    response = client.post(wall_url(journey, "commissioning-side/add"), {"user": evaluator.pk, "role": "evaluator"}, follow=True)
    assert "Eve Evaluator joined the commissioning side as evaluator." in response.content.decode()
    assert Membership.objects.filter(user=evaluator, side="commissioning", role="evaluator", left_at=None).exists()


def test_adding_someone_who_has_not_declared_asks_them_to_and_they_join_once_they_have(client, journey):
    newcomer = UserFactory(roles=[Role.PROCUREMENT], first_name="Nick", last_name="Newcomer")
    client.force_login(journey.commissioner)
    response = client.post(wall_url(journey, "commissioning-side/add"), {"user": newcomer.pk, "role": "procurement"}, follow=True)
    html = response.content.decode()
    assert "Nick Newcomer has been asked to declare their interests" in html and "They join as moj procurement" in html
    assert "Asked to join, awaiting their declaration of interests" in html
    assert not Membership.objects.filter(user=newcomer).exists()  # no declaration, no access
    assert AuditEvent.objects.filter(action="request", subject=newcomer, competition_id=journey.competition.pk).exists()
    # They see the competition on their walls page and may declare, nowhere else.
    client.force_login(newcomer)
    assert journey.competition.title in client.get("/walls/").content.decode()
    assert client.get(f"/competitions/{journey.competition.pk}/?section=all").status_code == 404
    client.post(wall_url(journey, "declare"), {"nature": "nil"})
    member = Membership.objects.get(user=newcomer, left_at=None)
    assert (member.side, member.role, member.added_by) == ("commissioning", "procurement", journey.commissioner)
    assert client.get(f"/competitions/{journey.competition.pk}/?section=all").status_code == 200


def test_asking_the_same_person_twice_is_refused_on_the_person_field(client, journey):
    newcomer = UserFactory(roles=[Role.PROCUREMENT], first_name="Nick", last_name="Newcomer")
    client.force_login(journey.commissioner)
    client.post(wall_url(journey, "commissioning-side/add"), {"user": newcomer.pk, "role": "procurement"})
    response = client.post(wall_url(journey, "commissioning-side/add"), {"user": newcomer.pk, "role": "procurement"})
    summary = error_summary(response)
    assert 'href="#id_user"' in summary and "has already been asked to declare their interests" in summary


def test_a_request_can_be_withdrawn_and_then_the_competition_is_gone_for_them(client, journey):
    newcomer = UserFactory(roles=[Role.COMMISSIONER])
    asked = wall_services.wall_invite(competition=journey.competition, user=newcomer, role="evaluator", actor=journey.commissioner)
    client.force_login(journey.commissioner)
    response = client.post(wall_url(journey, f"requests/{asked.pk}/withdraw"), follow=True)
    assert "is withdrawn" in response.content.decode()
    client.force_login(newcomer)
    assert client.get(wall_url(journey, "declare")).status_code == 404
    assert journey.competition.title not in client.get("/walls/").content.decode()


def test_a_conflict_declared_on_request_waits_for_the_sro_then_mitigation_brings_them_in(with_sro):
    person = UserFactory(roles=[Role.COMMISSIONER])
    wall_services.wall_invite(competition=with_sro.refresh(), user=person, role="evaluator", actor=with_sro.sro)
    declaration = declare(with_sro, person, "conflict", "Brother at Serco.")
    assert not Membership.objects.filter(user=person).exists()
    wall_services.conflict_assess(declaration=declaration, actor=with_sro.sro, outcome="mitigated", conditions="Not on the Serco bid.")
    assert Membership.objects.get(user=person, left_at=None).role == "evaluator"


def test_an_exclusion_closes_the_request(with_sro):
    from ethical_walls.models import DeclarationRequest

    person = UserFactory(roles=[Role.COMMISSIONER])
    asked = wall_services.wall_invite(competition=with_sro.refresh(), user=person, role="evaluator", actor=with_sro.sro)
    declaration = declare(with_sro, person, "conflict", "Director of a bidder.")
    wall_services.conflict_assess(declaration=declaration, actor=with_sro.sro, outcome="excluded")
    asked = DeclarationRequest.objects.get(pk=asked.pk)
    assert asked.outcome == "excluded" and asked.closed_at is not None
    assert not Membership.objects.filter(user=person).exists()


def test_only_the_lead_commissioner_or_sro_changes_the_commissioning_side(client, journey):
    person = UserFactory(roles=[Role.COMMISSIONER])
    declare(journey, person)
    client.force_login(journey.procurement)
    response = client.post(wall_url(journey, "commissioning-side/add"), {"user": person.pk, "role": "evaluator"})
    assert "Only the competition&#x27;s lead commissioner or SRO can change its commissioning side." in error_summary(response)
    assert not Membership.objects.filter(user=person).exists()


def test_nobody_may_be_on_both_sides(client, launched):
    from ethical_walls.access import user_roles_set

    both = UserFactory(roles=[Role.COMMISSIONER], first_name="Bo", last_name="Th")
    launched.join(both, "evaluator")
    user_roles_set(user=both, roles=[Role.BID_TEAM, Role.COMMISSIONER])
    client.force_login(launched.procurement)
    response = client.post(wall_url(launched, "bid-side/add"), {"user": both.pk, "bid": crown_bid(launched).pk})
    summary = error_summary(response)
    assert 'href="#id_user"' in summary and "nobody may be on both sides" in summary
    assert not Membership.objects.filter(user=both, side="bid").exists()


def test_commissioning_side_work_in_the_service_area_puts_a_bid_team_member_in_quarantine(client, launched):
    moved = UserFactory(roles=[Role.BID_TEAM, Role.COMMISSIONER], first_name="Quinn", last_name="Quarantine")
    # Commissioning-side work on another competition in the same service area, ended today.
    other = competition_services.competition_create(
        actor=launched.commissioner, title="HMP Wolds operation", service_area=launched.service_area, estimated_value=Decimal(1),
    )
    wall_services.conflict_declare(competition=other, actor=moved, nature="nil")
    member = wall_services.wall_join(competition=other, user=moved, side="commissioning", role="evaluator", actor=launched.commissioner)
    wall_services.wall_leave(member=member, actor=launched.commissioner)
    declare(launched, moved)
    client.force_login(launched.procurement)
    response = client.post(wall_url(launched, "bid-side/add"), {"user": moved.pk, "bid": crown_bid(launched).pk})
    summary = error_summary(response)
    ends = (timezone.localtime() + datetime.timedelta(days=183)).strftime("%Y")
    assert 'href="#id_user"' in summary and "in quarantine until" in summary and ends in summary
    assert not Membership.objects.filter(user=moved, side="bid").exists()
    # Once the quarantine has passed, MoJ Procurement adds them to the bid team.
    with time_machine.travel(timezone.now() + datetime.timedelta(days=200)):
        client.force_login(launched.procurement)  # a new session: the old one has long expired
        response = client.post(wall_url(launched, "bid-side/add"), {"user": moved.pk, "bid": crown_bid(launched).pk}, follow=True)
    assert "Quinn Quarantine joined the bid team of HMPS Business Development Group." in response.content.decode()


def test_removing_a_member_revokes_access_and_keeps_the_history(client, journey):
    member = Membership.objects.get(user=journey.reviewer, left_at=None)
    client.force_login(journey.commissioner)
    response = client.post(wall_url(journey, f"members/{member.pk}/remove"), {"reason": "Gate review finished"}, follow=True)
    assert f"{journey.reviewer} has left the commissioning side" in response.content.decode()
    member.refresh_from_db()
    assert member.left_at is not None and member.removed_by == journey.commissioner
    assert AuditEvent.objects.filter(action="revoke", subject=journey.reviewer, detail__contains="Gate review finished").exists()
    # Removing them again: they are no longer a current member, so there is nothing to find.
    assert client.post(wall_url(journey, f"members/{member.pk}/remove"), {}).status_code == 404


def test_a_member_removal_refused_by_the_service_changes_nothing(client, journey):
    member = Membership.objects.get(user=journey.reviewer, left_at=None)
    client.force_login(journey.procurement)
    response = client.post(wall_url(journey, f"members/{member.pk}/remove"), {"reason": ""})
    assert "Only the competition&#x27;s lead commissioner or SRO" in error_summary(response)
    member.refresh_from_db()
    assert member.left_at is None


def test_recording_the_arrangements(client, with_sro):
    client.force_login(with_sro.sro)
    response = client.post(wall_url(with_sro, "arrangements"), {"arrangements": "Separate floors and systems."}, follow=True)
    assert "The wall&#x27;s arrangements are recorded." in response.content.decode()
    assert "Separate floors and systems." in response.content.decode()
    wall = with_sro.refresh().wall
    assert wall.established_on == timezone.localdate() and wall.established_by == with_sro.sro


def test_arrangements_refused_by_the_service_are_shown_and_change_nothing(client, journey):
    client.force_login(journey.procurement)
    response = client.post(wall_url(journey, "arrangements"), {"arrangements": "Trust us."})
    assert "Only the SRO or a commissioner records the wall&#x27;s arrangements." in error_summary(response)
    assert journey.refresh().wall.established_on is None
    response = client.post(wall_url(journey, "arrangements"), {"arrangements": ""})
    assert 'href="#id_arrangements"' in error_summary(response)


# --- declarations ------------------------------------------------------------------------------------

def test_declaring_a_conflict_without_details_is_refused_on_the_details_field(client, journey):
    person = UserFactory(roles=[Role.COMMISSIONER])
    wall_services.wall_invite(competition=journey.competition, user=person, role="evaluator", actor=journey.commissioner)
    client.force_login(person)
    response = client.post(wall_url(journey, "declare"), {"nature": "conflict", "details": ""})
    summary = error_summary(response)
    assert 'href="#id_details"' in summary and ">Describe the interest.<" in summary
    assert not ConflictDeclaration.objects.filter(user=person).exists()
    response = client.post(wall_url(journey, "declare"), {"details": "x"})
    assert 'href="#id_nature_0"' in error_summary(response)


def test_declaring_interests(client, journey):
    person = UserFactory(roles=[Role.COMMISSIONER])
    wall_services.wall_invite(competition=journey.competition, user=person, role="evaluator", actor=journey.commissioner)
    client.force_login(person)
    assert "Declare your interests" in client.get(wall_url(journey, "declare")).content.decode()
    response = client.post(wall_url(journey, "declare"), {"nature": "conflict", "details": "Spouse works for Serco."}, follow=True)
    assert f"Your declaration for {journey.competition.reference} is recorded: awaiting the SRO&#x27;s assessment." in response.content.decode()
    declaration = ConflictDeclaration.objects.get(user=person)
    assert declaration.assessment == "pending" and declaration.details == "Spouse works for Serco."


def test_declaring_in_a_competition_the_user_cannot_see_answers_404(client, journey, bid_team_user):
    client.force_login(bid_team_user)  # a draft competition is not public
    assert client.get(wall_url(journey, "declare")).status_code == 404
    assert client.post(wall_url(journey, "declare"), {"nature": "nil"}).status_code == 404
    assert not ConflictDeclaration.objects.filter(user=bid_team_user).exists()
    assert refusals(actor=bid_team_user, object_type="competitions.competition").exists()


# --- the register, its CSV, and assessing conflicts -----------------------------------------------------

def test_register_shows_oversight_every_declaration_with_its_assessment(client, with_sro, oversight_user):
    person = UserFactory(roles=[Role.COMMISSIONER], first_name="Connie", last_name="Flict")
    declaration = declare(with_sro, person, "conflict", "Shares in Serco.")
    wall_services.conflict_assess(declaration=declaration, actor=with_sro.sro, outcome="mitigated", conditions="Sell the shares.")
    client.force_login(oversight_user)
    html = client.get("/walls/register/").content.decode()
    assert "Connie Flict" in html and "Shares in Serco." in html and "Mitigated, with conditions" in html
    assert "Sell the shares." in html and str(with_sro.sro) in html
    assert str(with_sro.procurement) in html and "Nil return" in html
    html = client.get("/walls/register/", {"assessment": "mitigated"}).content.decode()
    assert "Connie Flict" in html and str(with_sro.procurement) not in html
    assert "/assess/" not in html  # oversight reads; the SRO assesses


def test_register_filters_by_competition(client, journey, oversight_user):
    other = competition_services.competition_create(
        actor=journey.commissioner, title="Victim contact", service_area=journey.service_area, estimated_value=Decimal(1),
    )
    client.force_login(oversight_user)
    html = client.get("/walls/register/", {"competition": other.pk}).content.decode()
    assert "1 declaration" in html and str(journey.procurement) not in html
    response = client.get("/walls/register/", {"competition": "999999"})
    assert 'href="#id_competition"' in error_summary(response)


def test_an_sro_reads_their_competitions_register_and_assesses_from_it(client, with_sro):
    person = UserFactory(roles=[Role.COMMISSIONER], first_name="Connie", last_name="Flict")
    declaration = declare(with_sro, person, "conflict", "Shares in Serco.")
    other_commissioner = UserFactory(roles=[Role.COMMISSIONER])
    competition_services.competition_create(
        actor=other_commissioner, title="Someone else's", service_area=with_sro.service_area, estimated_value=Decimal(1),
    )
    client.force_login(with_sro.sro)
    html = client.get("/walls/register/").content.decode()
    assert "Connie Flict" in html and str(other_commissioner) not in html
    assert f"/walls/declarations/{declaration.pk}/assess/" in html
    # Mitigating needs conditions: refused on that field, nothing changes.
    response = client.post(f"/walls/declarations/{declaration.pk}/assess/", {"outcome": "mitigated", "conditions": ""})
    assert 'href="#id_conditions"' in error_summary(response) and "State the conditions" in error_summary(response)
    declaration.refresh_from_db()
    assert declaration.assessment == "pending"
    response = client.post(f"/walls/declarations/{declaration.pk}/assess/", {"outcome": "excluded"}, follow=True)
    assert "Connie Flict&#x27;s conflict: excluded from the competition." in response.content.decode()
    declaration.refresh_from_db()
    assert declaration.assessment == "excluded" and declaration.assessed_by == with_sro.sro


def test_only_the_sro_assesses_and_others_cannot_reach_a_declaration_they_cannot_read(client, with_sro):
    person = UserFactory(roles=[Role.COMMISSIONER])
    declaration = declare(with_sro, person, "conflict", "Shares.")
    client.force_login(person)  # may read their own declaration, not open its assessment, nor assess it
    assert client.get(f"/walls/declarations/{declaration.pk}/assess/").status_code == 404
    assert client.post(f"/walls/declarations/{declaration.pk}/assess/", {"outcome": "excluded"}).status_code == 404
    assert refusals(actor=person, competition_id=with_sro.competition.pk, path=f"/walls/declarations/{declaration.pk}/assess/").count() == 2
    client.force_login(with_sro.procurement)
    assert client.get(f"/walls/declarations/{declaration.pk}/assess/").status_code == 404
    declaration.refresh_from_db()
    assert declaration.assessment == "pending"


@pytest.mark.parametrize("role", [Role.BID_TEAM, Role.COMMISSIONER, Role.PROCUREMENT])
def test_register_and_its_csv_answer_404_outside_oversight_and_the_sro(client, journey, user_with_role, role):
    client.force_login(user_with_role(role))
    assert client.get("/walls/register/").status_code == 404
    assert client.get("/walls/register.csv").status_code == 404
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists()


def test_register_takes_the_same_queries_for_one_declaration_or_many(client, with_sro, oversight_user, assert_fixed_queries):
    client.force_login(oversight_user)

    def grow():
        for n in range(20):
            declaration = declare(with_sro, UserFactory(roles=[Role.COMMISSIONER], last_name=f"Declarer{n}"), "conflict", f"Interest {n}")
            if n % 2:
                wall_services.conflict_assess(declaration=declaration, actor=with_sro.sro, outcome="excluded")

    html = assert_fixed_queries("/walls/register/", grow).content.decode()
    assert "Interest 19" in html


def test_register_csv_has_the_rows_the_user_may_read_and_is_audited(client, with_sro, oversight_user):
    person = UserFactory(roles=[Role.COMMISSIONER], first_name="Connie", last_name="Flict")
    declaration = declare(with_sro, person, "conflict", "=HYPERLINK(\"http://evil\")")
    wall_services.conflict_assess(declaration=declaration, actor=with_sro.sro, outcome="mitigated", conditions="No access to pricing.")
    client.force_login(oversight_user)
    response = client.get("/walls/register.csv", {"assessment": "mitigated"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:4] == ["Competition", "Competition title", "Person", "Nature"]
    assert len(rows) == 2
    row = dict(zip(rows[0], rows[1]))
    assert row["Competition"] == with_sro.competition.reference and row["Person"] == "Connie Flict"
    assert row["Nature"] == "An interest that may conflict" and row["Assessment"] == "Mitigated, with conditions"
    assert row["Conditions"] == "No access to pricing." and row["Assessed by"] == str(with_sro.sro)
    assert row["Details"].startswith("'=")  # a spreadsheet will not run it as a formula
    export = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT)
    assert export.channel == AuditEvent.Channel.EXPORT and export.actor == oversight_user
    assert export.path == "/walls/register.csv?assessment=mitigated" and "1 declaration" in export.detail


def test_an_sros_csv_holds_only_their_competitions(client, with_sro):
    other_commissioner = UserFactory(roles=[Role.COMMISSIONER])
    competition_services.competition_create(
        actor=other_commissioner, title="Someone else's", service_area=with_sro.service_area, estimated_value=Decimal(1),
    )
    client.force_login(with_sro.sro)
    rows = list(csv.reader(io.StringIO(client.get("/walls/register.csv").content.decode())))
    people = {row[2] for row in rows[1:]}
    assert str(with_sro.procurement) in people and str(other_commissioner) not in people
    assert {row[0] for row in rows[1:]} == {with_sro.competition.reference}


# --- refused attempts and the audit log ---------------------------------------------------------------

def test_breach_view_shows_oversight_each_refused_attempt(client, launched, oversight_user):
    member = bid_team_member(launched)
    client.force_login(member)
    client.get(wall_url(launched))
    client.force_login(oversight_user)
    html = client.get("/walls/breaches/").content.decode()
    assert str(member) in html and "ethical_walls.wall" in html and wall_url(launched) in html
    assert launched.competition.reference in html and "Page" in html


def test_breach_view_shows_an_sro_the_attempts_on_their_competitions_only(client, with_sro):
    intruder = UserFactory(roles=[Role.BID_TEAM], first_name="In", last_name="Truder")
    audit.refused(actor=intruder, channel=audit.Channel.API, object_type="competitions.bid", object_id="7", competition_id=with_sro.competition.pk, path="/api/v1/bids/7/")
    audit.refused(actor=intruder, channel=audit.Channel.PAGE, object_type="competitions.bid", object_id="8", competition_id=None, path="/elsewhere/")
    client.force_login(with_sro.sro)
    html = client.get("/walls/breaches/").content.decode()
    assert "/api/v1/bids/7/" in html and "REST API" in html and "/elsewhere/" not in html


@pytest.mark.parametrize("url", ["/walls/breaches/", "/walls/audit/"])
def test_breaches_and_audit_log_answer_404_to_a_bid_team_member_and_a_commissioner(client, launched, url):
    for user in (bid_team_member(launched), launched.commissioner):
        client.force_login(user)
        assert client.get(url).status_code == 404
        assert refusals(actor=user, path=url).exists()


def test_the_audit_log_downloads_as_csv_as_filtered_and_the_download_is_logged(client, with_sro, oversight_user):
    client.force_login(oversight_user)
    audit.record(action="view", channel="pdf", actor=with_sro.sro, object_type="competitions.competition", object_id="1",
                 detail="=HYPERLINK(\"http://evil.example\")")
    response = client.get("/walls/audit.csv", {"channel": "pdf"})
    text = response.content.decode()
    assert response["Content-Type"].startswith("text/csv") and text.splitlines()[0].startswith("when,what happened,who")
    assert f"{with_sro.sro} viewed competition 1, by PDF." in text and "'=HYPERLINK" in text  # a formula is text
    assert len(text.strip().splitlines()) == 2
    assert AuditEvent.objects.filter(action="export", actor=oversight_user, object_type="ethical_walls.auditevent").exists()
    client.force_login(with_sro.sro)
    assert client.get("/walls/audit.csv").status_code == 404


def test_audit_log_answers_404_to_an_sro(client, with_sro):
    client.force_login(with_sro.sro)
    assert client.get("/walls/audit/").status_code == 404


def test_breach_view_takes_the_same_queries_for_one_attempt_or_many(client, journey, oversight_user, assert_fixed_queries):
    audit.refused(actor=journey.procurement, channel="page", object_type="competitions.bid", competition_id=journey.competition.pk)
    client.force_login(oversight_user)

    def grow():
        for n in range(60):
            audit.refused(actor=UserFactory(), channel="api", object_type="competitions.bid", object_id=str(n), competition_id=journey.competition.pk if n % 2 else None)

    html = assert_fixed_queries("/walls/breaches/", grow).content.decode()
    assert "Page 1 of 2" in html


def test_audit_log_is_filterable_and_paginated_for_oversight(client, with_sro, oversight_user):
    client.force_login(oversight_user)
    html = client.get("/walls/audit/").content.decode()
    assert "was given access to" in html and "declared interests on" in html and str(with_sro.procurement) in html
    reference = with_sro.competition.reference
    html = client.get("/walls/audit/", {"action": "declare", "actor": with_sro.sro.pk}).content.decode()
    assert "1 event" in html and f"{with_sro.sro} declared interests on competition {with_sro.competition.pk} of {reference}" in html
    assert "was given access to" not in html
    assert ">0 events</caption>" not in client.get("/walls/audit/", {"reference": reference.lower()}).content.decode()
    unknown = client.get("/walls/audit/", {"reference": "NOPE-1"}).content.decode()
    assert "No competition has the reference NOPE-1." in unknown
    backwards = client.get("/walls/audit/", {"since": "2026-12-02", "until": "2026-12-01"}).content.decode()
    assert "The end date must be on or after the start date." in backwards
    assert ">0 events</caption>" in client.get("/walls/audit/", {"until": "2000-01-01"}).content.decode()
    audit.record(action="view", channel="page", actor=with_sro.sro, object_type="competitions.bid", object_id="3")
    by_kind = client.get("/walls/audit/", {"kind": "competitions.bid"}).content.decode()
    assert ">1 event</caption>" in by_kind and f"{with_sro.sro} viewed bid 3, by Page." in by_kind
    for n in range(60):
        audit.record(action="view", channel="pdf", actor=with_sro.sro, object_type="competitions.competition", object_id=str(n))
    html = client.get("/walls/audit/", {"channel": "pdf"}).content.decode()
    assert "60 events" in html and "Page 1 of 2" in html and "channel=pdf&amp;page=2" in html
    html = client.get("/walls/audit/", {"channel": "pdf", "page": 2}).content.decode()
    assert "Page 2 of 2" in html


def test_audit_log_takes_the_same_queries_for_one_event_or_many(client, journey, oversight_user, assert_fixed_queries):
    client.force_login(oversight_user)

    def grow():
        for n in range(60):
            audit.record(action="grant", channel="service", actor=UserFactory(), subject=UserFactory(), obj=journey.competition, detail=f"Event {n}")

    html = assert_fixed_queries("/walls/audit/", grow).content.decode()
    assert "Event 59" in html
