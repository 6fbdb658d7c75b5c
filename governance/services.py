"""Every change to a risk register (issue #21): raise, reassess, mitigate, escalate, close, and carry on award.

Each service locks the risk it changes (`select_for_update`), checks the actor may manage risks on
the record the risk is held against, and records what it did: an assessment is a `RiskReview`, a
mitigation its own row with who added it and when it was done. An owner — of a risk or a mitigation
— must be someone who may read the record, so that an inbox never carries a risk across the wall.
"""

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from core.models import User
from governance.models import Mitigation, Risk, RiskKind, RiskReview, RiskStatus
from governance.selectors import RISK_ROLES, SUBJECTS, may_manage, reads_subject, subject_of


def _require_manager(actor: User, subject: str, record_id: int) -> None:
    if not may_manage(actor) or not reads_subject(actor, subject, record_id):
        raise PermissionDenied("Only commissioners, SROs, procurement officers and contract managers who may read this record "
                               "manage its risks.")


def _require_owner(owner: User, subject: str, record_id: int, field: str = "owner") -> None:
    if not owner.is_active or not owner.has_role(*RISK_ROLES) or not reads_subject(owner, subject, record_id):
        raise ValidationError({field: "Choose an owner who may read this record's risks."})


def _locked(risk: Risk, actor: User) -> Risk:
    locked: Risk = Risk.objects.select_for_update().get(pk=risk.pk)
    subject, record = subject_of(locked)
    _require_manager(actor, subject, record.pk)
    if locked.status != RiskStatus.OPEN:
        raise ValidationError(f"{locked.reference} is closed: it cannot be changed.")
    return locked


def _review(risk: Risk, actor: User, note: str = "") -> None:
    RiskReview.objects.create(risk=risk, likelihood=risk.likelihood, impact=risk.impact, proximity=risk.proximity, note=note,
                              reviewed_by=actor)


@transaction.atomic
def risk_raise(*, actor: User, subject: str, record: Any, title: str, description: str, owner: User, likelihood: int, impact: int,
               proximity: str, kind: str = RiskKind.RISK) -> Risk:
    """A new risk or issue on a cycle, competition or agreement, with its first assessment."""
    if subject not in SUBJECTS:
        raise ValidationError({"subject": "A risk is held against a cycle, a competition or an agreement."})
    _require_manager(actor, subject, record.pk)
    _require_owner(owner, subject, record.pk)
    risk = Risk(kind=kind, title=title.strip(), description=description.strip(), owner=owner, likelihood=likelihood, impact=impact,
                proximity=proximity, raised_by=actor, **{subject: record})
    risk.full_clean(exclude=["score"])
    risk.save()
    _review(risk, actor, "Raised")
    return risk


@transaction.atomic
def risk_reassess(*, actor: User, risk: Risk, likelihood: int, impact: int, proximity: str, note: str = "",
                  owner: User | None = None) -> Risk:
    """A fresh assessment (and, if named, a new owner): the risk holds it and its reviews keep the trend."""
    risk = _locked(risk, actor)
    fields = ["likelihood", "impact", "proximity"]
    risk.likelihood, risk.impact, risk.proximity = likelihood, impact, proximity
    if owner is not None and owner.pk != risk.owner_id:
        subject, record = subject_of(risk)
        _require_owner(owner, subject, record.pk)
        risk.owner = owner
        fields.append("owner")
    risk.full_clean(exclude=["score", "cycle", "competition", "agreement", "carried_from", "owner", "raised_by", "escalated_by"])
    risk.save(update_fields=fields)
    risk.refresh_from_db(fields=["score"])
    _review(risk, actor, note.strip())
    return risk


@transaction.atomic
def mitigation_add(*, actor: User, risk: Risk, action: str, owner: User, due_on: date) -> Mitigation:
    risk = _locked(risk, actor)
    subject, record = subject_of(risk)
    _require_owner(owner, subject, record.pk)
    if not action.strip():
        raise ValidationError({"action": "Enter what will be done."})
    return Mitigation.objects.create(risk=risk, action=action.strip(), owner=owner, due_on=due_on, added_by=actor)


@transaction.atomic
def mitigation_complete(*, actor: User, mitigation: Mitigation, done_on: date) -> Mitigation:
    _locked(mitigation.risk, actor)
    mitigation = Mitigation.objects.select_for_update().get(pk=mitigation.pk)
    if mitigation.done_on is not None:
        raise ValidationError("This mitigation is already done.")
    if done_on > timezone.localdate():
        raise ValidationError({"done_on": "The date it was done cannot be in the future."})
    mitigation.done_on = done_on
    mitigation.save(update_fields=["done_on"])
    return mitigation


@transaction.atomic
def risk_escalate(*, actor: User, risk: Risk, reason: str) -> Risk:
    """To the portfolio: it shows on the portfolio's register and heat map as escalated."""
    risk = _locked(risk, actor)
    if risk.escalated_at is not None:
        raise ValidationError(f"{risk.reference} is already escalated.")
    if not reason.strip():
        raise ValidationError({"reason": "Say why the portfolio must hold this risk."})
    risk.escalated_at, risk.escalated_by, risk.escalation_reason = timezone.now(), actor, reason.strip()
    risk.save(update_fields=["escalated_at", "escalated_by", "escalation_reason"])
    return risk


@transaction.atomic
def risk_close(*, actor: User, risk: Risk, note: str) -> Risk:
    risk = _locked(risk, actor)
    if not note.strip():
        raise ValidationError({"note": "Say why the risk is closed (it passed, was resolved, or was accepted)."})
    risk.status, risk.closed_at, risk.closing_note = RiskStatus.CLOSED, timezone.now(), note.strip()
    risk.save(update_fields=["status", "closed_at", "closing_note"])
    return risk


@transaction.atomic
def risks_carry_to_agreement(*, competition_id: int, agreement: Any, actor: User) -> list[Risk]:
    """On award: each open risk of the competition passes to the agreement it created (seed 002: risks carry across the cycle).

    The competition's risk is closed as carried and the agreement's names it (`carried_from`), with its
    assessment, owner and open mitigations. An owner who may not read the agreement leaves it to the awarding actor.
    """
    def reader(person: User, fallback: User) -> User:
        return person if reads_subject(person, "agreement", agreement.pk) else fallback

    carried = []
    for risk in Risk.objects.select_for_update().filter(competition_id=competition_id, status=RiskStatus.OPEN).order_by("pk"):
        owner = reader(risk.owner, actor)
        new = Risk.objects.create(kind=risk.kind, agreement=agreement, title=risk.title, description=risk.description, owner=owner,
                                  likelihood=risk.likelihood, impact=risk.impact, proximity=risk.proximity, carried_from=risk,
                                  raised_by=actor)
        _review(new, actor, f"Carried from {risk.reference} on award")
        for mitigation in risk.mitigations.filter(done_on__isnull=True):
            Mitigation.objects.create(risk=new, action=mitigation.action, owner=reader(mitigation.owner, owner), due_on=mitigation.due_on,
                                      added_by=actor)
        risk.status, risk.closed_at, risk.closing_note = RiskStatus.CLOSED, timezone.now(), f"Carried to the agreement as {new.reference}"
        risk.save(update_fields=["status", "closed_at", "closing_note"])
        carried.append(new)
    return carried
