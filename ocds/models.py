"""The publication store: every OCDS release as published, kept and served as it was, never rewritten (issue #15).

A release is stored the moment what it publishes happens (`ocds.services.publish`, in the
same transaction), as the exact JSON text served from then on. Nothing changes a stored
release: a later change to what it said is published as a new release (an amendment, or the
stage's update) and records are compiled from the stored releases. The table is append-only
in the database too (core/append_only.py).
"""

from django.db import models

from core.append_only import append_only, append_only_trigger


@append_only
class PublishedRelease(models.Model):
    competition = models.ForeignKey("competitions.Competition", on_delete=models.PROTECT, related_name="ocds_releases")
    ocid = models.CharField(max_length=80, db_index=True)
    release_id = models.CharField(max_length=200, unique=True)
    # What the release publishes ("tender", "award", "clarification-7"…): an amendment repeats the key of what it amends.
    key = models.CharField(max_length=120)
    revision = models.PositiveIntegerField(default=1, help_text="1 for the first release of its key, then each amendment")
    date = models.DateTimeField(help_text="The release's own date: when what it publishes happened.")
    tags = models.JSONField()
    body = models.TextField(help_text="The release exactly as published and served.")
    published_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        triggers = [append_only_trigger()]
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["competition", "key", "revision"], name="one_release_per_key_revision")]
        indexes = [models.Index(fields=["competition", "id"])]

    def __str__(self):
        return self.release_id
