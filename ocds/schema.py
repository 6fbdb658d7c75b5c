"""The OCDS 1.1.5 schemas and codelists, read from the copy in ocds/data, and validation against them.

The OCDS validators download the schemas at run time; this never touches the
network. The package schemas refer to the release schema by its published URL,
which a `referencing` registry maps to the local file. `jsonschema` is a test
dependency (pyproject's `test` extra): the API does not validate what it
publishes on every request, the tests do.
"""

import csv
import datetime
import json
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

SCHEMA_DIR = Path(__file__).resolve().parent / "data" / "ocds-1.1.5"
SCHEMA_URL = "https://standard.open-contracting.org/schema/1__1__5/"
RELEASE_SCHEMA = "release-schema.json"
RELEASE_PACKAGE_SCHEMA = "release-package-schema.json"
RECORD_PACKAGE_SCHEMA = "record-package-schema.json"
SCHEMAS = (RELEASE_SCHEMA, RELEASE_PACKAGE_SCHEMA, RECORD_PACKAGE_SCHEMA)


@cache
def load(name: str) -> dict:
    return json.loads((SCHEMA_DIR / name).read_text(encoding="utf-8"))


@cache
def codelist(filename: str) -> frozenset[str]:
    """The codes of one codelist CSV (its `Code` column)."""
    with (SCHEMA_DIR / "codelists" / filename).open(encoding="utf-8", newline="") as rows:
        return frozenset(row["Code"] for row in csv.DictReader(rows))


@cache
def _registry():
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT4

    # Each schema under its published URL (its draft-4 `id`); nothing is retrieved from the web.
    return Registry().with_resources(
        (SCHEMA_URL + name, Resource.from_contents(load(name), default_specification=DRAFT4)) for name in SCHEMAS
    )


def _format_checker():
    """Draft 4 formats, with date-time and uri checked here (jsonschema skips both without optional packages)."""
    from jsonschema import FormatChecker

    checker = FormatChecker()

    @checker.checks("date-time", raises=ValueError)
    def date_time(instance) -> bool:
        if not isinstance(instance, str):
            return True
        if "T" not in instance.upper():
            raise ValueError("a date-time needs a date and a time")
        if datetime.datetime.fromisoformat(instance).tzinfo is None:
            raise ValueError("a date-time needs its UTC offset (RFC 3339)")
        return True

    @checker.checks("uri", raises=ValueError)
    def uri(instance) -> bool:
        if not isinstance(instance, str):
            return True
        parts = urlsplit(instance)
        if not parts.scheme or not (parts.netloc or parts.path) or any(c.isspace() for c in instance):
            raise ValueError("not an absolute URI")
        return True

    return checker


def validator(name: str):
    from jsonschema import Draft4Validator

    return Draft4Validator(load(name), registry=_registry(), format_checker=_format_checker())


def errors(document: dict, name: str) -> list[str]:
    """Every way `document` breaks the schema `name` (empty when valid), each with its JSON path."""
    return [f"{error.json_path}: {error.message}" for error in validator(name).iter_errors(document)]


def codelist_errors(release: dict) -> list[str]:
    """Values of codelist fields (open and closed) that are not codes of their codelist."""
    schema = load(RELEASE_SCHEMA)
    found: list[str] = []

    def resolve(node: dict) -> dict:
        ref = node.get("$ref", "")
        return schema["definitions"][ref.rsplit("/", 1)[-1]] if ref.startswith("#/definitions/") else node

    def walk(value, node: dict, path: str) -> None:
        node = resolve(node)
        if value is None:
            return
        if "codelist" in node:
            for code in value if isinstance(value, list) else [value]:
                if code not in codelist(node["codelist"]):
                    found.append(f"{path}: {code!r} is not in {node['codelist']}")
        if isinstance(value, dict):
            for key, item in value.items():
                if key in node.get("properties", {}):
                    walk(item, node["properties"][key], f"{path}.{key}")
        elif isinstance(value, list) and isinstance(node.get("items"), dict):
            for index, item in enumerate(value):
                if isinstance(item, (dict, list)):
                    walk(item, node["items"], f"{path}[{index}]")

    walk(release, schema, "$")
    return found
