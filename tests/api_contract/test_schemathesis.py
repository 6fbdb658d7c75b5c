"""The live API keeps its OpenAPI schema's word (SPEC §6), tested by Schemathesis in-process.

Every operation of the schema is called with a bounded number of generated requests, valid
and invalid, each sent three times: as a procurement officer (on the commissioning side of the
demo competitions), as a member of the HMPS bid team (a wall away from most of it), and with
no valid token (401, which must say how to authenticate). Each answer must be no server
error, with a status, media type, headers and body that the schema documents for that
operation: so every error the API can give must be documented, as problem details
(core/api/schema.py). Then every detail operation reads many records of its kind.

Bounded and reproducible: ten examples per operation, derandomized, no deadline; the run
stops by itself. Requests write to the test database (transitions, creates) as they would
against a real server; each operation's writes are rolled back before the next.

The schema is generated at collection, before any database exists, by the generator that
serves /api/schema/ (drf-spectacular's, with the same settings); `test_the_schema_tested_is_the_one_served`
holds the two to be the same. (Schemathesis can load a schema from a fixture instead, but its
fixture loader does not run under pytest 9.2, which renamed the node attribute it rewrites.)
"""

import os
import zlib

import pytest
import schemathesis
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from core.roles import Role
from noms_commissioning.api import router
from tests.api import model_of
from tests.api_contract.conftest import caller

MAX_EXAMPLES = 10
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
CONFIG = {
    # Valid and invalid requests; with `deterministic`, the same ones on every run.
    "generation": {"mode": "all", "max-examples": MAX_EXAMPLES, "deterministic": True},
    # The coverage phase sends every boundary and every wrong type the schema allows for, however
    # many (some 4,700 requests here, over five minutes on two cores), so it is not bounded by
    # max-examples: CI runs the fuzzing phase alone. API_CONTRACT_COVERAGE=1 runs it too.
    "phases": {"coverage": {"enabled": os.environ.get("API_CONTRACT_COVERAGE") == "1"}},
}


def generated_schema() -> dict:
    return SchemaGenerator().get_schema(request=None, public=True)


schema = schemathesis.openapi.from_dict(generated_schema(), config=SchemathesisConfig.from_dict(CONFIG))


@pytest.fixture(scope="module")
def application():
    """Django's WSGI application, in the tests' transaction.

    A real request opens and closes its own database connection (close_old_connections);
    here it must use the test's connection, as Django's own test client arranges.
    """
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture
def callers(demo_data, db) -> dict[str, dict]:
    """Who sends each request, and the headers that say so."""
    return {
        "a procurement officer": caller("procurement", Role.PROCUREMENT).headers,
        "a member of the HMPS bid team": caller("bid_team", Role.BID_TEAM).headers,
        # No token of ours: no Authorization header, or whatever one the case was generated with.
        "someone not signed in": {},
    }


@pytest.fixture
def existing_ids(demo_data, db) -> dict[str, list[int]]:
    """The ids of each resource's records, by its collection's path (whoever may see them)."""
    ids = {}
    for prefix, viewset, _ in router.registry:
        model = model_of(viewset)
        if model is not None:  # the search serves no records of its own
            ids[f"/api/v1/{prefix}/"] = list(model.objects.order_by("pk").values_list("pk", flat=True))
    return ids


def name_a_record_that_exists(case, existing_ids) -> None:
    """Point a generated valid id at a record that exists, so detail operations find something.

    Left alone, a generated id is hardly ever one in the demo data, and every detail would
    answer 404 with its 200 untested. The record is chosen by the rest of the request, so that
    examples differing in body or query reach different records, the same ones on every run.
    Ids that are not numbers (invalid ones) are kept, and answer 404.
    """
    record_id = str(case.path_parameters.get("id"))
    collection = case.path.partition("{id}")[0]
    if record_id.isascii() and record_id.isdigit() and existing_ids.get(collection):
        ids = existing_ids[collection]
        choice = zlib.crc32(repr((case.query, case.body)).encode())
        case.path_parameters = {**case.path_parameters, "id": ids[choice % len(ids)]}


def test_the_schema_tested_is_the_one_served(application, callers):
    served = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application, headers=callers["a procurement officer"])
    assert served.raw_schema == generated_schema()


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES, deadline=None, derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.function_scoped_fixture],
)
def test_every_operation_answers_as_its_schema_says(case, application, callers, existing_ids):
    name_a_record_that_exists(case, existing_ids)
    for who, headers in callers.items():
        try:
            case.call_and_validate(app=application, headers=headers, checks=CHECKS)
        except Exception as failure:
            failure.add_note(f"Sent by {who}.")
            raise


# Every record of a kind, up to this many, is read by each caller below.
RECORDS_READ = 25


def test_every_record_reads_as_its_schema_says(application, callers, existing_ids):
    """Each generated example above reaches one record at most; here every detail reads many.

    A record's shape varies with its state (a competition before and after award, an agreement
    with and without returns): each detail operation reads each demo record of its kind,
    up to RECORDS_READ, as each caller, and each answer must be as documented.
    """
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.method.upper() != "GET" or "{id}" not in operation.path:
            continue
        ids = existing_ids[operation.path.partition("{id}")[0]]
        assert ids, f"No demo records to read with {operation.label}"
        for pk in ids[:RECORDS_READ]:
            for who, headers in callers.items():
                try:
                    operation.Case(path_parameters={"id": pk}).call_and_validate(app=application, headers=headers, checks=CHECKS)
                except Exception as failure:
                    failure.add_note(f"Sent by {who}.")
                    raise
