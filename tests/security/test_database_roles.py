"""The database refuses tampering (issue #15): tests connect as the runtime role and prove every refusal.

CI runs the suite as the owner role (`noms_owner`, which migrated the test database) with the
runtime role `noms_app` granted its privileges after migrate (core/database_roles.py). Here a
second connection, as the runtime role, tries what an attacker holding the application's
credentials would; and the application itself is run as the runtime role, through the API.
"""

import pytest
from django.conf import settings
from django.db import connection, connections
from rest_framework.test import APIClient

from core.database_roles import append_only_tables
from core.roles import Role
from ethical_walls import audit
from tests.core.factories import UserFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="roles and triggers are PostgreSQL's (CI sets DATABASE_URL)"),
]


@pytest.fixture
def runtime_role():
    role = settings.DATABASE_APP_ROLE
    if not role:
        pytest.fail("Set DATABASE_APP_ROLE (the runtime role; .ci/run sets noms_app) to test the database roles on PostgreSQL.")
    return role


@pytest.fixture
def as_runtime(runtime_role):
    """A psycopg connection to the test database as the runtime role, autocommitting each statement."""
    import psycopg

    db = connection.settings_dict
    conn = psycopg.connect(dbname=db["NAME"], user=runtime_role, host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432, autocommit=True)
    yield conn
    conn.close()


def refused(conn, statement: str, params=()) -> str:
    """The error PostgreSQL answers `statement` with (the test fails if it is carried out)."""
    import psycopg

    try:
        conn.execute(statement, params)
    except psycopg.Error as error:
        return str(error)
    raise AssertionError(f"carried out: {statement}")


def test_the_runtime_role_is_neither_superuser_nor_owner(as_runtime, runtime_role):
    superuser, = as_runtime.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user").fetchone()
    owned = as_runtime.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tableowner = current_user").fetchone()[0]
    assert (superuser, owned) == (False, 0)


def test_the_runtime_role_may_only_read_and_append_the_append_only_tables(as_runtime, migrated_rows):
    event = audit.record(action=audit.Action.GRANT, channel=audit.Channel.SERVICE, object_type="competitions.competition", detail="Kept")
    tables = append_only_tables()
    assert {"ethical_walls_auditevent", "competitions_competitionevent", "cycle_cycleevent", "contracts_agreementevent"} <= set(tables)
    for table in tables:
        assert "permission denied" in refused(as_runtime, f"UPDATE {table} SET id = id")
        assert "permission denied" in refused(as_runtime, f"DELETE FROM {table}")
        assert "permission denied" in refused(as_runtime, f"TRUNCATE {table}")
        assert "must be owner" in refused(as_runtime, f"ALTER TABLE {table} DISABLE TRIGGER ALL")
        assert "must be owner" in refused(as_runtime, f"ALTER TABLE {table} ADD COLUMN rewritten text")
        trigger = as_runtime.execute(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND tgname LIKE 'pgtrigger_append_only%%'", [table],
        ).fetchone()
        assert trigger, f"{table} has no append-only trigger"
        assert "must be owner" in refused(as_runtime, f'DROP TRIGGER "{trigger[0]}" ON {table}')
    assert "permission denied" in refused(as_runtime, "SET session_replication_role = replica")
    # What it may do: read the log and add to it.
    count, = as_runtime.execute("SELECT count(*) FROM ethical_walls_auditevent WHERE id = %s", [event.pk]).fetchone()
    as_runtime.execute(
        "INSERT INTO ethical_walls_auditevent (at, action, channel, object_type, object_id, detail, path) "
        "VALUES (now(), 'view', 'service', 'test', '', 'Appended by the runtime role', '')"
    )
    assert count == 1


def test_even_the_owner_cannot_rewrite_the_audit_log_while_its_trigger_stands(migrated_rows):
    from django.db import DatabaseError, transaction

    event = audit.record(action=audit.Action.GRANT, channel=audit.Channel.SERVICE, object_type="competitions.competition", detail="Kept")
    for statement in ("UPDATE ethical_walls_auditevent SET detail = 'rewritten' WHERE id = %s", "DELETE FROM ethical_walls_auditevent WHERE id = %s"):
        with pytest.raises(DatabaseError, match="Cannot update or delete rows"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement, [event.pk])


def test_the_application_runs_as_the_runtime_role(runtime_role, migrated_rows):
    """A commissioner's journey through the API with the application connected as the runtime role."""
    from core.models import ServiceArea

    commissioner = UserFactory(roles=[Role.COMMISSIONER])
    area = ServiceArea.objects.create(name="Resettlement")
    owner = connection.settings_dict["USER"]
    connections.close_all()
    connection.settings_dict["USER"] = runtime_role
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_user")
            user = cursor.fetchone()[0]
        assert user == runtime_role
        api = APIClient()
        api.force_authenticate(commissioner)
        created = api.post("/api/v1/competitions/", {"title": "Resettlement hubs", "service_area": area.pk, "estimated_value": "5000.00"}, format="json")
        assert created.status_code == 201, created.content
        path = f"/api/v1/competitions/{created.json()['id']}/"
        edited = api.patch(path, {"description": "Three prisons."}, format="json", HTTP_IF_MATCH=created["ETag"])
        assert edited.status_code == 200, edited.content
        assert api.get("/api/v1/competitions/999999/").status_code == 404  # a refusal, logged as the runtime role
        assert api.get(path).json()["description"] == "Three prisons."
    finally:
        connections.close_all()
        connection.settings_dict["USER"] = owner
