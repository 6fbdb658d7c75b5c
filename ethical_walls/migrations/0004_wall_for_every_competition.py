"""Every competition has a wall from its creation; give one to competitions made before walls had sides."""

from django.db import migrations


def create_missing_walls(apps, schema_editor):
    Competition = apps.get_model("competitions", "Competition")
    Wall = apps.get_model("ethical_walls", "Wall")
    Wall.objects.bulk_create([Wall(competition=c) for c in Competition.objects.filter(wall__isnull=True)])


class Migration(migrations.Migration):
    dependencies = [("ethical_walls", "0003_audit_log_append_only"), ("competitions", "0001_initial")]

    operations = [migrations.RunPython(create_missing_walls, migrations.RunPython.noop)]
