"""Every API endpoint, taken from the URL conf, tried by attackers against protected records (SPEC §4).

The routes come from the DRF router, so a new endpoint is covered automatically — or
this test fails until PROTECTED says which record of that resource the attacker must not
reach (or PUBLIC says why it has none). For each route: a list must not include the
protected record; a detail must answer 404 and log the refusal; an action on the
protected record must answer exactly as on a record that does not exist, and change
nothing.
"""

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import URLPattern
from django.utils import timezone
from rest_framework.test import APIClient

from competitions.models import Clarification, GatewayReview
from contracts.models import Agreement, Claim, ClaimLine, Measure, MobilisationMilestone, NoticeOfChange, RectificationNotice, Return
from cycle import services as cycle_services
from ethical_walls.models import AuditEvent, ConflictDeclaration
from boards.models import Decision
from governance.models import Risk
from noms_commissioning.api import router
from tests.attack.scene import MARKERS, build_scene

pytestmark = pytest.mark.django_db
NO_SUCH_ID = 987654


def _agreement_records(scene) -> dict:
    """The awarded competition's agreement with one of each of its records (made directly: only their existence matters here)."""
    agreement = Agreement.objects.get(competition=scene.live)
    procurement = scene.journey.procurement
    measure = Measure.objects.create(agreement=agreement, name="Confidential measure", target=Decimal(90))
    today = timezone.localdate()
    return {
        "agreement": agreement.pk,
        "measure": measure.pk,
        "return": Return.objects.create(measure=measure, period_start=today.replace(day=1), value=Decimal(80), submitted_by=procurement).pk,
        "notice-of-change": NoticeOfChange.objects.create(agreement=agreement, number=1, summary="Price", material=False, changes={},
                                                          status=NoticeOfChange.Status.IN_EFFECT, issued_by=procurement).pk,
        "rectification-notice": RectificationNotice.objects.create(agreement=agreement, failings="Late", issued_on=today,
                                                                   deadline=today + datetime.timedelta(days=30), issued_by=procurement).pk,
        "claim": _paid_claim(agreement, scene).pk,
        "milestone": MobilisationMilestone.objects.create(agreement=agreement, kind="premises", title="Premises ready", owner=procurement,
                                                          due_on=today, added_by=procurement).pk,
    }


def _paid_claim(agreement, scene) -> Claim:
    """A paid claim of the agreement, approved by two others than its author (the database's rule)."""
    today = timezone.localdate()
    claim = Claim.objects.create(agreement=agreement, period_start=today - datetime.timedelta(days=120), period_end=today - datetime.timedelta(days=30),
                                 status=Claim.Status.PAID, total=Decimal("525000.00"), raised_by=scene.journey.procurement,
                                 raised_at=timezone.now(), checked_by=scene.journey.commissioner, approved_by=scene.journey.sro,
                                 paid_on=today, payment_reference="Confidential payment")
    ClaimLine.objects.create(claim=claim, kind="fee", description="Service fee", amount=Decimal("525000.00"))
    return claim


def _benefit(scene) -> int:
    """A benefit of the live competition's business case (issue #21): commissioning material."""
    from competitions import services as competition_services
    from competitions.models import BusinessCase

    case = BusinessCase.objects.filter(competition=scene.live).first()
    return competition_services.benefit_add(business_case=case, actor=scene.journey.commissioner, description="Confidential benefit",
                                            how_measured="Share housed", baseline=Decimal(1), target=Decimal(2), owner=scene.journey.sro).pk


def _cycle(scene) -> int:
    today = timezone.localdate()
    return cycle_services.cycle_create(actor=scene.journey.commissioner, name="Confidential cycle", cycle_type="strategic", level="national",
                                       period_start=today, period_end=today + datetime.timedelta(days=365), available_resources=Decimal(1)).pk


# basename -> scene -> the id of a record of that resource the bid team may not see.
PROTECTED = {
    "competition": lambda s, r: s.draft.pk,
    "gateway-review": lambda s, r: GatewayReview.objects.filter(competition=s.live).first().pk,
    "bid": lambda s, r: s.serco_bid.pk,
    "clarification": lambda s, r: Clarification.objects.get(question=MARKERS["unpublished_question"]).pk,
    "conflict-declaration": lambda s, r: ConflictDeclaration.objects.filter(user=s.attackers["excluded"]).first().pk,
    "audit-event": lambda s, r: AuditEvent.objects.first().pk,
    "cycle": lambda s, r: _cycle(s),
    "agreement": lambda s, r: r["agreement"],
    "measure": lambda s, r: r["measure"],
    "return": lambda s, r: r["return"],
    "notice-of-change": lambda s, r: r["notice-of-change"],
    "rectification-notice": lambda s, r: r["rectification-notice"],
    "claim": lambda s, r: r["claim"],
    "payment": lambda s, r: r["claim"],
    "mobilisation-milestone": lambda s, r: r["milestone"],
    "ocds-competition": lambda s, r: s.draft.pk,
    "risk": lambda s, r: Risk.objects.get(competition=s.live).pk,
    "benefit": lambda s, r: _benefit(s),
    "decision": lambda s, r: Decision.objects.filter(competition=s.live).first().pk,  # the board's decisions the live competition's guards read
}
# Resources with nothing behind the wall, and why.
PUBLIC = {
    "organisation": "organisations are public records",
    "outcome": "the outcomes tree is published reference data",
    "ocds-release": "OCDS releases are built from published facts only, the same for every reader (tests/ocds)",
    "search": "no record of its own: each result comes through its kind's selectors (tests/core/test_search.py, and the search "
              "probes of every attacker in test_wall_attack_matrix.py)",
}
ATTACKERS = ["bid_team", "superuser"]


def api_routes() -> list[tuple[str, str, str]]:
    """(basename, route name, URL template with {pk}) for every route the router makes, format suffixes aside."""
    routes = []
    for pattern in router.urls:
        if not isinstance(pattern, URLPattern) or pattern.name == "api-root" or "format" in pattern.pattern.regex.groupindex:
            continue
        basename = next(b for _, _, b in router.registry if pattern.name.startswith(b + "-"))
        template = re.sub(r"\(\?P<(\w+)>[^)]+\)", "{pk}", pattern.pattern.regex.pattern).strip("^$").replace("\\", "")
        routes.append((basename, pattern.name, "/api/v1/" + template))
    return routes


ROUTES = api_routes()


def test_every_resource_of_the_router_is_in_the_attack_table():
    basenames = {basename for _, _, basename in router.registry}
    assert basenames - set(PROTECTED) - set(PUBLIC) == set(), "a new API resource: say which record the wall must hide (PROTECTED) or why none (PUBLIC)"
    assert set(PROTECTED) & set(PUBLIC) == set()


@pytest.fixture(scope="module")
def routes_seen():
    return set()


@pytest.fixture
def scene():
    built = build_scene()
    built.records = _agreement_records(built)
    yield built
    built.journey.stop_travel()


@pytest.mark.parametrize("attacker", ATTACKERS)
def test_no_api_route_gives_an_attacker_a_protected_record(scene, attacker):
    user = scene.attackers[attacker]
    client = APIClient()
    client.force_authenticate(user)
    protected = {basename: find(scene, scene.records) for basename, find in PROTECTED.items()}
    tried = []
    for basename, name, template in ROUTES:
        if basename in PUBLIC:
            continue
        secret = protected[basename]
        if "{pk}" not in template:
            response = client.get(template)
            assert response.status_code in (200, 403, 404), f"{name}: {response.status_code}"
            if response.status_code == 200 and "results" in response.json():
                assert secret not in [row.get("id") for row in response.json()["results"]], f"{attacker} listed {basename} {secret} via {name}"
            tried.append(name)
            continue
        url, unknown = template.format(pk=secret), template.format(pk=NO_SUCH_ID)
        if name.endswith("-detail"):
            response = client.get(url)
            assert response.status_code == 404, f"{attacker} got {response.status_code} for {url}"
            assert AuditEvent.objects.filter(action="refused", actor=user, path=url).exists(), f"refusal of {url} not logged"
        else:
            answer, to_nothing = client.post(url, {}, format="json"), client.post(unknown, {}, format="json")
            assert answer.status_code == to_nothing.status_code and answer.status_code in (403, 404, 405), (
                f"{attacker} told a protected {basename} from a missing one via {name}: {answer.status_code} vs {to_nothing.status_code}"
            )
        for marker in MARKERS.values():
            assert marker not in client.get(url).content.decode(), f"{attacker} reached {marker!r} via {url}"
        tried.append(name)
    assert len(tried) >= len(PROTECTED) * 2  # every protected resource's list and detail, at least
