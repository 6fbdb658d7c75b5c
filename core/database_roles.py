"""The application's PostgreSQL role may read and write records, and no more (issue #15, "A database that refuses tampering").

Two roles (README, "Database roles"): the **owner** (DATABASE_URL of the `migrate` step) owns
every table and runs migrations; the **runtime role** (DATABASE_APP_ROLE; the web and worker
processes connect as it) is neither superuser nor owner. After every `migrate` — and so on a
fresh test database too — the runtime role is granted SELECT, INSERT, UPDATE and DELETE on
the tables and the use of their sequences, except on the append-only tables
(core/append_only.py), where it may only SELECT and INSERT. Not being the owner, it cannot
TRUNCATE, ALTER, disable or drop a trigger; not being a superuser, it cannot set
`session_replication_role` to skip triggers.
"""

from django.apps import apps
from django.conf import settings
from django.db import connections


def append_only_tables() -> list[str]:
    return sorted(model._meta.db_table for model in apps.get_models() if getattr(model, "append_only", False))


def grant_runtime_privileges(*, using: str = "default", **_signal) -> None:
    """post_migrate: what the runtime role may do, set again after every migration (new tables included)."""
    role = settings.DATABASE_APP_ROLE
    connection = connections[using]
    if not role or connection.vendor != "postgresql":
        return
    quote = connection.ops.quote_name
    statements = [
        f"GRANT USAGE ON SCHEMA public TO {quote(role)}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {quote(role)}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {quote(role)}",
        f"REVOKE TRUNCATE, REFERENCES, TRIGGER ON ALL TABLES IN SCHEMA public FROM {quote(role)}",
        *(f"REVOKE UPDATE, DELETE ON {quote(table)} FROM {quote(role)}" for table in append_only_tables()),
    ]
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
