"""Bad input never reaches a 500 and never stores nonsense (issue #15, "Bad input").

Every field of every request body the OpenAPI schema documents is sent, one at a time,
each of the values outside testers used: a lone surrogate, a NUL, very long text, numbers
beyond any column's range, negative money, dates no one could mean, the wrong JSON types —
drawn by Hypothesis, bounded and derandomized. Then every write route gets the bodies no
field sees: JSON nested a thousand deep, 20 MB of it, text that is not UTF-8, a 5,000-digit
If-Match. Every answer must be below 500 and, where it is an error, problem details; a 4xx
must have changed nothing (the audit log aside, which records refusals).
"""

import copy
import json

import pytest
from django.db import models
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from competitions.models import Competition
from contracts.models import Agreement
from core.roles import Role
from cycle.models import CommissioningCycle
from tests.api_contract.conftest import caller

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"
HOSTILE_VALUES = [
    "\ud800", "before\ud83dafter", "nul\x00byte", "x" * 100_000, "", "   ",
    -5, -0.01, "-5.00", 10**20, "100000000000000000000", 2**63, -(2**63) - 1, 1e308, "NaN", "Infinity",
    "0001-01-01", "9999-12-31", "2031-05-05", "31/12/2026", "2026-02-30",
    [], {}, None, True, [1, [2, [3]]], {"id": {"id": 1}}, "=HYPERLINK(\"http://evil\")",
]
EXAMPLES = int(__import__("os").environ.get("HOSTILE_EXAMPLES", "4"))  # per field: a few of the values above, drawn


def schema() -> dict:
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator().get_schema(request=None, public=True)


def _resolve(schema_part: dict, components: dict) -> dict:
    while "$ref" in schema_part:
        schema_part = components[schema_part["$ref"].rsplit("/", 1)[-1]]
    for combined in ("allOf", "oneOf", "anyOf"):
        if combined in schema_part and schema_part[combined]:
            return _resolve(schema_part[combined][0], components)
    return schema_part


def _field_paths(body: dict, components: dict, prefix: tuple = ()) -> list[tuple]:
    """Every property of a body, and of the objects nested in it (`changes.value`), as a path of names."""
    paths = []
    for name, part in sorted(body.get("properties", {}).items()):
        paths.append((*prefix, name))
        nested = _resolve(part, components)
        if nested.get("type") == "object" and nested.get("properties") and len(prefix) < 2:
            paths += _field_paths(nested, components, (*prefix, name))
    return paths


def write_operations(document) -> list[tuple[str, str, list]]:
    """(method, path template, the paths of its JSON request body's fields) for each write of the schema."""
    found = []
    components = document["components"]["schemas"]
    for path, item in document["paths"].items():
        for method in ("post", "put", "patch"):
            operation = item.get(method)
            if not operation:
                continue
            body = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema", {})
            found.append((method, path, _field_paths(_resolve(body, components), components)))
    return found


def url_for(template: str) -> str:
    """The path with a real record's id: the demo's first competition, cycle or agreement, or id 1."""
    ids = {
        "/api/v1/competitions/": Competition.objects.order_by("pk").values_list("pk", flat=True).first(),
        "/api/v1/cycles/": CommissioningCycle.objects.order_by("pk").values_list("pk", flat=True).first(),
        "/api/v1/agreements/": Agreement.objects.order_by("pk").values_list("pk", flat=True).first(),
    }
    pk = next((value for prefix, value in ids.items() if template.startswith(prefix)), 1)
    return template.replace("{id}", str(pk))


def fingerprint() -> tuple:
    """What a refused write must not have changed."""
    return (
        tuple(Competition.objects.order_by("pk").values_list("pk", "version", "title", "state")),
        tuple(CommissioningCycle.objects.order_by("pk").values_list("pk", "version", "stage")),
        tuple(Agreement.objects.order_by("pk").values_list("pk", "version", "state", "value")),
    )


def nonsense() -> list[str]:
    """Stored values no one could mean, whatever answered: negative money, impossible order of dates."""
    from competitions.models import Bid
    from contracts.models import Measure, NoticeOfChange

    found = [f"competition {pk} valued {v}" for pk, v in Competition.objects.filter(estimated_value__lt=0).values_list("pk", "estimated_value")]
    found += [f"agreement {pk} valued {v}" for pk, v in Agreement.objects.filter(value__lt=0).values_list("pk", "value")]
    found += [f"agreement {pk} ends before it starts" for pk in Agreement.objects.filter(end_date__lt=models.F("start_date")).values_list("pk", flat=True)]
    found += [f"measure {pk} targets {v}" for pk, v in Measure.objects.filter(target__lt=0).values_list("pk", "target")]
    found += [f"bid {pk} priced {v}" for pk, v in Bid.objects.filter(models.Q(tender_price__lt=0) | models.Q(bafo_price__lt=0)).values_list("pk", "tender_price")]
    found += [f"cycle {pk} has {v}" for pk, v in CommissioningCycle.objects.filter(available_resources__lt=0).values_list("pk", "available_resources")]
    found += [f"Notice of Change {n.pk} sets the value to {n.changes['value']}" for n in NoticeOfChange.objects.all()
              if "value" in n.changes and str(n.changes["value"]).startswith("-")]
    return found


def valid_bodies() -> dict:
    """A body each of these writes would accept (from the demo's records): one field at a time is then made hostile,
    so what is stored when the rest is valid is checked too."""
    from contracts.models import AgreementState, Measure
    from core.models import ServiceArea

    live = Agreement.objects.filter(state=AgreementState.LIVE).order_by("pk").first()
    measure = Measure.objects.filter(agreement=live).order_by("pk").first()
    mobilising = Agreement.objects.filter(state__in=[AgreementState.DRAFT, AgreementState.MOBILISING]).order_by("pk").first()
    area = ServiceArea.objects.order_by("pk").first()
    return {
        ("post", "/api/v1/competitions/"): {"title": "Hostile", "service_area": area.pk, "estimated_value": "1000.00"},
        ("post", "/api/v1/cycles/"): {"name": "Hostile", "type": "strategic", "level": "national", "period_start": "2027-04-01",
                                      "period_end": "2028-03-31", "available_resources": "1000.00"},
        ("post", "/api/v1/notices-of-change/"): {"agreement": live.pk, "summary": "Hostile", "material": False, "changes": {"value": "1000.00"}},
        ("post", "/api/v1/measures/"): {"agreement": (mobilising or live).pk, "name": "Hostile", "target": "5"},
        ("post", "/api/v1/returns/"): {"measure": measure.pk, "period_start": live.start_date.isoformat(), "value": "5"},
        ("patch", "/api/v1/competitions/{id}/"): {"title": "Hostile"},
    }


def merged(base: dict, path: tuple, value) -> dict:
    """The valid body with the field at `path` (nested names) set to `value`."""
    body = copy.deepcopy(base)
    target = body
    for name in path[:-1]:
        if not isinstance(target.get(name), dict):
            target[name] = {}
        target = target[name]
    target[path[-1]] = value
    return body


def check(response, where: str) -> None:
    assert response.status_code < 500, f"{where}: {response.status_code} {response.content[:300]!r}"
    if response.status_code >= 400:
        assert response["Content-Type"] == PROBLEM, f"{where}: {response['Content-Type']}"


@pytest.fixture
def officer(demo_data):
    """An MoJ Procurement officer on the commissioning side of the demo competitions: the one who can write most."""
    client = APIClient()
    client.force_authenticate(caller("procurement", Role.PROCUREMENT).user)
    return client


OPERATIONS = write_operations(schema())


@pytest.mark.parametrize("method,template,fields", OPERATIONS, ids=[f"{m.upper()} {p}" for m, p, _ in OPERATIONS])
def test_no_hostile_field_value_reaches_a_server_error_or_is_stored(officer, method, template, fields):
    url = url_for(template)
    base = valid_bodies().get((method, template), {})

    @settings(max_examples=EXAMPLES * max(len(fields), 1), derandomize=True, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(field=st.sampled_from(fields or [("version",)]), value=st.sampled_from(HOSTILE_VALUES))
    def send(field, value):
        before = fingerprint()
        body = json.dumps(merged(base, field, value), ensure_ascii=True)  # a lone surrogate travels as its escape, \ud800
        response = officer.generic(method.upper(), url, body, content_type="application/json", HTTP_IF_MATCH="*")
        where = f"{method.upper()} {url} {'.'.join(field)}={value!r:.40}"
        check(response, where)
        if response.status_code >= 400:
            assert fingerprint() == before, f"{where} answered {response.status_code} yet changed something"
        assert not nonsense(), f"{where} stored {nonsense()}"

    send()


def deep(levels: int) -> str:
    return "[" * levels + "]" * levels


RAW_BODIES = {
    "nested a thousand deep": (deep(1000).encode(), "application/json"),
    "nested objects": (('{"a":' * 600 + "1" + "}" * 600).encode(), "application/json"),
    "20 MB": (json.dumps({"title": "x" * 20_000_000}).encode(), "application/json"),
    "not UTF-8": (b'{"title": "\xff\xfe"}', "application/json"),
    "a lone surrogate escaped": (b'{"title": "\\ud800", "reason": "\\udfff", "question": "\\ud83d"}', "application/json"),
    "not JSON": (b"{title: nope", "application/json"),
    "2,000 form fields": ("&".join(f"f{n}=v" for n in range(2000)).encode(), "application/x-www-form-urlencoded"),
    "an unknown media type": (b"<title/>", "application/xml"),
}


@pytest.mark.parametrize("body_name", sorted(RAW_BODIES))
def test_no_body_of_any_shape_reaches_a_server_error(officer, body_name):
    body, media_type = RAW_BODIES[body_name]
    before = fingerprint()
    for method, template, _properties in OPERATIONS:
        url = url_for(template)
        response = officer.generic(method.upper(), url, body, content_type=media_type, HTTP_IF_MATCH="*")
        check(response, f"{method.upper()} {url} with a body {body_name}")
    assert fingerprint() == before


def test_headers_beyond_reason_are_refused_as_problems(officer):
    competition = Competition.objects.order_by("pk").first()
    url = f"/api/v1/competitions/{competition.pk}/"
    for value in ("9" * 5000, '"' + "9" * 5000 + '"', "W/" * 2000, "\ud800"):
        check(officer.patch(url, {"title": "x"}, format="json", HTTP_IF_MATCH=value), f"If-Match {value[:20]!r}")
    check(officer.get(url, HTTP_IF_NONE_MATCH="9" * 5000), "If-None-Match")
    check(officer.get(url, HTTP_ACCEPT="application/problem+json"), "Accept problem+json")
    assert officer.get(url, HTTP_ACCEPT="application/problem+json").status_code == 200


@pytest.mark.parametrize("path,method,status", [
    ("/api/v1/no-such-thing/", "get", 404),
    ("/api/v2/competitions/", "get", 404),
    ("/api/v1/competitions/1/launch/", "get", 405),
    ("/api/v1/competitions/", "delete", 405),
])
def test_every_api_error_is_a_problem(officer, path, method, status):
    response = getattr(officer, method)(path)
    assert response.status_code == status
    assert response["Content-Type"] == PROBLEM and response.json()["status"] == status


def test_a_response_nobody_accepts_is_a_406_problem(officer):
    response = officer.get("/api/v1/competitions/", HTTP_ACCEPT="application/xml")
    assert response.status_code == 406 and response["Content-Type"] == PROBLEM


HOSTILE_QUERY_VALUES = ["100000000000000000000", str(2**63), "-1", "0", "nul\x00byte", "2026-02-30", "x" * 5_000, "cD05OTk5OTk5OTk5OTk5OTk5OTk5OTk5OQ=="]


def list_queries(document) -> list[tuple[str, list[str]]]:
    """(path, its query parameters) for every read of the schema without a path parameter: the lists and their filters."""
    return [(path, sorted(p["name"] for p in item["get"].get("parameters", []) if p.get("in") == "query"))
            for path, item in document["paths"].items() if "get" in item and "{" not in path]


@pytest.mark.parametrize("path,names", list_queries(schema()), ids=[path for path, _ in list_queries(schema())])
def test_no_hostile_query_parameter_reaches_a_server_error(officer, path, names):
    """Every filter of every list (and its paging), each given every hostile value alone: refused by name, or answered."""
    for name in names:
        for value in HOSTILE_QUERY_VALUES:
            response = officer.get(path, {name: value})
            check(response, f"GET {path}?{name}={value!r:.40}")
            if response.status_code == 400 and response["Content-Type"] == PROBLEM and "errors" in response.json():
                assert name in response.json()["errors"], f"GET {path}?{name}={value!r:.40}: {response.json()['errors']}"
