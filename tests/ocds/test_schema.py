"""The copied OCDS 1.1.5 schemas validate locally, and they catch what is wrong."""

import socket

import pytest

from ocds import schema
from ocds.releases import compiled_release

RELEASE = {
    "ocid": "ocds-noms01-DEMO-001", "id": "ocds-noms01-DEMO-001-tender", "date": "2026-03-02T09:30:00+00:00",
    "tag": ["tender"], "initiationType": "tender", "language": "en",
    "parties": [{"id": "moj-procurement", "name": "MoJ Procurement", "roles": ["procuringEntity"]}],
    "tender": {"id": "DEMO-001", "status": "active", "value": {"amount": 420000000, "currency": "GBP"}},
}


def package(*releases):
    return {
        "uri": "https://example.org/api/v1/ocds/releases/", "version": "1.1", "publishedDate": "2026-03-02T09:30:00+00:00",
        "publisher": {"name": "Ministry of Justice (NOMS)"}, "releases": list(releases),
    }


@pytest.fixture
def offline(monkeypatch):
    """Any attempt to reach the network fails the test."""

    def refuse(*args, **kwargs):
        raise AssertionError("OCDS validation tried to reach the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def test_the_schemas_licence_and_codelists_are_in_the_project():
    for name in ("LICENSE", "README.md", *schema.SCHEMAS):
        assert (schema.SCHEMA_DIR / name).is_file(), name
    assert "Apache License" in (schema.SCHEMA_DIR / "LICENSE").read_text()
    assert {"planning", "tender", "contractTermination"} <= schema.codelist("releaseTag.csv")


def test_a_valid_package_validates_offline_with_the_release_schema_resolved_locally(offline):
    assert schema.errors(package(RELEASE), schema.RELEASE_PACKAGE_SCHEMA) == []
    record = {**package(), "records": [{"ocid": RELEASE["ocid"], "releases": [RELEASE], "compiledRelease": compiled_release([RELEASE])}]}
    del record["releases"]
    assert schema.errors(record, schema.RECORD_PACKAGE_SCHEMA) == []


def test_what_breaks_the_schema_is_found(offline):
    broken = {**RELEASE, "tag": ["bidding"], "date": "2026-03-02T09:30:00", "initiationType": "grant"}
    del broken["ocid"]
    found = "\n".join(schema.errors(package(broken), schema.RELEASE_PACKAGE_SCHEMA))
    assert "'ocid' is a required property" in found
    assert "'bidding' is not one of" in found and "'grant' is not one of" in found
    assert "'2026-03-02T09:30:00' is not a 'date-time'" in found  # without its UTC offset
    assert schema.errors({**package(), "releases": []}, schema.RELEASE_PACKAGE_SCHEMA)  # at least one release
    assert schema.errors({**package(RELEASE), "uri": "not a uri"}, schema.RELEASE_PACKAGE_SCHEMA)


def test_open_codelists_are_checked_against_their_csv():
    release = {
        **RELEASE, "parties": [{"id": "x", "roles": ["bidder", "supplier"]}],
        "tender": {"id": "DEMO-001", "awardCriteria": "bestValue", "documents": [{"id": "d", "documentType": "letter"}]},
    }
    assert schema.codelist_errors(release) == [
        "$.parties[0].roles: 'bidder' is not in partyRole.csv",
        "$.tender.awardCriteria: 'bestValue' is not in awardCriteria.csv",
        "$.tender.documents[0].documentType: 'letter' is not in documentType.csv",
    ]
    assert schema.codelist_errors(RELEASE) == []


def test_the_compiled_release_merges_objects_and_arrays_by_id():
    later = {
        **RELEASE, "id": "ocds-noms01-DEMO-001-award", "date": "2026-06-01T09:00:00+01:00", "tag": ["award"],
        "parties": [{"id": "supplier-serco", "name": "Serco", "roles": ["supplier"]}],
        "tender": {"id": "DEMO-001", "status": "complete"},
    }
    compiled = compiled_release([RELEASE, later])
    assert compiled["tag"] == ["compiled"] and compiled["date"] == later["date"] and compiled["id"] == "ocds-noms01-DEMO-001-compiled"
    assert [p["id"] for p in compiled["parties"]] == ["moj-procurement", "supplier-serco"]
    assert compiled["tender"] == {"id": "DEMO-001", "status": "complete", "value": {"amount": 420000000, "currency": "GBP"}}


def test_every_notice_type_has_its_release_and_an_unknown_one_is_refused(monkeypatch):
    """No notice is silently left out of the published record (issue #17): a type without a release is an error."""
    import datetime
    from types import SimpleNamespace

    import pytest

    from competitions.models import NoticeType
    from ocds import releases

    assert set(releases.NOTICE_DOCUMENT_TYPES) == set(NoticeType.values)
    monkeypatch.setitem(releases.NOTICE_DOCUMENT_TYPES, "UK99", "tenderNotice")  # a type published but given no release
    notice = SimpleNamespace(notice_type="UK99", version=1, content={}, title="Notice",
                             published_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC))
    with pytest.raises(ValueError, match="No OCDS release is built for a UK99 notice"):
        releases._notice(None, SimpleNamespace(reference="R", transitions=(), notices=()), notice, first=True, notices_url="")
