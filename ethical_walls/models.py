"""The ethical wall of each competition (SPEC §4).

This first part records that a wall is in place and that the conflicts
assessment is complete, which the competition launch guard needs; the sides,
object permissions, register and audit log build on it.
"""

from django.conf import settings
from django.db import models


class Wall(models.Model):
    competition = models.OneToOneField("competitions.Competition", on_delete=models.CASCADE, related_name="wall")
    established_on = models.DateField()
    established_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    arrangements = models.TextField(help_text="How the commissioning and bid sides are kept apart.")

    def __str__(self):
        return f"Ethical wall for {self.competition.reference}"


class ConflictsAssessment(models.Model):
    """The conflicts assessment a Procurement Act 2023 competition needs before its tender notice (s.83)."""

    competition = models.OneToOneField("competitions.Competition", on_delete=models.CASCADE, related_name="conflicts_assessment")
    summary = models.TextField()
    completed_on = models.DateField(null=True, blank=True)
    completed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
