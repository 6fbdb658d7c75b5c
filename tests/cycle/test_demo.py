"""The demo commissioning cycles (SPEC §2, §7): each at its stage, reached through the services, seeded once."""

import io
from decimal import Decimal

import pytest
from django.core.management import call_command

from competitions.models import Competition
from cycle import guards, services
from scenarios import cycle as demo
from cycle.models import (
    CommissioningCycle,
    CycleEvent,
    MarketAnalysis,
    MarketSounding,
    NeedsAssessment,
    Partner,
    Priority,
    ServiceSpecification,
    Stage,
    StimulationAction,
)

pytestmark = pytest.mark.django_db

INTENDED = {
    demo.STRATEGIC: ("strategic", Stage.PRIORITISE),
    demo.BASS: ("service_level", Stage.DELIVER),
    demo.OLASS: ("co_commissioning", Stage.DESIGN_SERVICES),
    demo.DECOMMISSIONING: ("decommissioning", Stage.REVIEW_SUPPLY),
}


def seed():
    call_command("seed_demo", stdout=io.StringIO())


def cycle(name) -> CommissioningCycle:
    return CommissioningCycle.objects.get(name=name)


def snapshot():
    return {
        "cycles": list(CommissioningCycle.objects.order_by("pk").values_list("name", "stage", "version", "available_resources")),
        "events": list(CycleEvent.objects.order_by("pk").values_list("cycle__name", "action", "from_stage", "to_stage", "at")),
        "needs": NeedsAssessment.objects.count(),
        "priorities": list(Priority.objects.order_by("pk").values_list("cycle__name", "rank", "funded")),
        "partners": list(Partner.objects.order_by("pk").values_list("cycle__name", "organisation__name", "arrangement")),
        "specifications": list(ServiceSpecification.objects.order_by("pk").values_list("title", "securing_route", "competition__reference")),
        "soundings": MarketSounding.objects.count(),
        "analyses": MarketAnalysis.objects.count(),
        "stimulation_actions": StimulationAction.objects.count(),
    }


def test_seed_demo_twice_changes_nothing_and_each_cycle_is_in_its_stage():
    seed()
    first = snapshot()
    seed()
    assert snapshot() == first
    assert {c.name: (c.cycle_type, c.stage) for c in CommissioningCycle.objects.all()} == INTENDED
    for demo_cycle in CommissioningCycle.objects.all():
        # Every stage was reached by a move on the timeline, starting at evaluate.
        moves = list(demo_cycle.events.exclude(to_stage="").values_list("from_stage", "to_stage"))
        path = [Stage.EVALUATE] + [to_stage for _, to_stage in moves]
        assert [from_stage for from_stage, _ in moves] == path[:-1] and path[-1] == demo_cycle.stage, demo_cycle.name
        # Whatever was funded fits the budget, and is the suggested allocation.
        funded = {p.pk for p in demo_cycle.priorities.all() if p.funded}
        assert funded == set(services.allocation_suggest(demo_cycle)[0]), demo_cycle.name
        assert sum(p.cost for p in demo_cycle.priorities.all() if p.funded) <= guards.budget(demo_cycle)


def test_the_strategic_cycle_has_gaps_priorities_below_the_line_and_market_development():
    seed()
    strategic = cycle(demo.STRATEGIC)
    assert (strategic.level, strategic.period_start.year, strategic.period_end.year) == ("national", 2026, 2029)
    needs = list(strategic.needs_assessments.all())
    units = {n.unit for n in needs}
    assert {"hours a year", "bed spaces", "programme places a year"} <= units
    assert all(n.gap > 0 and n.gap_analysis and n.evidence for n in needs)
    priorities = list(strategic.priorities.all())
    assert 6 <= len(priorities) <= 8
    assert sum(p.cost for p in priorities) > guards.budget(strategic)
    below_the_line = [p.rank for p in priorities if not p.funded]
    assert below_the_line
    # The suggestion is not a cut-off by rank: a lower-ranked priority that fits is funded.
    assert any(p.funded and p.rank > min(below_the_line) for p in priorities)
    assert strategic.events.filter(action="step_back").exclude(reason="").exists()
    # Market development: a forum with the voluntary providers, an analysis and lots sized for them.
    sounding = strategic.market_soundings.get()
    assert {o.name for o in sounding.providers.all()} == {"Nacro", "St Giles Trust", "Catch22"}
    assert services.live_competition_in(sounding.service_area) is None
    assert strategic.market_analyses.filter(service_area=sounding.service_area).exists()
    assert strategic.stimulation_actions.filter(action="Lots sized so that small and voluntary providers can bid").exists()


def test_the_bass_cycle_is_secured_through_demo_004():
    seed()
    bass = cycle(demo.BASS)
    specification = bass.specifications.get()
    competition = Competition.objects.get(reference="DEMO-004")
    assert (specification.securing_route, specification.competition) == ("competition", competition)
    assert competition.state in guards.AWARDED_STATES
    assert specification.outcomes.exists() and specification.priority.funded
    assert bass.equality_impact_assessment.summary
    assert all(condition.met for condition in guards.conditions(bass, "deliver"))
    assert bass.priorities.filter(funded=False).exists()  # floating support below the line


def test_the_skills_cycle_is_co_commissioned_and_the_decommissioning_cycle_sounds_an_open_market():
    seed()
    skills = cycle(demo.OLASS)
    partners = {p.organisation.name: p for p in skills.partners.all()}
    assert partners["Skills Funding Agency"].arrangement in ("aligned", "pooled")
    assert partners["Skills Funding Agency"].contribution > skills.available_resources
    assert partners["Jobcentre Plus"].arrangement == "aligned"
    # Aligned funding stays in each partner's budget: the cycle's own resources are what priorities must fit.
    assert guards.budget(skills) == skills.available_resources + sum(
        (p.contribution for p in partners.values() if p.arrangement == "pooled"), Decimal(0),
    )
    assert [c.code for c in guards.unmet(skills, "review_supply")] == ["specifications"]

    decommissioning = cycle(demo.DECOMMISSIONING)
    [needs] = decommissioning.needs_assessments.all()
    assert needs.gap < 0  # provision exceeds the need the evidence supports
    sounding = decommissioning.market_soundings.get()
    assert services.live_competition_in(sounding.service_area) is None
    assert decommissioning.stimulation_actions.exists()
