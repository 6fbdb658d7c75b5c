"""Create one Django group per role of SPEC §1."""

from django.db import migrations

# Frozen here: a migration must not import the live Role enum, which may change.
ROLE_GROUPS = [
    "Commissioner",
    "SRO",
    "MoJ Procurement",
    "Contract manager",
    "Gateway reviewer",
    "HMPS Business Development Group",
    "Oversight",
]


def create_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in ROLE_GROUPS:
        Group.objects.get_or_create(name=name)


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLE_GROUPS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
