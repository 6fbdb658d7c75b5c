"""Stored nightly evaluations brought into line with corrected rules (issue #16), as each night saw its facts.

The rules that changed: satisfaction is compared unrounded (2.996 is a concern), a KPI's
UK9 rating covers the last twelve months of *completed* periods, and periods are stepped
from the agreement's start (so which returns are overdue). For each stored evaluation the
agreement is evaluated again for its night, from the returns submitted by the end of that
night, and only what those rules decide is replaced: the feedback criterion and score, each
measure's KPI rating, and, where the overdue count differs, the compliance criterion. An
evaluation whose figures change gets its report rendered again; the rest are untouched.
Run once by `evaluations/migrations/0004`; safe to run again (nothing changes the second time).
"""

import copy
import datetime

from django.utils import timezone

from evaluations import selectors
from evaluations.evaluate import evaluate, fingerprint
from evaluations.models import Evaluation, EvaluationRun

FEEDBACK, COMPLIANCE = "User and stakeholder feedback", "Compliance with the agreement"


def _end_of_night(on: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(on + datetime.timedelta(days=1), datetime.time.min))


def corrected(stored: Evaluation, fresh) -> dict:
    """The stored evaluation's fields as the corrected rules give them (those that differ)."""
    detail = copy.deepcopy(stored.detail)
    by_name = {criterion["name"]: criterion for criterion in fresh.detail["criteria"]}
    replace = {FEEDBACK} | ({COMPLIANCE} if fresh.overdue_returns != stored.overdue_returns else set())
    detail["criteria"] = [by_name.get(c["name"], c) if c["name"] in replace else c for c in detail["criteria"]]
    kpis = {row["id"]: row["kpi"] for row in fresh.detail["measures"]}
    for row in detail["measures"]:
        row["kpi"] = kpis.get(row["id"], row["kpi"])
    if detail == stored.detail:
        return {}
    changes = {"detail": detail, "fingerprint": fingerprint(detail), "feedback_score": fresh.feedback_score, "pdf": ""}
    if COMPLIANCE in replace:
        changes.update(overdue_returns=fresh.overdue_returns, compliance_issues=fresh.compliance_issues)
    return changes


def recompute_stored() -> int:
    """Correct every stored evaluation the changed rules decide differently; how many changed (their reports re-rendered)."""
    from evaluations.services import render_reports

    changed = 0
    for run in EvaluationRun.objects.order_by("on"):
        stored = {evaluation.agreement_id: evaluation for evaluation in run.evaluations.all()}
        redo = []
        for agreement in selectors.for_evaluation(list(stored), returns_before=_end_of_night(run.on)):
            changes = corrected(stored[agreement.pk], evaluate(agreement, run.on))
            if changes:
                Evaluation.objects.filter(pk=stored[agreement.pk].pk).update(**changes)
                redo.append(agreement.pk)
        if redo:
            render_reports(run, redo)
            changed += len(redo)
    return changed
