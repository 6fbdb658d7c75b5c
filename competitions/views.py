"""Competition pages: parse input, call a selector or a service, render."""

from dataclasses import dataclass
from typing import Callable

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from competitions.machine import LIFECYCLE, RECORD_ROLES
from competitions import benefits, forms, selectors, services, tender_box
from competitions.evaluation import rank_bids, tied_for_first
from competitions.models import PHASE_LABELS, SCORE_MAX, State
from competitions.states import DeliveryConfidence
from competitions.parts import PARTS, PUBLIC_PARTS, section_url
from core.pagination import page_of
from core.charts import bar_chart
from core.templatetags.humanize_money import money
from core.csv_export import csv_response
from core.errors import StaleObject, TransitionRefused
from core.forms_utils import apply_service_errors
from core.roles import Role, roles_text
from core.text import lowercase_first
from ethical_walls import audit
from ethical_walls import services as wall_services
from ethical_walls.audit import Channel
from ethical_walls.selectors import get_or_404


def index(request):
    form = forms.CompetitionFilterForm(request.GET or None)
    filters = {k: v for k, v in (form.cleaned_data if form.is_valid() else {}).items() if v not in (None, "")}
    competitions = selectors.competition_list(user=request.user, **filters)
    page = page_of(request, competitions, 25)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request, "competitions/index.html",
        {"form": form, "page": page, "query": query.urlencode(), "can_create": request.user.has_role(Role.COMMISSIONER),
         "sees_portfolio": request.user.has_role(*selectors.PORTFOLIO_ROLES)},
    )


COMPETITION_CSV_COLUMNS = ["Reference", "Title", "Service area", "Regime", "Phase", "State", "Estimated value", "OCID", "SRO", "Mandate"]


def export_csv(request):
    """The competition list as CSV, filtered like the page; confidential columns only where the wall allows."""
    form = forms.CompetitionFilterForm(request.GET or None)
    filters = {k: v for k, v in (form.cleaned_data if form.is_valid() else {}).items() if v not in (None, "")}
    competitions = selectors.competition_list(user=request.user, **filters)
    response = csv_response("competitions.csv", COMPETITION_CSV_COLUMNS, (
        [
            competition.reference, competition.title, competition.service_area, competition.get_regime_display(),
            competition.phase_label, competition.state_label, competition.estimated_value, competition.ocid,
            *((competition.sro or "", competition.mandate) if selectors.sees_confidential(request.user, competition) else ("", "")),
        ]
        for competition in competitions
    ))
    audit.record(action=audit.Action.EXPORT, channel=Channel.EXPORT, actor=request.user, object_type="competitions.competition",
                 path=request.get_full_path(), detail="Competition list exported as CSV")
    return response


def portfolio(request):
    if not request.user.has_role(*selectors.PORTFOLIO_ROLES):
        raise audit.refuse(actor=request.user, channel=Channel.PAGE, object_type="competitions.portfolio", path=request.path)
    competitions = list(selectors.portfolio_list(user=request.user))
    summary = selectors.portfolio_summary(user=request.user)
    phases = [(PHASE_LABELS[p], n, value) for p, (n, value) in summary.items()]
    confidence_counts: dict[str, int] = {}
    for competition in competitions:
        label = DeliveryConfidence(competition.confidence).label if competition.confidence else "Not reviewed yet"
        competition.confidence_label = label
        confidence_counts[label] = confidence_counts.get(label, 0) + 1
    order = [c.label for c in DeliveryConfidence] + ["Not reviewed yet"]
    confidence = [(label, confidence_counts[label]) for label in order if label in confidence_counts]
    return render(request, "competitions/portfolio.html", {
        "competitions": competitions, "phases": phases, "confidence": confidence,
        "value_chart": bar_chart([(label, float(value), money(value)) for label, _, value in phases], title="Estimated value by phase",
                                 chart_id="value-by-phase"),
        "confidence_chart": bar_chart([(label, n, f"{n} competition{'s' if n != 1 else ''}") for label, n in confidence],
                                      title="Competitions by delivery confidence at their latest review", chart_id="by-confidence",
                                      colours=CONFIDENCE_COLOURS),
    })


CONFIDENCE_COLOURS = {"Green": "#00703c", "Amber/Green": "#85994b", "Amber": "#f47738", "Amber/Red": "#d4351c", "Red": "#942514",
                      "Not reviewed yet": "#b1b4b6"}


@require_http_methods(["GET", "POST"])
def create(request):
    if not request.user.has_role(Role.COMMISSIONER):
        raise Http404
    form = forms.CompetitionCreateForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        competition = apply_service_errors(form, lambda: services.competition_create(actor=request.user, **form.cleaned_data))
        if competition:
            messages.success(request, f"Competition {competition.reference} created.")
            return redirect("competitions:detail", pk=competition.pk)
    return render(request, "competitions/form.html", {"form": form, "title": "Create a competition", "back": reverse("competitions:index")})


def _transition_panels(request, competition):
    """The steps possible from here, in lifecycle order (abandoning, the last resort, last), each with its checklist."""
    panels = []
    for name in LIFECYCLE.possible(competition.state):
        conditions = LIFECYCLE.conditions(competition, name)
        panels.append({
            "name": name, "label": LIFECYCLE.label(name, regime=competition.regime), "conditions": conditions, "ready": all(c.met for c in conditions),
            "allowed": LIFECYCLE.may(request.user, name), "roles": LIFECYCLE.roles_text(name),
        })
    return panels


def _competition(request, pk):
    return selectors.competition_get(user=request.user, pk=pk, channel=Channel.PAGE, path=request.path)


def _confidential_competition(request, pk):
    """A competition whose commissioning side the user is on; anyone else gets 404, logged as refused."""
    competition = _competition(request, pk)
    if not selectors.sees_confidential(request.user, competition):
        raise audit.refuse(actor=request.user, channel=Channel.PAGE, object_type="competitions.competition", object_id=pk,
                           competition_id=competition.pk, path=request.path)
    return competition


# From award on, the competition has let an agreement: its page links to the agreement's mobilisation plan (issue #21).
AGREEMENT_STATES = (State.AWARDED, State.MOBILISATION, State.LIVE, State.CLOSED)


def _agreement_of(user, competition):
    from contracts.interface import visible_agreements  # contracts' records, as that user may see them

    return visible_agreements(user).filter(competition=competition).first()


def detail(request, pk, *, refusal=None, status=200):
    competition = _competition(request, pk)
    confidential = selectors.sees_confidential(request.user, competition)
    context = {
        "competition": competition, "confidential": confidential, "refusal": refusal,
        "refusal_label": LIFECYCLE.label(refusal.transition, regime=competition.regime) if refusal else "",
    }
    context |= (PARTS if confidential else PUBLIC_PARTS).context(request)
    bids = competition.bids.all() if confidential else competition.own_bids
    for bid in bids:
        # Rule 2: a tender is sealed from the evaluators until the bid deadline.
        bid.tender_shown = selectors.tender_visible(request.user, bid)
    if confidential:
        ranking = rank_bids(competition)
        tied = tied_for_first(ranking)
        context.update(
            panels=_transition_panels(request, competition),
            ranking=ranking,
            tied_for_first=tied,
            tie_winner=next((r for r in tied if r.tie_broken), None),
            record_actions=RECORD_ACTIONS,
            offered=offered_records(request.user, competition),
            criteria_total=sum(c.weight for c in competition.visible_criteria),
            tender_box=tender_box.tender_box_summary(competition),
            events=list(reversed(competition.events.all())),
            user_roles=request.user.role_names,
            # Read only for the part that shows them: the benefits (Assurance), the agreement's mobilisation link (Overview).
            benefits=benefits.progress_of([b for case in competition.business_cases.all() for b in case.benefits.all()])
            if "assurance" in context["shown"] else [],
            agreement=_agreement_of(request.user, competition)
            if "overview" in context["shown"] and competition.state in AGREEMENT_STATES else None,
            board_matters=selectors.board_matters(competition) if "overview" in context["shown"] else [],
        )
    return render(request, "competitions/detail.html", context, status=status)


@require_http_methods(["POST", "GET"])
def transition(request, pk, name):
    if name not in LIFECYCLE.services:
        raise Http404
    competition = _confidential_competition(request, pk)
    form_class = {"abandon": forms.AbandonForm, "recommend_award": forms.RecommendAwardForm}.get(name, forms.ConfirmForm)
    form_kwargs = {"competition": competition} if name == "recommend_award" else {}
    form = form_class(request.POST if request.method == "POST" else None, **form_kwargs)
    if request.method == "POST" and form.is_valid():
        try:
            expected = int(request.POST.get("version", competition.version))
        except ValueError:
            expected = -1
        try:
            result = apply_service_errors(
                form,
                lambda: LIFECYCLE.services[name](competition=competition, actor=request.user, expected_version=expected, **form.cleaned_data),
            )
        except TransitionRefused as refused:
            return detail(request, pk, refusal=refused, status=409)
        except StaleObject as stale:
            messages.error(request, str(stale))
            return redirect("competitions:detail", pk=pk)
        if result:
            messages.success(request, f"{LIFECYCLE.label(name, regime=result.regime)}: now {result.state_label}.")
            return redirect("competitions:detail", pk=pk)
    return render(
        request, "competitions/form.html",
        {"form": form, "title": LIFECYCLE.label(name, regime=competition.regime), "competition": competition,
         "back": reverse("competitions:detail", args=[pk]), "version": competition.version},
    )


@require_http_methods(["GET", "POST"])
def edit(request, pk):
    competition = _confidential_competition(request, pk)
    initial = {name: getattr(competition, name) for name in forms.CompetitionGovernanceForm.base_fields}
    initial["version"] = competition.version
    form = forms.CompetitionGovernanceForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        changes = {k: v for k, v in data.items() if v != getattr(competition, k)}
        try:
            updated = apply_service_errors(form, lambda: services.competition_update(competition=competition, actor=request.user, expected_version=version, **changes))
        except StaleObject as stale:
            form.add_error(None, str(stale))
            updated = None
        if updated:
            messages.success(request, "Competition details saved.")
            return redirect("competitions:detail", pk=pk)
    return render(request, "competitions/form.html", {"form": form, "title": "Competition details", "competition": competition, "back": reverse("competitions:detail", args=[pk])})


# --- records: one view, driven by a table of actions --------------------------------------------

def evaluators_scores(bid) -> str:
    """What moderation starts from: each evaluator's score and rationale, criterion by criterion."""
    scores = list(bid.scores.select_related("criterion", "evaluator").order_by("criterion__pk", "evaluator__last_name"))
    if not scores:
        return "No evaluator has scored this bid yet."
    by_criterion: dict[str, list[str]] = {}
    for score in scores:
        by_criterion.setdefault(score.criterion.name, []).append(f"{score.evaluator} {score.score} (“{score.rationale}”)")
    return "Evaluators' scores — " + "; ".join(f"{name}: {', '.join(marks)}" for name, marks in by_criterion.items()) + "."


# The wall's own records are kept by named people, not roles (ethical_walls.services).
KEEPERS = {"wall": "the competition's lead commissioner or SRO", "conflicts-assessment": "the competition's SRO"}


def offered_records(user, competition) -> set[str]:
    """The record actions the page offers this person: their roles (machine.RECORD_ROLES, which the services check);
    the wall's own records to the people who keep them (the lead commissioner or SRO; the SRO)."""
    offered = {action for action, roles in RECORD_ROLES.items() if user.has_role(*roles)}
    if user.pk in (competition.lead_commissioner_id, competition.sro_id):
        offered.add("wall")
    if user.pk == competition.sro_id:
        offered.add("conflicts-assessment")
    return offered


@dataclass(frozen=True)
class RecordAction:
    title: str
    form: Callable  # (competition, data) -> form
    save: Callable  # (competition, actor, cleaned_data, target) -> object
    section: str
    target: str | None = None  # the kind of record a URL's target id refers to (a bid, clarification…)
    initial: Callable | None = None  # (target, user) -> the form's initial values, for a change
    intro: Callable | None = None  # (competition, target) -> a sentence above the form


def _plain(form_class):
    return lambda competition, data: form_class(data)


def _for_competition(form_class):
    return lambda competition, data: form_class(data, competition=competition)


def _approve_business_case(competition, actor, data, target):
    case = selectors.business_case_of(competition, kind=data["kind"])
    if case is None:
        raise ValidationError({"kind": "There is no business case of this kind to approve yet."})
    return services.business_case_approve(business_case=case, actor=actor, approved_on=data["approved_on"])


RECORD_ACTIONS = {
    "business-case": RecordAction("Record a business case", _plain(forms.BusinessCaseForm), lambda c, a, d, t: services.business_case_record(competition=c, actor=a, **d), "business-cases"),
    "approve-business-case": RecordAction("Approve a business case", _plain(forms.BusinessCaseApproveForm), _approve_business_case, "business-cases"),
    "procurement-strategy": RecordAction("Record the procurement strategy", _plain(forms.ProcurementStrategyForm), lambda c, a, d, t: services.procurement_strategy_record(competition=c, actor=a, **d), "procurement-strategy"),
    "planned-review": RecordAction("Add to the assurance plan", _plain(forms.PlannedReviewForm), lambda c, a, d, t: services.planned_review_add(competition=c, actor=a, **d), "assurance-plan"),
    "treasury-approval": RecordAction("Record Treasury approval (TAP)", _plain(forms.TreasuryApprovalForm), lambda c, a, d, t: services.treasury_approval_record(competition=c, actor=a, **d), "treasury-approvals"),
    "gateway-review": RecordAction("Record a Gateway or keyholder review", _plain(forms.GatewayReviewForm), lambda c, a, d, t: services.gateway_review_record(competition=c, actor=a, **d), "gateway-reviews"),
    "criterion": RecordAction("Add an evaluation criterion", _plain(forms.CriterionForm), lambda c, a, d, t: services.criterion_add(competition=c, actor=a, **d), "criteria"),
    "edit-criterion": RecordAction("Change a criterion", _plain(forms.CriterionForm), lambda c, a, d, t: services.criterion_update(criterion=t, actor=a, **d), "criteria",
                                   target="criterion", initial=lambda t, u: {"name": t.name, "kind": t.kind, "weight": t.weight, "description": t.description}),
    "remove-criterion": RecordAction("Remove a criterion", _plain(forms.ConfirmForm), lambda c, a, d, t: services.criterion_remove(criterion=t, actor=a) or t, "criteria",
                                     target="criterion", intro=lambda c, t: "The criteria will need agreeing again."),
    "participation-question": RecordAction("Add a condition-of-participation question", _plain(forms.ParticipationQuestionForm), lambda c, a, d, t: services.participation_question_add(competition=c, actor=a, **d), "participation"),
    "bid": RecordAction("Register an expression of interest", _plain(forms.BidForm), lambda c, a, d, t: services.bid_register(competition=c, actor=a, **d), "bids"),
    "bid-document": RecordAction("Add a bid document", _plain(forms.BidDocumentForm), lambda c, a, d, t: services.bid_document_add(bid=t, actor=a, **d), "bids", target="bid"),
    "participant": RecordAction("Add a consortium member or sub-prime", _plain(forms.ParticipantForm), lambda c, a, d, t: services.bid_participant_add(bid=t, actor=a, **d), "bids", target="bid"),
    "recommendation-status": RecordAction("Update a review recommendation", _plain(forms.RecommendationStatusForm), lambda c, a, d, t: services.recommendation_set_status(recommendation=t, actor=a, **d), "gateway-reviews", target="recommendation"),
    "prequalify": RecordAction("Record pre-qualification", _plain(forms.PrequalifyForm), lambda c, a, d, t: services.bid_prequalify(bid=t, actor=a, **d), "bids", target="bid"),
    "tender": RecordAction("Record a tender", _plain(forms.PriceForm), lambda c, a, d, t: services.bid_submit_tender(bid=t, actor=a, **d), "bids", target="bid"),
    "bafo": RecordAction("Record a best and final offer", _plain(forms.PriceForm), lambda c, a, d, t: services.bid_submit_bafo(bid=t, actor=a, **d), "bids", target="bid"),
    "open-tender-box": RecordAction("Open the tender box (one of two officers)", _plain(forms.TenderBoxOpenForm), lambda c, a, d, t: services.tender_box_open(competition=c, actor=a, **d), "tender-box"),
    "compliance": RecordAction("Record compliance", _plain(forms.ComplianceForm), lambda c, a, d, t: services.bid_record_compliance(bid=t, actor=a, **d), "bids", target="bid"),
    "cost-adjustment": RecordAction("Record a Principles of Competition cost adjustment", _plain(forms.CostAdjustmentForm), lambda c, a, d, t: services.cost_adjustment_record(bid=t, actor=a, **d), "evaluation", target="bid"),
    "score": RecordAction("Score this bid", _for_competition(forms.ScoreGridForm), lambda c, a, d, t: services.scores_record(bid=t, actor=a, scores=d["scores"]), "evaluation",
                          target="bid", initial=lambda t, u: selectors.own_scores(t, u),
                          intro=lambda c, t: f"Score each quality criterion 0 to {SCORE_MAX} with your notes on the evidence. Leave a criterion blank to score it later."),
    "moderate": RecordAction("Record the moderated score", _for_competition(forms.ScoreForm), lambda c, a, d, t: services.score_moderate(bid=t, actor=a, criterion=d["criterion"], score=d["score"], notes=d["rationale"]), "evaluation", target="bid",
                             intro=lambda c, t: evaluators_scores(t)),
    "tie-break": RecordAction("Break the tie for first place", _for_competition(forms.TieBreakForm), lambda c, a, d, t: services.tie_break_record(competition=c, actor=a, **d), "evaluation"),
    "debriefs": RecordAction("Issue debrief letters to every bidder", _plain(forms.ConfirmForm), lambda c, a, d, t: services.debrief_letters_issue(competition=c, actor=a), "evaluation"),
    "challenge": RecordAction("Record a challenge", _plain(forms.ChallengeForm), lambda c, a, d, t: services.challenge_record(competition=c, actor=a, **d), "standstill"),
    "resolve-challenge": RecordAction("Resolve a challenge", _plain(forms.ChallengeResolveForm), lambda c, a, d, t: services.challenge_resolve(challenge=t, actor=a, **d), "standstill", target="challenge"),
    "clarification": RecordAction("Log a clarification question", _for_competition(forms.ClarificationForm), lambda c, a, d, t: services.clarification_log(competition=c, actor=a, **d), "clarifications"),
    "answer": RecordAction("Answer a clarification", _plain(forms.AnswerForm), lambda c, a, d, t: services.clarification_answer(clarification=t, actor=a, **d), "clarifications", target="clarification"),
    "benefit": RecordAction("Add a benefit", _for_competition(forms.BenefitForm),
                            lambda c, a, d, t: services.benefit_add(actor=a, **d), "business-cases"),
    "benefit-actual": RecordAction("Record an actual", _plain(forms.BenefitActualForm),
                                   lambda c, a, d, t: services.benefit_actual_record(benefit=t, actor=a, **d), "business-cases", target="benefit"),
    "benefits-report": RecordAction("Report the benefits realised", _plain(forms.SummaryForm), lambda c, a, d, t: services.benefits_report_submit(competition=c, actor=a, **d), "benefits"),
    "wall": RecordAction("Put the ethical wall in place", _plain(forms.WallForm), lambda c, a, d, t: wall_services.wall_establish(competition=c, actor=a, **d), "wall"),
    "conflicts-assessment": RecordAction("Complete the conflicts assessment", _plain(forms.SummaryForm), lambda c, a, d, t: wall_services.conflicts_assessment_complete(competition=c, actor=a, **d), "wall"),
}


def _record_target(request, competition, kind: str, target_pk):
    return get_or_404(request.user, selectors.record_targets(competition, kind), pk=target_pk, channel=Channel.PAGE,
                      path=request.path, competition_id=competition.pk)


@require_http_methods(["GET", "POST"])
def record(request, pk, kind, target_pk=None):
    action = RECORD_ACTIONS.get(kind)
    if action is None or (action.target is None) != (target_pk is None):
        raise Http404
    competition = _confidential_competition(request, pk)
    if kind not in offered_records(request.user, competition):
        # Said before the form is filled in, not after: why, and the way back (templates/403.html).
        who = roles_text(RECORD_ROLES[kind]) if kind in RECORD_ROLES else KEEPERS[kind]
        raise PermissionDenied(f"Only {who} can {lowercase_first(action.title)}.")
    target = _record_target(request, competition, action.target, target_pk) if action.target else None
    form = action.form(competition, request.POST if request.method == "POST" else None)
    if request.method == "GET" and action.initial and target is not None:
        form.initial = action.initial(target, request.user)
    if request.method == "POST":
        form.files = request.FILES
    if request.method == "POST" and form.is_valid():
        saved = apply_service_errors(form, lambda: action.save(competition, request.user, dict(form.cleaned_data), target))
        if saved is not None:
            messages.success(request, f"{action.title}: saved.")
            return redirect(section_url(pk, action.section))
    return render(
        request, "competitions/form.html",
        {"form": form, "title": action.title, "competition": competition, "target": target,
         "intro": action.intro(competition, target) if action.intro else "",
         "back": section_url(pk, action.section)},
    )


def notice_download(request, pk, notice_pk):
    competition = _competition(request, pk)
    notice = get_or_404(request.user, selectors.notice_list(user=request.user, competition=competition), pk=notice_pk, channel=Channel.EXPORT, path=request.path, competition_id=competition.pk)
    response = JsonResponse(notice.content, json_dumps_params={"indent": 2})
    response["Content-Disposition"] = f'attachment; filename="{competition.reference}-{notice.notice_type}-v{notice.version}.json"'
    return response


def bid_document_download(request, pk, document_pk):
    competition = _competition(request, pk)
    documents = selectors.bid_document_list(user=request.user, competition=competition)
    document = get_or_404(request.user, documents, pk=document_pk, channel=Channel.PAGE, path=request.path, competition_id=competition.pk)
    audit.viewed(actor=request.user, channel=Channel.PAGE, obj=document, path=request.path)
    # Served through this view only (never a media URL), as an attachment with our own name.
    filename = f"{competition.reference}-bid-{document.bid_id}-{document.pk}{document.file.name[document.file.name.rfind('.'):]}"
    return FileResponse(document.file.open("rb"), as_attachment=True, filename=filename)


def debrief_download(request, pk, bid_pk):
    competition = _competition(request, pk)
    letters = selectors.debrief_letter_list(user=request.user, competition=competition)
    letter = get_or_404(request.user, letters, bid_id=bid_pk, channel=Channel.PDF, path=request.path, competition_id=competition.pk)
    audit.viewed(actor=request.user, channel=Channel.PDF, obj=letter, path=request.path)
    response = HttpResponse(bytes(letter.document), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{letter.file_name}"'
    return response

