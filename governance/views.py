"""Risk and issue registers' pages (issue #21): the portfolio's heat map, each record's register, a risk and its changes.

A register or risk the user may not read does not exist: 404, logged as a refused attempt (filed
under the competition when it is a competition's). Changes go through `governance.services`.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import F
from django.shortcuts import redirect, render
from django.urls import reverse

from competitions.models import Competition
from contracts.models import Agreement
from core.forms_utils import apply_service_errors
from cycle.models import CommissioningCycle
from ethical_walls import audit
from ethical_walls.audit import Channel
from governance import forms, selectors, services
from governance.models import Rating, RiskStatus

SUBJECT_MODELS = {"cycle": CommissioningCycle, "competition": Competition, "agreement": Agreement}
SUBJECT_PAGES = {"cycle": "cycle:detail", "competition": "competitions:detail", "agreement": "contracts:detail"}


def _refuse(request, object_type: str, object_id="", competition_id=None):
    return audit.refuse(actor=request.user, channel=Channel.PAGE, object_type=object_type, object_id=str(object_id),
                        competition_id=competition_id, path=request.path)


def _subject(request, subject: str, pk: int):
    """The record a register belongs to, if the user may read its risks; otherwise 404, logged."""
    if subject not in SUBJECT_MODELS or not selectors.reads_subject(request.user, subject, pk):
        raise _refuse(request, f"governance.risk ({subject})", pk, competition_id=pk if subject == "competition" else None)
    record = SUBJECT_MODELS[subject].objects.filter(pk=pk).first()
    if record is None:
        raise _refuse(request, f"governance.risk ({subject})", pk)
    return record


def _name(record) -> str:
    return f"{record.reference} {record.title}" if hasattr(record, "reference") else str(record)


def portfolio(request):
    """Every open risk the user may read on one heat map, escalated ones listed first (`?escalated=1`: those alone)."""
    if not selectors.sees_risks(request.user):
        raise _refuse(request, "governance.risk")
    escalated = request.GET.get("escalated") == "1"
    risks = selectors.risk_list(request.user, escalated=escalated)
    return render(request, "governance/portfolio.html", {
        "heat_map": selectors.heat_map(risks), "escalated_only": escalated,
        "risks": list(risks.order_by(F("escalated_at").asc(nulls_last=True), "-score", "pk")[:100]),
        "ratings": Rating,
    })


def register(request, subject, pk):
    record = _subject(request, subject, pk)
    risks = list(selectors.risk_list(request.user, subject=subject, subject_id=pk, status=""))
    return render(request, "governance/register.html", {
        "record": record, "record_name": _name(record), "subject": subject, "record_url": reverse(SUBJECT_PAGES[subject], args=[pk]),
        "open_risks": [r for r in risks if r.status == RiskStatus.OPEN], "closed_risks": [r for r in risks if r.status != RiskStatus.OPEN],
        "heat_map": selectors.heat_map(selectors.risk_list(request.user, subject=subject, subject_id=pk)),
        "may_manage": selectors.may_manage(request.user),
    })


def raise_risk(request, subject, pk):
    record = _subject(request, subject, pk)
    if not selectors.may_manage(request.user):
        raise PermissionDenied("Only commissioners, SROs, procurement officers and contract managers raise risks.")
    form = forms.RiskForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        risk = apply_service_errors(form, lambda: services.risk_raise(actor=request.user, subject=subject, record=record, **form.cleaned_data))
        if risk:
            messages.success(request, f"{risk.reference} raised: {risk.title}.")
            return redirect("governance:risk", pk=risk.pk)
    return _form(request, form, title=f"Raise a risk or issue on {_name(record)}", back=reverse("governance:register", args=[subject, pk]))


def risk_detail(request, pk):
    risk = selectors.risk_get(request.user, pk, path=request.path)
    subject, record = selectors.subject_of(risk)
    return render(request, "governance/risk.html", {
        "risk": risk, "subject": subject, "record_name": _name(record), "register_url": reverse("governance:register", args=[subject, record.pk]),
        "may_manage": selectors.may_manage(request.user) and risk.is_open,
    })


def _form(request, form, *, title: str, back: str, risk=None, lede: str = ""):
    status = 400 if request.method == "POST" else 200
    return render(request, "governance/form.html", {"form": form, "title": title, "back": back, "risk": risk, "lede": lede}, status=status)


# What each change asks and which service makes it: (title, form, service call from the form's data).
CHANGES = {
    "reassess": ("Reassess", forms.ReassessForm, lambda risk, actor, data: services.risk_reassess(actor=actor, risk=risk, **data)),
    "mitigate": ("Add a mitigation", forms.MitigationForm, lambda risk, actor, data: services.mitigation_add(actor=actor, risk=risk, **data)),
    "escalate": ("Escalate to the portfolio", forms.EscalateForm,
                 lambda risk, actor, data: services.risk_escalate(actor=actor, risk=risk, **data)),
    "close": ("Close", forms.CloseForm, lambda risk, actor, data: services.risk_close(actor=actor, risk=risk, **data)),
}


def change(request, pk, action):
    risk = selectors.risk_get(request.user, pk, path=request.path)
    if action not in CHANGES:
        raise _refuse(request, "governance.risk", pk)
    if not selectors.may_manage(request.user):
        raise PermissionDenied("Only commissioners, SROs, procurement officers and contract managers change risks.")
    title, form_class, call = CHANGES[action]
    initial = {"likelihood": risk.likelihood, "impact": risk.impact, "proximity": risk.proximity, "owner": risk.owner_id}
    form = form_class(request.POST or None, initial=initial if action == "reassess" else None)
    if request.method == "POST" and form.is_valid():
        if apply_service_errors(form, lambda: call(risk, request.user, form.cleaned_data)):
            messages.success(request, f"{risk.reference}: {title.lower()} saved.")
            return redirect("governance:risk", pk=risk.pk)
    return _form(request, form, title=f"{title}: {risk.reference} {risk.title}", back=reverse("governance:risk", args=[pk]), risk=risk)


def mitigation_done(request, pk, mitigation_pk):
    risk = selectors.risk_get(request.user, pk, path=request.path)
    mitigation = next((m for m in risk.mitigations.all() if m.pk == int(mitigation_pk)), None)
    if mitigation is None:
        raise _refuse(request, "governance.mitigation", mitigation_pk)
    if not selectors.may_manage(request.user):
        raise PermissionDenied("Only commissioners, SROs, procurement officers and contract managers change risks.")
    form = forms.MitigationDoneForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if apply_service_errors(form, lambda: services.mitigation_complete(actor=request.user, mitigation=mitigation, **form.cleaned_data)):
            messages.success(request, f"{risk.reference}: mitigation marked done.")
            return redirect("governance:risk", pk=risk.pk)
    return _form(request, form, title=f"Mark a mitigation of {risk.reference} done", back=reverse("governance:risk", args=[pk]), risk=risk,
                 lede=mitigation.action)
