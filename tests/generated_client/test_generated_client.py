"""An API a generated client can use (issue #15): openapi-python-client, run on the live schema, drives a procurement journey.

The client is generated from /api/schema/ as served, into a folder of the test's own; every
module of it must import; then, against the live test server, with tokens, it creates a
competition, edits it with If-Match, moves it, answers a clarification, issues a Notice of
Change with nested changes and submits a return with its evidence file.
"""

import datetime
import importlib
import io
import json
import pkgutil
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
import requests
from django.utils import timezone

from competitions.models import Clarification, Competition, State
from contracts.models import Agreement, NoticeOfChange, Return
from core.roles import Role
from ethical_walls.tokens import token_issue
from tests.competitions.journey import Journey
from tests.core.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)
PACKAGE = "noms_client"


@pytest.fixture
def generated(live_server, tmp_path, migrated_rows, monkeypatch):
    """The client generated from the live schema, importable as `noms_client`."""
    reader = UserFactory(roles=[Role.PROCUREMENT])
    schema = requests.get(f"{live_server.url}/api/schema/?format=json", headers={"Authorization": f"Token {token_issue(user=reader).key}"}, timeout=60)
    assert schema.status_code == 200
    (tmp_path / "schema.json").write_text(schema.text)
    (tmp_path / "config.yml").write_text(f"post_hooks: []\nproject_name_override: {PACKAGE}\npackage_name_override: {PACKAGE}\n")
    generator = shutil.which("openapi-python-client", path=str(Path(sys.executable).parent))
    assert generator, "openapi-python-client is a test dependency (pyproject.toml)"
    subprocess.run([generator, "generate", "--path", "schema.json", "--config", "config.yml", "--meta", "none", "--output-path", PACKAGE],
                   cwd=tmp_path, check=True, capture_output=True, text=True, timeout=300)
    monkeypatch.syspath_prepend(str(tmp_path))
    yield importlib.import_module(PACKAGE)
    for name in [module for module in sys.modules if module == PACKAGE or module.startswith(PACKAGE + ".")]:
        del sys.modules[name]


def test_every_module_of_the_generated_client_imports(generated):
    modules = [info.name for info in pkgutil.walk_packages(generated.__path__, prefix=f"{PACKAGE}.")]
    failures = []
    for name in modules:
        try:
            importlib.import_module(name)
        except Exception as error:  # noqa: BLE001 - each failure is listed
            failures.append(f"{name}: {type(error).__name__}: {error}")
    assert len(modules) > 100 and not failures, "\n".join(failures)


def operation(name: str):
    return importlib.import_module(f"{PACKAGE}.api.v1.{name}")


def model(name: str, data: dict):
    module = importlib.import_module(f"{PACKAGE}.models")
    return getattr(module, name).from_dict(data)


def test_a_procurement_journey_through_the_generated_client(generated, live_server):
    def client(user):
        return generated.AuthenticatedClient(base_url=live_server.url, token=token_issue(user=user).key, prefix="Token")

    journey = Journey()
    commissioner, procurement = client(journey.commissioner), client(journey.procurement)

    # Create a competition, then edit it with the ETag read back as If-Match.
    created = operation("v1_competitions_create").sync_detailed(client=commissioner, body=model("CompetitionCreateRequest", {
        "title": "Resettlement hubs", "service_area": journey.service_area.pk, "estimated_value": "2500000.00",
    }))
    assert created.status_code == 201, created.content
    new_id = str(json.loads(created.content)["id"])
    edited = operation("v1_competitions_partial_update").sync_detailed(
        new_id, client=commissioner, body=model("PatchedCompetitionUpdateRequest", {"description": "Three prisons."}),
        if_match=created.headers["ETag"],
    )
    assert edited.status_code == 200 and json.loads(edited.content)["description"] == "Three prisons."
    stale = operation("v1_competitions_partial_update").sync_detailed(
        new_id, client=commissioner, body=model("PatchedCompetitionUpdateRequest", {"description": "Lost update?"}),
        if_match=created.headers["ETag"],  # read before the edit: stale now
    )
    assert stale.status_code == 412

    # Move the journey's competition on, with its current ETag.
    journey.prepare("start_pre_procurement")
    competition_id = str(journey.competition.pk)
    read = operation("v1_competitions_retrieve").sync_detailed(competition_id, client=commissioner)
    assert read.status_code == 200, (read.status_code, read.content[:300])
    moved = operation("v1_competitions_start_pre_procurement_create").sync_detailed(
        competition_id, client=commissioner, body=model("TransitionRequest", {}), if_match=read.headers["ETag"],
    )
    assert moved.status_code == 200, moved.content
    assert Competition.objects.get(pk=journey.competition.pk).state == State.PRE_PROCUREMENT

    # Launched, a bidder's question is logged and answered to all.
    journey.advance_to(State.PRE_QUALIFICATION)
    logged = operation("v1_clarifications_create").sync_detailed(client=procurement, body=model("ClarificationLogRequest", {
        "competition": journey.competition.pk, "asked_by": journey.private_bidder.pk, "question": "Is TUPE expected?",
    }))
    assert logged.status_code == 201, logged.content
    answered = operation("v1_clarifications_answer_create").sync_detailed(
        str(json.loads(logged.content)["id"]), client=procurement, body=model("ClarificationAnswerRequest", {"answer": "Yes, for 340 staff."}),
    )
    assert answered.status_code == 200, answered.content
    assert Clarification.objects.get(question="Is TUPE expected?").published_at is not None

    # A live agreement: a Notice of Change with nested changes, and a return with its evidence file.
    from tests.ocds.conftest import take_agreement_live

    journey.advance_to(State.AWARDED)
    agreement = take_agreement_live(journey, kpis=3)
    issued = operation("v1_notices_of_change_create").sync_detailed(client=procurement, body=model("NoticeOfChangeIssueRequest", {
        "agreement": agreement.pk, "summary": "Indexation at CPI", "material": False, "changes": {"value": "240000100.00"},
    }))
    assert issued.status_code == 201, issued.content
    assert NoticeOfChange.objects.get(agreement=agreement).status == NoticeOfChange.Status.IN_EFFECT
    assert Agreement.objects.get(pk=agreement.pk).value == Decimal("240000100.00")

    journey.travel_to(timezone.localdate() + datetime.timedelta(days=40))  # the first month has ended
    manager = client(Agreement.objects.get(pk=agreement.pk).contract_manager)
    measure = agreement.measures.first()
    submitted = operation("v1_returns_create").sync_detailed(client=manager, body=model("ReturnSubmitRequest", {
        "measure": measure.pk, "period_start": agreement.start_date.isoformat(), "value": "93.5",
    }))
    assert submitted.status_code == 201, submitted.content
    file_type = importlib.import_module(f"{PACKAGE}.types").File
    evidence = operation("v1_returns_evidence_create").sync_detailed(
        str(json.loads(submitted.content)["id"]), client=manager,
        body=importlib.import_module(f"{PACKAGE}.models").ReturnEvidenceRequest(
            file=file_type(payload=io.BytesIO(b"month,housed\nJan,93.5\n"), file_name="evidence.csv", mime_type="text/csv"),
        ),
    )
    assert evidence.status_code == 200, evidence.content
    assert Return.objects.get(measure=measure).evidence_file.read() == b"month,housed\nJan,93.5\n"
    journey.stop_travel()
