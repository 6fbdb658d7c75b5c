"""The provider's pages (issue #18): a supplier's contract leads see their own organisation's agreements and submit returns.

Only their own agreements exist for them (`ethical_walls.selectors.owned`, by the provider organisation
registered in contracts/protected.py): any other agreement is the wall's 404, logged. The staff's
contracts pages stay the commissioning side's.
"""

import os

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.core.exceptions import ValidationError
from django.views.decorators.http import require_http_methods, require_POST

from contracts import claims, extensions, forms, performance, returns_upload, selectors, services
from contracts.protected import PROVIDER_ROLES
from contracts.models import NoticeOfChange, Return
from contracts.states import RUNNING
from core.forms_utils import apply_service_errors
from ethical_walls import audit
from ethical_walls.audit import Channel
from ethical_walls.selectors import acting_organisation_id, get_or_404

MAX_UPLOAD_BYTES = 10 * 1024 * 1024


def _require_provider(request: HttpRequest) -> None:
    if acting_organisation_id(request.user, PROVIDER_ROLES) is None:
        raise audit.refuse(actor=request.user, channel=Channel.PAGE, object_type="contracts.agreement", path=request.path)


def index(request: HttpRequest) -> HttpResponse:
    _require_provider(request)
    return render(request, "contracts/provider_index.html", {"agreements": selectors.provider_agreements(request.user)})


def _measure_rows(agreement, today):
    latest = performance.latest_ratings(agreement)
    running = agreement.state in RUNNING and agreement.start_date is not None
    return [{
        "measure": measure, "latest": latest.get(measure.pk), "returns": list(measure.returns.all()),
        "overdue": [(p, performance.due_date(measure, agreement.start_date, p))
                    for p in performance.overdue(measure, agreement.start_date, today)] if running else [],
    } for measure in agreement.measures.all()]


def _kpi_rows(agreement, today) -> list[tuple[object, str]]:
    """Each KPI with its rating as the contract performance notice (UK9) gives it, for the assessed periods."""
    if agreement.start_date is None:
        return []
    ratings = performance.kpi_ratings(agreement, today)
    return [(measure, ratings[measure.pk]) for measure in agreement.measures.all() if measure.pk in ratings]


def detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require_provider(request)
    agreement = selectors.provider_agreement_get(request.user, pk, path=request.path)
    today = timezone.localdate()
    return render(request, "contracts/provider_detail.html", {
        "agreement": agreement, "today": today, "rows": _measure_rows(agreement, today), "overall": performance.overall_rag(agreement),
        "can_submit": agreement.state in RUNNING and bool(forms.open_periods(agreement, today)),
        "can_propose": agreement.state in RUNNING,
        "kpi_ratings": _kpi_rows(agreement, today),
        "evaluations": extensions.provider_evaluations(request.user, agreement, limit=6),
        "claims": selectors.claim_list(user=request.user, agreement=agreement).order_by("-period_start"),
        "can_claim": agreement.state in claims.CLAIMABLE and bool(claims.unclaimed_periods(agreement)),
    })


@require_http_methods(["GET", "POST"])
def raise_claim(request: HttpRequest, pk: int) -> HttpResponse:
    """The provider claims for an ended fee period (issue #20): the claim is built from the terms and its validated returns."""
    _require_provider(request)
    agreement = selectors.provider_agreement_get(request.user, pk, path=request.path)
    form = forms.ClaimRaiseForm(request.POST or None, agreement=agreement, user=request.user)
    if request.method == "POST" and form.is_valid():
        claim = apply_service_errors(form, lambda: claims.claim_raise(agreement=agreement, actor=request.user, **form.cleaned_data))
        if claim:
            messages.success(request, f"Claim for £{claim.total:,.2f} sent to the contract manager.")
            return redirect(reverse("contracts:provider-detail", args=[agreement.pk]) + "#claims")
    return render(request, "contracts/form.html", {
        "form": form, "title": "Raise a claim", "agreement": agreement,
        "lede": "The claim is built from your payment terms and your validated returns: the fee, outcome payments and any deductions.",
        "back": reverse("contracts:provider-detail", args=[agreement.pk]),
    })


@require_http_methods(["GET", "POST"])
def submit_return(request: HttpRequest, pk: int) -> HttpResponse:
    _require_provider(request)
    agreement = selectors.provider_agreement_get(request.user, pk, path=request.path)
    bound = (request.POST, request.FILES) if request.method == "POST" else ()
    form = forms.ProviderReturnForm(*bound, agreement=agreement, user=request.user, query=request.GET)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        item = apply_service_errors(form, lambda: services.return_submit(actor=request.user, evidence_file=data.pop("evidence_file") or None, **data))
        if item:
            messages.success(request, f"Return for {item.measure.name} received.")
            return redirect("contracts:provider-detail", pk=agreement.pk)
    return render(request, "contracts/form.html", {
        "form": form, "title": "Submit a return", "agreement": agreement,
        "back": reverse("contracts:provider-detail", args=[agreement.pk]),
    })


@require_http_methods(["GET", "POST"])
def correct_return(request: HttpRequest, pk: int, return_pk: int) -> HttpResponse:
    """A queried return, corrected by the provider: back to the contract manager."""
    _require_provider(request)
    agreement = selectors.provider_agreement_get(request.user, pk, path=request.path)
    item = get_or_404(request.user, selectors.provider_returns(request.user, agreement).filter(status=Return.Status.QUERIED),
                      pk=return_pk, channel=Channel.PAGE, path=request.path)
    form = forms.ReturnCorrectionForm(request.POST or None, initial={"value": item.value, "evidence": item.evidence})
    if request.method == "POST" and form.is_valid():
        corrected = apply_service_errors(form, lambda: services.return_correct(item=item, actor=request.user, **form.cleaned_data))
        if corrected:
            messages.success(request, f"Return for {corrected.measure.name} corrected: the contract manager will look at it again.")
            return redirect("contracts:provider-detail", pk=agreement.pk)
    return render(request, "contracts/form.html", {
        "form": form, "title": "Correct a queried return", "agreement": agreement, "target": item,
        "lede": f"The contract manager asked: {item.query_reason}",
        "back": reverse("contracts:provider-detail", args=[agreement.pk]),
    })


@require_http_methods(["GET", "POST"])
def propose_plan(request: HttpRequest, pk: int) -> HttpResponse:
    """The provider proposes a remedial action plan (for an open rectification notice, or of its own accord)."""
    _require_provider(request)
    agreement = selectors.provider_agreement_get(request.user, pk, path=request.path)
    form = forms.ProviderRemedialPlanForm(request.POST or None, measures=selectors.provider_measures(request.user, agreement))
    if request.method == "POST" and form.is_valid():
        plan = apply_service_errors(form, lambda: services.remedial_plan_propose(agreement=agreement, actor=request.user, **form.cleaned_data))
        if plan:
            messages.success(request, "Remedial action plan sent to the contract manager.")
            return redirect("contracts:provider-detail", pk=agreement.pk)
    return render(request, "contracts/form.html", {
        "form": form, "title": "Propose a remedial action plan", "agreement": agreement,
        "back": reverse("contracts:provider-detail", args=[agreement.pk]),
    })


def _awaiting(agreement, today) -> list[tuple[str, object]]:
    """(measure, period start) for every period that has ended and has no return yet, oldest first."""
    if agreement.state not in RUNNING or agreement.start_date is None:
        return []
    rows = []
    for measure in agreement.measures.all():
        rows += [(measure.name, p) for p in performance.awaited(measure, agreement.start_date, today)]
    return sorted(rows, key=lambda row: (row[1], row[0]))


def returns_template(request: HttpRequest, pk: int) -> HttpResponse:
    """The workbook to fill in: a row for each return awaited."""
    _require_provider(request)
    agreement = selectors.provider_agreement_get(request.user, pk, path=request.path)
    response = HttpResponse(returns_upload.template(_awaiting(agreement, timezone.localdate())), content_type=returns_upload.XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{agreement.reference}-returns.xlsx"'
    return response


@require_http_methods(["GET", "POST"])
def upload_returns(request: HttpRequest, pk: int) -> HttpResponse:
    """Every return in a file, all or nothing: each problem named by row, column and rule, nothing stored unless all are right."""
    _require_provider(request)
    agreement = selectors.provider_agreement_get(request.user, pk, path=request.path)
    form = forms.ReturnsUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            form.add_error("file", "The file is larger than 10 MB.")
        else:
            try:
                rows = returns_upload.read(upload.name, upload.read())
            except returns_upload.UnreadableFile as unreadable:
                form.add_error("file", str(unreadable))
            else:
                evidence = {os.path.basename(f.name): f.read() for f in form.cleaned_data["evidence_files"]}
                made = apply_service_errors(form, lambda: services.returns_submit_all(agreement=agreement, actor=request.user, rows=rows,
                                                                                      evidence_files=evidence))
                if made:
                    messages.success(request, f"{len(made)} returns received.")
                    return redirect("contracts:provider-detail", pk=agreement.pk)
    return render(request, "contracts/provider_upload.html", {
        "form": form, "agreement": agreement, "awaiting": _awaiting(agreement, timezone.localdate()),
        "back": reverse("contracts:provider-detail", args=[agreement.pk]),
    })


@require_POST
def acknowledge(request: HttpRequest, pk: int, notice_pk: int) -> HttpResponse:
    """The provider acknowledges a Notice of Change on its agreement."""
    _require_provider(request)
    agreement = selectors.provider_agreement_get(request.user, pk, path=request.path)
    notice: NoticeOfChange = get_or_404(request.user, agreement.notices_of_change.all(), pk=notice_pk, channel=Channel.PAGE, path=request.path)
    try:
        services.notice_of_change_acknowledge(notice=notice, actor=request.user)
    except ValidationError as refused:
        messages.error(request, " ".join(refused.messages))
    else:
        messages.success(request, f"Notice of Change {notice.number} acknowledged.")
    return redirect("contracts:provider-detail", pk=agreement.pk)
