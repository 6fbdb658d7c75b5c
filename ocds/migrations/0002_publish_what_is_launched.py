"""Store the releases of the competitions already launched, so the store holds every published competition from now on."""

from django.db import migrations


def publish_launched(apps, schema_editor):
    from ocds.services import publish_all  # the current publisher: the releases are built from today's published facts

    publish_all()


class Migration(migrations.Migration):
    dependencies = [("ocds", "0001_publication_store")]

    operations = [migrations.RunPython(publish_launched, migrations.RunPython.noop)]
