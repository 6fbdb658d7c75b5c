"""Stored nightly evaluations corrected where the rules of issue #16 decide differently (evaluations/recompute.py).

The recomputation uses the current evaluation code, as the OCDS publication store's first
run does (ocds/migrations/0002): it runs only where evaluations are stored, that is when a
deployment takes this version; a new database has none and skips it.
"""

from django.db import migrations


def recompute(apps, schema_editor):
    if not apps.get_model("evaluations", "Evaluation").objects.exists():
        return
    from evaluations.recompute import recompute_stored

    recompute_stored()


class Migration(migrations.Migration):
    dependencies = [
        ("evaluations", "0003_notifications_claimed_before_sending"),
        ("contracts", "0008_returns_in_periods_stepped_from_the_start"),
    ]

    operations = [migrations.RunPython(recompute, migrations.RunPython.noop)]
