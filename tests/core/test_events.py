"""One vocabulary and one writer for the timelines (core.events)."""

import pytest

from competitions.machine import LIFECYCLE
from competitions.models import CompetitionEvent
from contracts.machine import AGREEMENT
from contracts.models import AgreementEvent
from core import events
from core.events import EventKind
from cycle.machine import CYCLE
from cycle.models import CycleEvent
from tests.competitions.journey import Journey


@pytest.mark.parametrize("machine", [LIFECYCLE, CYCLE, AGREEMENT], ids=lambda m: m.record)
def test_every_step_of_every_machine_is_an_event_kind(machine):
    assert all(EventKind(name) for name in machine.names)


@pytest.mark.parametrize("model", [CompetitionEvent, CycleEvent, AgreementEvent])
def test_a_timeline_takes_no_kind_outside_the_vocabulary(model):
    assert model._meta.get_field("action").choices == EventKind.choices


@pytest.mark.django_db
def test_the_writer_refuses_an_unknown_kind_and_writes_nothing():
    competition = Journey().competition
    before = CompetitionEvent.objects.count()
    with pytest.raises(ValueError):
        events.write(CompetitionEvent, competition=competition, actor=competition.lead_commissioner, kind="launched", description="x")
    assert CompetitionEvent.objects.count() == before


@pytest.mark.django_db
def test_the_writer_cuts_the_description_to_fit_and_types_the_kind():
    competition = Journey().competition
    event = events.write(CompetitionEvent, competition=competition, actor=competition.lead_commissioner, kind=EventKind.BID,
                         description="x" * 400)
    event.refresh_from_db()
    assert len(event.description) == 300 and event.kind is EventKind.BID and event.get_action_display() == "Bid"
