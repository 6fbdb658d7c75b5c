"""Commissioning-cycle pages (SPEC §2): parse input, call a selector or a service, render."""

from dataclasses import dataclass
from typing import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from core.pagination import page_of
from core.errors import PermissionDenied, StaleObject, TransitionRefused
from core.forms_utils import apply_service_errors
from core.pdf import render_pdf
from core.roles import Role
from core.charts import bar_chart
from core.templatetags.humanize_money import money
from cycle import consultation, forms, guards, selectors, services
from cycle.machine import CYCLE, FORWARD
from cycle.parts import PARTS, section_url
from cycle.models import PHASES, STAGE_ORDER, Stage
from ethical_walls import audit
from ethical_walls.audit import Channel
from ethical_walls.selectors import get_or_404

STAGE_STATUS = {"done": "Done", "current": "Current stage", "to_come": "To come"}


def _require_reader(request):
    """Cycles do not exist for anyone outside the commissioning side: 404, logged as refused."""
    if not selectors.sees_cycles(request.user):
        raise audit.refuse(actor=request.user, channel=Channel.PAGE, object_type="cycle.commissioningcycle", path=request.path)


def _require_commissioner(request):
    """Forms are shown only to those the services will let write (the rule itself lives in the service)."""
    try:
        services.require_commissioner(request.user)
    except PermissionDenied:
        raise PermissionDenied("Only a commissioner can change a commissioning cycle.") from None


def _cycle(request, pk, channel=Channel.PAGE):
    _require_reader(request)
    return selectors.cycle_get(request.user, pk, channel=channel, path=request.path)


def _filters(form) -> dict:
    return {k: v for k, v in (form.cleaned_data if form.is_valid() else {}).items() if v not in (None, "")}


def index(request):
    _require_reader(request)
    form = forms.CycleFilterForm(request.GET or None)
    page = page_of(request, selectors.cycle_list(request.user, _filters(form)), 25)
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "cycle/index.html", {
        "form": form, "page": page, "query": query.urlencode(), "can_create": request.user.has_role(Role.COMMISSIONER),
    })


@require_http_methods(["GET", "POST"])
def create(request):
    _require_reader(request)
    _require_commissioner(request)
    form = forms.CycleCreateForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        cycle = apply_service_errors(form, lambda: services.cycle_create(actor=request.user, **form.cleaned_data))
        if cycle:
            messages.success(request, f"Commissioning cycle “{cycle.name}” created.")
            return redirect("cycle:detail", pk=cycle.pk)
    return render(request, "cycle/form.html", {"form": form, "title": "Create a commissioning cycle", "back": reverse("cycle:index")})


# --- the cycle page ------------------------------------------------------------------------------

def stage_diagram(cycle) -> list[dict]:
    """The three phases and their stages, each done, current or to come."""
    current = STAGE_ORDER.index(cycle.stage)
    phases = []
    for number, (name, stages) in enumerate(PHASES.items(), start=1):
        items = []
        for stage in stages:
            position = STAGE_ORDER.index(stage)
            status = "done" if position < current else "current" if position == current else "to_come"
            if stage == Stage.CLOSED and position == current:
                status = "done"  # a closed cycle has finished every stage
            items.append({"number": position + 1, "label": Stage(stage).label, "status": status, "status_label": STAGE_STATUS[status]})
        statuses = {i["status"] for i in items}
        phase_status = "current" if "current" in statuses else "done" if statuses == {"done"} else "to_come"
        phases.append({"number": number, "name": name, "stages": items, "status": phase_status, "status_label": STAGE_STATUS[phase_status]})
    return phases


def _next_move(request, cycle):
    """The forward move from the current stage, with the checklist of its conditions (None once closed)."""
    name = next(iter(CYCLE.possible(cycle.stage, how={"button"})), None)
    if name is None:
        return None
    conditions = CYCLE.conditions(cycle, name)
    return {
        "name": name, "label": CYCLE.label(name), "conditions": conditions,
        "ready": all(c.met for c in conditions), "allowed": CYCLE.may(request.user, name),
    }


def _allocation(cycle):
    """The suggested allocation next to the current one, and the funding line (budget from cycle.guards)."""
    priorities = list(cycle.priorities.all())
    suggestion = services.allocation_suggest(cycle)
    suggested_ids, suggested_value, suggested_cost = suggestion
    budget = guards.budget(cycle)
    funded = [p for p in priorities if p.funded]
    funded_cost = sum((p.cost for p in funded), 0)
    return {
        "budget": budget,
        "own_resources": cycle.available_resources,
        "pooled": budget - cycle.available_resources,
        "aligned": sum((p.contribution for p in cycle.partners.all() if p.arrangement == "aligned"), 0),
        "above_line": funded,
        "below_line": [p for p in priorities if not p.funded],
        "funded_cost": funded_cost,
        "funded_value": sum((p.weighted_value for p in funded), 0),
        "headroom": abs(budget - funded_cost),
        "over_budget": funded_cost > budget,
        "chosen": bool(funded),
        "suggested": [p for p in priorities if p.pk in suggested_ids],
        "suggested_value": suggested_value,
        "suggested_cost": suggested_cost,
        "suggestion_exact": suggestion.exact,
        "suggestion_accepted": bool(priorities) and {p.pk for p in funded} == set(suggested_ids),
    }


def _cycle_context(request, cycle) -> dict:
    return {
        "cycle": cycle,
        "diagram": stage_diagram(cycle),
        "allocation": _allocation(cycle),
        "gaps": selectors.gaps(cycle),
        "carried_evaluation": selectors.carried_evaluation(cycle),
        "consultation": selectors.consultation_of(cycle),
    }


def detail(request, pk, *, refusal=None, status=200):
    cycle = _cycle(request, pk)
    can_edit = request.user.has_role(Role.COMMISSIONER)
    context = _cycle_context(request, cycle) | {
        "refusal": refusal,
        "refusal_label": CYCLE.label(refusal.transition, "Move on") if refusal else "",
        "next_move": _next_move(request, cycle),
        "can_edit": can_edit,
        "step_back_form": forms.StepBackForm(cycle=cycle) if can_edit else None,
        "allocation_form": forms.AllocationForm(cycle=cycle, user=request.user) if can_edit else None,
        "events": list(reversed(cycle.events.all())),
    } | PARTS.context(request)
    if "budget" in context["shown"]:
        context["budget"] = selectors.cycle_budget(user=request.user, cycle=cycle)
        context["budget_chart"] = _budget_chart(context["budget"])
    return render(request, "cycle/detail.html", context, status=status)


def _budget_chart(budget):
    rows = []
    for year in budget.ordered_years:
        rows += [(f"{year.label} budget", float(year.budget), money(year.budget)), (f"{year.label} committed", float(year.committed), money(year.committed))]
    return bar_chart(rows, title="Budget and commitments by financial year", chart_id="budget-chart") if rows else ""


def _expected_version(request, cycle) -> int:
    try:
        return int(request.POST.get("version", cycle.version))
    except ValueError:
        return -1


@require_POST
def move_on(request, pk, name):
    if name not in FORWARD:
        raise Http404
    cycle = _cycle(request, pk)
    _require_commissioner(request)
    try:
        moved = services.cycle_move_on(cycle=cycle, actor=request.user, transition=name, expected_version=_expected_version(request, cycle))
    except TransitionRefused as refused:
        return detail(request, pk, refusal=refused, status=409)
    except StaleObject as stale:
        messages.error(request, str(stale))
        return redirect("cycle:detail", pk=pk)
    messages.success(request, f"{CYCLE.label(name)}: now {moved.stage_label}.")
    if name == "close":
        return redirect("cycle:detail", pk=moved.next_cycle.pk)
    return redirect("cycle:detail", pk=pk)


@require_http_methods(["GET", "POST"])
def step_back(request, pk):
    cycle = _cycle(request, pk)
    _require_commissioner(request)
    form = forms.StepBackForm(request.POST if request.method == "POST" else None, cycle=cycle)
    if request.method == "POST" and form.is_valid():
        try:
            moved = apply_service_errors(form, lambda: services.cycle_step_back(
                cycle=cycle, actor=request.user, expected_version=_expected_version(request, cycle), **form.cleaned_data,
            ))
        except StaleObject as stale:
            form.add_error(None, str(stale))
            moved = None
        except TransitionRefused as refused:
            form.add_error(None, "; ".join(refused.missing))
            moved = None
        if moved:
            messages.success(request, f"The cycle went back to {moved.stage_label}.")
            return redirect("cycle:detail", pk=pk)
    return render(request, "cycle/form.html", {
        "form": form, "title": "Step back to an earlier stage", "cycle": cycle, "version": cycle.version,
        "back": reverse("cycle:detail", args=[pk]),
    })


# --- records: one view, driven by a table of actions ------------------------------------------

@dataclass(frozen=True)
class RecordAction:
    title: str
    form: type  # a form taking cycle= and user=
    save: Callable  # (cycle, actor, cleaned_data, target) -> the saved object
    section: str  # the cycle page's section to return to
    target: str | None = None  # the kind of record a URL's target id refers to


def _needs_assessment(cycle, actor, data, target):
    if not data.get("evidence_file"):
        data.pop("evidence_file", None)
    return services.needs_assessment_record(cycle=cycle, actor=actor, **data)


def _rerank(cycle, actor, data, target):
    services.priorities_rerank(cycle=cycle, actor=actor, order=data["order"])
    return cycle  # the service returns nothing; anything but None means "saved"


def _allocation_set(cycle, actor, data, target):
    return services.allocation_set(cycle=cycle, actor=actor, funded_ids=set(data["funded"]))


def _consultation_of(cycle):
    found = getattr(cycle, "consultation", None)
    if found is None:
        raise ValidationError("Open a consultation on the plan first.")
    return found


RECORD_ACTIONS = {
    "partner": RecordAction("Add a co-commissioning partner", forms.PartnerForm, lambda c, a, d, t: services.partner_add(cycle=c, actor=a, **d), "partners"),
    "needs-assessment": RecordAction("Record a needs assessment", forms.NeedsAssessmentForm, _needs_assessment, "needs"),
    "priority": RecordAction("Add a priority", forms.PriorityForm, lambda c, a, d, t: services.priority_add(cycle=c, actor=a, **d), "priorities"),
    "rerank": RecordAction("Re-rank the priorities", forms.RerankForm, _rerank, "priorities"),
    "accept-allocation": RecordAction("Accept the suggested allocation", forms.ConfirmForm, lambda c, a, d, t: services.allocation_set(cycle=c, actor=a), "allocation"),
    "allocation": RecordAction("Choose the priorities to fund", forms.AllocationForm, _allocation_set, "allocation"),
    "equality": RecordAction("Record the equality impact assessment", forms.EqualityImpactAssessmentForm, lambda c, a, d, t: services.equality_impact_assessment_record(cycle=c, actor=a, **d), "equality"),
    "specification": RecordAction("Write a service specification", forms.SpecificationForm, lambda c, a, d, t: services.specification_record(cycle=c, actor=a, **d), "specifications"),
    "securing-route": RecordAction("Choose the securing route", forms.SecuringRouteForm, lambda c, a, d, t: services.specification_set_route(specification=t, actor=a, **d), "specifications", target="specification"),
    "market-sounding": RecordAction("Record a market sounding", forms.MarketSoundingForm, lambda c, a, d, t: services.market_sounding_record(cycle=c, actor=a, **d), "market"),
    "market-analysis": RecordAction("Record a market analysis", forms.MarketAnalysisForm, lambda c, a, d, t: services.market_analysis_record(cycle=c, actor=a, **d), "market"),
    "stimulation-action": RecordAction("Add a market stimulation action", forms.StimulationActionForm, lambda c, a, d, t: services.stimulation_action_add(cycle=c, actor=a, **d), "market"),
    "consultation": RecordAction("Open a consultation on the plan", forms.ConsultationForm,
                                 lambda c, a, d, t: consultation.consultation_open(cycle=c, actor=a, **d), "consultation"),
    "consultation-theme": RecordAction("Add a consultation theme", forms.ConsultationThemeForm,
                                       lambda c, a, d, t: consultation.theme_add(consultation=_consultation_of(c), actor=a, **d), "consultation"),
    "consultation-response": RecordAction("Record a consultation response", forms.ConsultationResponseForm,
                                          lambda c, a, d, t: consultation.response_record(consultation=_consultation_of(c), actor=a, **d),
                                          "consultation"),
    "theme-response": RecordAction("Respond to the theme", forms.ThemeResponseForm,
                                   lambda c, a, d, t: consultation.theme_respond(theme=t, actor=a, **d), "consultation",
                                   target="consultation_theme"),
    "closing-evaluation": RecordAction("Record the closing evaluation", forms.ClosingEvaluationForm, lambda c, a, d, t: services.closing_evaluation_record(cycle=c, actor=a, **d), "evaluation"),
}

RECORD_TARGETS = {
    "specification": selectors.specification_list,
    "consultation_theme": selectors.consultation_theme_list,
}


@require_http_methods(["GET", "POST"])
def record(request, pk, kind, target_pk=None):
    action = RECORD_ACTIONS.get(kind)
    if action is None or (action.target is None) != (target_pk is None):
        raise Http404
    cycle = _cycle(request, pk)
    _require_commissioner(request)
    target = None
    if action.target:
        targets = RECORD_TARGETS[action.target](user=request.user, cycle=cycle)
        target = get_or_404(request.user, targets, pk=target_pk, channel=Channel.PAGE, path=request.path)
    bound = (request.POST, request.FILES) if request.method == "POST" else ()
    form = action.form(*bound, cycle=cycle, user=request.user)
    if request.method == "POST" and form.is_valid():
        saved = apply_service_errors(form, lambda: action.save(cycle, request.user, dict(form.cleaned_data), target))
        if saved is not None:
            messages.success(request, f"{action.title}: saved.")
            return redirect(section_url(pk, action.section))
    return render(request, "cycle/form.html", {
        "form": form, "title": action.title, "cycle": cycle, "target": target,
        "back": section_url(pk, action.section),
    })


def evidence_download(request, pk, assessment_pk):
    cycle = _cycle(request, pk)
    assessment = get_or_404(request.user, selectors.needs_assessment_list(user=request.user, cycle=cycle).exclude(evidence_file=""),
                            pk=assessment_pk, channel=Channel.PAGE, path=request.path)
    # Served through this view only (never a media URL), as an attachment with our own name.
    extension = assessment.evidence_file.name[assessment.evidence_file.name.rfind("."):]
    return FileResponse(assessment.evidence_file.open("rb"), as_attachment=True, filename=f"cycle-{cycle.pk}-evidence-{assessment.pk}{extension}")


# --- the Commissioning Intentions Plan -----------------------------------------------------------

def plan(request, pk):
    cycle = _cycle(request, pk)
    return render(request, "cycle/plan.html", _cycle_context(request, cycle))


def plan_pdf(request, pk):
    cycle = _cycle(request, pk, channel=Channel.PDF)
    data = render_pdf("cycle/plan_pdf.html", _cycle_context(request, cycle))
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="commissioning-intentions-plan-{cycle.pk}.pdf"'
    return response


# --- outcomes and the pipeline ------------------------------------------------------------------

def outcomes(request):
    _require_reader(request)
    return render(request, "cycle/outcomes.html", {"themes": selectors.outcome_tree(user=request.user)})


def pipeline(request):
    _require_reader(request)
    entries = selectors.competition_pipeline(user=request.user)
    return render(request, "cycle/pipeline.html", {
        "entries": entries,
        "notice_entries": [e for e in entries if e.needs_pipeline_notice],
        "threshold": selectors.PIPELINE_NOTICE_THRESHOLD,
        "months": selectors.PIPELINE_MONTHS,
    })


def pipeline_notice(request):
    _require_reader(request)
    content = selectors.pipeline_notice_content(selectors.competition_pipeline(user=request.user))
    response = JsonResponse(content, json_dumps_params={"indent": 2})
    response["Content-Disposition"] = 'attachment; filename="UK1-pipeline-notice.json"'
    return response
