"""Consultation on a cycle's Commissioning Intentions Plan (issue #21; seed 002, lines 361 and 449).

The plan's priorities are consulted on: stakeholders send evidence to "support or challenge" them.
A commissioner opens one consultation window per cycle, records each response received within it
(who sent it, from which organisation, whether it supports or challenges the priorities), groups
responses into themes, and answers each theme; the plan and its PDF carry the consultation.
"""

from collections.abc import Iterable
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core import dates
from core.events import EventKind
from core.models import Organisation, User
from cycle.models import CommissioningCycle, Consultation, ConsultationResponse, ConsultationTheme
from cycle.services import _event, _save, require_commissioner


@transaction.atomic
def consultation_open(*, cycle: CommissioningCycle, actor: User, opens_on: date, closes_on: date, summary: str) -> Consultation:
    require_commissioner(actor, cycle)
    dates.check_plausible("opens_on", opens_on)
    dates.check_plausible("closes_on", closes_on)
    if Consultation.objects.filter(cycle=cycle).exists():
        raise ValidationError("This cycle's plan is already out to consultation: one window per cycle.")
    if closes_on < opens_on:
        raise ValidationError({"closes_on": "The consultation must close on or after the day it opens."})
    if not summary.strip():
        raise ValidationError({"summary": "Say what is consulted on."})
    return _save(Consultation(cycle=cycle, opens_on=opens_on, closes_on=closes_on, summary=summary.strip(), opened_by=actor), cycle, actor,
                 f"Consultation on the plan opened: {opens_on:%-d %B %Y} to {closes_on:%-d %B %Y}")


@transaction.atomic
def theme_add(*, consultation: Consultation, actor: User, title: str) -> ConsultationTheme:
    require_commissioner(actor, consultation.cycle)
    if ConsultationTheme.objects.filter(consultation=consultation, title__iexact=title.strip()).exists():
        raise ValidationError({"title": "This consultation already has a theme of that title."})
    return _save(ConsultationTheme(consultation=consultation, title=title.strip()), consultation.cycle, actor,
                 f"Consultation theme added: {title.strip()}")


@transaction.atomic
def response_record(*, consultation: Consultation, actor: User, respondent: str, received_on: date, stance: str, summary: str,
                    organisation: Organisation | None = None, themes: Iterable[ConsultationTheme] = ()) -> ConsultationResponse:
    """A response received within the window (one received after it closed is not part of the consultation)."""
    require_commissioner(actor, consultation.cycle)
    dates.check_not_in_future("received_on", received_on, "A response received")
    if not consultation.opens_on <= received_on <= consultation.closes_on:
        raise ValidationError({"received_on": f"The consultation ran from {consultation.opens_on:%-d %B %Y} to "
                                              f"{consultation.closes_on:%-d %B %Y}: a response must be received within it."})
    themes = list(themes)
    if any(theme.consultation_id != consultation.pk for theme in themes):
        raise ValidationError({"themes": "Choose themes of this consultation."})
    response = _save(ConsultationResponse(consultation=consultation, organisation=organisation, respondent=respondent.strip(),
                                          received_on=received_on, stance=stance, summary=summary.strip(), recorded_by=actor),
                     consultation.cycle, actor, f"Consultation response recorded from {respondent.strip()}")
    response.themes.set(themes)
    return response


@transaction.atomic
def theme_respond(*, theme: ConsultationTheme, actor: User, commissioner_response: str) -> ConsultationTheme:
    """The commissioner's answer to a theme: what the plan does about it (changed, or kept and why)."""
    require_commissioner(actor, theme.consultation.cycle)
    theme = ConsultationTheme.objects.select_for_update().select_related("consultation__cycle").get(pk=theme.pk)
    if not commissioner_response.strip():
        raise ValidationError({"commissioner_response": "Say what the plan does about this theme."})
    if not theme.responses.exists():
        raise ValidationError("No response has been filed under this theme yet.")
    theme.commissioner_response, theme.responded_by, theme.responded_at = commissioner_response.strip(), actor, timezone.now()
    theme.save(update_fields=["commissioner_response", "responded_by", "responded_at"])
    _event(theme.consultation.cycle, actor, EventKind.RECORD, f"Commissioner's response to the consultation theme “{theme.title}”")
    return theme
