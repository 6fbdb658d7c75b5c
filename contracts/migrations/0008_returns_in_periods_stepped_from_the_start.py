"""Returns of agreements starting after the 28th moved to their periods as now counted (issue #16; contracts/realign.py)."""

from django.db import migrations


def realign(apps, schema_editor):
    from contracts.realign import realign_returns

    realign_returns(apps.get_model("contracts", "Measure"), apps.get_model("contracts", "Return"))


class Migration(migrations.Migration):
    dependencies = [("contracts", "0007_timeline_and_versions_append_only")]

    operations = [migrations.RunPython(realign, migrations.RunPython.noop)]
