"""Writes to the ethical wall. Only these functions change who may see what."""

from django.db import transaction
from django.utils import timezone

from competitions.services import _event, require_role
from core.roles import Role
from ethical_walls.models import ConflictsAssessment, Wall


@transaction.atomic
def wall_establish(*, competition, actor, arrangements: str) -> Wall:
    require_role(actor, Role.SRO, Role.COMMISSIONER)
    wall, _ = Wall.objects.update_or_create(
        competition=competition,
        defaults={"arrangements": arrangements, "established_on": timezone.localdate(), "established_by": actor},
    )
    _event(competition, actor, "wall", "Ethical wall put in place")
    return wall


@transaction.atomic
def conflicts_assessment_complete(*, competition, actor, summary: str) -> ConflictsAssessment:
    """Procurement Act 2023, s.83: assess conflicts before publishing the tender notice."""
    require_role(actor, Role.SRO)
    assessment, _ = ConflictsAssessment.objects.update_or_create(
        competition=competition,
        defaults={"summary": summary, "completed_on": timezone.localdate(), "completed_by": actor},
    )
    _event(competition, actor, "wall", "Conflicts assessment completed")
    return assessment
