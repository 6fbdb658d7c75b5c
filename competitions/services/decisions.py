"""What a board's decision about a competition settles (issue #21): `boards` records it, the competition takes it up.

Connected to `core.signals.board_decided` (competitions.apps): inside the decision's transaction the
competition's timeline records it, and an approval settles what the guards read besides the decision
itself — the criteria agreed (they must add up, or the decision is undone), the mandate's issue date.
"""

from typing import Any

from django.core.exceptions import ValidationError

from boards.models import Decision, Matter
from competitions.models import Competition
from competitions.services._common import _event
from competitions.services.evaluation import criteria_agree
from core.events import EventKind
from core.models import User

__all__ = ["board_decision_take_effect"]


def board_decision_take_effect(sender: Any, *, decision: Decision, actor: User, **_signal: Any) -> None:
    if decision.competition_id is None:
        return
    competition = Competition.objects.select_for_update().get(pk=decision.competition_id)
    meeting = decision.meeting
    minute = f"{meeting.body.name}, {meeting.held_on:%-d %B %Y}"
    if decision.approved and decision.matter == Matter.MANDATE:
        if not competition.mandate.strip():
            raise ValidationError({"competition": "The competition has no mandate to authorise: write its mandate on the competition first."})
        if competition.mandate_issued_on is None:
            Competition.objects.filter(pk=competition.pk).update(mandate_issued_on=meeting.held_on)
    if decision.approved and decision.matter == Matter.CRITERIA:
        criteria_agree(competition=competition, actor=actor, decision=minute, on=meeting.held_on)
    _event(competition, actor, EventKind.BOARD_DECISION, f"{decision.topic}: {decision.get_outcome_display().lower()} ({minute})"[:300],
           reason=decision.conditions and f"Conditions: {decision.conditions}")
