"""Who reads which risks (issue #21): whoever may read the commissioning material of the record a risk is held against.

- a cycle's risks: those who see cycles (`cycle.selectors.sees_cycles`);
- a competition's risks: the commissioning side of that competition's wall
  (`ethical_walls.selectors.confidential_competition_ids`) — never the bid team;
- an agreement's risks: those who see the agreement (`contracts.selectors.visible_agreements`:
  by role, less agreements let by a competition the person was excluded from).

Every page, API route and inbox task reads risks through `risk_list` / `risk_get`.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet

from contracts.selectors import sees_agreements, visible_agreements
from core.roles import Role
from cycle.selectors import sees_cycles
from ethical_walls.audit import Channel
from ethical_walls.selectors import confidential_competition_ids, get_or_404, sees_commissioning_material
from governance.models import HIGH_FROM, IMPACT_LABELS, LIKELIHOOD_LABELS, SCALE, Mitigation, Risk, RiskStatus, rating_of

Viewer = Any

# Who may raise, reassess, mitigate, escalate and close risks, on the records they may read; oversight reads them too.
RISK_ROLES = (Role.COMMISSIONER, Role.SRO, Role.PROCUREMENT, Role.CONTRACT_MANAGER)
RISK_READERS = (*RISK_ROLES, Role.OVERSIGHT, Role.GATEWAY_REVIEWER)  # Gateway reviews assess a project's risks
SUBJECTS = ("cycle", "competition", "agreement")


def sees_risks(user: Viewer) -> bool:
    """The portfolio's risks are commissioning material: for its readers' roles, never for anyone on the bid side."""
    return sees_commissioning_material(user, *RISK_READERS)


def _visible(user: Viewer) -> Q:
    if not sees_risks(user):
        return Q(pk__in=[])
    condition = Q(competition_id__in=confidential_competition_ids(user))
    if sees_cycles(user):
        condition |= Q(cycle__isnull=False)
    if sees_agreements(user):
        condition |= Q(agreement__in=visible_agreements(user).values("pk"))
    return condition


def reads_subject(user: Viewer, subject: str, record_id: int) -> bool:
    """Whether `user` may read the risks held against one record: the rule of `_visible`, for one record."""
    if not sees_risks(user) or subject not in SUBJECTS:
        return False
    if subject == "competition":
        return record_id in confidential_competition_ids(user)
    if subject == "cycle":
        return sees_cycles(user)
    return sees_agreements(user) and visible_agreements(user).filter(pk=record_id).exists()


def risk_list(user: Viewer, *, subject: str = "", subject_id: int | None = None, status: str = RiskStatus.OPEN,
              escalated: bool = False, owner: Viewer = None) -> QuerySet[Risk]:
    """The risks and issues this user may read, highest score first, with their owners and subjects."""
    risks = Risk.objects.filter(_visible(user)).select_related("owner", "cycle", "competition", "agreement")
    if subject in SUBJECTS and subject_id is not None:
        risks = risks.filter(**{f"{subject}_id": subject_id})
    if status:
        risks = risks.filter(status=status)
    if escalated:
        risks = risks.filter(escalated_at__isnull=False)
    if owner is not None:
        risks = risks.filter(owner=owner)
    return risks.order_by("-score", "pk")


def risk_get(user: Viewer, pk: Any, *, path: str = "", channel: str = Channel.PAGE) -> Risk:
    """One risk with its reviews and mitigations, or 404 logged as a refused attempt."""
    risks = risk_list(user, status="").prefetch_related(
        "reviews__reviewed_by", Prefetch("mitigations", queryset=Mitigation.objects.select_related("owner")))
    return get_or_404(user, risks, channel=channel, path=path, object_type="governance.risk", pk=pk)


def may_manage(user: Viewer) -> bool:
    return sees_risks(user) and user.has_role(*RISK_ROLES)


def subject_of(risk: Risk) -> tuple[str, Any]:
    for name in SUBJECTS:
        if getattr(risk, f"{name}_id"):
            return name, getattr(risk, name)
    raise ValueError("a risk is held against one record")


# --- the portfolio's heat map -------------------------------------------------------------------------

@dataclass(frozen=True)
class Cell:
    likelihood: int
    impact: int
    count: int

    @property
    def score(self) -> int:
        return self.likelihood * self.impact

    @property
    def rating(self) -> str:
        return rating_of(self.score).value


@dataclass(frozen=True)
class HeatMap:
    rows: list[tuple[int, str, list[Cell]]]  # likelihood, its label, a cell per impact — most likely first
    impacts: list[tuple[int, str]]
    total: int


def heat_map(risks: QuerySet[Risk]) -> HeatMap:
    """Open risks counted by likelihood and impact, in one grouped query."""
    grouped = risks.order_by().values("likelihood", "impact").annotate(n=Count("pk"))
    counts = Counter({(row["likelihood"], row["impact"]): row["n"] for row in grouped})
    rows = [(likelihood, LIKELIHOOD_LABELS[likelihood], [Cell(likelihood, impact, counts[(likelihood, impact)]) for impact in SCALE])
            for likelihood in reversed(SCALE)]
    return HeatMap(rows=rows, impacts=[(impact, IMPACT_LABELS[impact]) for impact in SCALE], total=sum(counts.values()))


# --- the owner's inbox ---------------------------------------------------------------------------------

def high_risks_owned(user: Viewer) -> QuerySet[Risk]:
    return risk_list(user, owner=user).filter(score__gte=HIGH_FROM)


def mitigations_due(user: Viewer, horizon: date) -> QuerySet[Mitigation]:
    """Open mitigations the user owns, due by `horizon`, on risks the user may read."""
    visible = Risk.objects.filter(_visible(user), status=RiskStatus.OPEN).values("pk")
    return (Mitigation.objects.filter(owner=user, done_on__isnull=True, due_on__lte=horizon, risk__in=visible)
            .select_related("risk").order_by("due_on", "pk"))
