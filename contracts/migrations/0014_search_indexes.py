"""Full-text search (core/search.py, issue #19): a GIN index on the agreements' search vector, PostgreSQL only."""

from django.db import migrations

from core.search import index_operation


class Migration(migrations.Migration):
    dependencies = [("contracts", "0013_event_kind_tender_box")]

    operations = [index_operation("contracts", "Agreement", ("reference", "title"), "agreement_search")]
