"""Every read of evaluations and reports. They are agreement material: whoever may not see
agreements (the HMPS bid team above all) gets nothing, on any channel, logged as refused;
someone excluded from a competition sees nothing of the agreement it let — not its row, its
PDF, nor its share of a night's figures, and so not the portfolio summary PDF either."""

from types import SimpleNamespace

from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum
from django.db.models.fields.json import KeyTransform
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.urls import reverse

from contracts import performance
from contracts.models import RUNNING, Agreement, Claim, Measure, Return
from contracts.parts import section_url as agreement_section_url
from contracts.selectors import sees_agreements, visible_agreements
from core.inbox import Task
from core.roles import Role
from ethical_walls import audit
from ethical_walls import selectors as wall
from ethical_walls.selectors import get_or_404
from evaluations.models import Evaluation, EvaluationFailure, EvaluationRun, RedMeasureNotification


def for_evaluation(ids, *, returns_before=None) -> QuerySet[Agreement]:
    """The agreements with everything `evaluate.evaluate` reads, in a fixed number of queries (no user: the nightly task).

    `returns_before` (a moment) leaves out returns submitted from then on: the returns a past night saw.
    """
    returns = Return.objects.order_by("period_start")
    if returns_before is not None:
        returns = returns.filter(submitted_at__lt=returns_before)
    return (
        Agreement.objects.filter(pk__in=ids).select_related("provider", "contract_manager")
        .prefetch_related(
            Prefetch("measures", queryset=Measure.objects.select_related("outcome").order_by("id").prefetch_related(
                Prefetch("returns", queryset=returns),
            )),
            "supply_chain__organisation", "cohort_results", "feedback", "equality_results",
            "rectification_notices", "remedial_plans",
            # Money (issue #20): the claims paid, with their lines (deductions).
            Prefetch("claims", queryset=Claim.objects.filter(status=Claim.Status.PAID).prefetch_related("lines"), to_attr="paid_claims"),
        )
        .order_by("reference", "pk")
    )


def evaluations_without_report(run, ids) -> QuerySet[Evaluation]:
    return Evaluation.objects.filter(run=run, agreement__in=ids, pdf="").select_related("agreement__provider").order_by("pk")


def agreements_without_report(run) -> list[int]:
    return list(Evaluation.objects.filter(run=run, pdf="").order_by("agreement_id").values_list("agreement_id", flat=True))


def running_agreement_ids() -> list[int]:
    return list(Agreement.objects.filter(state__in=RUNNING).order_by("pk").values_list("pk", flat=True))


def sees_reports(user) -> bool:
    return sees_agreements(user)


def sees_every_report(user) -> bool:
    """May read what covers every agreement (a night's portfolio summary): no agreement is hidden from them."""
    return sees_reports(user) and not Agreement.objects.exclude(pk__in=visible_agreements(user)).exists()


def require_reports(user, *, channel: str, path: str = "") -> None:
    """404, logged as a refused attempt, for anyone who may not see agreements."""
    if not sees_reports(user):
        raise audit.refuse(actor=user, channel=channel, object_type="evaluations.evaluationrun", path=path)


def _with_progress(runs: QuerySet[EvaluationRun]) -> QuerySet[EvaluationRun]:
    """Each run with `done`, `failed` and `reported` (evaluations with their PDF) counted from its rows by subqueries."""
    def counted(model):
        rows = model.objects.filter(run=OuterRef("pk")).order_by().values("run").annotate(n=Count("pk")).values("n")
        return Coalesce(Subquery(rows, output_field=IntegerField()), 0)

    reported = Evaluation.objects.filter(run=OuterRef("pk")).exclude(pdf="").order_by().values("run").annotate(n=Count("pk")).values("n")
    return runs.annotate(done=counted(Evaluation), failed=counted(EvaluationFailure),
                         reported=Coalesce(Subquery(reported, output_field=IntegerField()), 0))


def _runs(user) -> QuerySet[EvaluationRun]:
    return _with_progress(EvaluationRun.objects.all() if sees_reports(user) else EvaluationRun.objects.none())


def run_with_progress(pk) -> EvaluationRun:
    """A run with its progress counted (no user: the nightly task)."""
    return _with_progress(EvaluationRun.objects.all()).get(pk=pk)


def run_list(user) -> QuerySet[EvaluationRun]:
    """Runs, newest first, each with `done` and `failed` counted from its rows."""
    return _runs(user).order_by("-on")


def run_get(user, on, *, channel: str = audit.Channel.PAGE, path: str = "") -> EvaluationRun:
    return get_or_404(user, _runs(user), on=on, channel=channel, path=path, object_type="evaluations.evaluationrun")


def _evaluations(user, run) -> QuerySet[Evaluation]:
    return Evaluation.objects.filter(run=run, agreement__in=visible_agreements(user)) if sees_reports(user) else Evaluation.objects.none()


def evaluation_list(user, run, *, rag: str = "") -> QuerySet[Evaluation]:
    evaluations = _evaluations(user, run)
    if rag:
        evaluations = evaluations.filter(rag=rag)
    return evaluations.select_related("agreement__provider").order_by("agreement__reference", "pk")


def evaluation_get(user, run, agreement_pk, *, channel: str = audit.Channel.PAGE, path: str = "") -> Evaluation:
    return get_or_404(user, evaluation_list(user, run).select_related("run"), agreement_id=agreement_pk, channel=channel, path=path,
                      object_type="evaluations.evaluation")


def agreement_evaluations(user, agreement, *, limit: int = 10) -> list[Evaluation]:
    """An agreement's latest evaluations, newest first (its page's "Evaluation" section)."""
    if not sees_reports(user):
        return []
    return list(Evaluation.objects.filter(agreement=agreement, agreement__in=visible_agreements(user)).select_related("run").order_by("-run__on")[:limit])


def _provider_reports(user) -> QuerySet[Evaluation]:
    """Evaluations with their PDF of the agreements of the user's own organisation (its contract leads): none for anyone else."""
    return Evaluation.objects.filter(agreement__in=wall.owned(user, Agreement.objects.all())).exclude(pdf="")


def provider_evaluations(user, agreement, *, limit: int = 6) -> list[Evaluation]:
    """A provider's own agreement's latest nightly evaluations with their PDF, newest first (issue #18)."""
    return list(_provider_reports(user).filter(agreement=agreement).select_related("run").order_by("-run__on")[:limit])


def provider_evaluation_get(user, on, agreement_pk, *, path: str = "") -> Evaluation:
    return get_or_404(user, _provider_reports(user).select_related("run", "agreement"), run__on=on, agreement_id=agreement_pk,
                      channel=audit.Channel.PDF, path=path, object_type="evaluations.evaluation")


def rag_counts(run, user=None) -> dict:
    """The run's agreements by RAG: all of them for the nightly task's summary; those the user may see for a page."""
    evaluations = run.evaluations.all() if user is None else _evaluations(user, run)
    return dict(evaluations.values_list("rag").annotate(n=Count("pk")).values_list("rag", "n"))


# The run's figures below are the portfolio summary's (the nightly task; no user).


def run_totals(run) -> dict:
    return run.evaluations.aggregate(
        penalties_period=Sum("penalties_period"), penalties_year=Sum("penalties_year"), red_measures=Sum("red_measures"),
        overdue_returns=Sum("overdue_returns"), outcomes=Sum("outcomes_delivered"), compliance_issues=Sum("compliance_issues"), flags=Sum("flags"),
    )


def by_service_area(run) -> list[dict]:
    """Each service area's agreements by RAG, and its penalties over 12 months."""
    return list(
        run.evaluations.values("agreement__service_area__name").annotate(
            agreements=Count("pk"), red=Count("pk", filter=Q(rag="red")), amber=Count("pk", filter=Q(rag="amber")),
            green=Count("pk", filter=Q(rag="green")), penalties_year=Sum("penalties_year"),
        ).order_by("agreement__service_area__name")
    )


def needing_attention(run) -> QuerySet[Evaluation]:
    """Red agreements, those with outstanding compliance matters, and those with flags: worst first."""
    return (
        run.evaluations.filter(Q(rag="red") | Q(compliance_issues__gt=0) | Q(flags__gt=0))
        .select_related("agreement__provider", "agreement__service_area")
        .order_by("-red_measures", "-compliance_issues", "-flags", "agreement__reference")
    )


def notification_list(user, run) -> QuerySet[RedMeasureNotification]:
    notifications = RedMeasureNotification.objects.filter(evaluation__in=_evaluations(user, run))
    return notifications.select_related("measure__agreement", "recipient").order_by("measure__agreement__reference", "measure_id")


def failure_list(user, run) -> QuerySet:
    """The agreements the run could not evaluate, with their errors (the run page)."""
    failures = run.failures.filter(agreement__in=visible_agreements(user)) if sees_reports(user) else run.failures.none()
    return failures.select_related("agreement").order_by("agreement__reference", "pk")


def latest_evaluation_run() -> EvaluationRun | None:
    """The latest nightly run that has finished (one still running has not evaluated everyone yet)."""
    return EvaluationRun.objects.exclude(status=EvaluationRun.Status.RUNNING).order_by("-on").first()


# The agreements with overdue returns listed one by one in an inbox; the rest are one task, linking to the dashboard's list.
OVERDUE_TASKS = 20


def inbox_tasks(user, today, horizon):
    """Contract managers' inbox (core.inbox, issue #19): the agreements last night's evaluation found with returns overdue
    (rating every return of every agreement on each page would not scale), the first OVERDUE_TASKS as they are now
    (`overdue_since_run`) and the rest as one task, in a fixed number of queries whatever the portfolio's size."""
    if not (sees_reports(user) and user.has_role(Role.CONTRACT_MANAGER)):
        return
    run = latest_evaluation_run()
    if run is None:
        return
    found = Evaluation.objects.filter(run=run, agreement__in=visible_agreements(user), overdue_returns__gt=0)
    total = found.count()
    overdue = list(found.select_related("agreement__provider").defer("detail").order_by("agreement__reference")[:OVERDUE_TASKS])
    if total > OVERDUE_TASKS:
        more = total - OVERDUE_TASKS
        yield Task(f"Chase overdue returns on {more:,} more agreement{'s' if more != 1 else ''}, as last night's evaluation found them",
                   reverse("contracts:index") + "?show=overdue#overdue", "Contracts and SLAs", key=f"overdue-returns:more:{run.pk}:{more}")
    now = overdue_since_run(run, overdue, today)
    for evaluation in overdue:
        n = now.get(evaluation.agreement_id, 0)
        if not n:
            continue  # sent since last night
        yield Task(f"Chase {n} overdue return{'s' if n != 1 else ''} from {evaluation.agreement.provider} on {evaluation.agreement.reference}",
                   agreement_section_url(evaluation.agreement_id, "overdue"), "Contracts and SLAs",
                   key=f"overdue-returns:{evaluation.agreement_id}:{n}")


def overdue_now(agreement_ids, today=None) -> dict[int, int]:
    """How many returns each agreement has overdue now (not as last night found them), in three queries of plain values
    (the same three however many agreements, none among them included): read on every dashboard and inbox."""
    today = today or timezone.localdate()
    wanted = list(agreement_ids) or [0]  # an empty IN would skip its query, and the count of queries would vary
    starts = dict(Agreement.objects.filter(pk__in=wanted, start_date__isnull=False).values_list("pk", "start_date"))
    measures = list(Measure.objects.filter(agreement_id__in=wanted).order_by().values_list("pk", "agreement_id", "frequency"))
    received: dict[int, set] = {}
    for measure_id, period in Return.objects.filter(measure__agreement_id__in=wanted).order_by().values_list("measure_id", "period_start"):
        received.setdefault(measure_id, set()).add(period)
    counts = {pk: 0 for pk in starts}
    for measure_id, agreement_id, frequency in measures:
        start = starts.get(agreement_id)
        if start is None:
            continue
        shape = SimpleNamespace(frequency=frequency)
        got = received.get(measure_id, set())
        counts[agreement_id] += sum(1 for period in performance.periods(shape, start, today)
                                    if period not in got and performance.due_date(shape, start, period) < today)
    return counts


def overdue_since_run(run: EvaluationRun, evaluations: list[Evaluation], today=None) -> dict[int, int]:
    """Each evaluated agreement's overdue returns as they are now: the run's count, recounted (`overdue_now`) only for the
    agreements a return has come in for since the run began — the count a return can lower; one query when none has."""
    ids = [evaluation.agreement_id for evaluation in evaluations]
    changed = set(Return.objects.filter(measure__agreement_id__in=ids or [0], submitted_at__gte=run.started_at).order_by()
                  .values_list("measure__agreement_id", flat=True).distinct())
    now = {evaluation.agreement_id: evaluation.overdue_returns for evaluation in evaluations}
    return now | overdue_now(sorted(changed), today)


def _still_overdue(board) -> None:
    """The dashboard's overdue rows as they are now: a return sent since last night no longer lists its agreement."""
    if not board.overdue:
        return
    now = overdue_since_run(board.run, board.overdue)
    still = []
    for evaluation in board.overdue:
        evaluation.overdue_returns = now.get(evaluation.agreement_id, 0)  # shown, not saved: the stored evaluation is last night's
        if evaluation.overdue_returns:
            still.append(evaluation)
    board.totals["overdue"] -= len(board.overdue) - len(still)
    board.overdue = still


STEWARDSHIP = Q(flags__gt=0, detail__stewardship__0__isnull=False)  # flags count equality findings too: a first stewardship warning


def run_figures(run) -> dict:
    """The run's portfolio counts, kept on the run when it finishes: by RAG, with overdue returns, with stewardship warnings."""
    totals = run.evaluations.aggregate(overdue=Count("pk", filter=Q(overdue_returns__gt=0)), stewardship=Count("pk", filter=STEWARDSHIP))
    return {"rag": rag_counts(run), **totals}


def _figures_for(board, running) -> dict | None:
    """The run's kept figures less the agreements now out of the reader's running ones: those moved since the run began
    (ended, suspended) and those hidden from the reader. Four small queries by key, whatever the portfolio's size; None when
    the run kept no figures (one finished before they were kept)."""
    from contracts.models import AgreementEvent

    figures = board.run.figures if board.run is not None else None
    if not figures:
        return None
    moved = set(AgreementEvent.objects.filter(at__gte=board.run.started_at).order_by().values_list("agreement_id", flat=True).distinct())
    candidates = moved | set(board.hidden.values_list("pk", flat=True))
    # Each list below may be empty: [0] keeps its query (a page's count of queries stays the same).
    gone = candidates - set(running.filter(pk__in=candidates or [0]).values_list("pk", flat=True))
    rag, overdue, stewardship = dict(figures["rag"]), figures["overdue"], figures["stewardship"]
    lost = (board.run.evaluations.filter(agreement_id__in=gone or [0]).order_by().values("rag")
            .annotate(n=Count("pk"), overdue=Count("pk", filter=Q(overdue_returns__gt=0)), stewardship=Count("pk", filter=STEWARDSHIP)))
    for row in lost:
        rag[row["rag"]] = rag.get(row["rag"], 0) - row["n"]
        overdue, stewardship = overdue - row["overdue"], stewardship - row["stewardship"]
    return {"rag": rag, "overdue": overdue, "stewardship": stewardship}


def dashboard_ratings(board, running, listed) -> None:
    """The contract managers' dashboard's ratings, from the latest finished run (registered in contracts.extensions).

    Over the running agreements the user may see (`running`): the counts from the figures the run kept (`_figures_for`),
    and each list's first rows, in a few queries however many agreements there are.
    """
    board.run = latest_evaluation_run()
    # The run's evaluations of agreements running now, less those hidden from the reader (`running` is the visible running
    # ones: every running agreement less `board.hidden`, or none): conditions on the joined agreement and a handful of
    # hidden ids, rather than a subquery of every running agreement's id, which PostgreSQL hashes in full (issue #22).
    evaluations = (Evaluation.objects.filter(run=board.run, agreement__state__in=RUNNING).exclude(agreement_id__in=board.hidden)
                   if board.run and not running.query.is_empty() else Evaluation.objects.none())
    figures = _figures_for(board, running)
    counts = figures["rag"] if figures else dict(evaluations.order_by().values_list("rag").annotate(n=Count("pk")).values_list("rag", "n"))
    board.rag_counts = [(code, label, counts.get(code, 0)) for code, label, _ in board.rag_counts]
    board.not_evaluated = max(board.running - sum(counts.values()), 0)
    listed("overdue", "overdue", evaluations.filter(overdue_returns__gt=0).select_related("agreement__provider").defer("detail")
           .order_by("-overdue_returns", "agreement__reference"), total=figures["overdue"] if figures else None)
    _still_overdue(board)
    listed("stewardship", "stewardship", evaluations.filter(STEWARDSHIP).annotate(warnings=KeyTransform("stewardship", "detail"))
           .defer("detail").select_related("agreement__provider").order_by("agreement__reference"),
           total=figures["stewardship"] if figures else None)
    board.stewardship = [(evaluation.agreement, evaluation.warnings) for evaluation in board.stewardship]
