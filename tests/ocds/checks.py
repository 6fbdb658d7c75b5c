"""Validating OCDS output against the copied 1.1.5 schemas and codelists."""

from ocds import schema


def valid_release_package(package: dict) -> dict:
    problems = schema.errors(package, schema.RELEASE_PACKAGE_SCHEMA)
    for release in package.get("releases", []):
        problems += [f"{release.get('id')}: {p}" for p in schema.codelist_errors(release)]
    assert not problems, "\n".join(problems)
    return package


def valid_record_package(package: dict) -> dict:
    problems = schema.errors(package, schema.RECORD_PACKAGE_SCHEMA)
    for record in package.get("records", []):
        for release in [*record.get("releases", []), record.get("compiledRelease", {})]:
            problems += [f"{release.get('id')}: {p}" for p in schema.codelist_errors(release)]
    assert not problems, "\n".join(problems)
    return package


def tags(package: dict) -> list[list[str]]:
    return [release["tag"] for release in package["releases"]]
