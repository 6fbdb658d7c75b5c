"""The audit log's append-only trigger, declared with django-pgtrigger (core/append_only.py) instead of the hand-written
SQL of 0003, which is dropped here."""

import pgtrigger.compiler
import pgtrigger.migrations
from django.db import migrations


def drop_hand_written_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "DROP TRIGGER IF EXISTS ethical_walls_auditevent_append_only ON ethical_walls_auditevent;"
            "DROP FUNCTION IF EXISTS ethical_walls_audit_append_only();", params=None,
        )


class Migration(migrations.Migration):

    dependencies = [
        ('ethical_walls', '0005_declaration_requests_role_audit'),
    ]

    operations = [
        migrations.RunPython(drop_hand_written_trigger, migrations.RunPython.noop),
        pgtrigger.migrations.AddTrigger(
            model_name='auditevent',
            trigger=pgtrigger.compiler.Trigger(name='append_only', sql=pgtrigger.compiler.UpsertTriggerSql(func="RAISE EXCEPTION 'pgtrigger: Cannot update or delete rows from % table', TG_TABLE_NAME;", hash='e4446c061b04dc44043170857a04020040793c52', operation='UPDATE OR DELETE', pgid='pgtrigger_append_only_13739', table='ethical_walls_auditevent', when='BEFORE')),
        ),
    ]
