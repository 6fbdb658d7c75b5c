"""The supplier roles (issue #18): bid manager, contract lead, organisation administrator."""

from django.db import migrations

# Frozen here: a migration must not import the live Role enum, which may change.
SUPPLIER_ROLE_GROUPS = ["Bid manager", "Contract lead", "Organisation administrator"]


def create_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in SUPPLIER_ROLE_GROUPS:
        Group.objects.get_or_create(name=name)


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=SUPPLIER_ROLE_GROUPS).delete()


class Migration(migrations.Migration):
    dependencies = [("core", "0004_sequences")]

    operations = [migrations.RunPython(create_groups, remove_groups)]
