"""Full-text search (core/search.py, issue #19): GIN indexes on the search vectors, PostgreSQL only."""

from django.db import migrations

from core.search import index_operation


class Migration(migrations.Migration):
    dependencies = [("competitions", "0014_bid_shares")]

    operations = [
        index_operation("competitions", "Competition", ("reference", "title", "description"), "competition_search"),
        index_operation("competitions", "Clarification", ("question", "answer"), "clarification_search"),
        index_operation("competitions", "BidDocument", ("title",), "bid_document_search"),
    ]
