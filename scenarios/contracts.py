"""Demo agreements (SPEC §5, §7): live contracts and SLAs with 18 months of returns.

- Community payback in London with Serco (a framework call-off): hours credited against hours
  ordered have slipped to Red in recent months; a non-material Notice of Change (indexation)
  is in effect, so the agreement is at version 2.
- Electronic monitoring with G4S (the national contract extended while DEMO-003 re-competes
  it): tags fitted within 24 hours Red for four months, so a remedial action plan and a
  rectification notice with a deadline: the agreement is under rectification.
- A service level agreement with HMP Dartmoor (a crown body: an SLA, with no financial
  penalties) for the operation of the prison until DEMO-009 lets a contract; one month's
  purposeful activity return is missing, so overdue.
- Through-the-gate resettlement paid by results, St Giles Trust as prime: its sub-prime Catch22
  carries more of the risk than of the funding, and the cohort results show creaming (and
  parking of the hardest cohort) — the stewardship warnings.
- DEMO-004-A, the BASS contract the demo competition awarded to Nacro (with Shelter as
  sub-prime), mobilising: its terms completed, its measures set and taken live; a material
  Notice of Change (women-only properties in the South) awaits the agreement of DEMO-004's
  lead commissioner, the demo commissioner.
- DEMO-006-A, the PECS contract with GEOAmey, whose competition has gone live: completed and
  taken live too, so the portfolio matches the competitions.
- DEMO-MOB-PROGRAMMES, accredited programmes in the North East with Nacro, starting in six weeks:
  mobilising, its plan part done and one gap accepted by the SRO (issue #21).

Every write goes through `contracts.services` as the demo user whose role does that work
(scenarios/core.py): MoJ Procurement creates agreements and issues Notices of Change, the
contract manager submits returns and runs rectification. Services accept returns only for
periods that have ended, so the running agreements start on the first of the month 18
months ago: 18 monthly (or six quarterly) periods have ended. Figures are realistic orders
of magnitude, not official statistics.

Idempotent: an agreement whose reference exists is skipped (the two created by award are
completed only while still mobilising), and each agreement is built in one transaction.
Runs after the competitions' and the cycles' seeders (DEMO-004, DEMO-006 and the BASS
specification).
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.utils import timezone

from contracts import claims, exit_plans, management_log, mobilisation, performance, services
from contracts.models import (Agreement, AgreementState, CohortResult, ExitPlan, Frequency, LogEntry, LogEntryKind, Measure,
                              MilestoneKind, Route, SupplyChainMember)
from core.models import Organisation, ServiceArea, User
from cycle.models import Outcome, ServiceSpecification
from scenarios.drivers import complete_mobilisation

M = Decimal(1_000_000)
MONTHS_OF_RETURNS = 18
D = Decimal

CP_LONDON = "DEMO-CP-LONDON"
EM_G4S = "DEMO-EM-G4S"
SLA_DARTMOOR = "DEMO-SLA-DARTMOOR"
RESETTLEMENT_PBR = "DEMO-RESETTLE-PBR"
BASS = "DEMO-004-A"
PECS = "DEMO-006-A"
MOBILISING = "DEMO-MOB-PROGRAMMES"


@dataclass
class Cast:
    procurement: User
    contract_manager: User
    commissioner: User

    @classmethod
    def load(cls) -> "Cast":
        users = {u.username: u for u in User.objects.filter(username__in=["procurement", "contract_manager", "commissioner"])}
        return cls(users["procurement"], users["contract_manager"], users["commissioner"])


# --- small helpers ---------------------------------------------------------------------------

def _today() -> datetime.date:
    return timezone.localdate()


def _start() -> datetime.date:
    """The first of the month 18 months ago: 18 monthly periods have ended by today."""
    return _today().replace(day=1) - relativedelta(months=MONTHS_OF_RETURNS)


def _fresh(agreement: Agreement) -> Agreement:
    """Services compare the state the caller saw with the database's: always pass the latest."""
    return Agreement.objects.get(pk=agreement.pk)


def _organisation(name: str) -> Organisation:
    return Organisation.objects.get(name=name)


def _outcome(title: str) -> Outcome:
    """An outcome of the tree seeded by cycle/migrations/0002_outcomes_tree.py."""
    return Outcome.objects.get(title=title)


# A month-to-month wobble, so a series reads like returns rather than a ruler.
WOBBLE = [D("0"), D("0.6"), D("-0.4"), D("0.3"), D("-0.7"), D("0.5")]


def _series(count: int, first: str, last: str, *, latest: tuple[str, ...] = (), wobble: bool = True) -> list[Decimal]:
    """`count` values drifting from `first` to `last`; `latest` replaces the most recent ones (oldest first)."""
    first_value, last_value = D(first), D(last)
    values = []
    for n in range(count):
        drift = first_value + (last_value - first_value) * n / max(count - 1, 1)
        values.append(max(D(0), drift + (WOBBLE[n % len(WOBBLE)] if wobble else 0)).quantize(D("0.1")))
    if latest:
        values[-len(latest):] = [D(v) for v in latest]
    return values


@dataclass
class MeasureSpec:
    name: str
    outcome: str
    target: str
    tolerance: str
    values: tuple  # (first, last, latest overrides) for _series, or None for no returns
    unit: str = "%"
    direction: str = "higher"
    frequency: str = Frequency.MONTHLY
    weight: str = "1"
    penalty_amber: str = "0"
    penalty_red: str = "0"
    missing: tuple[int, ...] = ()  # indexes of periods whose return is not in (overdue)


def _measures(agreement: Agreement, cast: Cast, specs: list[MeasureSpec]) -> list:
    return [
        (services.measure_add(
            agreement=_fresh(agreement), actor=cast.procurement, name=spec.name, outcome=_outcome(spec.outcome),
            target=D(spec.target), tolerance=D(spec.tolerance), unit=spec.unit, direction=spec.direction,
            frequency=spec.frequency, weight=D(spec.weight), penalty_amber=D(spec.penalty_amber), penalty_red=D(spec.penalty_red),
        ), spec)
        for spec in specs
    ]


def _returns(agreement: Agreement, cast: Cast, measures: list, *, evidence: str) -> None:
    """Every ended period's return, by the contract manager, from each measure's series."""
    start = _fresh(agreement).start_date
    for added, spec in measures:
        if spec.values is None:
            continue
        # return_submit reads the agreement's state from the measure: load it as it is now (live).
        measure = Measure.objects.select_related("agreement").get(pk=added.pk)
        periods = performance.periods(measure, start, _today() + datetime.timedelta(days=1))
        first, last, *latest = spec.values
        values = _series(len(periods), first, last, latest=tuple(latest[0]) if latest else (), wobble=spec.unit == "%")
        for index, (period_start, value) in enumerate(zip(periods, values)):
            if index in spec.missing:
                continue
            services.return_submit(measure=measure, actor=cast.contract_manager, period_start=period_start, value=value, evidence=evidence)


def _supply_chain(agreement: Agreement, cast: Cast, members: list[tuple[str, str, str, str]]) -> None:
    for name, role, funding, risk in members:
        services.supply_chain_member_add(
            agreement=_fresh(agreement), actor=cast.procurement, organisation=_organisation(name), role=role,
            funding_share=D(funding), risk_share=D(risk),
        )


def _take_live(agreement: Agreement, cast: Cast) -> Agreement:
    if _fresh(agreement).state == AgreementState.DRAFT:
        services.agreement_mobilise(agreement=_fresh(agreement), actor=cast.procurement)
    complete_mobilisation(_fresh(agreement), cast.procurement)
    return services.agreement_go_live(agreement=_fresh(agreement), actor=cast.procurement)


def _create(cast: Cast, *, reference: str, title: str, provider: str, service_area: str, value: Decimal, route: str,
            years: int, **terms) -> Agreement:
    start = _start()
    return services.agreement_create(
        actor=cast.procurement, reference=reference, title=title, provider=_organisation(provider),
        service_area=ServiceArea.objects.get(name=service_area), value=value, route=route,
        start_date=start, end_date=start + relativedelta(years=years) - datetime.timedelta(days=1),
        contract_manager=cast.contract_manager, **terms,
    )


# --- community payback in London: red in recent months, a non-material NOC in effect -----------------

def _community_payback_london(cast: Cast) -> None:
    agreement = _create(
        cast, reference=CP_LONDON, title="Community payback (unpaid work) in London", provider="Serco Justice Services",
        service_area="Community payback (unpaid work)", value=D("28500000"), route=Route.FRAMEWORK, years=5,
        payment_model="volume",
    )
    services.break_point_add(agreement=agreement, actor=cast.procurement, on=agreement.start_date + relativedelta(years=3), notice_months=6)
    _supply_chain(agreement, cast, [
        ("Serco Justice Services", SupplyChainMember.Role.PRIME, "85", "90"),
        ("Community Links Social Enterprise", SupplyChainMember.Role.SUB_PRIME, "15", "10"),
    ])
    measures = _measures(agreement, cast, [
        MeasureSpec(
            "Unpaid work hours credited against hours ordered", "Reparation is made to the community", "90", "5",
            ("93", "88", ("83.5", "82.0", "81.4")), weight="2", penalty_amber="5000", penalty_red="20000",
        ),
        MeasureSpec(
            "First work session within 7 working days of sentence", "The requirements of the sentence are implemented", "85", "5",
            ("86", "84"), penalty_amber="2500", penalty_red="10000",
        ),
        MeasureSpec(
            "Placements stood down at less than 24 hours' notice", "Offenders are able to pay back victims and communities for the harm they cause",
            "5", "2", ("4.0", "6.0"), direction="lower", penalty_amber="1000", penalty_red="5000",
        ),
    ])
    _take_live(agreement, cast)
    _returns(agreement, cast, measures, evidence="Hours credited and placements from nDelius, validated by the London Community Payback team.")
    agreement = _fresh(agreement)
    services.notice_of_change_issue(
        agreement=agreement, actor=cast.procurement, material=False,
        summary="Annual indexation of the price, as clause 17.2 provides (CPI, 1.8%).",
        changes={"value": str((agreement.value * D("1.018")).quantize(D("0.01")))},
    )


# --- electronic monitoring with G4S: under rectification -----------------------------------------------

def _electronic_monitoring(cast: Cast) -> None:
    agreement = _create(
        cast, reference=EM_G4S, title="Electronic monitoring services (national contract, extended)",
        provider="G4S Care and Justice Services", service_area="Electronic monitoring", value=D("95") * M,
        route=Route.CONTRACT_CHANGE, years=3, payment_model="volume",
    )
    services.break_point_add(agreement=agreement, actor=cast.procurement, on=agreement.start_date + relativedelta(years=2), notice_months=3)
    _supply_chain(agreement, cast, [("G4S Care and Justice Services", SupplyChainMember.Role.PRIME, "100", "100")])
    measures = _measures(agreement, cast, [
        MeasureSpec(
            "Tags fitted within 24 hours of the order or release", "The requirements of the sentence are implemented", "98", "1",
            ("98.6", "97.5", ("96.2", "95.8", "96.5", "95.1")), weight="2", penalty_amber="10000", penalty_red="50000",
        ),
        MeasureSpec(
            "Breaches reported to the responsible officer within 24 hours", "Threats to public protection are detected, reported and deterred",
            "99", "1", ("99.5", "98.4"), weight="2", penalty_amber="10000", penalty_red="40000",
        ),
        MeasureSpec(
            "Monitoring centre calls answered within 30 seconds", "Courts have confidence in the advice and services provided to them",
            "95", "3", ("96", "95.5"), penalty_amber="2000", penalty_red="8000",
        ),
    ])
    _take_live(agreement, cast)
    _returns(agreement, cast, measures, evidence="Monthly service report from the monitoring centre; sample audited by the EM contract management team.")
    tags = measures[0][0]
    services.remedial_plan_add(
        agreement=_fresh(agreement), actor=cast.contract_manager, measure=tags,
        actions="Recruit 40 field officers in London and the South East; weekend fitting rota; daily backlog report to the contract manager.",
        due_on=_today() + datetime.timedelta(days=14),
    )
    services.rectification_notice_issue(
        agreement=_fresh(agreement), actor=cast.contract_manager,
        failings=(
            "Tags fitted within 24 hours has been Red for four consecutive months despite the remedial action plan, "
            "leaving curfews unmonitored; breach reporting has slipped to Amber. Restore both to target."
        ),
        deadline=_today() + datetime.timedelta(days=45),
    )


# --- HMP Dartmoor: an SLA with a crown body -----------------------------------------------------------

def _dartmoor(cast: Cast) -> None:
    agreement = _create(
        cast, reference=SLA_DARTMOOR, title="HMP Dartmoor operation (service level agreement)", provider="HMP Dartmoor",
        service_area="Prison operation", value=D("62400000"), route=Route.CONTRACT_CHANGE, years=3,
    )
    measures = _measures(agreement, cast, [
        MeasureSpec(
            "Prisoners in work or education (purposeful activity)", "The life skills of offenders are developed", "75", "5",
            ("71", "77"), missing=(MONTHS_OF_RETURNS - 3,),
        ),
        MeasureSpec(
            "Escapes from the establishment", "Escapes are prevented and the risk of absconds from custody managed", "0", "0",
            ("0", "0"), unit="escapes", direction="lower",
        ),
        MeasureSpec(
            "Serious assaults per 1,000 prisoners", "Harm to self and others is reduced", "4", "1",
            ("4.6", "3.8"), unit="per 1,000", direction="lower", frequency=Frequency.QUARTERLY,
        ),
    ])
    _take_live(agreement, cast)
    _returns(agreement, cast, measures, evidence="Governor's monthly performance return; incident figures from the prison's incident reporting system.")


# --- resettlement paid by results: the stewardship warnings ---------------------------------------------

# Quarterly cohort results: (cohort, difficulty, referrals, outcomes paid for). The easiest cohort is under a
# third of referrals but nearly two thirds of the outcomes (creaming); the hardest gets almost none (parking).
COHORTS = [
    ("Short sentences, settled address before custody", CohortResult.Difficulty.LOW, 90, 52),
    ("Short sentences, no fixed abode", CohortResult.Difficulty.MEDIUM, 120, 26),
    ("Prolific offenders with substance misuse needs", CohortResult.Difficulty.HIGH, 95, 2),
]


def _resettlement(cast: Cast) -> None:
    agreement = _create(
        cast, reference=RESETTLEMENT_PBR, title="Through-the-gate resettlement, payment by results (South West)",
        provider="St Giles Trust", service_area="Resettlement", value=D("12") * M, route=Route.COMPETITION, years=4,
        payment_model="pbr", share_at_risk=D("30"),
    )
    _supply_chain(agreement, cast, [
        ("St Giles Trust", SupplyChainMember.Role.PRIME, "65", "55"),
        ("Catch22", SupplyChainMember.Role.SUB_PRIME, "20", "32"),
        ("Shelter", SupplyChainMember.Role.MEMBER, "15", "13"),
    ])
    measures = _measures(agreement, cast, [
        MeasureSpec(
            "Settled accommodation on the day of release", "Offenders' ability to re-integrate into the community is enhanced", "85", "5",
            # last month's return is the provider's to send (issue #18): the demo `provider` has it due
            ("80", "86"), weight="2", penalty_amber="1500", penalty_red="6000", missing=(MONTHS_OF_RETURNS - 1,),
        ),
        MeasureSpec(
            "In employment, education or training six weeks after release", "Offenders are able to lead lawful and constructive lives in the community",
            "30", "5", ("24", "31"), frequency=Frequency.QUARTERLY, penalty_red="4000",
        ),
        MeasureSpec(
            "Proven reoffending within 12 months (binary rate)", "The likelihood of reoffending is reduced", "38", "3",
            ("44", "39", ("40.0", "42.5")), direction="lower", frequency=Frequency.QUARTERLY, weight="2",
        ),
        MeasureSpec(
            "People housed on the day of release", "Offenders' ability to re-integrate into the community is enhanced", "36", "4",
            ("30", "41"), unit="people", weight="1",
        ),
    ])
    _payment_terms(agreement, cast, housed=measures[-1][0])
    _take_live(agreement, cast)
    _returns(agreement, cast, measures, evidence="Provider's case records, matched to the Police National Computer by the MoJ Justice Data Lab.")
    start = _fresh(agreement).start_date
    last_quarter = MONTHS_OF_RETURNS // 3 - 1
    for later, quarter in enumerate((last_quarter - 1, last_quarter)):  # the last two quarters
        for cohort, difficulty, referrals, outcomes in COHORTS:
            services.cohort_result_record(
                agreement=_fresh(agreement), actor=cast.contract_manager, period_start=start + relativedelta(months=3 * quarter),
                cohort=cohort, difficulty=difficulty, referrals=referrals + 5 * later, outcomes=outcomes + later,
            )
    _claims(agreement, cast)


def _payment_terms(agreement: Agreement, cast: Cast, *, housed: Measure) -> None:
    """£12m over four years, 30% at risk: a £525,000 quarterly fee (the 70% fixed) and £1,250 per person housed on
    release, outcome payments capped at £900,000 a financial year (the 30% at risk)."""
    claims.payment_terms_set(agreement=_fresh(agreement), actor=cast.procurement, fee=D("525000"), fee_frequency="quarterly",
                             outcome_cap_per_year=D("900000"), cohort="Adults released from South West prisons to Bristol, Devon and Cornwall")
    claims.outcome_tariff_set(agreement=_fresh(agreement), actor=cast.procurement, measure_id=housed.pk, basis="binary", tariff=D("1250"))


def _claims(agreement: Agreement, cast: Cast) -> None:
    """The last two quarters' claims, raised by the provider: the earlier (with its penalties deducted) checked, approved
    and paid; the later waiting for the contract manager."""
    provider = User.objects.get(username="provider")
    terms = _fresh(agreement).payment_terms
    earlier, later = claims.fee_periods(_fresh(agreement), terms, _today())[-2:]
    paid = claims.claim_raise(agreement=_fresh(agreement), actor=provider, period_start=earlier[0])
    claims.claim_check(claim=paid, actor=cast.contract_manager)
    claims.claim_approve(claim=paid, actor=cast.procurement)
    claims.claim_pay(claim=paid, actor=cast.procurement, paid_on=min(earlier[1] + datetime.timedelta(days=30), _today()),
                     payment_reference="MOJ-AP-2026-0418")
    claims.claim_raise(agreement=_fresh(agreement), actor=provider, period_start=later[0])


# --- the agreements the demo competitions awarded, mobilising ------------------------------------------

def _bass(cast: Cast) -> None:
    """DEMO-004-A: complete the terms, set the measures and go live; then a material NOC awaits the lead commissioner."""
    agreement = Agreement.objects.get(reference=BASS)
    start = _today()
    services.agreement_update(
        agreement=agreement, actor=cast.procurement, start_date=start, end_date=start + relativedelta(years=3) - datetime.timedelta(days=1),
        payment_model="volume", contract_manager=cast.contract_manager,
        specification=ServiceSpecification.objects.filter(title="Bail Accommodation and Support Service").first(),
    )
    services.break_point_add(agreement=_fresh(agreement), actor=cast.procurement, on=start + relativedelta(years=2), notice_months=6)
    # As in Nacro's bid: Shelter manages the housing as sub-prime.
    _supply_chain(agreement, cast, [
        ("Nacro", SupplyChainMember.Role.PRIME, "70", "75"),
        ("Shelter", SupplyChainMember.Role.SUB_PRIME, "30", "25"),
    ])
    _measures(agreement, cast, [
        MeasureSpec("Referrals accepted or refused within 24 hours", "Courts have confidence in the advice and services provided to them",
                    "95", "3", None, penalty_amber="2000", penalty_red="8000"),
        MeasureSpec("Occupancy of bed spaces", "The public and identified victims are protected", "90", "5", None,
                    weight="2", penalty_amber="5000", penalty_red="15000"),
        MeasureSpec("Moved on to settled accommodation at the end of the stay", "Offenders' ability to re-integrate into the community is enhanced",
                    "70", "10", None, frequency=Frequency.QUARTERLY, weight="2", penalty_red="10000"),
    ])
    _take_live(agreement, cast)
    agreement = _fresh(agreement)
    services.notice_of_change_issue(
        agreement=agreement, actor=cast.procurement, material=True,
        summary=(
            "Add 40 women-only bed spaces in Lot 3 (South), where referrals of women have no property to go to; "
            "the value rises accordingly. Material: needs the lead commissioner's agreement."
        ),
        changes={"value": str(agreement.value + D("3400000"))},
    )


def _pecs(cast: Cast) -> None:
    """DEMO-006-A: the competition has gone live after Gate 4, so the contract does too."""
    agreement = Agreement.objects.get(reference=PECS)
    start = _today()
    services.agreement_update(
        agreement=agreement, actor=cast.procurement, start_date=start, end_date=start + relativedelta(years=7) - datetime.timedelta(days=1),
        payment_model="volume", contract_manager=cast.contract_manager,
    )
    services.break_point_add(agreement=_fresh(agreement), actor=cast.procurement, on=start + relativedelta(years=5), notice_months=12)
    _measures(agreement, cast, [
        MeasureSpec("Prisoners delivered to court in time for the first hearing", "Courts have confidence in the advice and services provided to them",
                    "95", "3", None, weight="2", penalty_amber="20000", penalty_red="75000"),
        MeasureSpec("Escapes from escort or court custody", "Escapes are prevented and the risk of absconds from custody managed",
                    "0", "0", None, unit="escapes", direction="lower", weight="3", penalty_red="250000"),
        MeasureSpec("Prisoners moved with a complete person escort record", "Offenders and defendants are held lawfully and safely in custody",
                    "99", "1", None, penalty_amber="5000", penalty_red="20000"),
    ])
    _take_live(agreement, cast)


# --- accredited programmes in the North East: mobilising, its plan part done (issue #21) ----------------

def _programmes_mobilising(cast: Cast) -> None:
    """DEMO-MOB-PROGRAMMES: let from a framework, starting in six weeks; TUPE consultation and the staff equality
    assessment done, the premises gap accepted by the SRO (the provider runs the programmes in probation offices),
    the rest to do — so the contract manager's inbox has mobilisation deadlines and "go live" lists what is missing."""
    start = _today() + datetime.timedelta(days=42)
    agreement = services.agreement_create(
        actor=cast.procurement, reference=MOBILISING, title="Accredited programmes in the North East",
        provider=_organisation("Nacro"), service_area=ServiceArea.objects.get(name="Accredited programmes"), value=D("4200000"),
        route=Route.FRAMEWORK, start_date=start, end_date=start + relativedelta(years=3) - datetime.timedelta(days=1),
        contract_manager=cast.contract_manager, payment_model="fixed",
    )
    _measures(agreement, cast, [
        MeasureSpec("Programme completions against starts", "Offenders' ability to re-integrate into the community is enhanced",
                    "75", "5", None, penalty_amber="1500", penalty_red="6000"),
    ])
    services.agreement_mobilise(agreement=_fresh(agreement), actor=cast.procurement)
    plan = mobilisation.mobilisation_plan_draw_up(agreement=_fresh(agreement), actor=cast.contract_manager)
    by_kind = {milestone.kind: milestone for milestone in plan}
    for kind in (MilestoneKind.TUPE_CONSULTATION, MilestoneKind.STAFF_EQUALITY):
        mobilisation.milestone_complete(milestone=by_kind[kind], actor=cast.contract_manager, done_on=_today())
    mobilisation.milestone_gap_accept(milestone=by_kind[MilestoneKind.PREMISES], actor=User.objects.get(username="sro"),
                                      reason="Programmes run in the probation offices under the existing licence; no premises of its own.")


# (reference, builder, built already?) — a new agreement is built when its reference is absent; one the
# competitions awarded, while it is still mobilising.
SCENARIOS = [
    (CP_LONDON, _community_payback_london),
    (EM_G4S, _electronic_monitoring),
    (SLA_DARTMOOR, _dartmoor),
    (RESETTLEMENT_PBR, _resettlement),
    (BASS, _bass),
    (PECS, _pecs),
    (MOBILISING, _programmes_mobilising),
]
AWARDED = {BASS, PECS}


def _due(reference: str) -> bool:
    existing = Agreement.objects.filter(reference=reference).first()
    if reference in AWARDED:
        return existing is not None and existing.state == AgreementState.MOBILISING
    return existing is None


def seed_contracts() -> None:
    """Create (or complete) each demo agreement not yet done; one transaction per agreement."""
    cast = Cast.load()
    for reference, build in SCENARIOS:
        if not _due(reference):
            continue
        with transaction.atomic():
            build(cast)


@transaction.atomic
def seed_management_logs() -> None:
    """The contract management log (issue #21): a review with an open action on the St Giles contract (its `provider` user
    sees it), a visit and an internal concern on community payback, and a closed action on electronic monitoring."""
    if LogEntry.objects.exists():
        return
    manager = Cast.load().contract_manager
    days = datetime.timedelta
    resettlement = Agreement.objects.get(reference=RESETTLEMENT_PBR)
    management_log.log_entry_record(
        agreement=resettlement, actor=manager, kind=LogEntryKind.REVIEW_MEETING, held_on=_today() - days(20),
        summary="Quarterly contract review with St Giles Trust, Catch22 and Shelter at HMP Bristol.",
        findings="Housed-on-release figures trail the other prisons; Catch22's caseworker post at HMP Bristol has been vacant since July.",
        action="Fill the HMP Bristol housing caseworker post, or cover it from Exeter, and report at the next review",
        action_by="St Giles Trust", due_on=_today() + days(10))
    payback = Agreement.objects.get(reference=CP_LONDON)
    management_log.log_entry_record(
        agreement=payback, actor=manager, kind=LogEntryKind.VISIT, held_on=_today() - days(12),
        summary="Visit to two work parties in Newham with the borough's community payback lead.",
        findings="Both parties supervised to standard; one started 40 minutes late after a van breakdown.")
    management_log.log_entry_record(
        agreement=payback, actor=manager, kind=LogEntryKind.ISSUE, held_on=_today() - days(5), shared_with_provider=False,
        summary="Supervisor vacancies are driving the stood-down placements: raise at the next review if not filled.",
        action="Ask HR for Serco's TUPE list of supervisors to check the vacancy figures", action_by="Contract manager",
        due_on=_today() + days(5))
    tags = Agreement.objects.get(reference=EM_G4S)
    fitting = management_log.log_entry_record(
        agreement=tags, actor=manager, kind=LogEntryKind.ISSUE, held_on=_today() - days(40),
        summary="Tags fitted more than 24 hours after release in 9% of cases in September.",
        action="Weekly fitting-time report until the rectification deadline", action_by="G4S", due_on=_today() - days(10))
    management_log.log_action_close(entry=fitting, actor=manager, closed_on=_today() - days(9),
                                    closing_note="Weekly reports received on time since the issue was raised.")


@transaction.atomic
def seed_exit_plans() -> None:
    """DEMO-SLA-DARTMOOR's exit plan (issue #21): written by the contract manager for the hand-over to the contract DEMO-009
    will let, awaiting a commissioner's agreement (a task in `commissioner`'s inbox)."""
    dartmoor = Agreement.objects.get(reference=SLA_DARTMOOR)
    if ExitPlan.objects.filter(agreement=dartmoor).exists():
        return
    exit_plans.exit_plan_record(
        agreement=dartmoor, actor=Cast.load().contract_manager,
        service_users="Prisoners stay where they are: the prison's operation passes to the provider DEMO-009 appoints, "
                      "with sentence plans and case notes handed over wing by wing.",
        data_return="NOMIS and case records stay with the agency; local records (adjudications, visits) transfer to the new "
                    "operator under the data-sharing agreement.",
        staff="Prison staff transfer under TUPE to the new operator; consultation with the unions starts six months before.",
        assets="The estate stays the agency's; equipment bought under the SLA is inventoried and transferred at the hand-over.")
