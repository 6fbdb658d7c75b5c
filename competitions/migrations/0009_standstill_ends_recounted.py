"""The end of every running standstill counted again as the statutes count it (issue #16; competitions/corrections.py).

Where an end moves, the competition's published OCDS record gets the change as a new
release (an amendment), by the current publisher, as the publication store's first run does.
"""

from django.db import migrations


def recount(apps, schema_editor):
    from competitions.corrections import standstill_ends_recompute

    moved = standstill_ends_recompute(apps.get_model("competitions", "Competition"))
    if moved:
        from ocds.services import publish

        for pk in moved:
            publish(pk)


class Migration(migrations.Migration):
    dependencies = [
        ("competitions", "0008_tie_break"),
        ("ocds", "0002_publish_what_is_launched"),
    ]

    operations = [migrations.RunPython(recount, migrations.RunPython.noop)]
