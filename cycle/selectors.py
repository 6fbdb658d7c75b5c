"""Every read of commissioning cycles a user sees: pages (and the API) come through here.

Cycles are the commissioners' planning: needs, priorities, budgets and which
services may be decommissioned. They are visible to commissioners, SROs, MoJ
Procurement and oversight; to anyone else — the HMPS bid team above all — a
cycle does not exist (404, logged as a refused attempt by the views).
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import groupby
from typing import Any, TYPE_CHECKING, cast

from dateutil.relativedelta import relativedelta
from django.db.models import Count, DecimalField, Field, OuterRef, Prefetch, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from competitions.interface import Competition, PlannedReview, Regime, State, competition_list
from core.models import ServiceArea, Viewer
from core.roles import Role
from cycle.models import (
    Consultation,
    ConsultationResponse,
    ConsultationTheme,
    ClosingEvaluation,
    CommissioningCycle,
    CycleEvent,
    MarketAnalysis,
    MarketSounding,
    NeedsAssessment,
    Outcome,
    Partner,
    Priority,
    ServiceSpecification,
    StimulationAction,
)
from cycle.states import PHASES
from ethical_walls import audit
from ethical_walls.selectors import get_or_404, sees_commissioning_material

if TYPE_CHECKING:
    from contracts.interface import Agreement, Budget  # only to type: cycle reads agreements through contracts.interface

CYCLE_ROLES = (Role.COMMISSIONER, Role.SRO, Role.PROCUREMENT, Role.OVERSIGHT)



def sees_cycles(user: Viewer) -> bool:
    """Cycles are for the commissioning side. A bid-team member never sees one, whatever else they hold."""
    return sees_commissioning_material(user, *CYCLE_ROLES)


def _visible_cycles(user: Viewer) -> QuerySet[CommissioningCycle]:
    cycles: QuerySet[CommissioningCycle] = CommissioningCycle.objects.all() if sees_cycles(user) else CommissioningCycle.objects.none()
    return cycles


def cycle_list(user: Viewer, filters: dict[str, Any] | None = None) -> QuerySet[CommissioningCycle]:
    """Cycles filtered by `cycle_type`, `level`, `stage` and `phase`, each row with its counts, in one query."""
    filters = {k: v for k, v in (filters or {}).items() if v not in (None, "")}
    funded_cost = (
        Priority.objects.filter(cycle=OuterRef("pk"), funded=True)
        .values("cycle").annotate(total=Sum("cost")).values("total")
    )
    cycles = _visible_cycles(user).select_related("owner").annotate(
        priority_count=Count("priorities", distinct=True),
        specification_count=Count("specifications", distinct=True),
        funded_cost=Coalesce(Subquery(funded_cost), Decimal(0), output_field=DecimalField(max_digits=14, decimal_places=2)),
    )
    if filters.get("cycle_type"):
        cycles = cycles.filter(cycle_type=filters["cycle_type"])
    if filters.get("level"):
        cycles = cycles.filter(level=filters["level"])
    if filters.get("stage"):
        cycles = cycles.filter(stage=filters["stage"])
    if filters.get("phase"):
        cycles = cycles.filter(stage__in=PHASES.get(filters["phase"], []))
    return cycles.order_by("-period_start", "name", "pk")


def _detail_prefetches() -> "list[Prefetch[str]]":
    return [
        Prefetch("partners", queryset=Partner.objects.select_related("organisation").order_by("id")),
        Prefetch("needs_assessments", queryset=NeedsAssessment.objects.select_related("service_area", "recorded_by")),
        Prefetch("priorities", queryset=Priority.objects.select_related("service_area").order_by("rank")),
        Prefetch(
            "specifications",
            queryset=ServiceSpecification.objects.select_related("priority", "competition", "agreement").prefetch_related(
                Prefetch("outcomes", queryset=Outcome.objects.select_related("parent").order_by("level", "title")),
            ),
        ),
        # What only the cycle page shows: market development and the timeline.
        Prefetch("market_soundings", queryset=MarketSounding.objects.select_related("service_area", "recorded_by").prefetch_related("providers")),
        Prefetch("market_analyses", queryset=MarketAnalysis.objects.select_related("service_area").order_by("service_area__name")),
        Prefetch("stimulation_actions", queryset=StimulationAction.objects.select_related("service_area").order_by("service_area__name", "id")),
        Prefetch("events", queryset=CycleEvent.objects.select_related("actor")),
    ]


def consultation_of(cycle: CommissioningCycle) -> Consultation | None:
    """The cycle's consultation (issue #21) with its themes and responses, for the page and the plan; None before one is opened."""
    found: Consultation | None = (
        Consultation.objects.filter(cycle=cycle).select_related("opened_by")
        .prefetch_related(Prefetch("themes", queryset=ConsultationTheme.objects.prefetch_related("responses").select_related("responded_by")),
                          Prefetch("responses", queryset=ConsultationResponse.objects.select_related("organisation").prefetch_related("themes")))
        .first()
    )
    return found


def cycle_get(user: Viewer, pk: int | str, *, channel: str = audit.Channel.PAGE, path: str = "") -> CommissioningCycle:
    """One cycle with everything its page, its plan and its guards read, in a fixed number of queries.

    The guards (`cycle.guards`) and `services.allocation_suggest` read only the
    prefetched records, so the checklist and the suggestion cost nothing more.
    """
    cycles = _visible_cycles(user).select_related(
        "owner", "previous_cycle", "next_cycle",
        "equality_impact_assessment__completed_by", "closing_evaluation_record__completed_by",
    ).prefetch_related(*_detail_prefetches())
    return get_or_404(user, cycles, pk=pk, channel=channel, path=path, object_type="cycle.commissioningcycle")


def specification_list(*, user: Viewer, cycle: CommissioningCycle) -> QuerySet[ServiceSpecification]:
    return ServiceSpecification.objects.filter(cycle__in=_visible_cycles(user), cycle=cycle).select_related("cycle", "priority")


def consultation_theme_list(*, user: Viewer, cycle: CommissioningCycle) -> QuerySet[ConsultationTheme]:
    return ConsultationTheme.objects.filter(consultation__cycle__in=_visible_cycles(user), consultation__cycle=cycle)


def needs_assessment_list(*, user: Viewer, cycle: CommissioningCycle) -> QuerySet[NeedsAssessment]:
    return NeedsAssessment.objects.filter(cycle__in=_visible_cycles(user), cycle=cycle)


def competition_options(*, user: Viewer) -> QuerySet[Competition]:
    """Competitions a specification may be secured by: those the user may see, abandoned ones left out."""
    return competition_list(user=user).exclude(state=State.ABANDONED)


def agreement_options(*, user: Viewer) -> "QuerySet[Agreement]":
    """Existing contracts and SLAs a change may be made to: those the user may see."""
    from contracts.interface import visible_agreements  # contracts' selectors read cycles' (specifications)

    return visible_agreements(user).select_related("provider").order_by("reference")


# --- what the pages compute from a cycle (all from prefetched records) --------------------------

@dataclass
class Gap:
    service_area: ServiceArea
    location: str
    unit: str
    demand: int = 0
    provision: int = 0
    cohorts: list[str] = field(default_factory=list)

    @property
    def gap(self) -> int:
        return self.demand - self.provision


def gaps(cycle: CommissioningCycle) -> list[Gap]:
    """Demand, provision and the gap (demand − provision) per service and area, summed over cohorts."""
    by_key: dict[tuple[str, str, str], Gap] = {}
    for assessment in cycle.needs_assessments.all():
        key = (assessment.service_area.name, assessment.location, assessment.unit)
        entry = by_key.setdefault(key, Gap(assessment.service_area, assessment.location, assessment.unit))
        entry.demand += assessment.demand
        entry.provision += assessment.provision
        entry.cohorts.append(assessment.cohort)
    return [by_key[key] for key in sorted(by_key)]


def carried_evaluation(cycle: CommissioningCycle) -> list[tuple[str, str]]:
    """The previous cycle's closing evaluation, criterion by criterion, with the criteria's own names."""
    record: dict[str, str] = cycle.carried_evaluation or {}
    rows: list[tuple[str, str]] = []
    for name in ClosingEvaluation.CRITERIA:
        if record.get(name):
            criterion = cast("Field[Any, Any]", ClosingEvaluation._meta.get_field(name))  # CRITERIA name the model's own fields
            rows.append((criterion.verbose_name.capitalize(), record[name]))
    return rows


def outcome_tree(*, user: Viewer) -> list[tuple[str, list[Outcome]]]:
    """The outcomes tree, strategic → service → beneficiary, grouped by theme, each with its specifications."""
    if not sees_cycles(user):
        return []
    specifications = ServiceSpecification.objects.select_related("cycle").order_by("cycle__name", "title")
    beneficiary = Outcome.objects.order_by("id").prefetch_related(Prefetch("specifications", queryset=specifications))
    service = Outcome.objects.order_by("id").prefetch_related(
        Prefetch("specifications", queryset=specifications), Prefetch("children", queryset=beneficiary),
    )
    roots = (
        Outcome.objects.filter(level=Outcome.Level.STRATEGIC).order_by("theme", "id")
        .prefetch_related(Prefetch("specifications", queryset=specifications), Prefetch("children", queryset=service))
    )
    tree = [(theme, list(outcomes)) for theme, outcomes in groupby(roots, key=lambda o: o.theme)]
    _add_contributions(tree, user)
    return tree


def _add_contributions(tree: list[tuple[str, list[Outcome]]], user: Viewer) -> None:
    """Each outcome of the tree with what agreements contribute to it (issue #21): `contributions` and `paid` on each node."""
    from contracts.interface import outcome_contributions  # contracts' measures point at outcomes of this tree

    contributions = outcome_contributions(user)

    def visit(outcome: Any) -> None:
        outcome.contributions = contributions.get(outcome.pk, [])
        outcome.paid = sum((c.paid for c in outcome.contributions), Decimal(0))
        for child in outcome.children.all():
            visit(child)

    for _, roots in tree:
        for root in roots:
            visit(root)


# --- the published competition pipeline -------------------------------------------------------

# Procurement Act 2023 s.93: a pipeline notice (UK1) covers planned contracts above £2m.
PIPELINE_NOTICE_THRESHOLD = Decimal("2000000")
PIPELINE_MONTHS = 12
# The tender notice is the launch: an assurance review planned "before moving to" pre-qualification
# is the last step before it, so its date is the best estimate of the notice's publication.
LAUNCH_STATE = State.PRE_QUALIFICATION


@dataclass
class PipelineEntry:
    competition: Competition
    tender_notice_expected_on: datetime.date | None
    specifications: list[ServiceSpecification]

    @property
    def needs_pipeline_notice(self) -> bool:
        return self.competition.regime == Regime.PA_2023 and self.competition.estimated_value > PIPELINE_NOTICE_THRESHOLD

    def uk1_entry(self) -> dict[str, Any]:
        competition = self.competition
        return {
            "ocid": competition.ocid,
            "id": competition.reference,
            "title": competition.title,
            "description": competition.description or "; ".join(s.summary for s in self.specifications),
            "value": {"amount": float(competition.estimated_value), "currency": "GBP"},
            "procurementMethodDetails": competition.get_procedure_display(),
            "estimatedTenderNoticeDate": self.tender_notice_expected_on.isoformat() if self.tender_notice_expected_on else None,
            "serviceArea": competition.service_area.name,
        }


def competition_pipeline(*, user: Viewer, today: datetime.date | None = None) -> list[PipelineEntry]:
    """Competitions planned for the next 12 months, in expected order of their tender notice.

    Which competitions: every competition the user may see (competitions.selectors)
    that has not launched yet — draft or pre-procurement — whether or not a
    cycle's specification names it. A pipeline announces procurements whose
    tender notice is still to come: once launched the UK4 tender notice is out
    and the competition is no longer "planned"; and the contracting authority's
    pipeline covers all its planned procurements, including those begun before a
    cycle recorded them (the cycle and specification are shown where there is one).
    Those expected after the next 12 months are left out; those with no date
    planned yet stay in, marked, rather than silently disappearing.
    """
    if not sees_cycles(user):
        return []
    today = today or timezone.localdate()
    horizon = today + relativedelta(months=PIPELINE_MONTHS)
    competitions = (
        competition_list(user=user).filter(state__in=[State.DRAFT, State.PRE_PROCUREMENT])
        .prefetch_related(
            Prefetch("assurance_plan", queryset=PlannedReview.objects.filter(before_state=LAUNCH_STATE).order_by("planned_on"), to_attr="reviews_before_launch"),
            Prefetch("specifications", queryset=ServiceSpecification.objects.select_related("cycle").filter(cycle__in=_visible_cycles(user)), to_attr="cycle_specifications"),
        )
    )
    entries: list[PipelineEntry] = []
    for competition in competitions:
        planned = [r.planned_on for r in competition.reviews_before_launch]
        expected = max(planned) if planned else None
        if expected is not None and expected > horizon:
            continue
        entries.append(PipelineEntry(competition, expected, competition.cycle_specifications))
    entries.sort(key=lambda e: (e.tender_notice_expected_on is None, e.tender_notice_expected_on or today, e.competition.reference))
    return entries


def pipeline_notice_content(entries: list[PipelineEntry], *, today: datetime.date | None = None) -> dict[str, Any]:
    """The content of a UK1 pipeline notice: the planned contracts above the threshold under the 2023 Act."""
    today = today or timezone.localdate()
    return {
        "noticeType": "UK1",
        "title": "Pipeline notice",
        "buyer": "Ministry of Justice (NOMS)",
        "period": {"startDate": today.isoformat(), "endDate": (today + relativedelta(months=PIPELINE_MONTHS)).isoformat()},
        "threshold": {"amount": float(PIPELINE_NOTICE_THRESHOLD), "currency": "GBP"},
        "plannedProcurements": [e.uk1_entry() for e in entries if e.needs_pipeline_notice],
    }


def outcome_list(*, level: str = "") -> QuerySet[Outcome]:
    """The outcomes tree alone, without the specifications that serve it, is published reference data
    (seed: "Commissioning for Outcomes"): every signed-in user may read it."""
    outcomes = Outcome.objects.all()
    return outcomes.filter(level=level) if level else outcomes


def cycle_budget(*, user: Viewer, cycle: CommissioningCycle) -> "Budget":
    """The cycle's resources (its own and its partners') against what the agreements let for its specifications commit and spend."""
    from contracts.interface import cycle_budget as budget_of_agreements  # contracts reads cycles' specifications

    partners = [(p.organisation.name, p.arrangement, p.contribution) for p in cycle.partners.all()]
    return budget_of_agreements(user=user, cycle_id=cycle.pk, own=cycle.available_resources, partners=partners,
                                period=(cycle.period_start, cycle.period_end))
