"""What we publish, checked with the Open Contracting Partnership's own tools, offline (issue #15).

- libcoveocds (the library behind the OCDS Data Review Tool) validates every demo competition's
  release package and record package against the OCDS 1.1.5 schema and codelists bundled in
  ocds/data (a copy of ../shared/data/ocds-1.1.5, given to it as the standard's zip): no errors,
  no additional (undeclared) fields, no codelist values outside the codelists.
- `ocdskit compile`, fed our releases, compiles the same records we serve.
- Published releases are served byte for byte as stored, and are never rewritten: a change
  after launch is a new release.
"""

import io
import json
import subprocess
import sys
import zipfile

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from competitions import services as competition_services
from competitions.models import Competition, State
from ocds import schema
from ocds.models import PublishedRelease

pytestmark = pytest.mark.django_db


def standard_zip() -> bytes:
    """The bundled OCDS 1.1.5 schema, laid out as the standard repository's zip (what libcoveocds reads instead of the web).

    The record package schema refers to the versioned release schema for a record's `versionedRelease`,
    which we do not publish (the tests below check it is absent): it is given as a schema that admits
    anything, since the bundle does not carry it.
    """
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("standard-1__1__5/", "")
        for path in sorted(schema.SCHEMA_DIR.rglob("*")):
            if path.is_file():
                archive.write(path, f"standard-1__1__5/schema/{path.relative_to(schema.SCHEMA_DIR)}")
        archive.writestr("standard-1__1__5/schema/versioned-release-validation-schema.json", json.dumps({"$schema": "http://json-schema.org/draft-04/schema#"}))
    return buffer.getvalue()


class LocalSchema:
    """What `requests.get` answers for the standard's schema URLs while libcoveocds dereferences: the bundled files."""

    def __init__(self, url: str):
        name = url.rsplit("/", 1)[-1]
        path = schema.SCHEMA_DIR / name
        if "standard.open-contracting.org/schema/1__1__5/" not in url:
            raise AssertionError(f"libcoveocds asked the web for {url}")
        self.body = json.loads(path.read_text()) if path.is_file() else {"$schema": "http://json-schema.org/draft-04/schema#"}

    def raise_for_status(self):
        return None

    def json(self, **kwargs):
        return self.body


def review(package: dict, monkeypatch) -> dict:
    import requests
    from libcoveocds.api import ocds_json_output
    from libcoveocds.config import LibCoveOCDSConfig

    monkeypatch.setattr(requests, "get", lambda url, **kwargs: LocalSchema(url))  # offline: the schemas from ocds/data
    config = LibCoveOCDSConfig({"standard_zip": STANDARD_ZIP, "context": "api"})
    return ocds_json_output(json_data=package, lib_cove_ocds_config=config, schema_version="1.1")


STANDARD_ZIP = standard_zip()


@pytest.fixture
def demo(db):
    call_command("seed_demo", stdout=io.StringIO())


def published_competitions() -> list[Competition]:
    return list(Competition.objects.filter(ocds_releases__isnull=False).distinct().order_by("reference"))


def test_every_demo_competition_passes_the_ocds_data_review_with_no_errors(demo, monkeypatch):
    api = APIClient()
    competitions = published_competitions()
    assert len(competitions) >= 5
    for competition in competitions:
        for kind in ("releases", "record"):
            package = api.get(f"/api/v1/ocds/competitions/{competition.pk}/{kind}/").json()
            result = review(package, monkeypatch)
            where = f"{competition.reference} {kind}"
            assert all("versionedRelease" not in record for record in package.get("records", []))
            assert result["validation_errors"] == [], (where, result["validation_errors"][:3])
            assert result.get("additional_fields_count", 0) == 0, (where, result.get("additional_fields"))
            assert not result.get("additional_closed_codelist_values"), (where, result["additional_closed_codelist_values"])
            assert not result.get("additional_open_codelist_values"), (where, result["additional_open_codelist_values"])


def test_ocdskit_compiles_our_releases_into_the_records_we_serve(demo):
    api = APIClient()
    for competition in published_competitions():
        releases = api.get(f"/api/v1/ocds/competitions/{competition.pk}/releases/").json()
        record = api.get(f"/api/v1/ocds/competitions/{competition.pk}/record/").json()["records"][0]
        compiled = subprocess.run(
            [sys.executable, "-m", "ocdskit", "compile", "--package", "--schema", str(schema.SCHEMA_DIR / schema.RELEASE_SCHEMA)],
            input=json.dumps(releases), capture_output=True, text=True, check=True,
        )
        theirs = json.loads(compiled.stdout)["records"][0]
        assert theirs["compiledRelease"] == record["compiledRelease"], competition.reference
        assert [r["id"] for r in theirs["releases"]] == [r["id"] for r in record["releases"]]


def test_releases_are_served_byte_for_byte_and_a_change_after_launch_is_a_new_release(journey):
    journey.advance_to(State.PRE_QUALIFICATION)
    competition = journey.refresh()
    api = APIClient()
    url = f"/api/v1/ocds/competitions/{competition.pk}/releases/"
    before = api.get(url).content.decode()
    tender = PublishedRelease.objects.get(competition=competition, key="tender")
    assert tender.body in before  # the stored text itself, not a rebuild of it
    competition_services.competition_update(competition=competition, actor=journey.commissioner, description="Two prisons, not one.")
    after = api.get(url).content.decode()
    assert tender.body in after and PublishedRelease.objects.get(pk=tender.pk).body == tender.body
    amendment = PublishedRelease.objects.filter(competition=competition).latest("id")
    body = json.loads(amendment.body)
    assert amendment.key == "tender" and amendment.revision == 2 and body["tag"] == ["tenderAmendment"]
    assert body["tender"]["description"] == "Two prisons, not one."
    assert body["tender"]["amendments"] == [{
        "id": "tender-amendment-1", "date": body["date"], "amendsReleaseID": tender.release_id, "releaseID": body["id"],
        "description": "Changed since it was published: tender.description",
    }]
    # Nothing changed, nothing published.
    competition_services.competition_update(competition=journey.refresh(), actor=journey.commissioner, description="Two prisons, not one.")
    assert PublishedRelease.objects.filter(competition=competition).count() == PublishedRelease.objects.filter(pk__lte=amendment.pk, competition=competition).count()
