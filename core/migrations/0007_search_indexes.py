"""Full-text search (core/search.py, issue #19): a GIN index on the organisations' search vector, PostgreSQL only."""

from django.db import migrations

from core.search import index_operation


class Migration(migrations.Migration):
    dependencies = [("core", "0006_notifications")]

    operations = [index_operation("core", "Organisation", ("name",), "organisation_search")]
