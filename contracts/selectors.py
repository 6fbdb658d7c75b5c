"""Every read of agreements a user sees: the contracts pages and the API come through here.

Agreements (contracts and SLAs) are for the commissioning and contract-management
side: commissioners, SROs, MoJ Procurement, contract managers and oversight. To
anyone else — the HMPS bid team above all, whatever else they hold — an agreement
does not exist (404, logged as a refused attempt). A person the SRO excluded from a
competition for a conflict of interest is excluded from the agreement it let too.

The page selectors load everything a page reads in a fixed number of queries:
`contracts.guards` and `contracts.performance` read only prefetched records.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeVar, cast

from dateutil.relativedelta import relativedelta
from django.db.models import (
    Case,
    CharField,
    DecimalField,
    Exists,
    F,
    Manager,
    Model,
    OuterRef,
    Prefetch,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models import prefetch_related_objects
from django.db.models.functions import Round
from django.utils import timezone

from competitions.interface import Notice, NoticeType
from contracts import extensions, performance
from contracts.models import (
    Agreement,
    AgreementEvent,
    AgreementVersion,
    Claim,
    BreakPoint,
    Direction,
    EqualityResult,
    Feedback,
    LogEntry,
    Measure,
    MobilisationMilestone,
    NoticeOfChange,
    OutcomeTariff,
    RectificationNotice,
    RemedialActionPlan,
    Return,
    SupplyChainMember,
)
from contracts.states import ENDED, RUNNING
from core.models import Organisation, User, Viewer
from core.roles import Role
from cycle.interface import ServiceSpecification, sees_cycles
from ethical_walls import audit
from ethical_walls import selectors as wall
from ethical_walls.selectors import get_or_404

# The contract notices of the Procurement Act 2023 regime, published on the competition's OCID.
CONTRACT_NOTICE_TYPES = (NoticeType.UK7, NoticeType.UK9, NoticeType.UK10, NoticeType.UK11)
DASHBOARD_MONTHS = 6
NO_RAG = "none"
RAG_FILTER_CHOICES = [
    (performance.RED, "Red"), (performance.AMBER, "Amber"), (performance.GREEN, "Green"), (NO_RAG, "No returns yet"),
]

M = TypeVar("M", bound=Model)


def sees_agreements(user: Viewer) -> bool:
    """Agreements are for the commissioning side (contracts.protected). A bid-team member never sees one, whatever else they hold."""
    return wall.sees_kind(user, Agreement)


def visible_agreements(user: Viewer) -> QuerySet[Agreement]:
    """The agreements this user may see: by role, less those let by a competition they were excluded from."""
    agreements: QuerySet[Agreement] = Agreement.objects.all()
    return wall.scoped(user, agreements)


def hidden_agreement_ids(user: Viewer) -> QuerySet[Any]:
    """Of the agreements a reader of agreements sees by role, the ids of those hidden from this one: let by a competition they
    were excluded from (`visible_agreements` is every agreement less these). A handful, where every agreement is tens of thousands."""
    excluded = wall.excluded_competition_ids(user)
    hidden: QuerySet[Any] = Agreement.objects.filter(competition_id__in=excluded or [0]).values("pk")
    return hidden


def sees_agreement(user: Viewer, agreement: Agreement) -> bool:
    return wall.sees(user, agreement)



# --- the provider's own agreements (issue #18) ------------------------------------------------------

def provider_agreements(user: Viewer) -> QuerySet[Agreement]:
    """The agreements of the user's own organisation, for its contract leads (contracts.protected); none for anyone else."""
    agreements: QuerySet[Agreement] = wall.owned(user, Agreement.objects.all())
    return agreements.select_related("service_area").annotate(rag=_overall_rag()).order_by("reference", "pk")


def provider_agreement_get(user: Viewer, pk: int | str, *, path: str = "") -> Agreement:
    """One of the provider's own agreements, with its measures, returns, versions and notices; 404 and logged otherwise."""
    agreements: QuerySet[Agreement] = wall.owned(user, Agreement.objects.all()).select_related("provider", "service_area").prefetch_related(
        "measures__returns", "versions", "rectification_notices", "remedial_plans__measure",
        Prefetch("log_entries", queryset=LogEntry.objects.filter(shared_with_provider=True), to_attr="shared_log"),
        Prefetch("notices_of_change", queryset=NoticeOfChange.objects.select_related("acknowledged_by")),
    )
    return get_or_404(user, agreements, pk=pk, channel=audit.Channel.PAGE, path=path, object_type="contracts.agreement")


def provider_returns(user: Viewer, agreement: Agreement) -> QuerySet[Return]:
    return Return.objects.filter(measure__agreement__in=wall.owned(user, Agreement.objects.all()), measure__agreement=agreement).select_related("measure")


def provider_measures(user: Viewer, agreement: Agreement) -> QuerySet[Measure]:
    return Measure.objects.filter(agreement__in=wall.owned(user, Agreement.objects.all()), agreement=agreement).order_by("id")


# --- the list ------------------------------------------------------------------------------------

def _overall_rag() -> Case:
    """The agreement's RAG in the database, so the list filters and pages by it in one query.

    The same rule as `performance.rag` and `performance.overall_rag` (the worst of the
    measures' latest ratings): the shortfall of the latest return against target, in the
    measure's direction, is Green at or below 0, Amber up to the tolerance, Red beyond.
    The shortfall is rounded to the penny as values are stored, so SQLite's floating-point
    arithmetic gives the same answer as Decimal at the boundaries (tests compare the two).
    """
    latest = Return.objects.filter(measure=OuterRef("pk")).order_by("-period_start").values("value")[:1]
    money: DecimalField[Decimal, Decimal] = DecimalField(max_digits=14, decimal_places=2)
    measures = Measure.objects.filter(agreement=OuterRef("pk")).annotate(
        latest=Subquery(latest, output_field=money),
    ).annotate(shortfall=Round(
        Case(When(direction=Direction.HIGHER_IS_BETTER, then=F("target") - F("latest")), default=F("latest") - F("target"), output_field=money),
        2,
    ))
    return Case(
        When(Exists(measures.filter(shortfall__gt=F("tolerance"))), then=Value(performance.RED)),
        When(Exists(measures.filter(shortfall__gt=0)), then=Value(performance.AMBER)),
        When(Exists(measures.filter(latest__isnull=False)), then=Value(performance.GREEN)),
        default=Value(NO_RAG), output_field=CharField(),
    )


def agreement_list(user: Viewer, filters: dict[str, Any] | None = None) -> QuerySet[Agreement]:
    """Agreements filtered by `state`, `kind`, `provider`, `service_area` and `rag`, each row with its RAG, in one query."""
    filters = {k: v for k, v in (filters or {}).items() if v not in (None, "")}
    agreements = visible_agreements(user).select_related("provider", "service_area", "contract_manager").annotate(rag=_overall_rag())
    for name in ("state", "kind", "provider", "service_area", "rag"):
        if filters.get(name):
            agreements = agreements.filter(**{name: filters[name]})
    return agreements.order_by("reference", "pk")


def provider_options() -> QuerySet[Organisation]:
    """Organisations holding at least one agreement (organisations are public records)."""
    return Organisation.objects.filter(Exists(Agreement.objects.filter(provider=OuterRef("pk")))).order_by("name")


def contract_manager_options() -> QuerySet[User]:
    return User.objects.filter(groups__name=Role.CONTRACT_MANAGER).order_by("last_name", "first_name", "username").distinct()


def milestone_owner_options() -> QuerySet[User]:
    """Who may own a mobilisation milestone: contract managers, MoJ Procurement and SROs (contracts.mobilisation checks they see it)."""
    roles = [Role.CONTRACT_MANAGER, Role.PROCUREMENT, Role.SRO]
    return User.objects.filter(groups__name__in=roles, is_active=True).order_by("last_name", "first_name", "username").distinct()


def milestone_list(*, user: Viewer, agreement: Agreement) -> QuerySet[MobilisationMilestone]:
    return _of_agreement(MobilisationMilestone, user, agreement).select_related("agreement__competition__sro", "owner")


def log_entry_list(*, user: Viewer, agreement: Agreement) -> QuerySet[LogEntry]:
    return _of_agreement(LogEntry, user, agreement).select_related("agreement", "recorded_by")


def specification_options(*, user: Viewer) -> QuerySet[ServiceSpecification]:
    """Specifications are the cycles' records: offered only to those who may see cycles."""
    specifications = ServiceSpecification.objects.select_related("cycle").order_by("cycle__name", "title")
    return specifications if sees_cycles(user) else specifications.none()


# --- one agreement ----------------------------------------------------------------------------

def _detail_prefetches() -> "list[str | Prefetch[str]]":
    return [
        "break_points",
        Prefetch("supply_chain", queryset=SupplyChainMember.objects.select_related("organisation")),
        Prefetch("measures", queryset=Measure.objects.select_related("outcome").prefetch_related(
            Prefetch("returns", queryset=Return.objects.select_related("submitted_by").order_by("period_start")),
        )),
        "cohort_results",
        Prefetch("feedback", queryset=Feedback.objects.select_related("recorded_by").order_by("-received_on", "-id")),
        Prefetch("equality_results", queryset=EqualityResult.objects.order_by("-period_start", "characteristic", "group", "id")),
        Prefetch("remedial_plans", queryset=RemedialActionPlan.objects.select_related("measure").order_by("-agreed_on", "-id")),
        Prefetch("rectification_notices", queryset=RectificationNotice.objects.select_related("issued_by")),
        Prefetch("notices_of_change", queryset=NoticeOfChange.objects.select_related("issued_by", "decided_by", "acknowledged_by", "resulting_version")),
        Prefetch("versions", queryset=AgreementVersion.objects.select_related("notice_of_change")),
        Prefetch("events", queryset=AgreementEvent.objects.select_related("actor")),
        Prefetch("milestones", queryset=MobilisationMilestone.objects.select_related("owner", "gap_accepted_by")),
        Prefetch("log_entries", queryset=LogEntry.objects.select_related("recorded_by")),
        Prefetch("competition__notices", queryset=Notice.objects.filter(notice_type__in=CONTRACT_NOTICE_TYPES).order_by("published_at", "id"),
                 to_attr="contract_notices"),
    ]


def agreement_get(user: Viewer, pk: int | str, *, detail: bool = True, channel: str = audit.Channel.PAGE, path: str = "") -> Agreement:
    """One agreement the user may see; with `detail`, everything its page, guards and performance read.

    Without `detail` it is the bare record, for handing to a service: services that
    add records then read a relation must not see a stale prefetched cache.
    """
    agreements = visible_agreements(user).select_related(
        "provider", "service_area", "contract_manager", "specification", "competition__lead_commissioner",
        "exit_plan__recorded_by", "exit_plan__agreed_by",
    )
    if detail:
        agreements = agreements.prefetch_related(*_detail_prefetches())
    return get_or_404(user, agreements, pk=pk, channel=channel, path=path, object_type="contracts.agreement")


def reachable_agreements(user: Viewer) -> QuerySet[Agreement]:
    """What the API's records reach: the agreements staff may see; for a provider's contract lead (or its system's
    token), its own organisation's (issue #18); nothing for anyone else."""
    return visible_agreements(user) if sees_agreements(user) else wall.owned(user, Agreement.objects.all())


def of_visible_agreements(model: type[M], user: Viewer, lookup: str = "agreement") -> QuerySet[M]:
    """Records (notices, break points…) of the agreements the user may see (`visible_agreements`); `lookup` leads from
    the record to its agreement. Filtered on the joined agreement — for a reader by role, not at all — rather than by a
    subquery of every visible agreement's id, which PostgreSQL hashes in full (issue #22)."""
    manager: Manager[M] = cast(Any, model).objects  # the stubs type `objects` on each model class, not on type[M]
    return wall.scoped(user, manager.all(), kind=Agreement, through=lookup)


def visible_records(model: type[M], user: Viewer, lookup: str = "agreement") -> QuerySet[M]:
    """Records (measures, returns, notices…) of every agreement the user may reach (`reachable_agreements`): staff's as
    `of_visible_agreements`, a provider's its own organisation's."""
    if sees_agreements(user):
        return of_visible_agreements(model, user, lookup)
    manager: Manager[M] = cast(Any, model).objects
    return wall.owned(user, manager.all(), kind=Agreement, through=lookup)


def _of_agreement(model: type[M], user: Viewer, agreement: Agreement, lookup: str = "agreement") -> QuerySet[M]:
    return visible_records(model, user, lookup).filter(**{lookup: agreement})


def measure_list(*, user: Viewer, agreement: Agreement) -> QuerySet[Measure]:
    return _of_agreement(Measure, user, agreement).order_by("id")


def return_list(*, user: Viewer, agreement: Agreement) -> QuerySet[Return]:
    return _of_agreement(Return, user, agreement, "measure__agreement").select_related("measure")


def remedial_plan_list(*, user: Viewer, agreement: Agreement) -> QuerySet[RemedialActionPlan]:
    return _of_agreement(RemedialActionPlan, user, agreement).select_related("agreement")


def rectification_notice_list(*, user: Viewer, agreement: Agreement) -> QuerySet[RectificationNotice]:
    return _of_agreement(RectificationNotice, user, agreement).select_related("agreement")


def with_payments(agreement: Agreement) -> Agreement:
    """The agreement (one the caller may see) with its payment terms, tariffs and claims loaded, for its page's Payments part."""
    prefetch_related_objects([agreement], "payment_terms",
                             Prefetch("tariffs", queryset=OutcomeTariff.objects.select_related("measure").order_by("pk")),
                             Prefetch("claims", queryset=Claim.objects.select_related("raised_by", "checked_by", "approved_by")
                                      .prefetch_related("lines").order_by("-period_start")))
    return agreement


def claim_list(*, user: Viewer, agreement: Agreement) -> QuerySet[Claim]:
    return _of_agreement(Claim, user, agreement).select_related("agreement", "raised_by", "checked_by").prefetch_related("lines")


def approved_claims(user: Viewer) -> QuerySet[Claim]:
    """Claims approved for payment or paid, of the agreements the user may see, in the order they were approved."""
    return (visible_records(Claim, user).filter(status__in=[Claim.Status.APPROVED, Claim.Status.PAID])
            .select_related("agreement__provider", "approved_by").order_by("approved_at", "id"))


def notice_of_change_list(*, user: Viewer, agreement: Agreement) -> QuerySet[NoticeOfChange]:
    return _of_agreement(NoticeOfChange, user, agreement).select_related("agreement__competition__lead_commissioner")


def version_get(*, user: Viewer, agreement: Agreement, number: int, path: str = "") -> AgreementVersion:
    versions = _of_agreement(AgreementVersion, user, agreement).select_related("notice_of_change")
    return get_or_404(user, versions, number=number, channel=audit.Channel.PAGE, path=path)


# --- the contract managers' dashboard -----------------------------------------------------------

DASHBOARD_LIST_LIMIT = 20  # rows of each dashboard list, the most pressing first, unless its section is asked for in full
DASHBOARD_SECTIONS = ("overdue", "rectification", "ahead", "stewardship")  # the lists that can be shown in full


@dataclass
class Dashboard:
    """The portfolio as the last nightly evaluation found it, and what falls due, as it is now.

    Ratings, overdue returns and stewardship warnings come from the stored evaluations of the
    latest finished run (`evaluations`), read in a few queries however large the portfolio:
    rating every return of every running agreement on each request does not scale. Each
    agreement's page rates its returns as they are now. Each list holds its first
    DASHBOARD_LIST_LIMIT rows, and `totals` how many there are, unless its section is shown in full.
    """

    today: datetime.date
    horizon: datetime.date
    running: int
    run: object | None = None  # the evaluation run the ratings come from; None before the first
    rag_counts: list[tuple[str, str, int]] = field(default_factory=list)  # (code, label, count), worst first
    not_evaluated: int = 0  # running now but not in that night's evaluation (gone live since)
    overdue: list[Any] = field(default_factory=list)  # last night's evaluations with overdue returns (the layer above's records)
    stewardship: list[tuple[Agreement, list[str]]] = field(default_factory=list)  # (agreement, [warnings])
    rectification_notices: list[RectificationNotice] = field(default_factory=list)
    expiries: list[Agreement] = field(default_factory=list)
    break_points: list[BreakPoint] = field(default_factory=list)
    totals: dict[str, int] = field(default_factory=dict)  # list name: how many in all
    months: int = DASHBOARD_MONTHS
    counted: dict[str, str] = field(default_factory=dict)  # list name: how many in words ("1,234", "more than 1,000")
    hidden: Any = None  # the agreements the reader may not see (let by competitions they were excluded from): their ids, a query


DASHBOARD_COUNT_LIMIT = 1000  # a dashboard list's rows are counted up to this many


def dashboard(user: Viewer, *, today: datetime.date | None = None, full: frozenset[str] = frozenset()) -> Dashboard:
    """Portfolio RAG, overdue returns, stewardship (last night's); rectification, expiries and break points (now).

    Over the running agreements (live or under rectification) the user may see, in a
    fixed number of queries however many there are; the sections named in `full`
    (of DASHBOARD_SECTIONS) list every row.
    """
    today = today or timezone.localdate()
    horizon = today + relativedelta(months=DASHBOARD_MONTHS)
    running = visible_agreements(user).filter(state__in=RUNNING)
    board = Dashboard(today=today, horizon=horizon, running=running.count(), hidden=hidden_agreement_ids(user))

    def listed(name: str, section: str, rows: QuerySet[Any] | list[Any], total: int | None = None) -> None:
        """The section's first rows (every row when it is shown in full) and how many there are: `total` when known, else
        counted up to DASHBOARD_COUNT_LIMIT ("more than 1,000" beyond: counting every break point of a large portfolio to say
        how many there are is not worth its cost on every view, issue #22)."""
        shown = list(rows) if section in full else list(rows[:DASHBOARD_LIST_LIMIT])
        if total is None:
            total = len(shown) if section in full or not isinstance(rows, QuerySet) else (
                rows.order_by().values("pk")[: DASHBOARD_COUNT_LIMIT + 1].count())
        board.totals[name] = total
        board.counted[name] = f"{total:,}" if total <= DASHBOARD_COUNT_LIMIT or section in full else f"more than {DASHBOARD_COUNT_LIMIT:,}"
        setattr(board, name, shown)

    board.rag_counts = [(code, label, 0) for code, label in RAG_FILTER_CHOICES]
    board.not_evaluated = board.running
    extensions.fill_ratings(board, running, listed)  # last night's ratings, from the nightly evaluation
    listed("rectification_notices", "rectification", of_visible_agreements(RectificationNotice, user).filter(
        status=RectificationNotice.Status.OPEN,
    ).select_related("agreement__provider").order_by("deadline", "pk"))
    listed("expiries", "ahead", running.filter(end_date__lte=horizon).select_related("provider").order_by("end_date", "reference"))
    listed("break_points", "ahead", of_visible_agreements(BreakPoint, user).filter(on__gte=today, on__lte=horizon).exclude(
        agreement__state__in=ENDED,
    ).select_related("agreement__provider").order_by("on", "pk"))
    return board


def validated_series(measure_ids: Any) -> dict[int, list[tuple[datetime.date, Decimal]]]:
    """Each measure's validated returns as (period start, value), oldest first: the actuals of benefits linked to them (issue #21).

    `measure_ids` may be a subquery (one query then, whether or not it finds any measure: a page's query count stays fixed)."""
    series: dict[int, list[tuple[datetime.date, Decimal]]] = defaultdict(list)
    returns = Return.objects.filter(measure_id__in=measure_ids, status=Return.Status.VALIDATED).order_by("measure_id", "period_start")
    for measure_id, period_start, value in returns.values_list("measure_id", "period_start", "value"):
        series[measure_id].append((period_start, value))
    return series
