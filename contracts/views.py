"""Contracts and SLAs pages (SPEC §5): parse input, call a selector or a service, render.

Every write goes through `contracts.services`. A refused transition (`TransitionRefused`)
shows its missing conditions with status 409; someone else's change in between
(`StaleObject`) asks for a reload; a service's `PermissionDenied` is the 403 page.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Callable

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from contracts import budgets, charts, claims, exit_plans, extensions, forms, management_log, mobilisation, performance, selectors, services
from contracts.machine import AGREEMENT, RECORD_ROLES
from contracts.parts import PARTS, section_url
from contracts.models import RUNNING, AgreementState, Claim, NoticeOfChange, PaymentModel, RectificationNotice, RemedialActionPlan, Return
from core.pagination import page_of
from core.charts import bar_chart
from core.csv_export import csv_response
from core.errors import PermissionDenied, StaleObject, TransitionRefused
from core.forms_utils import apply_service_errors
from core.roles import roles_text
from core.templatetags.humanize_money import money
from cycle.interface import sees_cycles
from ethical_walls import audit
from ethical_walls.audit import Channel
from ethical_walls.selectors import get_or_404

NOT_LIVE_YET = (AgreementState.DRAFT, AgreementState.MOBILISING)
RECENT_EVALUATIONS = 10  # the nightly evaluations the agreement page lists


def _require_reader(request):
    """Agreements do not exist for anyone outside the commissioning side: 404, logged as refused."""
    if not selectors.sees_agreements(request.user):
        raise audit.refuse(actor=request.user, channel=Channel.PAGE, object_type="contracts.agreement", path=request.path)


def _agreement(request, pk, *, detail=True):
    _require_reader(request)
    return selectors.agreement_get(request.user, pk, detail=detail, path=request.path)


def _filters(form) -> dict:
    return {k: v for k, v in (form.cleaned_data if form.is_valid() else {}).items() if v not in (None, "")}


def _expected_version(request, agreement) -> int:
    try:
        return int(request.POST.get("version", agreement.version))
    except ValueError:
        return -1


# --- the dashboard and the list ------------------------------------------------------------------

def index(request):
    _require_reader(request)
    form = forms.AgreementFilterForm(request.GET or None)
    page = page_of(request, selectors.agreement_list(request.user, _filters(form)), 25)
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "contracts/index.html", {
        "board": selectors.dashboard(request.user, full=frozenset(request.GET.getlist("show")) & frozenset(selectors.DASHBOARD_SECTIONS)),
        "form": form, "page": page, "query": query.urlencode(),
    })


# --- finance (issue #20) --------------------------------------------------------------------------

def finance(request):
    """The portfolio's money: committed, accrued, approved and paid by financial year and service area, charted and tabled."""
    _require_reader(request)
    budget = budgets.budget_of(*budgets.agreements_and_claims(selectors.visible_agreements(request.user)))
    rows = [(f"{year.label} {stage}", float(getattr(year, stage)), money(getattr(year, stage)))
            for year in budget.ordered_years for stage in ("committed", "paid")]
    return render(request, "contracts/finance.html", {
        "budget": budget,
        "chart": bar_chart(rows, title="Committed and paid by financial year", chart_id="finance-chart") if rows else "",
    })


PAYMENTS_CSV_HEADER = ["Agreement", "Provider", "Period from", "Period to", "Status", "Approved on", "Approved by", "Paid on",
                       "Payment reference", "Amount (£)"]


def payments_csv(request):
    """The approved and paid claims, for the finance system: one writer (core.csv_export), formulas neutralised."""
    _require_reader(request)
    approved = selectors.approved_claims(request.user)
    return csv_response("approved-payments.csv", PAYMENTS_CSV_HEADER, (
        [claim.agreement.reference, claim.agreement.provider.name, claim.period_start.isoformat(), claim.period_end.isoformat(),
         claim.get_status_display(), timezone.localtime(claim.approved_at).date().isoformat(), str(claim.approved_by),
         claim.paid_on.isoformat() if claim.paid_on else "", claim.payment_reference, f"{claim.total:.2f}"]
        for claim in approved
    ))


# --- the agreement page --------------------------------------------------------------------------

def _transition_panels(request, agreement) -> list[dict]:
    """The steps possible from here, in lifecycle order, each with the checklist of its conditions and how it is taken."""
    open_notice = next((n for n in agreement.rectification_notices.all() if n.status == RectificationNotice.Status.OPEN), None)
    panels = []
    for name in AGREEMENT.possible(agreement.state):
        step, conditions = AGREEMENT.step(name), AGREEMENT.conditions(agreement, name)
        panels.append({
            "name": name, "label": step.label, "conditions": conditions, "how": step.how, "hint": step.hint,
            "ready": all(c.met for c in conditions), "allowed": AGREEMENT.may(request.user, name),
            "roles": AGREEMENT.roles_text(name), "open_notice": open_notice,
        })
    return panels


def _measure_rows(agreement, today: date) -> list[dict]:
    latest = performance.latest_ratings(agreement)
    rows = []
    for measure in agreement.measures.all():
        returns = list(measure.returns.all())
        overdue = performance.overdue(measure, agreement.start_date, today) if agreement.state in RUNNING and agreement.start_date else []
        rows.append({
            "measure": measure, "latest": latest.get(measure.pk),
            "target": charts.with_unit(measure.target, measure.unit), "threshold": charts.with_unit(charts.threshold(measure), measure.unit),
            "chart": charts.trend_chart(measure, chart_id=f"measure-{measure.pk}-chart"),
            "returns": [(item, charts.with_unit(item.value, measure.unit), performance.rag(measure, item.value)) for item in returns],
            "overdue": [(p, performance.due_date(measure, agreement.start_date, p)) for p in overdue],
        })
    return rows


def _periods(agreement) -> tuple[list, Decimal]:
    measures = list(agreement.measures.all())
    rows = [(result, [result.ratings.get(m.pk) for m in measures]) for result in performance.by_period(agreement)]
    return rows, sum((result.penalties for result, _ in rows), Decimal(0))


CLAIM_ACTIONS = ("check-claim", "credit-claim", "approve-claim", "query-claim", "amend-claim", "pay-claim")
MILESTONE_ACTIONS = ("complete-milestone", "accept-gap")


def _with_actions(user, agreement, records, kinds: tuple[str, ...]) -> list:
    """Records of the agreement (claims, milestones), each with the actions the user may take on it now (the services decide in the end)."""
    found = list(records)
    for record in found:
        record.actions = [(kind, RECORD_ACTIONS[kind].title) for kind in kinds if RECORD_ACTIONS[kind].offered(user, agreement, record)]
    return found


def _record_links(request, agreement) -> dict:
    """Which record forms to offer: those the user's roles and the agreement's state allow (the services decide in the end)."""
    return {kind.replace("-", "_"): action.offered(request.user, agreement) for kind, action in RECORD_ACTIONS.items() if action.target is None}


def _change_rows(changes: dict, measure_names: dict) -> list[tuple[str, str]]:
    """A Notice of Change's new values, as the page shows them."""
    rows = [(TERM_LABELS[name], _term_value(name, changes[name])) for name in ("value", "end_date", "fee") if name in changes]
    for measure_id, target in changes.get("measure_targets", {}).items():
        rows.append((f"Target of “{measure_names.get(str(measure_id), f'measure {measure_id}')}”", _term_value("target", target)))
    for tariff_id in changes.get("tariffs", {}):
        rows.append((f"Outcome tariff {tariff_id}", f"£{Decimal(changes['tariffs'][tariff_id]).normalize():,f}"))
    return rows


def _agreement_context(request, agreement, today: date) -> dict:
    selectors.with_payments(agreement)
    period_rows, penalties_total = _periods(agreement)
    measure_rows = _measure_rows(agreement, today)
    versions = list(agreement.versions.all())
    user = request.user
    for notice in agreement.rectification_notices.all():
        notice.can_close = RECORD_ACTIONS["close-rectification"].offered(user, agreement, notice)
    measure_names = {str(m.pk): m.name for m in agreement.measures.all()}
    for notice in agreement.notices_of_change.all():
        notice.can_decide = RECORD_ACTIONS["decide-notice-of-change"].offered(user, agreement, notice)
        notice.change_rows = _change_rows(notice.changes, measure_names)
    evaluations = extensions.agreement_evaluations(user, agreement, limit=RECENT_EVALUATIONS)
    return {
        "agreement": agreement,
        "today": today,
        "overall_rag": performance.overall_rag(agreement),
        "panels": _transition_panels(request, agreement),
        "measure_rows": measure_rows,
        "overdue": [(row["measure"], period, due) for row in measure_rows for period, due in row["overdue"]],
        "grace_days": performance.RETURN_GRACE_DAYS,
        "measures": list(agreement.measures.all()),
        "period_rows": period_rows,
        "penalties_total": penalties_total,
        "stewardship_warnings": performance.stewardship_warnings(agreement),
        "kpi_ratings": performance.kpi_ratings(agreement, today) if agreement.competition_id else {},
        "under_2023_act": services.publishes_notices(agreement),
        "contract_notices": agreement.competition.contract_notices if agreement.competition_id else [],
        "versions": versions,
        "current_version": versions[-1] if versions else None,
        "compare_form": forms.VersionCompareForm(initial={"a": versions[0].number, "b": versions[-1].number}, versions=versions) if len(versions) > 1 else None,
        "events": list(reversed(agreement.events.all())),
        "links": _record_links(request, agreement),
        "reviews_returns": user.has_role(*RECORD_ACTIONS["review-return"].roles),
        "decides_plans": user.has_role(*RECORD_ACTIONS["decide-remedial-plan"].roles),
        "sees_cycles": sees_cycles(user),
        "lead_commissioner": services.lead_commissioner_of(agreement),
        "evaluations": evaluations,
        "latest_evaluation": evaluations[0] if evaluations else None,
        "payment_terms": getattr(agreement, "payment_terms", None),
        "claims": _with_actions(user, agreement, agreement.claims.all(), CLAIM_ACTIONS),
        "milestones": _with_actions(user, agreement, agreement.milestones.all(), MILESTONE_ACTIONS),
        "log_entries": _with_actions(user, agreement, agreement.log_entries.all(), ("close-log-action",)),
    } | PARTS.context(request)


def detail(request, pk, *, refusal=None, status=200):
    agreement = _agreement(request, pk)
    context = _agreement_context(request, agreement, timezone.localdate()) | {
        "refusal": refusal, "refusal_label": AGREEMENT.label(refusal.transition, "This change") if refusal else "",
    }
    return render(request, "contracts/detail.html", context, status=status)


@require_http_methods(["GET", "POST"])
def transition(request, pk, name):
    service = AGREEMENT.services.get(name)
    if service is None:
        raise Http404
    agreement = _agreement(request, pk, detail=False)
    if AGREEMENT.step(name).how == "button":
        if request.method != "POST":
            return redirect(section_url(pk, "next"))
        try:
            moved = service(agreement=agreement, actor=request.user, expected_version=_expected_version(request, agreement))
        except TransitionRefused as refused:
            return detail(request, pk, refusal=refused, status=409)
        except StaleObject as stale:
            messages.error(request, str(stale))
            return redirect("contracts:detail", pk=pk)
        messages.success(request, f"{AGREEMENT.label(name)}: now {moved.state_label}.")
        return redirect("contracts:detail", pk=pk)

    # Ending an agreement needs a reason: a form, offered only to those the service lets end it.
    if not AGREEMENT.may(request.user, name):
        raise PermissionDenied(f"Only {AGREEMENT.roles_text(name)} can do this.")
    form = forms.ReasonForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            moved = apply_service_errors(form, lambda: service(
                agreement=agreement, actor=request.user, expected_version=_expected_version(request, agreement), **form.cleaned_data,
            ))
        except TransitionRefused as refused:
            return detail(request, pk, refusal=refused, status=409)
        except StaleObject as stale:
            form.add_error(None, str(stale))
            moved, status = None, 409
        if moved:
            messages.success(request, f"{AGREEMENT.label(name)}: now {moved.state_label}.")
            return redirect("contracts:detail", pk=pk)
    return render(request, "contracts/form.html", {
        "form": form, "title": AGREEMENT.label(name), "agreement": agreement,
        "version": request.POST.get("version", agreement.version), "warning": True,
        "back": section_url(pk, "next"),
    }, status=status)


# --- records: one view, driven by a table of actions --------------------------------------------

def _always(agreement) -> bool:
    return True


def _not_live_yet(agreement) -> bool:
    return agreement.state in NOT_LIVE_YET


def _not_ended(agreement) -> bool:
    return agreement.state not in selectors.ENDED


def _running(agreement) -> bool:
    return agreement.state in RUNNING


def _returns_awaited(agreement) -> bool:
    """Running, with a period ended and no return yet: otherwise "Submit a return" would open an empty list."""
    return agreement.state in RUNNING and bool(forms.open_periods(agreement, timezone.localdate()))


def _rectifiable(agreement) -> bool:
    # Running, with no notice open: a first notice puts a live agreement under rectification, a further one follows a failed one.
    return agreement.state in RUNNING and not any(n.status == RectificationNotice.Status.OPEN for n in agreement.rectification_notices.all())


@dataclass(frozen=True)
class RecordAction:
    kind: str  # its name in URLs and in contracts.machine.RECORD_ROLES
    title: str
    form: type  # a form taking agreement=, user=, target= and query=
    save: Callable  # (agreement, actor, form, target) -> the saved object
    section: str  # the agreement page's section to return to
    available: Callable = _always  # (agreement) -> whether the agreement's state allows it: mirrors the service's check
    target: str | None = None  # the kind of record a URL's target id refers to
    may: Callable | None = None  # (user, agreement, target) -> a further condition on who may

    @property
    def roles(self) -> tuple:
        """Who the form is offered to: the roles the service checks (contracts.machine.RECORD_ROLES)."""
        return RECORD_ROLES[self.kind]

    def offered(self, user, agreement, target=None) -> bool:
        return (user.has_role(*self.roles) and self.available(agreement)
                and (self.may is None or self.may(user, agreement, target)))


def _terms(agreement, actor, form, target):
    changes = form.changes()
    if not changes:
        return agreement  # nothing changed: nothing to record
    return services.agreement_update(agreement=agreement, actor=actor, expected_version=form.cleaned_data["version"], **changes)


def _return(agreement, actor, form, target):
    data = dict(form.cleaned_data)
    return services.return_submit(actor=actor, evidence_file=data.pop("evidence_file") or None, **data)


def _notice_of_change(agreement, actor, form, target):
    data = form.cleaned_data
    return services.notice_of_change_issue(agreement=agreement, actor=actor, summary=data["summary"], material=data["material"], changes=form.changes())


def _decide_plan(agreement, actor, form, plan):
    return services.remedial_plan_decide(plan=plan, actor=actor, accept=form.cleaned_data["accept"], reason=form.cleaned_data["reason"])


def _plan_in(status):
    return lambda user, agreement, plan: plan.status == status


def _review_return(agreement, actor, form, item):
    if form.cleaned_data["validate"]:
        return services.return_validate(item=item, actor=actor)
    return services.return_query(item=item, actor=actor, reason=form.cleaned_data["reason"])


def _awaiting_review(user, agreement, item) -> bool:
    return item.status == Return.Status.SUBMITTED


def _open_notice(user, agreement, notice) -> bool:
    return notice.status == RectificationNotice.Status.OPEN


def _lead_commissioner(user, agreement, notice) -> bool:
    # A material change needs the lead commissioner of the competition that let the agreement (services.notice_of_change_decide).
    lead = services.lead_commissioner_of(agreement)
    return notice.status == NoticeOfChange.Status.AWAITING_AGREEMENT and (lead is None or lead.pk == user.pk)


def _pbr_not_live_yet(agreement) -> bool:
    return agreement.state in NOT_LIVE_YET and agreement.payment_model == PaymentModel.PAYMENT_BY_RESULTS


def _claimable(agreement) -> bool:
    """Live or ended, with an ended fee period unclaimed: otherwise "Raise a claim" would open an empty list."""
    return agreement.state in claims.CLAIMABLE and bool(claims.unclaimed_periods(agreement))


def _claim_in(*statuses):
    return lambda user, agreement, claim: claim.status in statuses


def _may_check(user, agreement, claim) -> bool:
    return claim.status == Claim.Status.SUBMITTED and claim.raised_by_id != user.pk


def _may_approve(user, agreement, claim) -> bool:
    return claim.status == Claim.Status.CHECKED and user.pk not in (claim.raised_by_id, claim.checked_by_id)


def _exit_plan_open(agreement) -> bool:
    plan = getattr(agreement, "exit_plan", None)
    return agreement.state in RUNNING and (plan is None or not plan.agreed)


def _exit_plan_to_agree(agreement) -> bool:
    plan = getattr(agreement, "exit_plan", None)
    return agreement.state in RUNNING and plan is not None and not plan.agreed


def _not_draft(agreement) -> bool:
    return agreement.state != AgreementState.DRAFT


def _plan_to_draw_up(agreement) -> bool:
    return agreement.state in mobilisation.PLANNED and not agreement.milestones.all()


def _mobilising(agreement) -> bool:
    return agreement.state in mobilisation.PLANNED


def _open_milestone(user, agreement, milestone) -> bool:
    return not milestone.settled


def _the_sro(user, agreement, milestone) -> bool:
    # The letting competition's SRO accepts a gap where it has one (contracts.mobilisation.milestone_gap_accept).
    sro = mobilisation.sro_of(agreement)
    return not milestone.settled and (sro is None or sro.pk == user.pk)


RECORD_ACTIONS = {action.kind: action for action in [
    RecordAction("terms", "Complete the terms", forms.TermsForm, _terms, "details", _not_live_yet),
    RecordAction("break-point", "Add a break point", forms.BreakPointForm,
        lambda a, u, f, t: services.break_point_add(agreement=a, actor=u, **f.cleaned_data), "break-points", _not_live_yet),
    RecordAction("supply-chain-member", "Add to the supply chain", forms.SupplyChainMemberForm,
        lambda a, u, f, t: services.supply_chain_member_add(agreement=a, actor=u, **f.cleaned_data), "supply-chain", _not_ended),
    RecordAction("measure", "Add a measure", forms.MeasureForm,
        lambda a, u, f, t: services.measure_add(agreement=a, actor=u, **f.cleaned_data), "measures", _not_live_yet),
    RecordAction("return", "Submit a return", forms.ReturnForm, _return, "measures", _returns_awaited),
    RecordAction("review-return", "Validate or query the return", forms.ReturnReviewForm, _review_return, "measures",
        target="return", may=_awaiting_review),
    RecordAction("cohort-result", "Record outcomes by cohort", forms.CohortResultForm,
        lambda a, u, f, t: services.cohort_result_record(agreement=a, actor=u, **f.cleaned_data), "stewardship", _running),
    RecordAction("feedback", "Record feedback", forms.FeedbackForm,
        lambda a, u, f, t: services.feedback_record(agreement=a, actor=u, **f.cleaned_data), "evaluation", _running),
    RecordAction("equality-result", "Record equality monitoring", forms.EqualityResultForm,
        lambda a, u, f, t: services.equality_result_record(agreement=a, actor=u, **f.cleaned_data), "evaluation", _running),
    RecordAction("remedial-plan", "Agree a remedial action plan", forms.RemedialPlanForm,
        lambda a, u, f, t: services.remedial_plan_add(agreement=a, actor=u, **f.cleaned_data), "remedial-plans", _running),
    RecordAction("decide-remedial-plan", "Accept or reject the provider's remedial action plan", forms.RemedialPlanDecisionForm, _decide_plan,
        "remedial-plans", target="remedial_plan", may=_plan_in(RemedialActionPlan.Status.PROPOSED)),
    RecordAction("complete-remedial-plan", "Mark the remedial action plan complete", forms.ConfirmForm,
        lambda a, u, f, t: services.remedial_plan_complete(plan=t, actor=u), "remedial-plans", target="remedial_plan",
        may=_plan_in(RemedialActionPlan.Status.OPEN)),
    RecordAction("rectification-notice", "Issue a rectification notice", forms.RectificationNoticeForm,
        lambda a, u, f, t: services.rectification_notice_issue(agreement=a, actor=u, **f.cleaned_data), "rectification", _rectifiable),
    RecordAction("close-rectification", "Close the rectification notice", forms.RectificationCloseForm,
        lambda a, u, f, t: services.rectification_notice_close(notice=t, actor=u, **f.cleaned_data), "rectification",
        target="rectification_notice", may=_open_notice),
    RecordAction("notice-of-change", "Issue a Notice of Change", forms.NoticeOfChangeForm, _notice_of_change, "notices-of-change", _not_ended),
    RecordAction("decide-notice-of-change", "Agree or refuse a Notice of Change", forms.NoticeOfChangeDecisionForm,
        lambda a, u, f, t: services.notice_of_change_decide(notice=t, actor=u, **f.cleaned_data), "notices-of-change", target="notice_of_change", may=_lead_commissioner),
    RecordAction("performance-notice", "Publish a contract performance notice (UK9)", forms.ConfirmForm,
        lambda a, u, f, t: services.performance_notice_publish(agreement=a, actor=u), "notices", services.performance_notice_possible),
    # Money (issue #20).
    RecordAction("payment-terms", "Set the payment terms", forms.PaymentTermsForm,
        lambda a, u, f, t: claims.payment_terms_set(agreement=a, actor=u, **f.cleaned_data), "payment-terms", _not_live_yet),
    RecordAction("tariff", "Set an outcome tariff", forms.OutcomeTariffForm,
        lambda a, u, f, t: claims.outcome_tariff_set(agreement=a, actor=u, **f.cleaned_data), "payment-terms", _pbr_not_live_yet),
    RecordAction("claim", "Raise a claim", forms.ClaimRaiseForm,
        lambda a, u, f, t: claims.claim_raise(agreement=a, actor=u, **f.cleaned_data), "claims", _claimable),
    RecordAction("check-claim", "Check the claim (first approval)", forms.ConfirmForm,
        lambda a, u, f, t: claims.claim_check(claim=t, actor=u), "claims", target="claim", may=_may_check),
    RecordAction("credit-claim", "Apply a service credit", forms.ClaimCreditForm,
        lambda a, u, f, t: claims.claim_credit_add(claim=t, actor=u, **f.cleaned_data), "claims", target="claim",
        may=_claim_in(Claim.Status.SUBMITTED)),
    RecordAction("approve-claim", "Approve the claim for payment (second approval)", forms.ConfirmForm,
        lambda a, u, f, t: claims.claim_approve(claim=t, actor=u), "claims", target="claim", may=_may_approve),
    RecordAction("query-claim", "Query the claim", forms.ClaimQueryForm,
        lambda a, u, f, t: claims.claim_query(claim=t, actor=u, **f.cleaned_data), "claims", target="claim",
        may=_claim_in(Claim.Status.SUBMITTED, Claim.Status.CHECKED)),
    RecordAction("amend-claim", "Rebuild the claim from the figures as they now stand", forms.ConfirmForm,
        lambda a, u, f, t: claims.claim_amend(claim=t, actor=u), "claims", target="claim", may=_claim_in(Claim.Status.QUERIED)),
    RecordAction("mobilisation-plan", "Draw up the standard mobilisation plan", forms.ConfirmForm,
                 lambda a, u, f, t: mobilisation.mobilisation_plan_draw_up(agreement=a, actor=u), "mobilisation", _plan_to_draw_up),
    RecordAction("milestone", "Add a mobilisation milestone", forms.MilestoneForm,
                 lambda a, u, f, t: mobilisation.milestone_add(agreement=a, actor=u, **f.cleaned_data), "mobilisation", _mobilising),
    RecordAction("complete-milestone", "Mark the milestone done", forms.MilestoneDoneForm,
                 lambda a, u, f, m: mobilisation.milestone_complete(milestone=m, actor=u, **f.cleaned_data), "mobilisation", _mobilising,
                 target="milestone", may=_open_milestone),
    RecordAction("accept-gap", "Accept going live without this milestone (SRO)", forms.GapAcceptForm,
                 lambda a, u, f, m: mobilisation.milestone_gap_accept(milestone=m, actor=u, **f.cleaned_data), "mobilisation", _mobilising,
                 target="milestone", may=_the_sro),
    RecordAction("log-entry", "Log a meeting, visit, issue or action", forms.LogEntryForm,
                 lambda a, u, f, t: management_log.log_entry_record(agreement=a, actor=u, **f.cleaned_data), "management-log", _not_draft),
    RecordAction("close-log-action", "Close the action", forms.LogActionCloseForm,
                 lambda a, u, f, e: management_log.log_action_close(entry=e, actor=u, **f.cleaned_data), "management-log",
                 target="log_entry", may=lambda user, agreement, entry: entry.open_action),
    RecordAction("exit-plan", "Write the exit plan", forms.ExitPlanForm,
                 lambda a, u, f, t: exit_plans.exit_plan_record(agreement=a, actor=u, **f.cleaned_data), "exit-plan", _exit_plan_open),
    RecordAction("agree-exit-plan", "Agree the exit plan", forms.ConfirmForm,
                 lambda a, u, f, t: exit_plans.exit_plan_agree(agreement=a, actor=u), "exit-plan", _exit_plan_to_agree),
    RecordAction("pay-claim", "Record the payment", forms.ClaimPayForm,
        lambda a, u, f, t: claims.claim_pay(claim=t, actor=u, **f.cleaned_data), "claims", target="claim", may=_claim_in(Claim.Status.APPROVED)),
]}

RECORD_TARGETS = {
    "return": selectors.return_list,
    "remedial_plan": selectors.remedial_plan_list,
    "rectification_notice": selectors.rectification_notice_list,
    "notice_of_change": selectors.notice_of_change_list,
    "claim": selectors.claim_list,
    "milestone": selectors.milestone_list,
    "log_entry": selectors.log_entry_list,
}


@require_http_methods(["GET", "POST"])
def record(request, pk, kind, target_pk=None):
    action = RECORD_ACTIONS.get(kind)
    if action is None or (action.target is None) != (target_pk is None):
        raise Http404
    agreement = _agreement(request, pk)
    target = None
    if action.target:
        targets = RECORD_TARGETS[action.target](user=request.user, agreement=agreement)
        target = get_or_404(request.user, targets, pk=target_pk, channel=Channel.PAGE, path=request.path)
    if not request.user.has_role(*action.roles):
        raise PermissionDenied(f"Only {roles_text(action.roles)} can do this.")
    if action.may and not action.may(request.user, agreement, target):
        raise PermissionDenied("This is not yours to decide, or it has been decided already.")
    bound = (request.POST, request.FILES) if request.method == "POST" else ()
    form = action.form(*bound, agreement=agreement, user=request.user, target=target, query=request.GET)
    refusal, status = None, 200
    if request.method == "POST" and form.is_valid():
        # Services get the bare record: one that adds a record and reads a relation must not read a stale prefetch.
        bare = selectors.agreement_get(request.user, pk, detail=False, path=request.path)
        try:
            saved = apply_service_errors(form, lambda: action.save(bare, request.user, form, target))
        except TransitionRefused as refused:
            saved, refusal, status = None, refused, 409
        except StaleObject as stale:
            form.add_error(None, str(stale))
            saved, status = None, 409
        if saved is not None:
            messages.success(request, f"{action.title}: saved.")
            return redirect(section_url(pk, action.section))
    return render(request, "contracts/form.html", {
        "form": form, "title": action.title, "agreement": agreement, "target": target, "refusal": refusal,
        "refusal_label": AGREEMENT.label(refusal.transition, action.title) if refusal else "",
        "back": section_url(pk, action.section),
    }, status=status)


def evidence_download(request, pk, return_pk):
    agreement = _agreement(request, pk, detail=False)
    item = get_or_404(request.user, selectors.return_list(user=request.user, agreement=agreement).exclude(evidence_file=""),
                      pk=return_pk, channel=Channel.PAGE, path=request.path)
    # Served through this view only (never a media URL), as an attachment with our own name.
    extension = item.evidence_file.name[item.evidence_file.name.rfind("."):]
    return FileResponse(item.evidence_file.open("rb"), as_attachment=True, filename=f"{agreement.reference}-return-{item.pk}{extension}")


# --- versions -----------------------------------------------------------------------------------

TERM_LABELS = {
    "value": "Value", "start_date": "Start date", "end_date": "End date", "payment_model": "Payment model", "share_at_risk": "Share of payment at risk",
    "fee": "Service fee per period",
}


def _term_value(name: str, value) -> str:
    """A snapshot's stored value (strings: Decimal and ISO dates) as the page shows it."""
    if value in (None, ""):
        return "Not set"
    if name in ("value", "fee"):
        return money(value)
    if name.endswith("_date"):
        day = date.fromisoformat(value)
        return f"{day.day} {day:%B %Y}"
    if name == "payment_model":
        return PaymentModel(value).label if value in PaymentModel.values else value
    if name == "share_at_risk":
        return f"{charts.number(Decimal(value))}%"
    try:
        return charts.number(Decimal(value))
    except (ArithmeticError, TypeError, ValueError):
        return str(value)


def _snapshot_rows(snapshot: dict) -> tuple[list, list]:
    terms = [(label, _term_value(name, snapshot.get(name))) for name, label in TERM_LABELS.items()]
    measures = [
        {"name": m["name"], "target": _term_value("target", m.get("target")), "tolerance": _term_value("tolerance", m.get("tolerance")),
         "weight": _term_value("weight", m.get("weight"))}
        for _key, m in sorted(snapshot.get("measures", {}).items(), key=lambda item: int(item[0]))
    ]
    return terms, measures


def version(request, pk, number):
    agreement = _agreement(request, pk)
    shown = selectors.version_get(user=request.user, agreement=agreement, number=number, path=request.path)
    terms, measures = _snapshot_rows(shown.snapshot)
    return render(request, "contracts/version.html", {
        "agreement": agreement, "version": shown, "terms": terms, "measures": measures, "latest": list(agreement.versions.all())[-1],
    })


def _difference_label(what: str) -> str:
    if what in TERM_LABELS:
        return TERM_LABELS[what]
    measure, _, field = what.rpartition(": ")
    return f"{measure}: {field}"


def _difference_value(what: str, value) -> str:
    if value is None:
        return "Not in this version" if ": " in what and what not in TERM_LABELS else "Not set"
    return _term_value(what if what in TERM_LABELS else what.rpartition(": ")[2], value)


def compare(request, pk):
    agreement = _agreement(request, pk)
    versions = {v.number: v for v in agreement.versions.all()}
    form = forms.VersionCompareForm(request.GET or None, versions=versions.values())
    differences, older, newer = None, None, None
    if form.is_valid():
        older, newer = sorted((versions[form.cleaned_data["a"]], versions[form.cleaned_data["b"]]), key=lambda v: v.number)
        differences = [
            (_difference_label(what), _difference_value(what, before), _difference_value(what, after))
            for what, before, after in services.version_difference(older.snapshot, newer.snapshot)
        ]
    return render(request, "contracts/compare.html", {
        "agreement": agreement, "form": form, "differences": differences, "older": older, "newer": newer,
    })
