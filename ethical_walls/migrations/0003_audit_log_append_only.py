"""Make the audit log append-only in the database itself (SPEC §4 rule 6).

On PostgreSQL a trigger refuses every UPDATE and DELETE of audit rows, so even
raw SQL cannot rewrite history. (TRUNCATE, an owner's operation used to reset
test databases, is not covered.) Other databases rely on the model's own refusals.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION ethical_walls_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'The audit log is append-only: % of audit events is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER ethical_walls_auditevent_append_only
    BEFORE UPDATE OR DELETE ON ethical_walls_auditevent
    FOR EACH ROW EXECUTE FUNCTION ethical_walls_audit_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS ethical_walls_auditevent_append_only ON ethical_walls_auditevent;
DROP FUNCTION IF EXISTS ethical_walls_audit_append_only();
"""


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)  # no parameters: the % in RAISE is PL/pgSQL's


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("ethical_walls", "0002_wall_sides_register_audit")]

    operations = [migrations.RunPython(create_trigger, drop_trigger)]
