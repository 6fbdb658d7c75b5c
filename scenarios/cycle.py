"""Demo commissioning cycles (SPEC §2, §7): four cycles of different types, at different stages.

- A national strategic cycle for 2026–29, at `prioritise`: needs and gap analyses from
  court and probation data, eight ranked priorities costing more than the budget, the
  suggested allocation accepted (two priorities fall below the line), and market
  development for resettlement: a provider forum, a market analysis and lots sized for
  small and voluntary providers. It stepped back once, to reassess needs.
- A service-level cycle for the Bail Accommodation and Support Service (BASS), at
  `deliver`: its specification secured through the demo competition DEMO-004, which is
  awarded and mobilising.
- Offender learning and skills (OLASS), co-commissioned with the Skills Funding Agency and
  Jobcentre Plus (aligned funding, seed: "Co-Commissioning Offender Services"), at
  `design_services` with one funded priority still to specify.
- A decommissioning cycle for group programmes for low-risk men (provision exceeds the
  need the evidence supports), at `review_supply`, with a bilateral sounding and transition
  support for the voluntary providers affected.

Every write goes through `cycle.services` as the demo commissioner (scenarios/core.py), so every
guard is met as it would be in use. Figures are realistic orders of magnitude for England
and Wales, not official statistics. Idempotent: a cycle whose name exists is skipped, and
each cycle is built in one transaction. Runs after the competitions' seeder (DEMO-004).
"""

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from competitions.models import Competition
from core.models import Organisation, ServiceArea, User
from cycle import consultation, services
from cycle.models import CommissioningCycle, Consultation, Outcome

M = Decimal(1_000_000)

STRATEGIC = "Offender services strategic commissioning 2026–29"
BASS = "Bail accommodation and support (BASS) re-commissioning"
OLASS = "Offender learning and skills (OLASS)"
DECOMMISSIONING = "Decommissioning group programmes for low-risk men"

PAYBACK = "Community payback (unpaid work)"
BASS_AREA = "Bail accommodation and support (BASS)"
PROGRAMMES = "Accredited programmes"
RESETTLEMENT = "Resettlement"
MONITORING = "Electronic monitoring"
VICTIM_CONTACT = "Victim contact"
OLASS_AREA = "Offender learning and skills (OLASS)"


# --- small helpers ---------------------------------------------------------------------------

def _today() -> datetime.date:
    return timezone.localdate()


def _days_ago(days: int) -> datetime.date:
    return _today() - datetime.timedelta(days=days)


def _financial_year_start(day: datetime.date) -> datetime.date:
    return datetime.date(day.year if day.month >= 4 else day.year - 1, 4, 1)


def _fresh(cycle: CommissioningCycle) -> CommissioningCycle:
    """Services compare the stage the caller saw with the database's, and count ranks: always pass the latest."""
    return CommissioningCycle.objects.get(pk=cycle.pk)


def _area(name: str) -> ServiceArea:
    return ServiceArea.objects.get(name=name)


def _organisations(*names: str) -> list[Organisation]:
    found = {o.name: o for o in Organisation.objects.filter(name__in=names)}
    return [found[name] for name in names]


def _outcomes(*titles: str) -> list[Outcome]:
    """Outcomes from the tree seeded by cycle/migrations/0002_outcomes_tree.py, by title."""
    found = {o.title: o for o in Outcome.objects.filter(title__in=titles)}
    return [found[title] for title in titles]


def _move(cycle: CommissioningCycle, actor: User, *transitions: str) -> CommissioningCycle:
    for name in transitions:
        cycle = services.cycle_move_on(cycle=_fresh(cycle), actor=actor, transition=name)
    return _fresh(cycle)


def _needs(cycle: CommissioningCycle, actor: User, rows: list[dict]) -> None:
    for row in rows:
        services.needs_assessment_record(cycle=_fresh(cycle), actor=actor, **{**row, "service_area": _area(row["service_area"])})


def _priorities(cycle: CommissioningCycle, actor: User, rows: list[tuple]) -> list:
    """rows: (title, service area, cost in £m, outcome value, weight, evidence), ranked in the order given."""
    return [
        services.priority_add(
            cycle=_fresh(cycle), actor=actor, title=title, service_area=_area(area), cost=Decimal(cost) * M,
            outcome_value=Decimal(value), weight=Decimal(weight), evidence=evidence,
        )
        for title, area, cost, value, weight, evidence in rows
    ]


def _specify(cycle: CommissioningCycle, actor: User, priority, *, title: str, summary: str, outputs: list[str], outcomes: list[str]):
    return services.specification_record(
        cycle=_fresh(cycle), actor=actor, priority=priority, title=title, summary=summary,
        outputs="\n".join(outputs), outcomes=_outcomes(*outcomes),
    )


def _sound_if_allowed(cycle: CommissioningCycle, actor: User, *, service_area: str, **fields) -> None:
    """During a live competition for the service, contact with providers goes through MoJ Procurement: no sounding then."""
    area = _area(service_area)
    if services.live_competition_in(area) is None:
        services.market_sounding_record(cycle=_fresh(cycle), actor=actor, service_area=area, **fields)


# --- the national strategic cycle, at prioritise ----------------------------------------------------

STRATEGIC_NEEDS = [
    {
        "service_area": PAYBACK, "location": "England and Wales",
        "cohort": "Adults sentenced to unpaid work under community and suspended sentence orders",
        "demand": 8_200_000, "provision": 5_900_000, "unit": "hours a year",
        "gap_analysis": (
            "Courts order about 8.2 million hours of unpaid work a year; placements and supervisors deliver about "
            "5.9 million. The 2.3 million-hour gap is a backlog of orders running out before the hours are worked: "
            "too few supervisors, and group placements stood down at short notice, worst in rural areas."
        ),
        "evidence": "Sentencing statistics; probation case management returns of hours credited; HM Inspectorate of Probation thematic inspection of unpaid work.",
    },
    {
        "service_area": BASS_AREA, "location": "England and Wales",
        "cohort": "Defendants remanded for want of an address; prisoners eligible for HDC with no suitable address",
        "demand": 2_100, "provision": 1_350, "unit": "bed spaces",
        "gap_analysis": (
            "About 750 more bed spaces would let courts grant bail, and governors release on home detention curfew, "
            "where accommodation is the only obstacle. The shortfall is worst in London and the South East, where "
            "properties cost most."
        ),
        "evidence": "Remand and HDC eligibility data; BASS referral and occupancy returns; prison population projections.",
    },
    {
        "service_area": PROGRAMMES, "location": "North West",
        "cohort": "Men convicted of sexual offences, medium risk and above (Horizon, Kaizen)",
        "demand": 1_150, "provision": 780, "unit": "programme places a year",
        "gap_analysis": "Waiting lists mean about a third of the men whose sentence plans require a programme reach their release date without starting one.",
        "evidence": "OASys needs profiles; programme waiting lists by establishment; Correctional Services Accreditation and Advice Panel records.",
    },
    {
        "service_area": PROGRAMMES, "location": "West Midlands",
        "cohort": "Men convicted of domestic abuse offences (Building Better Relationships)",
        "demand": 1_400, "provision": 900, "unit": "programme places a year",
        "gap_analysis": "Courts add a programme requirement to most domestic abuse orders; 500 men a year wait more than six months to start.",
        "evidence": "Sentencing data on programme requirements; probation waiting-list returns; police domestic abuse recorded crime.",
    },
    {
        "service_area": PROGRAMMES, "location": "London",
        "cohort": "Young adults aged 18–25 (Thinking Skills Programme)",
        "demand": 2_300, "provision": 1_650, "unit": "programme places a year",
        "gap_analysis": "Young adults are a fifth of London's caseload but their completion rate is lowest; more places in shorter, rolling groups are needed.",
        "evidence": "OASys thinking and behaviour scores; completion rates by age; the Transition to Adulthood Alliance's evidence review.",
    },
]

# Asked for by the Commissioning Intentions consultation, after the first ranking (the step back).
RESETTLEMENT_NEED = {
    "service_area": RESETTLEMENT, "location": "England",
    "cohort": "Men and women leaving custody from sentences of under 12 months",
    "demand": 41_000, "provision": 26_000, "unit": "releases a year",
    "gap_analysis": (
        "About 15,000 people a year leave short sentences without help at the gate with housing, benefits and work; "
        "one in three leaves with no settled address, and reoffending within a year is highest in this group."
    ),
    "evidence": "Prison releases by sentence length; accommodation on release returns; proven reoffending statistics.",
}

STRATEGIC_PRIORITIES = [
    ("Close the unpaid work gap: supervisors and placements for 2.3 million more hours a year", PAYBACK, 42, 80, "1.20",
     "Needs assessment: a 2.3 million-hour gap; sentencers' confidence in community sentences depends on hours being worked."),
    ("Bail accommodation and support: 750 more bed spaces", BASS_AREA, 36, 70, "1.50",
     "Each bed space occupied saves a remand or HDC-eligible prison place; the strongest value for money in the plan."),
    ("Horizon and Kaizen places for men convicted of sexual offences in the North West", PROGRAMMES, 18, 60, "1.30",
     "Public protection: men released without completing a required programme."),
    ("Building Better Relationships places in the West Midlands", PROGRAMMES, 14, 55, "1.30",
     "Court-ordered requirements waiting more than six months; victims' safety."),
    ("Thinking Skills Programme places for young adults in London", PROGRAMMES, 11, 45, "1.00",
     "Lowest completion rates; the evidence favours shorter rolling groups."),
    ("Alcohol abstinence monitoring for community orders", MONITORING, 24, 40, "1.00",
     "Pilot results promising but not yet evaluated; the technology is bought separately under DEMO-003."),
    ("A single national victim contact service", VICTIM_CONTACT, 9, 30, "1.10",
     "Consistency across England and Wales; the current service meets its statutory duties."),
    ("Through-the-gate resettlement for short-sentence prisoners", RESETTLEMENT, 28, 50, "1.00",
     "15,000 releases a year without help at the gate; highest reoffending group."),
]


def _strategic(commissioner: User) -> None:
    cycle = services.cycle_create(
        actor=commissioner, name=STRATEGIC, cycle_type="strategic", level="national",
        period_start=datetime.date(2026, 4, 1), period_end=datetime.date(2029, 3, 31), available_resources=150 * M,
    )
    cycle = _move(cycle, commissioner, "assess_needs")
    _needs(cycle, commissioner, STRATEGIC_NEEDS)
    cycle = _move(cycle, commissioner, "prioritise")
    # Stages iterate (seed): the consultation on the Commissioning Intentions Plan asked for resettlement to be assessed.
    services.cycle_step_back(
        cycle=cycle, actor=commissioner, to_stage="assess_needs",
        reason="The Commissioning Intentions consultation asked for the needs of short-sentence prisoners on release to be assessed before ranking.",
    )
    _needs(cycle, commissioner, [RESETTLEMENT_NEED])
    cycle = _move(cycle, commissioner, "prioritise")
    _priorities(cycle, commissioner, STRATEGIC_PRIORITIES)
    # £182m of priorities against £150m: the suggestion funds all but the 6th and 7th (£149m).
    services.allocation_set(cycle=_fresh(cycle), actor=commissioner)
    _strategic_market_development(cycle, commissioner)


def _strategic_market_development(cycle: CommissioningCycle, commissioner: User) -> None:
    _sound_if_allowed(
        cycle, commissioner, service_area=RESETTLEMENT, kind="forum", held_on=_days_ago(21),
        providers=_organisations("Nacro", "St Giles Trust", "Catch22"),
        learned=(
            "Voluntary providers can mobilise through-the-gate peer mentoring in most resettlement prisons within six "
            "months, but cannot carry the working capital of a payment-by-results contract alone. Lots of £2m–£5m a "
            "year with a fee-for-service element would let them bid as primes rather than only as sub-contractors."
        ),
    )
    services.market_analysis_record(
        cycle=_fresh(cycle), actor=commissioner, service_area=_area(RESETTLEMENT),
        providers_by_sector=(
            "Voluntary sector: about 40 charities deliver resettlement in custody, most with an income under £5m; "
            "Nacro, St Giles Trust and Catch22 are the largest. Private sector: former prime contractors, now mostly "
            "sub-contracting. Public sector: prison and probation resettlement teams."
        ),
        capacity="About 26,000 releases a year supported against 41,000 needing help; voluntary capacity concentrated in London, the North West and the West Midlands.",
        key_players="Nacro; St Giles Trust; Catch22; Shelter (housing advice).",
        barriers_to_entry="Payment by results with deferred payment; security vetting for prison access; TUPE liabilities; the size of national lots.",
        maturity="developing",
    )
    services.stimulation_action_add(
        cycle=_fresh(cycle), actor=commissioner, service_area=_area(RESETTLEMENT),
        action="Lots sized so that small and voluntary providers can bid",
        description=(
            "Twelve regional lots of £2m–£5m a year rather than one national contract; at least 70% fee for service so "
            "that working capital is not a barrier; a supply-chain code binding primes to fair terms for sub-contractors."
        ),
    )


# --- BASS, service level, at deliver --------------------------------------------------------------

BASS_NEEDS = [
    ("North", 620, 410, "Referrals from Manchester, Liverpool and Leeds courts outstrip supply; rural Cumbria and North Yorkshire have none."),
    ("Midlands and Wales", 540, 380, "Welsh courts refer across the border for want of properties; Birmingham has the longest waits."),
    ("South", 940, 560, "London and the South East: the highest demand and the highest property costs; women-only properties are scarce."),
]

BASS_OUTCOMES = [
    "Courts have confidence in the advice and services provided to them",
    "The public and identified victims are protected",
    "Offenders' ability to re-integrate into the community is enhanced",
]


def _bass(commissioner: User) -> None:
    competition = Competition.objects.get(reference="DEMO-004")
    start = _financial_year_start(_days_ago(450))
    cycle = services.cycle_create(
        actor=commissioner, name=BASS, cycle_type="service_level", level="national",
        period_start=start, period_end=start.replace(year=start.year + 5) - datetime.timedelta(days=1), available_resources=48 * M,
    )
    # Pooled with the Welsh Government for the lot that covers Wales; even so, the agreement let in the South commits more
    # next financial year than the year's share of the pooled budget (issue #20's budget warning).
    services.partner_add(
        cycle=cycle, actor=commissioner, organisation=_organisations("Welsh Government")[0], arrangement="pooled", contribution=Decimal("1500000"),
        responsibilities="Pools its funding for bail accommodation in Wales into the single BASS budget.",
    )
    cycle = _move(cycle, commissioner, "assess_needs")
    _needs(cycle, commissioner, [
        {
            "service_area": BASS_AREA, "location": lot, "cohort": "Defendants bailed, and prisoners eligible for HDC, with no suitable address",
            "demand": demand, "provision": provision, "unit": "bed spaces", "gap_analysis": analysis,
            "evidence": "BASS referral and occupancy returns; remand data from HM Courts and Tribunals Service.",
        }
        for lot, demand, provision, analysis in BASS_NEEDS
    ])
    cycle = _move(cycle, commissioner, "prioritise")
    accommodation, _ = _priorities(cycle, commissioner, [
        ("Supported accommodation for bail and HDC in three regional lots, paid for occupancy and move-on", BASS_AREA, 43, 90, "1.50",
         "750 bed spaces short across the three lots; paying for beds provided rather than used wasted a fifth of the budget."),
        ("Floating support for people bailed to their own or a family address", BASS_AREA, 7, 35, "1.00",
         "Would help some defendants keep an address; weaker evidence than accommodation."),
    ])
    services.allocation_set(cycle=_fresh(cycle), actor=commissioner)  # the floating support falls below the line
    services.equality_impact_assessment_record(
        cycle=_fresh(cycle), actor=commissioner,
        summary=(
            "Women are about one in ten referrals and need women-only properties; older and disabled defendants need "
            "ground-floor or adapted properties; some minority ethnic defendants are at risk in properties placed in "
            "areas with few minority ethnic residents. Mitigations: women-only properties in every lot, accessible "
            "properties in the specification, referral decisions monitored by protected characteristic."
        ),
    )
    cycle = _move(cycle, commissioner, "design_services")
    specification = _specify(
        cycle, commissioner, accommodation, title="Bail Accommodation and Support Service",
        summary="Shared supported accommodation, with support to manage risk and move on to settled housing, for people bailed or released on HDC who have no suitable address.",
        outputs=[
            "Bed spaces available to courts and prisons in each lot",
            "Referrals accepted or refused within 24 hours",
            "A support and risk management plan within five working days of arrival",
            "Move-on to settled accommodation at the end of the stay",
        ],
        outcomes=BASS_OUTCOMES,
    )
    cycle = _move(cycle, commissioner, "review_supply")
    _sound_if_allowed(
        cycle, commissioner, service_area=BASS_AREA, kind="event", held_on=_days_ago(440),
        providers=_organisations("Nacro", "St Giles Trust", "Catch22", "Shelter", "Sodexo Justice Services"),
        learned=(
            "Providers would carry occupancy risk only with a single national referral gateway; housing associations "
            "lease properties only for the full contract term; rural coverage needs a premium or a separate price."
        ),
    )
    services.market_analysis_record(
        cycle=_fresh(cycle), actor=commissioner, service_area=_area(BASS_AREA),
        providers_by_sector="One private national incumbent; voluntary providers (Nacro, St Giles Trust, Catch22) interested as primes with housing-association partners.",
        capacity="1,350 bed spaces under the current contract; providers estimate 900 more could be leased within a year of award.",
        key_players="Sodexo Justice Services; Nacro with Shelter; St Giles Trust with Catch22.",
        barriers_to_entry="Leasing properties at scale; planning objections from neighbours; the incumbent's referral data.",
        maturity="concentrated",
    )
    cycle = _move(cycle, commissioner, "secure_services")
    services.specification_set_route(
        specification=specification, actor=commissioner, securing_route="competition", competition=competition,
        route_notes=f"{competition.reference}: restricted procedure under the Public Contracts Regulations 2006, three regional lots.",
    )
    _move(cycle, commissioner, "deliver")  # DEMO-004 is awarded and mobilising


# --- OLASS, co-commissioned, at design_services ----------------------------------------------------

def _olass(commissioner: User) -> None:
    cycle = services.cycle_create(
        actor=commissioner, name=OLASS, cycle_type="co_commissioning", level="national",
        period_start=datetime.date(2026, 4, 1), period_end=datetime.date(2029, 3, 31), available_resources=21 * M,
    )
    # Co-commissioning (seed): each partner keeps its own budget, aligned with ours.
    skills_funding_agency, jobcentre_plus = _organisations("Skills Funding Agency", "Jobcentre Plus")
    services.partner_add(
        cycle=cycle, actor=commissioner, organisation=skills_funding_agency, arrangement="aligned", contribution=387 * M,
        responsibilities="Funds and contracts the OLASS learning providers in custody; agrees the curriculum offer with governors.",
    )
    services.partner_add(
        cycle=cycle, actor=commissioner, organisation=jobcentre_plus, arrangement="aligned", contribution=12 * M,
        responsibilities="Benefits and employment advice surgeries in custody; fast-track referral to employment support on release.",
    )
    cycle = _move(cycle, commissioner, "assess_needs")
    _needs(cycle, commissioner, [
        {
            "service_area": OLASS_AREA, "location": "England (all prisons)",
            "cohort": "Prisoners assessed on reception below Level 1 in English or maths",
            "demand": 31_000, "provision": 21_500, "unit": "learners a year",
            "gap_analysis": "Short stays and transfers mean a third of those assessed below Level 1 never start a course; waiting lists are longest in local prisons.",
            "evidence": "Initial assessments on reception; Ofsted inspections of prison education; learner records.",
        },
        {
            "service_area": OLASS_AREA, "location": "England (resettlement prisons)",
            "cohort": "Prisoners within 12 months of release without a Level 2 vocational qualification",
            "demand": 14_000, "provision": 8_500, "unit": "learners a year",
            "gap_analysis": "Vocational places are not matched to local labour markets, and few courses lead on to employment support after release.",
            "evidence": "Learner records; Jobcentre Plus employment outcomes on release; local labour market information.",
        },
    ])
    cycle = _move(cycle, commissioner, "prioritise")
    english_and_maths, _, _ = _priorities(cycle, commissioner, [
        ("English and maths to Level 1 for every prisoner assessed below it", OLASS_AREA, "9.5", 70, "1.20",
         "The basis for every other course and for work on release."),
        ("Vocational training in resettlement prisons linked to Jobcentre Plus employment support", OLASS_AREA, 8, 60, "1.20",
         "Aligned with Jobcentre Plus: a job or training place arranged before release."),
        ("Virtual Campus access in every resettlement prison", OLASS_AREA, "5.5", 30, "1.00",
         "Secure online learning and job search; the infrastructure cost falls to the Agency."),
    ])
    services.allocation_set(cycle=_fresh(cycle), actor=commissioner)  # the Virtual Campus falls below the line
    services.equality_impact_assessment_record(
        cycle=_fresh(cycle), actor=commissioner,
        summary=(
            "About a third of learners have a learning difficulty or disability: assessments and teaching must be adapted. "
            "Women's prisons and young adults need their own curriculum offer. Learners in Welsh prisons are outside "
            "this cycle (devolved skills funding)."
        ),
    )
    cycle = _move(cycle, commissioner, "design_services")
    # The vocational priority's specification waits for Jobcentre Plus's requirements: moving on stays refused until then.
    _specify(
        cycle, commissioner, english_and_maths, title="English and maths in custody",
        summary="Assessment on reception and English and maths teaching to Level 1 and beyond, continued after transfer between prisons.",
        outputs=["An initial assessment within five days of reception", "A learning plan carried over on transfer", "Qualifications at Entry Level 3 and Level 1"],
        outcomes=["The life skills of offenders are developed", "Offenders' ability to re-integrate into the community is enhanced"],
    )


# --- decommissioning, at review_supply ------------------------------------------------------------

def _decommissioning(commissioner: User) -> None:
    cycle = services.cycle_create(
        actor=commissioner, name=DECOMMISSIONING, cycle_type="decommissioning", level="national",
        period_start=datetime.date(2026, 9, 1), period_end=datetime.date(2027, 8, 31), available_resources=Decimal("4500000"),
    )
    cycle = _move(cycle, commissioner, "assess_needs")
    _needs(cycle, commissioner, [{
        "service_area": PROGRAMMES, "location": "England and Wales",
        "cohort": "Men assessed as low risk of reoffending who are referred to general offending behaviour group programmes",
        "demand": 900, "provision": 3_200, "unit": "programme places a year",
        "gap_analysis": (
            "Provision exceeds need: about 3,200 places a year go to low-risk men, against about 900 with a specific need "
            "a programme addresses. Intensive group work with low-risk men does not reduce reoffending and may raise it "
            "(the risk principle); the surplus places should be withdrawn and facilitators moved to the medium- and "
            "high-risk programmes with the longest waiting lists."
        ),
        "evidence": "OGRS and OASys risk scores of programme starters; the accredited programmes evidence review; waiting lists for Horizon and Building Better Relationships.",
    }])
    cycle = _move(cycle, commissioner, "prioritise")
    withdraw, complete, _ = _priorities(cycle, commissioner, [
        ("Withdraw group programmes for low-risk men and redeploy facilitators to Horizon and Building Better Relationships", PROGRAMMES, "3.2", 60, "1.00",
         "Retraining 85 facilitators costs less than recruiting for the programmes with waiting lists."),
        ("Let men part-way through a withdrawn programme complete it or transfer", PROGRAMMES, "1.1", 40, "1.20",
         "No one loses a place mid-programme; courts' requirements are still met."),
        ("Independent evaluation of the reduction", PROGRAMMES, "0.9", 20, "1.00",
         "Confirms that reoffending among low-risk men does not rise."),
    ])
    services.allocation_set(cycle=_fresh(cycle), actor=commissioner)  # the evaluation falls below the line
    services.equality_impact_assessment_record(
        cycle=_fresh(cycle), actor=commissioner,
        summary=(
            "Men with learning disabilities are over-represented among low-risk referrals and will be offered adapted "
            "one-to-one work instead; women's programmes are unaffected. The withdrawal is phased so that no one loses a place mid-programme."
        ),
    )
    cycle = _move(cycle, commissioner, "design_services")
    _specify(
        cycle, commissioner, withdraw, title="Phased withdrawal and facilitator redeployment",
        summary="Stop new referrals of low-risk men to group programmes, retrain their facilitators and add the places to Horizon and Building Better Relationships.",
        outputs=["No new low-risk referrals from the start of the period", "85 facilitators retrained within nine months", "Places added where waiting lists are longest"],
        outcomes=["Offenders' identified rehabilitation needs are met", "Positive change in offenders' attitudes, thinking and behaviour is achieved"],
    )
    _specify(
        cycle, commissioner, complete, title="Completion for men part-way through a programme",
        summary="Men who have started a withdrawn programme finish it, or move to one-to-one work that meets the court's requirement.",
        outputs=["Every man part-way through offered completion or a transfer", "Courts told of any change to a requirement"],
        outcomes=["Offenders are helped and motivated to change", "The requirements of the sentence are implemented"],
    )
    cycle = _move(cycle, commissioner, "review_supply")
    _sound_if_allowed(
        cycle, commissioner, service_area=PROGRAMMES, kind="bilateral", held_on=_days_ago(14),
        providers=_organisations("London Probation Trust", "Greater Manchester Probation Trust", "Nacro"),
        learned=(
            "The Trusts can redeploy about 60 of the 85 facilitators affected after retraining; the voluntary providers "
            "who deliver low-risk programmes under sub-contract need six months' notice to diversify."
        ),
    )
    services.stimulation_action_add(
        cycle=_fresh(cycle), actor=commissioner, service_area=_area(PROGRAMMES),
        action="Six months' notice and transition support for the voluntary providers affected",
        description=(
            "Following the National Audit Office's guide to decommissioning civil society services: notice before "
            "referrals stop, and help to bid for resettlement and mentoring work instead, so that the market keeps them."
        ),
    )


SCENARIOS = [
    (STRATEGIC, _strategic),
    (BASS, _bass),
    (OLASS, _olass),
    (DECOMMISSIONING, _decommissioning),
]


def seed_cycles() -> None:
    """Create each demo cycle not yet present; one transaction per cycle."""
    commissioner = User.objects.get(username="commissioner")
    for name, build in SCENARIOS:
        if CommissioningCycle.objects.filter(name=name).exists():
            continue
        with transaction.atomic():
            build(commissioner)


@transaction.atomic
def seed_consultation() -> None:
    """The strategic plan's consultation (issue #21): closed a month ago, three responses, two themes, one answered."""
    strategy = CommissioningCycle.objects.get(name=STRATEGIC)
    if Consultation.objects.filter(cycle=strategy).exists():
        return
    commissioner = User.objects.get(username="commissioner")
    today = timezone.localdate()
    window = consultation.consultation_open(
        cycle=strategy, actor=commissioner, opens_on=today - datetime.timedelta(days=70), closes_on=today - datetime.timedelta(days=28),
        summary="The plan's priorities for 2026–29 and the services proposed for decommissioning, put to providers, Police and "
                "Crime Commissioners, local authorities and user-voice groups.")
    women = consultation.theme_add(consultation=window, actor=commissioner, title="Women's accommodation is under-provided")
    rural = consultation.theme_add(consultation=window, actor=commissioner, title="Rural areas need outreach, not hubs")
    responses = [
        ("Chief Executive", "Nacro", "challenges", "The accommodation priority counts beds, not women-only spaces: women leave custody "
         "with nowhere safe to go.", [women]),
        ("Office of the Police and Crime Commissioner for Devon and Cornwall", None, "mixed", "Supports the resettlement priority; "
         "hub-based delivery will not reach people on Dartmoor or in Cornwall.", [rural]),
        ("Women in Prison", None, "challenges", "Asks for gender-specific provision in every region's accommodation lot.", [women]),
    ]
    for respondent, organisation, stance, summary, themes in responses:
        consultation.response_record(
            consultation=window, actor=commissioner, respondent=respondent, stance=stance, summary=summary, themes=themes,
            organisation=Organisation.objects.filter(name=organisation).first() if organisation else None,
            received_on=today - datetime.timedelta(days=40))
    consultation.theme_respond(theme=women, actor=commissioner, commissioner_response=(
        "The accommodation specification now requires women-only spaces in every lot; the BASS re-commissioning adds 40 in the South."))
