"""Every write to an agreement and its records (SPEC §5)."""

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Protocol, cast

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File  # generic only in django-stubs, so File[...] annotations are quoted
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Max
from dateutil.relativedelta import relativedelta
from django.utils import timezone

from competitions import interface as competitions
from contracts import performance, returns_upload, selectors
from contracts.machine import AGREEMENT, MANAGERS, RECORD_ROLES  # noqa: F401  (MANAGERS re-exported)
from contracts.protected import PROVIDER_ROLES
from contracts.models import (
    Agreement,
    AgreementEvent,
    AgreementKind,
    AgreementVersion,
    BreakPoint,
    CohortResult,
    EqualityResult,
    Feedback,
    Measure,
    NoticeOfChange,
    OutcomeTariff,
    PaymentTerms,
    RectificationNotice,
    RemedialActionPlan,
    Return,
    SupplyChainMember,
)
from contracts.states import ENDED, RUNNING, AgreementState
from core import dates, events, transitions
from core.events import EventKind
from core.errors import TransitionRefused
from core.models import Organisation, ServiceArea, User
from core.roles import Role, roles_text
from core.signals import agreement_awarded, published_facts_changed
from cycle.interface import Outcome
from ethical_walls.selectors import sees, sees_commissioning_material


class _AwardedBid(Protocol):
    """What the award reads of the winning bid (a competitions.models.Bid, which contracts may not import)."""

    @property
    def bidder(self) -> Organisation: ...

    @property
    def price(self) -> Decimal | None: ...


class _AwardRecommendation(Protocol):
    """A competitions.models.AwardRecommendation, as the award reads it."""

    @property
    def bid(self) -> _AwardedBid: ...


def require_role(actor: User | None, *roles: Role, agreement: Agreement | None = None) -> None:
    """The actor holds one of the roles and stands on the commissioning side of the wall (SPEC §4).

    With an agreement, it must be one the actor may see: someone the SRO excluded from the
    competition that let it may not act on it either.
    """
    if actor is None or not actor.has_role(*roles):
        names = roles_text(roles)
        raise PermissionDenied(f"Only {names} can do this.")
    if not sees_commissioning_material(actor):
        raise PermissionDenied(f"{Role.BID_TEAM.label} members cannot act on agreements, whatever else they hold.")
    if agreement is not None and not selectors.sees_agreement(actor, agreement):
        raise PermissionDenied("You were excluded from the competition that let this agreement, so you cannot act on it.")


def _event(agreement: Agreement, actor: User | None, action: str, description: str, *, from_state: str = "", to_state: str = "",
           reason: str = "") -> AgreementEvent:
    event = events.write(AgreementEvent, agreement=agreement, actor=actor, kind=action, description=description,
                         from_state=from_state, to_state=to_state, reason=reason)
    if agreement.competition_id:  # the contract a competition let is published under its OCID
        published_facts_changed.send(sender=AgreementEvent, competition_id=agreement.competition_id)
    return event


def _reload(agreement: Agreement, *, expected_version: int | None = None) -> Agreement:
    """The agreement as the database has it now, locked until the transaction ends, with what its guards read."""
    current: Agreement = transitions.lock(
        Agreement.objects.select_related("competition", "provider", "exit_plan")
        .prefetch_related("measures__returns", "rectification_notices", "supply_chain", "cohort_results", "milestones"),
        agreement.pk, expected_version=expected_version, record=f"Agreement {agreement.reference}",
    )
    return current


def _money(amount: Decimal | int | str) -> str:
    return f"{Decimal(amount):.2f}"


def snapshot(agreement: Agreement) -> dict[str, Any]:
    """What a version of the agreement holds: its terms and its measures."""
    return {
        "value": _money(agreement.value),
        "start_date": agreement.start_date.isoformat() if agreement.start_date else None,
        "end_date": agreement.end_date.isoformat() if agreement.end_date else None,
        "payment_model": agreement.payment_model,
        "share_at_risk": _money(agreement.share_at_risk),
        "specification": agreement.specification_id,
        "fee": _money(terms.fee) if (terms := PaymentTerms.objects.filter(agreement=agreement).first()) else None,
        "tariffs": {str(t.pk): {"measure": t.measure.name, "tariff": str(t.tariff)}
                    for t in OutcomeTariff.objects.filter(agreement=agreement).select_related("measure").order_by("pk")},
        "measures": {
            str(m.pk): {"name": m.name, "target": _money(m.target), "tolerance": _money(m.tolerance), "weight": _money(m.weight)}
            for m in Measure.objects.filter(agreement=agreement).order_by("pk")
        },
    }


def version_difference(older: dict[str, Any], newer: dict[str, Any]) -> list[tuple[str, object, object]]:
    """(what, before, after) for every term or measure that differs between two snapshots."""
    changes = [(name, older.get(name), newer.get(name)) for name in ("value", "start_date", "end_date", "payment_model", "share_at_risk", "specification", "fee")
               if older.get(name) != newer.get(name)]
    old_tariffs, new_tariffs = older.get("tariffs", {}), newer.get("tariffs", {})
    for key in sorted(set(old_tariffs) | set(new_tariffs), key=int):
        before, after = old_tariffs.get(key), new_tariffs.get(key)
        if (before or {}).get("tariff") != (after or {}).get("tariff"):
            changes.append((f"{(after or before)['measure']}: tariff", (before or {}).get("tariff"), (after or {}).get("tariff")))
    old_measures, new_measures = older.get("measures", {}), newer.get("measures", {})
    for key in sorted(set(old_measures) | set(new_measures), key=int):
        before, after = old_measures.get(key), new_measures.get(key)
        name = (after or before)["name"]
        for field in ("target", "tolerance", "weight"):
            if (before or {}).get(field) != (after or {}).get(field):
                changes.append((f"{name}: {field}", (before or {}).get(field), (after or {}).get(field)))
    return changes


def _first_version(agreement: Agreement) -> None:
    """Version 1 is the agreement as it goes live (or as it stood before its first change)."""
    if not AgreementVersion.objects.filter(agreement=agreement).exists():
        _new_version(agreement)


def _new_version(agreement: Agreement, noc: NoticeOfChange | None = None) -> AgreementVersion:
    number = (AgreementVersion.objects.filter(agreement=agreement).aggregate(n=Max("number"))["n"] or 0) + 1
    return AgreementVersion.objects.create(agreement=agreement, number=number, snapshot=snapshot(agreement), notice_of_change=noc)


def _letting_competition(agreement: Agreement) -> competitions.Competition:
    """The competition that let the agreement, for callers that know it has one (`publishes_notices`, `competition_id`)."""
    return cast(competitions.Competition, agreement.competition)


def publishes_notices(agreement: Agreement) -> bool:
    """Let by a Procurement Act 2023 competition: its notices are published under that competition's OCID."""
    return agreement.competition_id is not None and agreement.regime == competitions.Regime.PA_2023


def performance_notice_possible(agreement: Agreement) -> bool:
    """When a UK9 contract performance notice may be published: a 2023 contract, running. Pages offer it by this."""
    return publishes_notices(agreement) and agreement.state in RUNNING


# --- creating and completing ---------------------------------------------------------------------

@transaction.atomic
def agreement_create_from_award(*, competition: competitions.Competition, recommendation: _AwardRecommendation, actor: User) -> Agreement:
    """Award creates the agreement: a contract with a non-crown provider, an SLA with a crown body."""
    provider = recommendation.bid.bidder
    agreement: Agreement = Agreement.objects.create(
        reference=f"{competition.reference}-A", title=competition.title,
        kind=AgreementKind.SLA if provider.is_crown_body else AgreementKind.CONTRACT,
        provider=provider, competition=competition, service_area=competition.service_area,
        value=recommendation.bid.price, state=AgreementState.MOBILISING,
    )
    _event(agreement, actor, EventKind.CREATED, f"Created by the award of {competition.reference}")
    agreement_awarded.send(sender=Agreement, agreement=agreement, competition_id=competition.pk, actor=actor)
    return agreement


# `competition` links an agreement let by a competition recorded here but awarded before this service existed.
CREATION_TERMS = {"payment_model", "share_at_risk", "contract_manager", "specification", "competition"}


@transaction.atomic
def agreement_create(*, actor: User, reference: str, title: str, provider: Organisation, service_area: ServiceArea, value: Decimal,
                     route: str, start_date: date | None = None, end_date: date | None = None, **terms: Any) -> Agreement:
    """An agreement secured other than by a competition of this service (framework, grant, SLA…)."""
    require_role(actor, Role.PROCUREMENT)
    unknown = set(terms) - CREATION_TERMS
    if unknown:
        raise ValidationError({name: "This cannot be set here." for name in sorted(unknown)})
    agreement: Agreement = Agreement(
        reference=reference, title=title, provider=provider, service_area=service_area, value=value, route=route,
        kind=AgreementKind.SLA if provider.is_crown_body else AgreementKind.CONTRACT,
        start_date=start_date, end_date=end_date, **terms,
    )
    if agreement.contract_manager_id and not cast(User, agreement.contract_manager).has_role(Role.CONTRACT_MANAGER):
        raise ValidationError({"contract_manager": "Choose someone with the contract manager role."})
    _check_term(agreement)
    agreement.full_clean(exclude=["state"])
    agreement.save()
    _event(agreement, actor, EventKind.CREATED, f"Agreement created ({agreement.get_route_display().lower()})")
    return agreement


def _check_term(agreement: Agreement) -> None:
    dates.check_plausible("start_date", agreement.start_date)
    dates.check_plausible("end_date", agreement.end_date)
    if agreement.start_date and agreement.end_date and agreement.end_date <= agreement.start_date:
        raise ValidationError({"end_date": "The end date must be after the start date."})


EDITABLE_BEFORE_LIVE = {"start_date", "end_date", "payment_model", "share_at_risk", "contract_manager", "specification", "title"}


@transaction.atomic
def agreement_update(*, agreement: Agreement, actor: User, expected_version: int | None = None, **changes: Any) -> Agreement:
    """Complete the terms while mobilising; once live, terms change only by Notice of Change."""
    require_role(actor, *RECORD_ROLES["terms"], agreement=agreement)
    if not changes:
        return agreement
    seen = expected_version if expected_version is not None else agreement.version
    locked: Agreement = transitions.lock(Agreement.objects, agreement.pk, expected_version=seen, record=f"Agreement {agreement.reference}")
    before = transitions.field_values(locked)
    if locked.state not in (AgreementState.DRAFT, AgreementState.MOBILISING):
        raise ValidationError("Once live, the agreement changes only by a Notice of Change.")
    unknown = set(changes) - EDITABLE_BEFORE_LIVE
    if unknown:
        raise ValidationError({name: "This cannot be changed here." for name in unknown})
    if "contract_manager" in changes and changes["contract_manager"] and not changes["contract_manager"].has_role(Role.CONTRACT_MANAGER):
        raise ValidationError({"contract_manager": "Choose someone with the contract manager role."})
    for name, value in changes.items():
        setattr(locked, name, value)
    _check_term(locked)
    locked.full_clean(exclude=["state"])
    locked.version += 1
    transitions.save_changed(locked, before)
    _event(locked, actor, EventKind.UPDATED, "Terms completed: " + ", ".join(sorted(changes)))
    return locked


def _while_not_live(agreement: Agreement) -> None:
    if agreement.state not in (AgreementState.DRAFT, AgreementState.MOBILISING):
        raise ValidationError("Once live, the agreement changes only by a Notice of Change.")


@transaction.atomic
def break_point_add(*, agreement: Agreement, actor: User, on: date, notice_months: int = 6) -> BreakPoint:
    require_role(actor, *RECORD_ROLES["break-point"], agreement=agreement)
    _while_not_live(agreement)
    point = BreakPoint(agreement=agreement, on=on, notice_months=notice_months)
    point.full_clean()
    point.save()
    _event(agreement, actor, EventKind.RECORD, f"Break point on {on:%d %B %Y} ({notice_months} months' notice)")
    return point


@transaction.atomic
def supply_chain_member_add(*, agreement: Agreement, actor: User, organisation: Organisation, role: str, funding_share: Decimal,
                            risk_share: Decimal) -> SupplyChainMember:
    require_role(actor, *RECORD_ROLES["supply-chain-member"], agreement=agreement)
    member = SupplyChainMember(agreement=agreement, organisation=organisation, role=role, funding_share=funding_share, risk_share=risk_share)
    member.full_clean()
    try:
        with transaction.atomic():
            member.save()
    except IntegrityError:
        raise ValidationError({"organisation": f"{organisation} is already in this supply chain."}) from None
    total = sum(SupplyChainMember.objects.filter(agreement=agreement).values_list("funding_share", flat=True), Decimal(0))
    if total > 100:
        raise ValidationError({"funding_share": f"The supply chain's shares of funding would total {total.normalize():f}%."})
    _event(agreement, actor, EventKind.RECORD, f"Supply chain: {organisation} ({member.get_role_display().lower()})")
    return member


@transaction.atomic
def measure_add(*, agreement: Agreement, actor: User, name: str, target: Decimal, outcome: Outcome | None = None, **fields: Any) -> Measure:
    require_role(actor, *RECORD_ROLES["measure"], agreement=agreement)
    _while_not_live(agreement)
    measure = Measure(agreement=agreement, name=name, target=target, outcome=outcome, **fields)
    measure.full_clean()
    measure.save()
    _event(agreement, actor, EventKind.RECORD, f"Measure added: {name}")
    return measure


# --- returns and performance -------------------------------------------------------------------------

def _by_provider(actor: User) -> bool:
    return bool(actor.has_role(*PROVIDER_ROLES)) and actor.is_active


def _require_return_author(actor: User, agreement: Agreement) -> None:
    """Returns come from the provider's own contract leads (issue #18), or from the contract manager keying them in."""
    if _by_provider(actor):
        if not sees(actor, agreement):
            raise PermissionDenied("Only the provider of this agreement can submit its returns.")
        return
    require_role(actor, *RECORD_ROLES["return"], agreement=agreement)


@transaction.atomic
def return_submit(*, measure: Measure, actor: User, period_start: date, value: Decimal, evidence: str = "",
                  evidence_file: "File[bytes] | None" = None) -> Return:
    _require_return_author(actor, measure.agreement)
    agreement = Agreement.objects.select_for_update().get(pk=measure.agreement_id)
    if agreement.state not in RUNNING:
        raise ValidationError("Returns are submitted while the agreement is live.")
    if period_start not in performance.periods(measure, agreement.start_date, timezone.localdate() + timedelta(days=1)):
        raise ValidationError({"period_start": "Choose the start of a period of this measure that has ended."})
    by_provider = _by_provider(actor)
    item = Return(measure=measure, period_start=period_start, value=value, evidence=evidence, submitted_by=actor,
                  # the provider's own figure awaits the contract manager; the contract manager's is validated as keyed in
                  status=Return.Status.SUBMITTED if by_provider else Return.Status.VALIDATED,
                  reviewed_by=None if by_provider else actor, reviewed_at=None if by_provider else timezone.now())
    if evidence_file:
        item.evidence_file = evidence_file
    item.full_clean(exclude=["submitted_by"], validate_unique=False, validate_constraints=False)  # the insert says it in our words
    try:
        with transaction.atomic():
            item.save()
    except IntegrityError:
        raise ValidationError({"period_start": "A return for this period is already in."}) from None
    rating = performance.rag(measure, value)
    _event(agreement, actor, EventKind.RETURN, f"Return for {measure.name}, period from {period_start:%d %B %Y}: {performance.RAG_LABELS[rating]}")
    return item


MAX_RETURN_VALUE = Decimal("9999999999.99")  # the column holds 12 digits, 2 after the point


def _row_problems(row: returns_upload.Row, measures: dict[str, Measure], start: date, seen: dict[tuple[int, date], int],
                  today: date) -> tuple[list[str], tuple[Measure, date, Decimal] | None]:
    """What is wrong with one uploaded row (each named by row, column and rule), or the return it makes."""
    problems: list[str] = []
    where = f"Row {row.number}"
    measure = measures.get(str(row.values.get("measure") or "").strip().lower())
    if measure is None:
        problems.append(f"{where}, column measure: no measure of this agreement is called “{row.values.get('measure') or ''}”.")
    try:
        period = date.fromisoformat(str(row.values.get("period_start") or ""))
    except ValueError:
        period = None
        problems.append(f"{where}, column period_start: give the date the period starts, as YYYY-MM-DD.")
    try:
        value = Decimal(str(row.values.get("value")).replace(",", "")) if row.values.get("value") not in (None, "") else None
    except ArithmeticError:
        value = None
    if value is None or not value.is_finite():
        problems.append(f"{where}, column value: give the figure, a number.")
        value = None
    elif value < 0 or value > MAX_RETURN_VALUE or value != value.quantize(Decimal("0.01")):
        problems.append(f"{where}, column value: a figure from 0 to {MAX_RETURN_VALUE:,} with at most two decimal places.")
        value = None
    if measure is not None and period is not None:
        if period not in performance.awaited(measure, start, today):
            problems.append(f"{where}, column period_start: {period:%d %B %Y} does not start a period of “{measure.name}” "
                            "that has ended and has no return yet.")
        elif (measure.pk, period) in seen:
            problems.append(f"{where}: the same measure and period as row {seen[(measure.pk, period)]}.")
        else:
            seen[(measure.pk, period)] = row.number
    if problems or measure is None or period is None or value is None:
        return problems, None
    return problems, (measure, period, value)


@transaction.atomic
def returns_submit_all(*, agreement: Agreement, actor: User, rows: list[returns_upload.Row],
                       evidence_files: dict[str, bytes] | None = None) -> list[Return]:
    """A file of returns (issue #18), all or nothing: every row checked first, each problem named by row, column and rule;
    nothing is stored unless every row is right. Each return is then submitted as one form would submit it, with the
    evidence file its `evidence_file` column names among `evidence_files` (by file name; each attached file used)."""
    _require_return_author(actor, agreement)
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    if agreement.state not in RUNNING or agreement.start_date is None:
        raise ValidationError({"file": "Returns are submitted while the agreement is live."})
    measures = {m.name.strip().lower(): m for m in Measure.objects.filter(agreement=agreement).prefetch_related("returns")}
    problems: list[str] = []
    made: list[tuple[Measure, date, Decimal, str, str]] = []
    seen: dict[tuple[int, date], int] = {}
    today = timezone.localdate()
    files = evidence_files or {}
    named: set[str] = set()
    for row in rows:
        row_problems, result = _row_problems(row, measures, agreement.start_date, seen, today)
        file_name = str(row.values.get("evidence_file") or "").strip()
        if file_name and file_name not in files:
            row_problems.append(f"Row {row.number}, column evidence_file: no file called “{file_name}” is attached; attach it with the upload.")
        named.add(file_name)
        problems += row_problems
        if result:
            made.append((*result, str(row.values.get("evidence") or ""), file_name))
    problems += [f"The evidence file “{name}” is attached but no row names it in its evidence_file column." for name in sorted(set(files) - named)]
    if problems:
        raise ValidationError({"file": problems})
    return [return_submit(measure=measure, actor=actor, period_start=period, value=value, evidence=evidence,
                          evidence_file=ContentFile(files[file_name], name=file_name) if file_name else None)
            for measure, period, value, evidence, file_name in made]


def _locked_return(item: Return, *, status: str, doing: str) -> Return:
    locked = Return.objects.select_for_update().select_related("measure__agreement").get(pk=item.pk)
    if locked.status != status:
        raise ValidationError(f"Only a return {Return.Status(status).label.lower()} can be {doing}; this one is {locked.get_status_display().lower()}.")
    return locked


@transaction.atomic
def return_validate(*, item: Return, actor: User) -> Return:
    """The contract manager accepts the provider's figure."""
    require_role(actor, *RECORD_ROLES["review-return"], agreement=item.measure.agreement)
    item = _locked_return(item, status=Return.Status.SUBMITTED, doing="validated")
    item.status, item.reviewed_by, item.reviewed_at, item.query_reason = Return.Status.VALIDATED, actor, timezone.now(), ""
    item.save(update_fields=["status", "reviewed_by", "reviewed_at", "query_reason"])
    _event(item.measure.agreement, actor, EventKind.RETURN, f"Return for {item.measure.name}, period from {item.period_start:%d %B %Y}: validated")
    return item


@transaction.atomic
def return_query(*, item: Return, actor: User, reason: str) -> Return:
    """The contract manager sends the provider's figure back, saying why: the provider corrects it."""
    require_role(actor, *RECORD_ROLES["review-return"], agreement=item.measure.agreement)
    if not reason.strip():
        raise ValidationError({"reason": "Say what is wrong with the return: the provider is told."})
    item = _locked_return(item, status=Return.Status.SUBMITTED, doing="queried")
    item.status, item.reviewed_by, item.reviewed_at, item.query_reason = Return.Status.QUERIED, actor, timezone.now(), reason.strip()
    item.save(update_fields=["status", "reviewed_by", "reviewed_at", "query_reason"])
    _event(item.measure.agreement, actor, EventKind.RETURN, f"Return for {item.measure.name}, period from {item.period_start:%d %B %Y}: queried",
           reason=item.query_reason)
    return item


@transaction.atomic
def return_correct(*, item: Return, actor: User, value: Decimal, evidence: str = "") -> Return:
    """The provider corrects a queried return: it goes back to the contract manager."""
    if not _by_provider(actor):
        raise PermissionDenied("Only the provider corrects a queried return.")
    _require_return_author(actor, item.measure.agreement)
    item = _locked_return(item, status=Return.Status.QUERIED, doing="corrected")
    item.value, item.status = value, Return.Status.SUBMITTED
    if evidence.strip():
        item.evidence = evidence
    item.full_clean(exclude=["submitted_by", "measure"], validate_unique=False, validate_constraints=False)
    item.save(update_fields=["value", "status", "evidence"])
    _event(item.measure.agreement, actor, EventKind.RETURN,
           f"Return for {item.measure.name}, period from {item.period_start:%d %B %Y}: corrected to {value}, awaiting the contract manager")
    return item


@transaction.atomic
def return_evidence_attach(*, item: Return, actor: User, evidence_file: "File[bytes]") -> Return:
    """Attach (or replace) a return's evidence document."""
    _require_return_author(actor, item.measure.agreement)
    locked = Return.objects.select_for_update().get(pk=item.pk)
    locked.evidence_file = evidence_file
    locked.full_clean(exclude=["submitted_by"], validate_unique=False, validate_constraints=False)
    locked.save(update_fields=["evidence_file"])
    _event(item.measure.agreement, actor, EventKind.RETURN, f"Evidence attached to the return for {item.measure.name}, period from {item.period_start:%d %B %Y}")
    return locked


@transaction.atomic
def cohort_result_record(*, agreement: Agreement, actor: User, period_start: date, cohort: str, difficulty: str, referrals: int,
                         outcomes: int) -> CohortResult:
    require_role(actor, *RECORD_ROLES["cohort-result"], agreement=agreement)
    if agreement.state not in RUNNING:
        raise ValidationError("Cohort results are recorded while the agreement is live.")
    if outcomes > referrals:
        raise ValidationError({"outcomes": "Outcomes cannot exceed referrals."})
    result, created = CohortResult.objects.update_or_create(
        agreement=agreement, period_start=period_start, cohort=cohort,
        defaults={"difficulty": difficulty, "referrals": referrals, "outcomes": outcomes},
    )
    _event(agreement, actor, EventKind.RECORD, f"Cohort results {'recorded' if created else 'corrected'}: {cohort}, period from {period_start:%d %B %Y}")
    return result


@transaction.atomic
def feedback_record(*, agreement: Agreement, actor: User, received_on: date, source: str, satisfaction: Decimal, respondents: int = 1,
                    summary: str = "") -> Feedback:
    require_role(actor, *RECORD_ROLES["feedback"], agreement=agreement)
    if agreement.state not in RUNNING:
        raise ValidationError("Feedback is recorded while the agreement is live.")
    dates.check_not_in_future("received_on", received_on, "Feedback received")
    item = Feedback(agreement=agreement, received_on=received_on, source=source, satisfaction=satisfaction,
                    respondents=respondents, summary=summary, recorded_by=actor)
    item.full_clean()
    item.save()
    _event(agreement, actor, EventKind.RECORD, f"{Feedback.Source(source).label} feedback recorded: {satisfaction} out of 5")
    return item


@transaction.atomic
def equality_result_record(*, agreement: Agreement, actor: User, period_start: date, characteristic: str, group: str, referrals: int,
                           outcomes: int) -> EqualityResult:
    require_role(actor, *RECORD_ROLES["equality-result"], agreement=agreement)
    if agreement.state not in RUNNING:
        raise ValidationError("Equality monitoring is recorded while the agreement is live.")
    if outcomes > referrals:
        raise ValidationError({"outcomes": "Outcomes cannot exceed referrals."})
    result, created = EqualityResult.objects.update_or_create(
        agreement=agreement, period_start=period_start, characteristic=characteristic, group=group,
        defaults={"referrals": referrals, "outcomes": outcomes},
    )
    label = EqualityResult.Characteristic(characteristic).label
    _event(agreement, actor, EventKind.RECORD, f"Equality monitoring {'recorded' if created else 'corrected'}: {label}, {group}, period from {period_start:%d %B %Y}")
    return result


@transaction.atomic
def remedial_plan_add(*, agreement: Agreement, actor: User, actions: str, due_on: date, measure: Measure | None = None) -> RemedialActionPlan:
    require_role(actor, *RECORD_ROLES["remedial-plan"], agreement=agreement)
    dates.check_plausible("due_on", due_on)
    if due_on < timezone.localdate():
        raise ValidationError({"due_on": "A plan agreed today falls due today or later."})
    plan = RemedialActionPlan(agreement=agreement, measure=measure, actions=actions, agreed_on=timezone.localdate(), due_on=due_on)
    plan.full_clean()
    plan.save()
    _event(agreement, actor, EventKind.RECORD, "Remedial action plan agreed")
    return plan


def _locked_plan(plan: RemedialActionPlan, *, status: str, doing: str) -> RemedialActionPlan:
    locked = RemedialActionPlan.objects.select_for_update().select_related("agreement").get(pk=plan.pk)
    if locked.status != status:
        raise ValidationError(f"Only a plan {RemedialActionPlan.Status(status).label.lower()} can be {doing}; this one is "
                              f"{locked.get_status_display().lower()}.")
    return locked


@transaction.atomic
def remedial_plan_propose(*, agreement: Agreement, actor: User, actions: str, due_on: date,
                          measure: Measure | None = None) -> RemedialActionPlan:
    """The provider proposes how it will put delivery right (issue #18): the contract manager accepts or rejects it."""
    if not _by_provider(actor):
        raise PermissionDenied("Only the provider proposes a remedial action plan; the contract manager agrees one directly.")
    _require_return_author(actor, agreement)
    if agreement.state not in RUNNING:
        raise ValidationError("A remedial action plan is proposed while the agreement is live.")
    if not actions.strip():
        raise ValidationError({"actions": "Say what you will do to put delivery right."})
    dates.check_plausible("due_on", due_on)
    if due_on < timezone.localdate():
        raise ValidationError({"due_on": "The plan falls due today or later."})
    if measure is not None and measure.agreement_id != agreement.pk:
        raise ValidationError({"measure": "Choose a measure of this agreement."})
    plan = RemedialActionPlan.objects.create(agreement=agreement, measure=measure, actions=actions.strip(), due_on=due_on,
                                             status=RemedialActionPlan.Status.PROPOSED, proposed_by=actor)
    _event(agreement, actor, EventKind.RECTIFICATION, f"Remedial action plan proposed by the provider, due {due_on:%d %B %Y}")
    return plan


@transaction.atomic
def remedial_plan_decide(*, plan: RemedialActionPlan, actor: User, accept: bool, reason: str = "") -> RemedialActionPlan:
    """The contract manager accepts a proposed plan (agreed today) or rejects it with a reason the provider sees."""
    require_role(actor, *RECORD_ROLES["decide-remedial-plan"], agreement=plan.agreement)
    if not accept and not reason.strip():
        raise ValidationError({"reason": "Say why the plan is rejected: the provider is told."})
    plan = _locked_plan(plan, status=RemedialActionPlan.Status.PROPOSED, doing="accepted or rejected")
    plan.status = RemedialActionPlan.Status.OPEN if accept else RemedialActionPlan.Status.REJECTED
    plan.agreed_on = timezone.localdate() if accept else None
    plan.decided_by, plan.decision_reason = actor, "" if accept else reason.strip()
    plan.save(update_fields=["status", "agreed_on", "decided_by", "decision_reason"])
    _event(plan.agreement, actor, EventKind.RECTIFICATION, f"Remedial action plan {'accepted' if accept else 'rejected'}",
           reason=plan.decision_reason)
    return plan


@transaction.atomic
def remedial_plan_complete(*, plan: RemedialActionPlan, actor: User) -> RemedialActionPlan:
    """The contract manager marks an agreed plan's actions done."""
    require_role(actor, *RECORD_ROLES["complete-remedial-plan"], agreement=plan.agreement)
    plan = _locked_plan(plan, status=RemedialActionPlan.Status.OPEN, doing="marked complete")
    plan.status, plan.completed_on = RemedialActionPlan.Status.COMPLETED, timezone.localdate()
    plan.save(update_fields=["status", "completed_on"])
    _event(plan.agreement, actor, EventKind.RECTIFICATION, "Remedial action plan completed")
    return plan


# --- transitions ----------------------------------------------------------------------------------------

def _transition(name: str, *, agreement: Agreement, actor: User | None, expected_version: int | None = None, reason: str = "",
                before_save: Callable[[Agreement], None] | None = None, after_save: Callable[[Agreement], None] | None = None) -> Agreement:
    with transaction.atomic():
        current = _reload(agreement)
        from_state = transitions.take(current, name, seen_state=agreement.state, expected_version=expected_version,
                                      record=f"Agreement {agreement.reference}", unmet=AGREEMENT.unmet, before_save=before_save)
        if after_save:
            after_save(current)
        _event(current, actor, name, f"{AGREEMENT.label(name)}: {AgreementState(from_state).label} to {current.state_label}",
               from_state=from_state, to_state=current.state, reason=reason)
    return current


@AGREEMENT.service("mobilise")
def agreement_mobilise(*, agreement: Agreement, actor: User, expected_version: int | None = None) -> Agreement:
    require_role(actor, *AGREEMENT.roles("mobilise"), agreement=agreement)
    return _transition("mobilise", agreement=agreement, actor=actor, expected_version=expected_version)


@AGREEMENT.service("go_live")
def agreement_go_live(*, agreement: Agreement, actor: User, expected_version: int | None = None) -> Agreement:
    """Live; under the 2023 Act the UK7 contract details notice publishes its KPIs."""
    require_role(actor, *AGREEMENT.roles("go_live"), agreement=agreement)

    def publish(current: Agreement) -> None:
        _first_version(current)
        if publishes_notices(current):
            competitions.notice_publish(competition=_letting_competition(current),
                                        notice_type=competitions.NoticeType.UK7, actor=actor, content=uk7_content(current))

    return _transition("go_live", agreement=agreement, actor=actor, expected_version=expected_version, after_save=publish)


@transaction.atomic
def rectification_notice_issue(*, agreement: Agreement, actor: User, failings: str, deadline: date) -> RectificationNotice:
    """Unsatisfactory delivery: a rectification notice with its deadline puts the agreement under rectification."""
    require_role(actor, *RECORD_ROLES["rectification-notice"], agreement=agreement)
    if not failings.strip():
        raise ValidationError({"failings": "Say what must be put right."})
    dates.check_plausible("deadline", deadline)
    if deadline <= timezone.localdate():
        raise ValidationError({"deadline": "The deadline must be in the future."})
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    if agreement.rectification_notices.filter(status=RectificationNotice.Status.OPEN).exists():
        raise ValidationError({"failings": "A rectification notice is already open."})
    if agreement.state not in RUNNING:
        raise TransitionRefused("start_rectification", [f"Not possible from “{agreement.state_label}”"])
    notice = RectificationNotice.objects.create(agreement=agreement, failings=failings, issued_on=timezone.localdate(), deadline=deadline, issued_by=actor)
    if agreement.state == AgreementState.LIVE:
        _transition("start_rectification", agreement=agreement, actor=actor, reason=failings)
    else:  # a further notice after a failed one
        _event(agreement, actor, EventKind.RECTIFICATION, "Further rectification notice issued", reason=failings)
    return notice


@transaction.atomic
def rectification_notice_close(*, notice: RectificationNotice, actor: User, satisfied: bool) -> RectificationNotice:
    """Satisfied: back to live. Failed: the agreement stays under rectification and may be terminated."""
    require_role(actor, *RECORD_ROLES["close-rectification"], agreement=notice.agreement)
    notice = RectificationNotice.objects.select_for_update().get(pk=notice.pk)
    if notice.status != RectificationNotice.Status.OPEN:
        raise ValidationError("This rectification notice is already closed.")
    notice.status = RectificationNotice.Status.SATISFIED if satisfied else RectificationNotice.Status.FAILED
    notice.closed_on = timezone.localdate()
    notice.save(update_fields=["status", "closed_on"])
    agreement = Agreement.objects.get(pk=notice.agreement_id)
    if satisfied:
        _transition("end_rectification", agreement=agreement, actor=actor, reason="Rectification notice satisfied")
    else:
        _event(agreement, actor, EventKind.RECTIFICATION, "Rectification notice failed: termination may follow")
    return notice


def _end(name: str, *, agreement: Agreement, actor: User | None, reason: str, expected_version: int | None = None,
         required_reason: bool = True) -> Agreement:
    if required_reason and not (reason or "").strip():
        raise ValidationError({"reason": "Give the reason."})

    def record(current: Agreement) -> None:
        current.ended_reason = reason.strip()
        current.ended_on = timezone.localdate()

    def publish(current: Agreement) -> None:
        if publishes_notices(current):
            competitions.notice_publish(competition=_letting_competition(current),
                                        notice_type=competitions.NoticeType.UK9, actor=actor, content=uk9_content(current))
            competitions.notice_publish(competition=_letting_competition(current),
                                        notice_type=competitions.NoticeType.UK11, actor=actor, content=uk11_content(current))

    return _transition(name, agreement=agreement, actor=actor, expected_version=expected_version, reason=reason,
                       before_save=record, after_save=publish)


@AGREEMENT.service("terminate")
def agreement_terminate(*, agreement: Agreement, actor: User, reason: str, expected_version: int | None = None) -> Agreement:
    require_role(actor, *AGREEMENT.roles("terminate"), agreement=agreement)
    return _end("terminate", agreement=agreement, actor=actor, reason=reason, expected_version=expected_version)


@AGREEMENT.service("decommission")
def agreement_decommission(*, agreement: Agreement, actor: User, reason: str, expected_version: int | None = None) -> Agreement:
    require_role(actor, *AGREEMENT.roles("decommission"), agreement=agreement)
    return _end("decommission", agreement=agreement, actor=actor, reason=reason, expected_version=expected_version)


def agreements_expire_due() -> list[Agreement]:
    """Expire every running agreement whose end date has passed (run daily by Celery beat).

    Today is the real date, as the expiry guard's: a caller cannot ask for another day's expiries.
    """
    expired = []
    for agreement in Agreement.objects.filter(state__in=RUNNING, end_date__lt=timezone.localdate()):
        expired.append(_end("expire", agreement=agreement, actor=None, reason="The end date passed.", required_reason=False))
    return expired


# --- Notices of Change ---------------------------------------------------------------------------------

def _validate_changes(agreement: Agreement, changes: dict[str, Any]) -> dict[str, str | dict[str, str]]:
    """The new value, end date, service fee, outcome tariffs and measure targets a notice sets, checked and normalised."""
    clean: dict[str, str | dict[str, str]] = {}
    try:
        for name, value in changes.items():
            if name == "value":
                if Decimal(str(value)) < 0:
                    raise ValidationError({"changes": "The new value is an amount of money: it cannot be negative."})
                clean["value"] = _money(str(value))
            elif name == "end_date":
                end = value if isinstance(value, date) else date.fromisoformat(str(value))
                if not dates.EARLIEST <= end <= dates.LATEST:
                    raise ValidationError({"changes": f"Enter an end date between {dates.EARLIEST.year} and {dates.LATEST.year}."})
                if agreement.start_date and end <= agreement.start_date:
                    raise ValidationError({"changes": "The new end date must be after the start date."})
                clean["end_date"] = end.isoformat()
            elif name == "fee":  # the service fee of the payment terms (issue #20): fixed once live, but for a notice
                if not PaymentTerms.objects.filter(agreement=agreement).exists():
                    raise ValidationError({"changes": "This agreement has no payment terms: there is no fee to change."})
                if Decimal(str(value)) < 0:
                    raise ValidationError({"changes": "The new service fee is an amount of money: it cannot be negative."})
                clean["fee"] = _money(str(value))
            elif name == "tariffs":  # outcome tariffs by tariff id (issue #20)
                ids = {str(pk) for pk in OutcomeTariff.objects.filter(agreement=agreement).values_list("pk", flat=True)}
                tariffs = {str(k): str(Decimal(str(v)).quantize(Decimal("0.0001"))) for k, v in dict(value).items()}
                if any(Decimal(tariff) < 0 for tariff in tariffs.values()):
                    raise ValidationError({"changes": "A tariff is an amount of money: it cannot be negative."})
                if not set(tariffs) <= ids:
                    raise ValidationError({"changes": "Change only this agreement's outcome tariffs."})
                clean["tariffs"] = tariffs
            elif name == "measure_targets":
                ids = {str(m.pk) for m in agreement.measures.all()}
                targets = {str(k): _money(str(v)) for k, v in dict(value).items()}
                if any(Decimal(target) < 0 for target in targets.values()):
                    raise ValidationError({"changes": "A measure's target cannot be negative."})
                if not set(targets) <= ids:
                    raise ValidationError({"changes": "Change only this agreement's measures."})
                clean["measure_targets"] = targets
            else:
                raise ValidationError({"changes": f"A Notice of Change cannot change “{name}”."})
    except (ArithmeticError, ValueError, TypeError):
        raise ValidationError({"changes": "Give the new value as an amount, the end date as YYYY-MM-DD and targets as numbers."}) from None
    if not clean:
        raise ValidationError({"changes": "Say what the notice changes."})
    return clean


def _apply(noc: NoticeOfChange, actor: User) -> None:
    agreement = transitions.lock(Agreement.objects, noc.agreement_id, record="The agreement")
    before = transitions.field_values(agreement)
    _first_version(agreement)  # the terms as they stood before their first change
    changes = noc.changes
    if "value" in changes:
        agreement.value = Decimal(changes["value"])
    if "end_date" in changes:
        agreement.end_date = date.fromisoformat(changes["end_date"])
    for measure_id, target in changes.get("measure_targets", {}).items():
        Measure.objects.filter(pk=measure_id, agreement=agreement).update(target=Decimal(target))
    if "fee" in changes:
        PaymentTerms.objects.filter(agreement=agreement).update(fee=Decimal(changes["fee"]))
    for tariff_id, tariff in changes.get("tariffs", {}).items():
        OutcomeTariff.objects.filter(pk=tariff_id, agreement=agreement).update(tariff=Decimal(tariff))
    agreement.version += 1
    transitions.save_changed(agreement, before)
    version = _new_version(agreement, noc)
    noc.status = NoticeOfChange.Status.IN_EFFECT
    noc.save(update_fields=["status", "decided_by", "decided_at"])
    _event(agreement, actor, EventKind.NOTICE_OF_CHANGE, f"Notice of Change {noc.number} in effect: version {version.number}")
    if publishes_notices(agreement):
        competitions.notice_publish(competition=_letting_competition(agreement),
                                    notice_type=competitions.NoticeType.UK10, actor=actor, content=uk10_content(agreement, noc))


@transaction.atomic
def notice_of_change_issue(*, agreement: Agreement, actor: User, summary: str, material: bool, changes: dict[str, Any]) -> NoticeOfChange:
    """Only MoJ Procurement issues Notices of Change; a material one waits for the lead commissioner."""
    require_role(actor, *RECORD_ROLES["notice-of-change"], agreement=agreement)
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)  # numbers are allocated one at a time
    if agreement.state in ENDED:
        raise ValidationError("The agreement has ended.")
    if not summary.strip():
        raise ValidationError({"summary": "Describe the change."})
    clean = _validate_changes(agreement, changes)
    number = (NoticeOfChange.objects.filter(agreement=agreement).aggregate(n=Max("number"))["n"] or 0) + 1
    noc = NoticeOfChange.objects.create(
        agreement=agreement, number=number, summary=summary, material=material, changes=clean, issued_by=actor,
        status=NoticeOfChange.Status.AWAITING_AGREEMENT if material else NoticeOfChange.Status.IN_EFFECT,
    )
    _event(agreement, actor, EventKind.NOTICE_OF_CHANGE, f"Notice of Change {number} issued{' (material: awaiting agreement)' if material else ''}")
    if not material:
        _apply(noc, actor)
    return noc


@transaction.atomic
def notice_of_change_acknowledge(*, notice: NoticeOfChange, actor: User) -> NoticeOfChange:
    """The provider acknowledges a Notice of Change it has received (issue #18): once, by one of its contract leads."""
    if not _by_provider(actor):
        raise PermissionDenied("Only the provider acknowledges a Notice of Change.")
    _require_return_author(actor, notice.agreement)
    notice = NoticeOfChange.objects.select_for_update().select_related("agreement").get(pk=notice.pk)
    if notice.acknowledged_at is not None:
        raise ValidationError(f"Notice of Change {notice.number} was acknowledged already.")
    notice.acknowledged_by, notice.acknowledged_at = actor, timezone.now()
    notice.save(update_fields=["acknowledged_by", "acknowledged_at"])
    _event(notice.agreement, actor, EventKind.NOTICE_OF_CHANGE, f"Notice of Change {notice.number} acknowledged by the provider")
    return notice


def lead_commissioner_of(agreement: Agreement) -> User | None:
    return _letting_competition(agreement).lead_commissioner if agreement.competition_id else None


@transaction.atomic
def notice_of_change_decide(*, notice: NoticeOfChange, actor: User, agree: bool) -> NoticeOfChange:
    """The lead commissioner agrees (the change takes effect) or refuses a material change."""
    require_role(actor, *RECORD_ROLES["decide-notice-of-change"], agreement=notice.agreement)
    notice = NoticeOfChange.objects.select_for_update(of=("self",)).select_related("agreement__competition").get(pk=notice.pk)
    if notice.agreement.state in ENDED:
        raise ValidationError("The agreement has ended.")
    lead = lead_commissioner_of(notice.agreement)
    if lead is not None and lead.pk != actor.pk:
        raise PermissionDenied("Only the lead commissioner of the competition that let this agreement can agree a material change.")
    if notice.status != NoticeOfChange.Status.AWAITING_AGREEMENT:
        raise ValidationError("This notice is not awaiting agreement.")
    notice.decided_by = actor
    notice.decided_at = timezone.now()
    if agree:
        _apply(notice, actor)
    else:
        notice.status = NoticeOfChange.Status.REFUSED
        notice.save(update_fields=["status", "decided_by", "decided_at"])
        _event(notice.agreement, actor, EventKind.NOTICE_OF_CHANGE, f"Notice of Change {notice.number} refused by the lead commissioner")
    return notice


# --- Procurement Act 2023 notice content (UK7, UK9, UK10, UK11), linked by the competition's OCID --------

def _header(agreement: Agreement, notice_type: str, title: str) -> dict[str, Any]:
    return {"noticeType": notice_type, "title": title, "ocid": _letting_competition(agreement).ocid,
            "contract": {"id": agreement.reference, "title": agreement.title, "supplier": agreement.provider.name}}


def uk7_content(agreement: Agreement) -> dict[str, Any]:
    return {**_header(agreement, competitions.NoticeType.UK7.value, "Contract details notice"),
            "value": {"amount": float(agreement.value), "currency": "GBP"},
            "period": {"startDate": cast(date, agreement.start_date).isoformat(), "endDate": cast(date, agreement.end_date).isoformat()},
            "kpis": [{"name": m.name, "target": float(m.target), "unit": m.unit, "frequency": m.frequency}
                     for m in agreement.measures.all() if m.is_kpi]}


def uk9_content(agreement: Agreement, today: date | None = None) -> dict[str, Any]:
    today = today or timezone.localdate()
    ratings = performance.kpi_ratings(agreement, today)
    return {**_header(agreement, competitions.NoticeType.UK9.value, "Contract performance notice"),
            "assessmentDate": today.isoformat(),
            "rule": "Last 12 months of RAG: Inadequate if over a third Red; Requires improvement if any Red; "
                    "Approaching target if under three quarters Green; otherwise Good.",
            "kpis": [{"name": m.name, "rating": ratings[m.pk]} for m in agreement.measures.all() if m.is_kpi]}


def uk10_content(agreement: Agreement, noc: NoticeOfChange) -> dict[str, Any]:
    return {**_header(agreement, competitions.NoticeType.UK10.value, "Contract change notice"),
            "change": {"number": noc.number, "summary": noc.summary, "material": noc.material, "changes": noc.changes}}


def uk11_content(agreement: Agreement) -> dict[str, Any]:
    return {**_header(agreement, competitions.NoticeType.UK11.value, "Contract termination notice"),
            "termination": {"date": agreement.ended_on.isoformat() if agreement.ended_on else None,
                            "state": agreement.state, "reason": agreement.ended_reason}}


def performance_notices_publish_due(*, today: date | None = None) -> list[competitions.Notice]:
    """Publish a UK9 for every running 2023 contract whose last one (or go-live) is 12 months old.

    The Procurement Act 2023 asks for a contract performance notice at least every 12
    months; run daily by Celery beat, so no contract goes longer.
    """
    today = today or timezone.localdate()
    published = []
    running = Agreement.objects.filter(state__in=RUNNING, competition__regime="2023").select_related("competition", "provider")
    for agreement in running:
        last = competitions.Notice.objects.filter(competition=agreement.competition, notice_type__in=[competitions.NoticeType.UK9, competitions.NoticeType.UK7]).order_by("-published_at").first()
        if last is not None and timezone.localdate(last.published_at) + relativedelta(months=12) <= today:
            agreement = _reload(agreement)
            published.append(competitions.notice_publish(competition=_letting_competition(agreement), notice_type=competitions.NoticeType.UK9,
                                                         actor=None, content=uk9_content(agreement, today)))
    return published


@transaction.atomic
def performance_notice_publish(*, agreement: Agreement, actor: User) -> competitions.Notice:
    """A UK9 contract performance notice (due at least every 12 months under the 2023 Act)."""
    require_role(actor, *RECORD_ROLES["performance-notice"], agreement=agreement)
    if not performance_notice_possible(agreement):
        raise ValidationError("Only Procurement Act 2023 contracts publish contract performance notices." if not publishes_notices(agreement)
                              else "Contract performance notices are published while the agreement is running.")
    agreement = _reload(agreement)
    return competitions.notice_publish(competition=_letting_competition(agreement),
                                       notice_type=competitions.NoticeType.UK9, actor=actor, content=uk9_content(agreement))
