"""Competition references come from a sequence per year now: start each after the highest reference already given."""

import re

from django.db import migrations

REFERENCE = re.compile(r"^COMP-(\d{4})-(\d+)$")


def start_sequences(apps, schema_editor):
    Competition = apps.get_model("competitions", "Competition")
    Sequence = apps.get_model("core", "Sequence")
    highest: dict[str, int] = {}
    for reference in Competition.objects.values_list("reference", flat=True):
        found = REFERENCE.match(reference)
        if found:
            year, number = found.groups()
            highest[year] = max(highest.get(year, 0), int(number))
    for year, number in highest.items():
        Sequence.objects.update_or_create(name=f"competition-{year}", defaults={"last": number})


class Migration(migrations.Migration):
    dependencies = [
        ("competitions", "0002_notices_published_by_tasks"),
        ("core", "0004_sequences"),
    ]

    operations = [migrations.RunPython(start_sequences, migrations.RunPython.noop)]
