"""Full-text search (core/search.py, issue #19): a GIN index on the cycles' search vector, PostgreSQL only."""

from django.db import migrations

from core.search import index_operation


class Migration(migrations.Migration):
    dependencies = [("cycle", "0006_event_kind_tender_box")]

    operations = [index_operation("cycle", "CommissioningCycle", ("name", "area"), "cycle_search")]
