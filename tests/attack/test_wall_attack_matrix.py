"""The ethical wall tested as an attacker would (SPEC §4, rules 1–7).

One table, PROBES, lists every way to reach protected material: the rule it
tests, the channel, the request, and what the response must not contain. Each
probe runs for each attacker of the scene (tests/attack/scene.py) — a bid-team user, an excluded user, a quarantined
former commissioner, and a superuser — so adding a channel or a rule to the
table adds its tests. Every answer must carry nothing; every 404 must be in the
audit log as a refused attempt.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Callable

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from competitions import services
from competitions.models import AwardRecommendation, Bid, BusinessCase, GatewayReview, ModeratedScore, Score, State, TieBreak
from core.roles import Role
from ethical_walls import registry
from ethical_walls import services as wall
from ethical_walls.selectors import permitted
from ethical_walls.models import AuditEvent
from tests.attack.scene import ATTACKERS, MARKERS, build_scene, leaks, protected_texts
from tests.competitions.journey import Journey
from tests.core.factories import UserFactory
from tests.core.queries import inbox_queries

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene():
    built = build_scene()
    yield built
    built.journey.stop_travel()


# --- the table ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Probe:
    rule: str
    channel: str
    name: str
    path: Callable  # scene -> URL
    api: bool = False
    absent: tuple = tuple(MARKERS)  # markers that must not appear
    check: Callable | None = None  # (scene, response) -> None, extra assertions


def json_ids(response, key="id"):
    return [row[key] for row in response.json().get("results", [])] if response.status_code == 200 else []


def no_serco_bid(scene, response):
    assert scene.serco_bid.pk not in json_ids(response)


def at_most_own_bid(scene, response):
    if response.status_code == 200:
        assert set(json_ids(response)) <= {scene.hmps_bid.pk}
        assert response.json()["count"] == len(json_ids(response))


def empty_list(scene, response):
    """No rows, and a count (numbered pages) of none: by cursor nothing is counted, so the count is null."""
    assert response.status_code != 200 or (response.json()["results"] == [] and response.json()["count"] in (0, None))


def no_confidential_keys(scene, response):
    if response.status_code == 200:
        body = response.json()
        assert "business_cases" not in body and "award_recommendation" not in body and "mandate" not in body


def no_draft_row(scene, response):
    if response.status_code == 200 and response.get("Content-Type", "").startswith("application/json"):
        assert scene.draft.pk not in json_ids(response)


def reports(scene):
    """The awarded competition's agreement evaluated one night, with its PDF and the night's summary stored (made once per scene)."""
    if not hasattr(scene, "reports"):
        from django.core.files.base import ContentFile

        from contracts.models import Agreement
        from evaluations.models import Evaluation, EvaluationRun, reports_storage

        agreement = Agreement.objects.get(competition=scene.live)
        on = timezone.localdate()
        storage = reports_storage()
        run = EvaluationRun.objects.create(
            on=on, status=EvaluationRun.Status.COMPLETED, total=1, started_at=timezone.now(), finished_at=timezone.now(),
            summary_pdf=storage.save(f"attack/{on}-summary.pdf", ContentFile(b"%PDF-1.7 portfolio summary")),
        )
        Evaluation.objects.create(
            run=run, agreement=agreement, rag="red", detail={"criteria": [], "trend": []}, fingerprint="attack", evaluated_at=timezone.now(),
            pdf=storage.save(f"attack/{on}-{agreement.pk}.pdf", ContentFile(b"%PDF-1.7 agreement evaluation")),
        )
        scene.reports = (on.isoformat(), agreement.pk)
    return scene.reports


def no_report_without_agreements(scene, response):
    """Reports are agreement material: whoever may not see agreements gets a 404 (the excluded commissioner still sees agreements)."""
    from contracts.selectors import sees_agreements

    if not sees_agreements(response.wsgi_request.user):
        assert response.status_code == 404


PROBES = [
    # Rule 1: the bid side sees only what every bidder sees.
    Probe("1", "page", "competition page", lambda s: f"/competitions/{s.live.pk}/?section=all"),
    Probe("1", "page", "score form for another bid (guessed URL)", lambda s: f"/competitions/{s.live.pk}/records/score/{s.serco_bid.pk}/"),
    Probe("1", "page", "another bid's document", lambda s: f"/competitions/{s.live.pk}/documents/{s.serco_bid.documents.get().pk}/"),
    Probe("1", "page", "competition edit page", lambda s: f"/competitions/{s.live.pk}/edit/"),
    Probe("1", "api_detail", "another bid", lambda s: f"/api/v1/bids/{s.serco_bid.pk}/", api=True),
    Probe("1", "api_detail", "a gateway report", lambda s: f"/api/v1/gateway-reviews/{GatewayReview.objects.filter(competition=s.live).first().pk}/", api=True),
    Probe("1", "api_detail", "competition detail", lambda s: f"/api/v1/competitions/{s.live.pk}/", api=True, check=no_confidential_keys),
    Probe("1", "api_detail", "a guessed bid id", lambda s: f"/api/v1/bids/{s.serco_bid.pk + 1000}/", api=True),
    Probe("1", "api_list", "bids", lambda s: f"/api/v1/bids/?competition={s.live.pk}", api=True, check=no_serco_bid),
    Probe("1", "api_list", "gateway reviews", lambda s: "/api/v1/gateway-reviews/", api=True, check=empty_list),
    Probe("1", "api_list", "clarifications", lambda s: f"/api/v1/clarifications/?competition={s.live.pk}", api=True),
    Probe("1", "count", "bid count", lambda s: "/api/v1/bids/", api=True, check=at_most_own_bid),
    Probe("1", "count", "competition list page count", lambda s: "/competitions/?state=draft"),
    Probe("1", "search", "search for confidential mandate words", lambda s: "/api/v1/competitions/?search=Confidential%20draft%20mandate", api=True, check=empty_list),
    Probe("1", "search", "admin search of bids", lambda s: "/admin/competitions/bid/?q=Serco"),
    # The service's one search box (issue #19): documents, questions and drafts it may not see are never found.
    Probe("1", "search", "service search for another bid's document", lambda s: "/search/?q=method"),
    Probe("1", "search", "service search for an unpublished question", lambda s: "/search/?q=liabilities"),
    Probe("1", "search", "API search for another bid's document", lambda s: "/api/v1/search/?q=method", api=True),
    Probe("4", "search", "service search for the draft's title", lambda s: "/search/?q=Victim"),
    Probe("1", "export", "competition list CSV", lambda s: "/competitions/export.csv"),
    Probe("1", "export", "conflicts register CSV", lambda s: "/walls/register.csv"),
    Probe("1", "pdf", "another bid's debrief letter", lambda s: f"/competitions/{s.live.pk}/debriefs/{s.serco_bid.pk}.pdf"),
    Probe("1", "admin", "another bid in the admin", lambda s: f"/admin/competitions/bid/{s.serco_bid.pk}/change/"),
    Probe("1", "admin", "scores in the admin", lambda s: f"/admin/competitions/score/{Score.objects.filter(bid__competition=s.live).first().pk}/change/"),
    Probe("1", "admin", "business cases list in the admin", lambda s: "/admin/competitions/businesscase/"),
    Probe("1", "dashboard", "home page", lambda s: "/"),
    Probe("1", "dashboard", "portfolio", lambda s: "/competitions/portfolio/"),
    # Draft material of a competition not yet launched.
    Probe("1", "page", "draft competition page", lambda s: f"/competitions/{s.draft.pk}/?section=all"),
    Probe("1", "api_detail", "draft competition", lambda s: f"/api/v1/competitions/{s.draft.pk}/", api=True, check=no_confidential_keys),
    Probe("1", "api_list", "competition list", lambda s: "/api/v1/competitions/?state=pre_procurement", api=True, check=no_draft_row),
    Probe("1", "export", "OCDS record of the draft competition", lambda s: f"/api/v1/ocds/competitions/{s.draft.pk}/record/", api=True),
    Probe("1", "export", "OCDS releases of every published competition", lambda s: "/api/v1/ocds/releases/", api=True),
    # A competition's risk register is commissioning material (issue #21): its page, its risks, the portfolio's heat map.
    Probe("1", "page", "the competition's risk register", lambda s: f"/risks/competition/{s.live.pk}/"),
    Probe("1", "page", "a competition's risk", lambda s: f"/risks/{competition_risk(s)}/"),
    Probe("1", "page", "reassessing a competition's risk", lambda s: f"/risks/{competition_risk(s)}/reassess/"),
    Probe("1", "api_detail", "a competition's risk", lambda s: f"/api/v1/risks/{competition_risk(s)}/", api=True),
    Probe("1", "api_list", "the competition's risks", lambda s: f"/api/v1/risks/?competition={s.live.pk}", api=True, check=empty_list),
    Probe("1", "count", "the portfolio's risk heat map", lambda s: "/risks/", check=lambda s, r: no_risk_counted(r)),
    # A competition's board papers, interests and decisions are commissioning material (issue #21).
    Probe("1", "page", "boards and their decisions", lambda s: "/boards/", check=lambda s, r: no_live_decision(s, r)),
    Probe("1", "page", "the meeting that agreed the criteria", lambda s: f"/boards/meetings/{board_paper(s).meeting_id}/",
          check=lambda s, r: no_live_decision(s, r)),
    Probe("1", "page", "a board paper about the competition", lambda s: f"/boards/papers/{board_paper(s).pk}/"),
    Probe("1", "export", "a board paper's file", lambda s: f"/boards/papers/{board_paper(s).pk}/file/"),
    Probe("1", "page", "a board decision about the competition", lambda s: f"/boards/decisions/{live_decisions(s)[0]}/"),
    Probe("1", "page", "recording a decision at that meeting", lambda s: f"/boards/meetings/{board_paper(s).meeting_id}/decide/"),
    Probe("1", "api_detail", "a board decision about the competition", lambda s: f"/api/v1/decisions/{live_decisions(s)[0]}/", api=True),
    Probe("1", "api_list", "the competition's board decisions", lambda s: f"/api/v1/decisions/?competition={s.live.pk}", api=True, check=empty_list),
    Probe("1", "count", "board decisions counted", lambda s: "/api/v1/decisions/", api=True, check=lambda s, r: no_live_decision(s, r)),
    # Rule 5: after award, award material stays behind the wall.
    Probe("5", "page", "award recommendation form", lambda s: f"/competitions/{s.live.pk}/transitions/recommend_award/"),
    Probe("5", "export", "OCDS record of the awarded competition", lambda s: f"/api/v1/ocds/competitions/{s.live.pk}/record/", api=True),
    Probe("5", "admin", "award recommendation in the admin", lambda s: f"/admin/competitions/awardrecommendation/{AwardRecommendation.objects.get(competition=s.live).pk}/change/"),
    Probe("5", "admin", "tie-break in the admin", lambda s: f"/admin/competitions/tiebreak/{TieBreak.objects.get(competition=s.live).pk}/change/"),
    Probe("5", "admin", "moderated scores in the admin", lambda s: f"/admin/competitions/moderatedscore/{ModeratedScore.objects.filter(bid__competition=s.live).first().pk}/change/"),
    Probe("5", "admin", "business case in the admin", lambda s: f"/admin/competitions/businesscase/{BusinessCase.objects.filter(competition=s.live).first().pk}/change/"),
    # Rule 7: the nightly reports of the agreement the award created are agreement material, on the page and in the PDFs.
    Probe("7", "page", "nightly evaluation reports", lambda s: "/reports/", check=no_report_without_agreements),
    Probe("7", "page", "a night's evaluation run", lambda s: f"/reports/{reports(s)[0]}/?rag=red", check=no_report_without_agreements),
    Probe("7", "pdf", "a night's portfolio summary", lambda s: f"/reports/{reports(s)[0]}/summary.pdf", check=no_report_without_agreements),
    Probe("7", "pdf", "an agreement's evaluation report", lambda s: f"/reports/{reports(s)[0]}/agreements/{reports(s)[1]}.pdf",
          check=no_report_without_agreements),
    # Rule 4 for everyone: a competition not yet launched exists only for its commissioning side (and oversight).
    Probe("4", "page", "another commissioner's draft", lambda s: f"/competitions/{s.elsewhere.pk}/?section=all"),
    Probe("4", "api_detail", "another commissioner's draft", lambda s: f"/api/v1/competitions/{s.elsewhere.pk}/", api=True),
    Probe("4", "count", "competitions counted", lambda s: "/api/v1/competitions/", api=True, check=lambda s, r: counts_what_it_may_see(s, r)),
    Probe("4", "count", "competition list page with a value filter", lambda s: "/competitions/?min_value=1&max_value=999999999"),
    Probe("4", "search", "competition search for the draft's title", lambda s: "/competitions/?search=Victim+contact"),
    Probe("4", "export", "competition CSV with a state filter", lambda s: "/competitions/export.csv?state=draft"),
    Probe("4", "page", "declaration choices", lambda s: "/walls/"),
    Probe("4", "page", "declaring on the draft", lambda s: f"/walls/{s.draft.pk}/declare/"),
    Probe("4", "api_list", "declarations for the draft", lambda s: f"/api/v1/conflict-declarations/?competition={s.draft.pk}", api=True),
    Probe("4", "page", "the competition pipeline", lambda s: "/cycles/pipeline/"),
    Probe("4", "export", "the UK1 pipeline notice", lambda s: "/cycles/pipeline/uk1.json"),
    Probe("4", "export", "OCDS releases of the draft by OCID", lambda s: f"/api/v1/ocds/releases/?ocid={s.draft.ocid}", api=True),
    # A conflict exclusion covers the agreement the competition let.
    Probe("4", "dashboard", "contracts dashboard", lambda s: "/contracts/"),
    Probe("4", "page", "the awarded competition's agreement", lambda s: f"/contracts/{agreement_id(s)}/?section=all"),
    Probe("4", "api_list", "agreements", lambda s: "/api/v1/agreements/", api=True),
    Probe("4", "api_detail", "the awarded competition's agreement", lambda s: f"/api/v1/agreements/{agreement_id(s)}/", api=True),
    # The admin reveals nothing the service would not: no deletion pages listing what depends on a record.
    Probe("7", "admin", "deleting the service area", lambda s: f"/admin/core/servicearea/{s.live.service_area_id}/delete/"),
    Probe("7", "admin", "deleting the bidder organisation", lambda s: f"/admin/core/organisation/{s.serco_bid.bidder_id}/delete/"),
    Probe("7", "admin", "deleting the lead commissioner", lambda s: f"/admin/core/user/{s.journey.commissioner.pk}/delete/"),
    Probe("7", "admin", "competitions in the admin, searched", lambda s: "/admin/competitions/competition/?q=Victim"),
    Probe("7", "admin", "the draft in the admin", lambda s: f"/admin/competitions/competition/{s.draft.pk}/change/"),
]


def _protected_record(scene, protection):
    """A record of this kind in the scene's live competition that is not the bid team's own (there must be one)."""
    records = protection.model.objects.filter(**{protection.competition_path: scene.live.pk})
    if protection.own_bid_path:
        records = records.exclude(**{protection.own_bid_path.removesuffix("_id"): scene.hmps_bid.pk})
    record = records.order_by("pk").first()
    assert record is not None, f"the scene holds no {protection.label} outside the bid team's own: add one, so the wall is probed on it"
    return record


# Generated from the wall's registry: every kind of protected record, in the admin (its list and one
# record), so a protected record registered without the wall's rules is probed (and fails) here.
PROBES += [
    probe
    for protection in registry.protected()
    for probe in (
        Probe("1", "admin", f"{protection.label} in the admin",
              lambda s, p=protection: f"/admin/{p.label.replace('.', '/')}/{_protected_record(s, p).pk}/change/"),
        Probe("1", "admin", f"{protection.label} listed in the admin", lambda s, p=protection: f"/admin/{p.label.replace('.', '/')}/"),
    )
]

# Every API list probed page by page is probed again walked by cursor (?paging=cursor, issue #22): the same answer.
PROBES += [
    Probe(probe.rule, "api_list by cursor", probe.name, lambda s, p=probe: p.path(s) + ("&" if "?" in p.path(s) else "?") + "paging=cursor",
          api=True, absent=probe.absent, check=probe.check)
    for probe in PROBES if probe.channel == "api_list"
]


def competition_risk(scene) -> int:
    from governance.models import Risk

    return Risk.objects.get(competition=scene.live).pk


def board_paper(scene):
    from boards.models import Paper

    return Paper.objects.get(competition=scene.live)


def live_decisions(scene) -> list[int]:
    from boards.models import Decision

    return list(Decision.objects.filter(competition=scene.live).order_by("pk").values_list("pk", flat=True))


def no_live_decision(scene, response):
    """Neither listed nor counted: none of the live competition's decisions, by link (pages) or id (API)."""
    decisions = live_decisions(scene)
    assert decisions, "the scene's competition has board decisions (the Journey's guards read them)"
    if response.status_code != 200:
        return
    if response.get("Content-Type", "").startswith("application/json"):
        rows = json_ids(response)
        assert not set(rows) & set(decisions) and response.json()["count"] == len(rows)
    else:
        assert not any(f"/boards/decisions/{pk}/" in response.content.decode() for pk in decisions)


def no_risk_counted(response):
    """The heat map counts only what its reader may read: nothing of the live competition's register."""
    if response.status_code == 200:
        assert "Heat map: 0 open" in response.content.decode()


def agreement_id(scene) -> int:
    from contracts.models import Agreement

    return Agreement.objects.get(competition=scene.live).pk


def counts_what_it_may_see(scene, response):
    """The count is the launched competition and those whose commissioning side the attacker is on — nothing more."""
    from ethical_walls.models import Membership

    user = response.wsgi_request.user
    on_side = set(Membership.objects.filter(user=user, side="commissioning", left_at__isnull=True).values_list("wall__competition_id", flat=True))
    assert response.json()["count"] == len({scene.live.pk} | on_side)


def _fetch(user, probe: Probe, path: str):
    if probe.api:
        client = APIClient()
        client.force_authenticate(user)
    else:
        client = Client()
        client.force_login(user)
    response = client.get(path)
    body = b"".join(response.streaming_content) if getattr(response, "streaming", False) else response.content
    return response, body.decode("utf-8", errors="replace")


@pytest.mark.parametrize("attacker", ATTACKERS)
def test_attacker_gets_nothing(scene, attacker):
    """Every probe of the table, as this attacker: nothing protected in any answer, every 404 logged."""
    user = scene.attackers[attacker]
    texts = protected_texts(scene, user)
    assert texts, "the scene must hold something this attacker may not read"
    failures = []
    for probe in PROBES:
        path = probe.path(scene)
        where = f"{probe.channel} {probe.name} ({path})"
        response, text = _fetch(user, probe, path)
        if response.status_code not in (200, 302, 403, 404):
            failures.append(f"{where} answered {response.status_code}")
            continue
        failures += [f"{MARKERS[name]!r} via {where}" for name in probe.absent if MARKERS[name] in text]
        failures += leaks(texts, text, where)
        if probe.check:
            try:
                probe.check(scene, response)
            except AssertionError as failed:
                failures.append(f"{where}: {failed}")
        if response.status_code in (403, 404) and not AuditEvent.objects.filter(action="refused", actor=user, path=path.split("?")[0]).exists():
            # Rule 6: a refusal is an audit event.
            failures.append(f"refusal of {path} not logged")
    assert not failures, f"{attacker}:\n" + "\n".join(failures)


@pytest.mark.parametrize("attacker", ATTACKERS)
def test_no_attacker_holds_a_permission_on_any_protected_record(scene, attacker):
    """From the registry: of every kind of protected record of the live competition, the attacker may read none
    (the bid team its own bid's material only)."""
    user = scene.attackers[attacker]
    held = {}
    for protection in registry.protected():
        _protected_record(scene, protection)  # the scene has one to hold
        records = permitted(user, protection.model.objects.filter(**{protection.competition_path: scene.live.pk}))
        if protection.own_bid_path and attacker == "bid_team":
            records = records.exclude(**{protection.own_bid_path.removesuffix("_id"): scene.hmps_bid.pk})
        held.update({protection.label: list(records.values_list("pk", flat=True))} if records.exists() else {})
    assert held == {}


# --- rule 2: a bid's tender is its own team's until the deadline, then the evaluators' -----------------

def test_tenders_are_sealed_from_the_commissioning_side_until_the_bid_deadline():
    journey = Journey()
    try:
        journey.advance_to(State.TENDER)
        bids = {b.bidder.name: b for b in journey.bids()}
        hmps = bids["HMPS Business Development Group"]
        bid_team = UserFactory(roles=[Role.BID_TEAM])
        journey.join(bid_team, "bid_team", side="bid", bid=hmps)
        journey.satisfy("tenders")
        evaluator, team = APIClient(), APIClient()
        evaluator.force_authenticate(journey.procurement)
        team.force_authenticate(bid_team)
        before = {row["id"]: row for row in evaluator.get("/api/v1/bids/").json()["results"]}
        assert before[hmps.pk]["tender_price"] is None and before[hmps.pk]["bidder_name"] == hmps.bidder.name
        own = team.get(f"/api/v1/bids/{hmps.pk}/").json()
        assert own["tender_price"] == "240000000.00"  # the team sees its own tender
        assert team.get(f"/api/v1/bids/{bids['Serco Justice Services'].pk}/").status_code == 404
        journey.satisfy("deadline_passed")
        evaluator.force_authenticate(type(journey.procurement).objects.get(pk=journey.procurement.pk))
        after = {row["id"]: row for row in evaluator.get("/api/v1/bids/").json()["results"]}
        assert after[hmps.pk]["tender_price"] == "240000000.00"
        assert team.get(f"/api/v1/bids/{bids['Serco Justice Services'].pk}/").status_code == 404  # never the competitor's
    finally:
        journey.stop_travel()


# --- rules 3 and 4: who may join which side ---------------------------------------------------------

def test_nobody_is_on_both_sides_and_commissioning_work_quarantines(scene):
    from ethical_walls.access import user_roles_set

    journey = scene.journey
    both = UserFactory(roles=[Role.COMMISSIONER])
    journey.join(both, "evaluator")
    user_roles_set(user=both, roles=[Role.COMMISSIONER, Role.BID_TEAM])  # moves to the bid team while still an evaluator
    with pytest.raises(ValidationError, match="nobody may be on both sides"):
        wall.wall_join(competition=scene.live, user=both, side="bid", role="bid_team", bid=scene.hmps_bid, actor=journey.procurement)
    quarantined = scene.attackers["quarantined"]
    with pytest.raises(ValidationError) as refusal:
        wall.wall_join(competition=scene.live, user=quarantined, side="bid", role="bid_team", bid=scene.hmps_bid, actor=journey.procurement)
    until = (timezone.localdate() + datetime.timedelta(days=180)).year
    assert "in quarantine until" in str(refusal.value) and str(until) in str(refusal.value)


def test_the_quarantine_ends_after_the_configured_period(scene, settings):
    journey = scene.journey
    journey.travel_to(timezone.localdate() + datetime.timedelta(days=200))
    member = wall.wall_join(competition=scene.live, user=scene.attackers["quarantined"], side="bid", role="bid_team", bid=scene.hmps_bid, actor=journey.procurement)
    assert member.side == "bid"


def test_no_declaration_no_access(scene):
    newcomer = UserFactory(roles=[Role.COMMISSIONER])
    with pytest.raises(ValidationError, match="no declaration, no access"):
        wall.wall_join(competition=scene.live, user=newcomer, side="commissioning", role="evaluator", actor=scene.journey.commissioner)


def test_an_excluded_person_cannot_rejoin_and_holds_no_permission(scene):
    from ethical_walls.selectors import permitted

    excluded = scene.attackers["excluded"]
    assert not permitted(excluded, Bid.objects.all()).exists()
    with pytest.raises(ValidationError, match="excluded"):
        wall.wall_join(competition=scene.live, user=excluded, side="commissioning", role="evaluator", actor=scene.journey.commissioner)
    revoked = AuditEvent.objects.filter(action="revoke", subject=excluded)
    assert revoked.exists()


# --- rule 6: the audit log is append-only ----------------------------------------------------------------

def test_the_audit_log_refuses_change_and_deletion_in_code(scene):
    event = AuditEvent.objects.filter(action="grant").first()
    event.detail = "rewritten"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the database-level guard is PostgreSQL's (CI sets DATABASE_URL)")
def test_raw_sql_update_and_delete_of_the_audit_log_fail_on_postgresql(scene):
    from django.db import DatabaseError, transaction

    event_id = AuditEvent.objects.first().pk
    for statement in (
        "UPDATE ethical_walls_auditevent SET detail = 'rewritten' WHERE id = %s",
        "DELETE FROM ethical_walls_auditevent WHERE id = %s",
    ):
        with pytest.raises(DatabaseError, match="Cannot update or delete rows"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement, [event_id])
    assert AuditEvent.objects.filter(pk=event_id).exclude(detail="rewritten").exists()


# --- rule 7: superusers have no way round; the permission-aware list is cheap ------------------------------

@pytest.mark.parametrize("permissions", [1, 200])
def test_the_permission_aware_competition_list_runs_fixed_queries(permissions, django_assert_num_queries):
    from django.test import Client

    from core.models import ServiceArea

    commissioner = UserFactory(roles=[Role.COMMISSIONER])
    area = ServiceArea.objects.create(name="Resettlement")
    for n in range(permissions):
        services.competition_create(actor=commissioner, title=f"Resettlement lot {n}", service_area=area, estimated_value=Decimal(n))
    from ethical_walls.models import CompetitionUserObjectPermission

    assert CompetitionUserObjectPermission.objects.filter(user=commissioner).count() == permissions
    client = Client()
    client.force_login(commissioner)
    client.get("/competitions/")
    # session, user, roles (navigation), count, service areas (the filter), the page of competitions; the inbox's count
    with django_assert_num_queries(6 + inbox_queries(commissioner)):
        response = client.get("/competitions/")
    assert f"{permissions} competition" in response.content.decode()


def test_the_bid_team_page_shows_its_own_bid_and_debrief_and_nothing_of_the_others(scene, client):
    client.force_login(scene.attackers["bid_team"])
    html = client.get(f"/competitions/{scene.live.pk}/?section=all").content.decode()
    assert "Your bid" in html and "Your debrief letter (PDF)" in html
    assert "Serco method statement" not in html and "Sealed" not in html
    response = client.get(f"/competitions/{scene.live.pk}/debriefs/{scene.hmps_bid.pk}.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
