"""The nightly evaluation reports (SPEC §5, last bullet): the runs, each run's page, and the PDFs.

Reports are agreement material: every view first asks `selectors.require_reports`, so
whoever may not see agreements (the HMPS bid team above all) gets a 404, logged as a
refused attempt, on the page and the PDF channel alike; then the selectors fetch what
the URL names, with the same 404 and log for anything that is not there.
"""

import re
from datetime import date

from django import forms
from django.conf import settings
from django.http import FileResponse, Http404
from django.shortcuts import render

from core.pagination import page_of
from core.forms_utils import GovukForm
from ethical_walls import audit
from ethical_walls.audit import Channel
from evaluations import charts, selectors
from evaluations.models import EvaluationRun, Rating

RUNS_PER_PAGE = 31
EVALUATIONS_PER_PAGE = 50
# The order the reports list ratings in: worst first, then agreements without returns.
RATING_ORDER = [Rating.RED, Rating.AMBER, Rating.GREEN, Rating.NONE]


class RatingFilterForm(GovukForm):
    """The run page's filter (a GET form): one RAG rating, or all."""

    rag = forms.ChoiceField(label="RAG rating", choices=[("", "Any rating"), *[(r.value, r.label) for r in RATING_ORDER]], required=False)


def _night(on: str) -> date:
    """The night a URL names; an impossible date is a page that does not exist."""
    try:
        return date.fromisoformat(on)
    except ValueError:
        raise Http404("No such night") from None


def _open(field):
    """The stored PDF, opened for streaming; a missing file is a 404, not a server error."""
    if not field:
        raise Http404("Not rendered yet")
    try:
        return field.open("rb")
    except FileNotFoundError:
        raise Http404("Not found") from None


def _file_name(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-") or "agreement"


def index(request):
    selectors.require_reports(request.user, channel=Channel.PAGE, path=request.path)
    page = page_of(request, selectors.run_list(request.user), RUNS_PER_PAGE)
    return render(request, "evaluations/index.html", {"page": page, "evaluation_time": settings.EVALUATION_TIME})


def run(request, on):
    selectors.require_reports(request.user, channel=Channel.PAGE, path=request.path)
    night = _night(on)
    shown = selectors.run_get(request.user, night, channel=Channel.PAGE, path=request.path)
    form = RatingFilterForm(request.GET or None)
    rag = form.cleaned_data["rag"] if form.is_valid() else ""
    page = page_of(request, selectors.evaluation_list(request.user, shown, rag=rag), EVALUATIONS_PER_PAGE)
    query = request.GET.copy()
    query.pop("page", None)
    counts = selectors.rag_counts(shown, request.user)
    return render(request, "evaluations/run.html", {
        "run": shown,
        "running": shown.status == EvaluationRun.Status.RUNNING,
        "percent": shown.done * 100 // shown.total if shown.total else 100,
        "rating_rows": [(rating.value, rating.label, counts.get(rating.value, 0)) for rating in RATING_ORDER],
        "chart": charts.rag_bars(counts),
        "failures": list(selectors.failure_list(request.user, shown)),
        "form": form,
        "rag": rag,
        "page": page,
        "query": query.urlencode(),
        "notifications": list(selectors.notification_list(request.user, shown)),
    })


def summary_pdf(request, on):
    selectors.require_reports(request.user, channel=Channel.PDF, path=request.path)
    night = _night(on)
    shown = selectors.run_get(request.user, night, channel=Channel.PDF, path=request.path)
    if not selectors.sees_every_report(request.user):
        # The summary covers every agreement, one this person was excluded from included.
        raise audit.refuse(actor=request.user, channel=Channel.PDF, object_type="evaluations.evaluationrun", object_id=shown.pk, path=request.path)
    pdf = _open(shown.summary_pdf)
    audit.viewed(actor=request.user, channel=Channel.PDF, obj=shown, path=request.path, detail=f"Portfolio evaluation of {night:%d %B %Y}")
    return FileResponse(pdf, content_type="application/pdf", as_attachment=True, filename=f"portfolio-evaluation-{night.isoformat()}.pdf")


def agreement_pdf(request, on, agreement_pk):
    selectors.require_reports(request.user, channel=Channel.PDF, path=request.path)
    night = _night(on)
    shown = selectors.run_get(request.user, night, channel=Channel.PDF, path=request.path)
    evaluation = selectors.evaluation_get(request.user, shown, agreement_pk, channel=Channel.PDF, path=request.path)
    pdf = _open(evaluation.pdf)
    reference = evaluation.agreement.reference
    audit.viewed(actor=request.user, channel=Channel.PDF, obj=evaluation, path=request.path,
                 detail=f"Evaluation of {reference}, {night:%d %B %Y}")
    return FileResponse(pdf, content_type="application/pdf", as_attachment=True,
                        filename=f"{_file_name(reference)}-evaluation-{night.isoformat()}.pdf")


def provider_agreement_pdf(request, on, agreement_pk):
    """The nightly evaluation's PDF of one of the provider's own agreements (issue #18); the wall's 404 for anyone else's."""
    night = _night(on)
    evaluation = selectors.provider_evaluation_get(request.user, night, agreement_pk, path=request.path)
    reference = evaluation.agreement.reference
    audit.viewed(actor=request.user, channel=Channel.PDF, obj=evaluation, path=request.path, detail=f"Evaluation of {reference}, {night:%d %B %Y}")
    return FileResponse(_open(evaluation.pdf), content_type="application/pdf", as_attachment=True,
                        filename=f"{_file_name(reference)}-evaluation-{night.isoformat()}.pdf")
