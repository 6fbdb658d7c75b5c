"""Seed the load-test database: a large portfolio, written in bulk (the services are for one record at a time).

Sizes (the issue's): 1,000 competitions in every state, each with its ethical wall; 5,000
agreements with 8 measures x 12 monthly returns (40,000 measures, 480,000 returns); 2,000
users across the roles; about 200,000 object permissions in ethical_walls' direct
foreign-key tables, as `ethical_walls.services` would have granted them: each member of a
competition's commissioning side holds view permission on the competition and every
protected record of it (criteria, business cases, gateway reviews, and from launch the
bids, bid documents and, from evaluation, the moderated scores); each HMPS bid-team member
holds it on their own bid and its document. Ids are made by the database; returns and
permissions go in with COPY, the rest with bulk_create in batches.

Called by bench/load/run.py after Django is set up on the bench database.
"""

import random
import time
from datetime import date, datetime, timedelta
from datetime import timezone as dt_timezone
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction

PASSWORD = "noms-load-bench-2026"
SIZES = {
    "competitions": 1000, "agreements": 5000, "measures_per_agreement": 8, "months": 12,
    "users": 2000, "object_permissions": 200_000,
}
# 2,000 users across the seven roles.
USERS_PER_ROLE = {
    "Commissioner": 400, "SRO": 200, "MoJ Procurement": 300, "Contract manager": 500,
    "Gateway reviewer": 200, "HMPS Business Development Group": 300, "Oversight": 100,
}
SERVICE_AREAS = [
    "Prisoner Escort and Custody Services (PECS)", "Bail Accommodation and Support Service (BASS)", "Electronic monitoring",
    "Community payback (unpaid work)", "Accredited programmes", "Victim contact", "Offender learning (OLASS)",
    "Resettlement", "Substance misuse", "Women's services", "Young adults", "Approved premises",
]
# 1,000 competitions across the lifecycle; "abandoned_launched" were abandoned after launch (so still public).
STATES = {
    "draft": 60, "pre_procurement": 80, "pre_qualification": 90, "dialogue": 50, "tender": 100, "bafo": 50,
    "evaluation": 70, "award_recommended": 30, "standstill": 30, "awarded": 40, "mobilisation": 60, "live": 250,
    "closed": 50, "abandoned": 20, "abandoned_launched": 20,
}
PATH = ["draft", "pre_procurement", "pre_qualification", "dialogue", "tender", "bafo", "evaluation", "award_recommended",
        "standstill", "awarded", "mobilisation", "live", "closed"]
SCORED = set(PATH[PATH.index("evaluation"):])
AGREEMENT_STATES = {"live": 4300, "under_rectification": 200, "expired": 300, "terminated": 200}
BIDS_PER_COMPETITION = 4
DIALOGUE_PROCEDURES = ("competitive_dialogue", "competitive_flexible")


def _now():
    return datetime.now(dt_timezone.utc)


def copy_rows(model, columns: list[str], rows) -> int:
    """COPY rows (tuples in `columns` order, field names) into the model's table; returns the count."""
    table = model._meta.db_table
    names = ", ".join(model._meta.get_field(name).column for name in columns)
    count = 0
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
    return count


def _bulk(model, objects, batch_size=5000):
    return model.objects.bulk_create(objects, batch_size=batch_size)


STANDARD = {"sizes": dict(SIZES), "users_per_role": dict(USERS_PER_ROLE), "states": dict(STATES), "agreement_states": dict(AGREEMENT_STATES)}


def scaled(scale: float) -> dict:
    """The dataset's sizes at `scale` times the standard one (issue #22: 10 is 10,000 competitions, 50,000 agreements,
    4.8 million returns, 2 million object permissions); per-record shapes (measures, months, bids) do not change."""
    def times(mapping):
        return {key: max(1, round(number * scale)) for key, number in mapping.items()}

    standard = STANDARD["sizes"]
    sizes = {**standard, **times({key: standard[key] for key in ("competitions", "agreements", "users", "object_permissions")})}
    return {"sizes": sizes, **{name: times(STANDARD[name]) for name in ("users_per_role", "states", "agreement_states")}}


def seed(*, log=print, scale: float = 1) -> dict:
    """Write the whole dataset at `scale` times the standard size; returns the counts written."""
    global SIZES, USERS_PER_ROLE, STATES, AGREEMENT_STATES
    plan = scaled(scale)
    SIZES, USERS_PER_ROLE, STATES, AGREEMENT_STATES = plan["sizes"], plan["users_per_role"], plan["states"], plan["agreement_states"]
    rng = random.Random(2026)
    began = time.monotonic()
    counts = {}
    with transaction.atomic():
        users = _users(rng, counts)
        log(f"  users and tokens: {time.monotonic() - began:.0f} s")
        organisations, areas = _organisations(rng, counts)
        _cycles(rng, users, counts)
        competitions = _competitions(rng, users, organisations, areas, counts)
        log(f"  competitions, walls and object permissions: {time.monotonic() - began:.0f} s")
        _agreements(rng, users, organisations, areas, competitions, counts)
        log(f"  agreements, measures and returns: {time.monotonic() - began:.0f} s")
        # The rows above were copied in bulk, past the signal that publishes a launched competition's
        # OCDS releases as it changes: publish them now, as the deployment's first run does.
        from ocds.services import publish_all

        counts["published OCDS releases"] = publish_all()
        log(f"  OCDS releases: {time.monotonic() - began:.0f} s")
    # What autovacuum does to tables this size soon after they fill: statistics for the planner, and the visibility map
    # that lets a count or a list be read from an index alone (without it every index-only scan visits the table).
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")
    log(f"  vacuumed and analysed: {time.monotonic() - began:.0f} s")
    return counts


# --- users -------------------------------------------------------------------------------------

def _users(rng, counts):
    from django.contrib.auth.models import Group
    from rest_framework.authtoken.models import Token

    from core.models import User

    password = make_password(PASSWORD)  # one hash for all: hashing 2,000 passwords would take minutes
    groups = {group.name: group for group in Group.objects.all()}
    users, memberships = {}, []
    for role, number in USERS_PER_ROLE.items():
        slug = role.split()[0].lower()
        made = _bulk(User, [
            User(username=f"load-{slug}-{n:04d}", first_name=slug.title(), last_name=f"{n:04d}", email=f"load-{slug}-{n:04d}@example.org",
                 password=password)
            for n in range(number)
        ])
        users[role] = made
        memberships += [User.groups.through(user_id=user.pk, group_id=groups[role].pk) for user in made]
    _bulk(User.groups.through, memberships)
    _bulk(Token, [Token(key=Token.generate_key(), user=user) for role_users in users.values() for user in role_users])
    counts["users"] = sum(len(v) for v in users.values())
    return users


# --- organisations and cycles ------------------------------------------------------------------

def _organisations(rng, counts):
    from core.models import Organisation, ServiceArea

    areas = _bulk(ServiceArea, [ServiceArea(name=name) for name in SERVICE_AREAS])
    hmps = Organisation.objects.create(name="HMPS (load)", sector="public", organisation_type="business_unit", is_crown_body=True)
    rows = [Organisation(name=f"HMP Load {n:03d}", sector="public", organisation_type="prison", is_crown_body=True, parent=hmps) for n in range(40)]
    rows += [Organisation(name=f"Probation Trust Load {n:02d}", sector="public", organisation_type="probation_trust") for n in range(35)]
    rows += [Organisation(name=f"Provider Load {n:03d} Ltd", sector="private", organisation_type="company") for n in range(300)]
    rows += [Organisation(name=f"Charity Load {n:03d}", sector="vcse", organisation_type="charity") for n in range(224)]
    made = _bulk(Organisation, rows)
    counts["organisations"] = len(made) + 1
    return {"hmps": hmps, "crown": [o for o in made if o.is_crown_body], "independent": [o for o in made if o.sector != "public"],
            "all": made}, areas


def _cycles(rng, users, counts):
    from cycle.models import CommissioningCycle, Stage

    stages = list(Stage.values)
    made = _bulk(CommissioningCycle, [
        CommissioningCycle(
            name=f"Load cycle {n:03d}", cycle_type=rng.choice(["strategic", "service_level", "co_commissioning", "joint"]),
            level=rng.choice(["national", "regional", "local"]), period_start=date(2024, 4, 1) + relativedelta(months=n % 24),
            period_end=date(2027, 3, 31) + relativedelta(months=n % 24), owner=rng.choice(users["Commissioner"]),
            available_resources=Decimal(rng.randrange(5, 200)) * 1_000_000, stage=rng.choice(stages),
        )
        for n in range(60)
    ])
    counts["cycles"] = len(made)


# --- competitions and their walls ------------------------------------------------------------------

def _competitions(rng, users, organisations, areas, counts):
    from django.contrib.auth.models import Permission

    from competitions.models import (
        Bid, BidDocument, BusinessCase, Clarification, Competition, CompetitionEvent, EvaluationCriterion, GatewayReview,
        ModeratedScore,
    )
    from core.events import EventKind
    from ethical_walls import models as walls
    from scenarios import drivers  # the transition that enters each state: the lifecycle's declaration

    commissioners, sros, procurement = users["Commissioner"], users["SRO"], users["MoJ Procurement"]
    gateway, bid_team = users["Gateway reviewer"], users["HMPS Business Development Group"]
    evaluators = commissioners + sros + procurement
    now = _now()

    states = [state for state, number in STATES.items() for _ in range(number)]
    rng.shuffle(states)
    competitions = []
    for n, state in enumerate(states):
        lead, sro = rng.choice(commissioners), rng.choice(sros)
        regime = rng.choice(["2011", "2023"])
        procedures = ["competitive_dialogue"] if regime == "2011" else ["competitive_flexible"]
        if state != "dialogue":
            procedures.append("restricted" if regime == "2011" else "open")
        competitions.append(Competition(
            reference=f"LOAD-{n:04d}", title=f"Load competition {n:04d}: {rng.choice(SERVICE_AREAS)}",
            service_area=rng.choice(areas), regime=regime, procedure=rng.choice(procedures), estimated_value=Decimal(rng.randrange(1, 400)) * 250_000,
            public_sector_bid_possible=rng.random() < 0.5, lead_commissioner=lead, sro=sro, ocid=f"ocds-load01-LOAD-{n:04d}",
            state="abandoned" if state.startswith("abandoned") else state, mandate="Mandate from the published competition strategy.",
            abandoned_reason="Requirement withdrawn." if state.startswith("abandoned") else "",
            bid_deadline=now - timedelta(days=30) if state in SCORED else now + timedelta(days=30),
        ))
    competitions = _bulk(Competition, competitions)
    launched = {}
    events = []
    for competition, state in zip(competitions, states):
        last = {"abandoned": "pre_procurement", "abandoned_launched": "tender"}.get(state, state)
        steps = [s for s in PATH[: PATH.index(last) + 1] if s != "dialogue" or competition.procedure in DIALOGUE_PROCEDURES]
        events.append(CompetitionEvent(competition=competition, actor=competition.lead_commissioner, action=EventKind.CREATED,
                                       description="Competition created"))
        for before, after in zip(steps, steps[1:]):
            events.append(CompetitionEvent(competition=competition, actor=competition.lead_commissioner, action=drivers.step_into(after),
                                           description=f"Moved to {after}", from_state=before, to_state=after))
        if state.startswith("abandoned"):
            events.append(CompetitionEvent(competition=competition, actor=competition.lead_commissioner, action=EventKind.ABANDON,
                                           description="Abandoned", from_state=last, to_state="abandoned", reason="Requirement withdrawn."))
        launched[competition.pk] = "pre_qualification" in steps
    _bulk(CompetitionEvent, events)
    Competition.objects.filter(pk__in=[pk for pk, was in launched.items() if was]).update(launched_at=now - timedelta(days=60))
    counts["competition events"] = len(events)

    criteria = _bulk(EvaluationCriterion, [
        EvaluationCriterion(competition=c, name=name, kind=kind, weight=Decimal(weight), published=launched[c.pk])
        for c in competitions
        for name, kind, weight in (("Quality of service", "quality", 40), ("Social value", "quality", 20),
                                   ("Delivery model", "quality", 10), ("Price", "price", 30))
    ])
    cases = _bulk(BusinessCase, [
        BusinessCase(competition=c, kind=kind, status="approved", summary="Outcomes, benefits and costs.",
                     approved_by=c.sro, approved_on=date(2025, 1, 15))
        for c in competitions for kind in ("outline", "full")
    ])
    reviews = _bulk(GatewayReview, [
        GatewayReview(competition=c, gate=gate, held_on=date(2025, 2, 1), review_team="Load reviewer", delivery_confidence="amber_green",
                      recorded_by=c.sro)
        for c in competitions for gate in (0, 2)
    ])
    bids, hmps_bids = [], []
    for c in competitions:
        if not launched[c.pk]:
            continue
        bidders = rng.sample(organisations["independent"], BIDS_PER_COMPETITION - (1 if c.public_sector_bid_possible else 0))
        if c.public_sector_bid_possible:
            bidders.append(organisations["hmps"])
        bids += [Bid(competition=c, bidder=o, stage="tender", pre_qualification="passed", tender_price=c.estimated_value * Decimal("0.95"),
                     submitted_at=now - timedelta(days=40)) for o in bidders]
    bids = _bulk(Bid, bids)
    hmps_bids = [b for b in bids if b.bidder_id == organisations["hmps"].pk]
    anyone = commissioners[0]
    documents = _bulk(BidDocument, [BidDocument(bid=b, title="Tender response", file="bids/load-tender.pdf", uploaded_by=anyone) for b in bids])
    criteria_of, bids_of = {}, {}
    for item in criteria:
        criteria_of.setdefault(item.competition_id, []).append(item)
    for item in bids:
        bids_of.setdefault(item.competition_id, []).append(item)
    state_of = {c.pk: s for c, s in zip(competitions, states)}
    scores = _bulk(ModeratedScore, [
        ModeratedScore(bid=b, criterion=criterion, score=rng.randrange(0, 5), notes="Moderated.", moderated_by=c.sro)
        for c in competitions if state_of[c.pk] in SCORED for b in bids_of.get(c.pk, []) for criterion in criteria_of[c.pk]
    ])
    clarifications = _bulk(Clarification, [
        Clarification(competition=c, asked_by=rng.choice(organisations["independent"]), question=f"Question {q}", logged_by=c.sro,
                      answer="Answer to all bidders.", answered_by=c.sro, commercially_sensitive=(q == 2),
                      published_at=now - timedelta(days=20))
        for c in competitions if launched[c.pk] for q in range(3)
    ])
    counts.update({"bids": len(bids), "evaluation criteria": len(criteria), "moderated scores": len(scores),
                   "business cases": len(cases), "gateway reviews": len(reviews), "clarifications": len(clarifications)})

    # The protected records of each competition, by permission model (ethical_walls.services._protected_records).
    protected = {}
    competition_of_bid = {b.pk: b.competition_id for b in bids}
    for model, perm_model, records in (
        (Competition, walls.CompetitionUserObjectPermission, competitions),
        (EvaluationCriterion, walls.CriterionUserObjectPermission, criteria),
        (BusinessCase, walls.BusinessCaseUserObjectPermission, cases),
        (GatewayReview, walls.GatewayReviewUserObjectPermission, reviews),
        (Bid, walls.BidUserObjectPermission, bids),
        (BidDocument, walls.BidDocumentUserObjectPermission, documents),
        (ModeratedScore, walls.ModeratedScoreUserObjectPermission, scores),
    ):
        permission = Permission.objects.get(content_type__app_label=model._meta.app_label, codename=f"view_{model._meta.model_name}")
        for record in records:
            competition_id = record.pk if model is Competition else getattr(record, "competition_id", None)
            if competition_id is None:
                competition_id = competition_of_bid[record.bid_id]
            protected.setdefault(competition_id, []).append((perm_model, permission.pk, record.pk))
    bid_permission = Permission.objects.get(content_type__app_label="competitions", codename="view_bid").pk
    document_permission = Permission.objects.get(content_type__app_label="competitions", codename="view_biddocument").pk
    document_of = {d.bid_id: d.pk for d in documents}

    walls_made = _bulk(walls.Wall, [walls.Wall(competition=c, established_on=date(2025, 1, 10) if c.public_sector_bid_possible else None,
                                                established_by=c.sro if c.public_sector_bid_possible else None,
                                                arrangements="Separate teams, premises and systems.")
                                    for c in competitions])
    wall_of = {w.competition_id: w for w in walls_made}

    # Commissioning side: lead commissioner, SRO, MoJ Procurement, three evaluators, two gateway reviewers.
    members, grants, taken = [], {}, {}
    joined = now - timedelta(days=200)

    def join_commissioning(c, user, role):
        taken.setdefault(c.pk, set()).add(user.pk)
        members.append(walls.Membership(wall=wall_of[c.pk], user=user, side="commissioning", role=role, joined_at=joined, added_by=c.lead_commissioner))
        for perm_model, permission_id, record_id in protected[c.pk]:
            grants.setdefault(perm_model, []).append((user.pk, permission_id, record_id))

    def join_bid(bid, user):
        taken.setdefault(bid.competition_id, set()).add(user.pk)
        members.append(walls.Membership(wall=wall_of[bid.competition_id], user=user, side="bid", role="bid_team", bid=bid,
                                        joined_at=joined, added_by=user))
        grants.setdefault(walls.BidUserObjectPermission, []).append((user.pk, bid_permission, bid.pk))
        grants.setdefault(walls.BidDocumentUserObjectPermission, []).append((user.pk, document_permission, document_of[bid.pk]))

    def someone(c, pool):
        while True:
            user = rng.choice(pool)
            if user.pk not in taken.get(c.pk, ()):
                return user

    for c in competitions:
        for user, role in ((c.lead_commissioner, "commissioner"), (c.sro, "sro")):
            join_commissioning(c, user, role)
        for role, pool, number in (("procurement", procurement, 1), ("evaluator", evaluators, 3), ("gateway_reviewer", gateway, 2)):
            for _ in range(number):
                join_commissioning(c, someone(c, pool), role)
    # Bid side: two HMPS bid-team members on each crown-body bid; they see their bid and its document.
    by_pk = {c.pk: c for c in competitions}
    for bid in hmps_bids:
        for _ in range(2):
            join_bid(bid, someone(by_pk[bid.competition_id], bid_team))
    # Up to the 200,000: a second MoJ Procurement officer on some walls, then a third bid-team member on some bids.
    total = sum(len(rows) for rows in grants.values())
    for c in rng.sample(competitions, len(competitions)):
        left = SIZES["object_permissions"] - total - len(protected[c.pk])
        # Records per wall are odd (9, 17 or 33): keep what is left even, for the bid-team top-up.
        if left >= 0 and (left % 2 == 0 or left > 100):
            join_commissioning(c, someone(c, procurement), "procurement")
            total += len(protected[c.pk])
    for bid in rng.sample(hmps_bids, len(hmps_bids)):
        if SIZES["object_permissions"] - total >= 2:
            join_bid(bid, someone(by_pk[bid.competition_id], bid_team))
            total += 2
    _bulk(walls.Membership, members)
    _bulk(walls.ConflictDeclaration, [
        walls.ConflictDeclaration(competition_id=m.wall.competition_id, user=m.user, nature="nil", declared_at=joined, assessment="not_needed")
        for m in members
    ])
    _bulk(walls.AuditEvent, [
        walls.AuditEvent(actor=m.added_by, action=action, channel="service", object_type="competitions.competition",
                         object_id=str(m.wall.competition_id), competition_id=m.wall.competition_id, subject=m.user, detail=detail)
        for m in members for action, detail in (("declare", "Declared: nil return"), ("grant", f"{m.user} joined the {m.side} side"))
    ])
    permissions = sum(copy_rows(perm_model, ["user", "permission", "content_object"], rows) for perm_model, rows in grants.items())
    counts.update({"walls": len(walls_made), "wall memberships": len(members), "conflict declarations": len(members),
                   "audit events": 2 * len(members), "object permissions": permissions})
    return competitions


# --- agreements, measures and returns -------------------------------------------------------------

def _agreements(rng, users, organisations, areas, competitions, counts):
    from contracts.models import (
        Agreement, AgreementVersion, BreakPoint, CohortResult, Measure, NoticeOfChange, RectificationNotice, Return, SupplyChainMember, notice_date,
    )
    from cycle.models import Outcome

    managers = users["Contract manager"]
    procurement = users["MoJ Procurement"]
    outcomes = list(Outcome.objects.filter(level="service").values_list("pk", flat=True)) or [None]
    let = [c for c in competitions if c.state in ("mobilisation", "live", "closed")]
    today = date.today()
    states = [state for state, number in AGREEMENT_STATES.items() for _ in range(number)]
    rng.shuffle(states)
    months = SIZES["months"]
    agreements = []
    for n, state in enumerate(states):
        competition = let[n] if n < len(let) else None
        crown = rng.random() < 0.1
        provider = rng.choice(organisations["crown"] if crown else organisations["independent"])
        # Started 12 months ago (one in twenty 13 or 14: their latest returns are overdue).
        start = today.replace(day=1) - relativedelta(months=months + rng.choices([0, 1, 2], weights=[95, 4, 1])[0])
        end = start + relativedelta(years=rng.choice([2, 3, 5])) - timedelta(days=1)
        if state == "expired":
            end = today - timedelta(days=rng.randrange(1, 60))
        agreements.append(Agreement(
            reference=f"LOAD-AG-{n:05d}", title=f"Load agreement {n:05d}", kind="sla" if crown else "contract", provider=provider,
            competition=competition, route="competition" if competition else rng.choice(["framework", "grant", "contract_change"]),
            service_area=competition.service_area if competition else rng.choice(areas), value=Decimal(rng.randrange(1, 200)) * 100_000,
            start_date=start, end_date=end, payment_model="pbr" if rng.random() < 0.1 else "fixed",
            share_at_risk=Decimal(10), contract_manager=rng.choice(managers), state=state,
            ended_on=today if state in ("expired", "terminated") else None,
        ))
    agreements = _bulk(Agreement, agreements)
    _bulk(AgreementVersion, [AgreementVersion(agreement=a, number=1, snapshot={"value": str(a.value)}) for a in agreements])
    breaks = [(a, a.start_date + relativedelta(months=rng.choice([15, 18, 24, 36]))) for a in agreements]
    _bulk(BreakPoint, [BreakPoint(agreement=a, on=on, notice_by=notice_date(on, 6)) for a, on in breaks])
    _bulk(SupplyChainMember, [
        SupplyChainMember(agreement=a, organisation=o, role=role, funding_share=Decimal(funding), risk_share=Decimal(risk))
        for a in agreements
        for o, role, funding, risk in zip(rng.sample(organisations["independent"], 2), ("prime", "sub_prime"),
                                          (70, 30), (60, 40 if rng.random() < 0.05 else 30))
        if o.pk != a.provider_id
    ])
    pbr = [a for a in agreements if a.payment_model == "pbr"]
    _bulk(CohortResult, [
        CohortResult(agreement=a, period_start=a.start_date + relativedelta(months=3 * q), cohort=cohort, difficulty=difficulty,
                     referrals=rng.randrange(50, 200), outcomes=rng.randrange(5, 50))
        for a in pbr for q in range(4) for cohort, difficulty in (("Lower need", "low"), ("Medium need", "medium"), ("Higher need", "high"))
    ])
    under = [a for a in agreements if a.state == "under_rectification"]
    _bulk(RectificationNotice, [
        RectificationNotice(agreement=a, failings="Persistent red measures.", issued_on=today - timedelta(days=20),
                            deadline=today + timedelta(days=rng.randrange(10, 90)), issued_by=rng.choice(procurement))
        for a in under
    ])
    _bulk(NoticeOfChange, [
        NoticeOfChange(agreement=a, number=1, summary="Extension of the term.", material=False, changes={"end_date": str(a.end_date)},
                       status="in_effect", issued_by=rng.choice(procurement))
        for a in rng.sample(agreements, 500)
    ])

    measures = _bulk(Measure, [
        Measure(agreement=a, outcome_id=rng.choice(outcomes), name=f"Measure {m + 1}", target=Decimal(90), tolerance=Decimal(5),
                weight=Decimal(rng.choice([1, 1, 2])), penalty_amber=Decimal(1000), penalty_red=Decimal(5000))
        for a in agreements for m in range(SIZES["measures_per_agreement"])
    ], batch_size=10000)
    start_of = {a.pk: a.start_date for a in agreements}
    # Against a target of 90 with tolerance 5: 92 and 95 are Green, 88 Amber, 80 Red. Most agreements perform,
    # some struggle (Amber), a few fail (Red).
    values = [[Decimal(92), Decimal(95)], [Decimal(88), Decimal(92), Decimal(95)], [Decimal(80), Decimal(88), Decimal(92)]]
    health = {a.pk: values[rng.choices([0, 1, 2], weights=[80, 15, 5])[0]] for a in agreements}
    submitter = managers[0].pk
    submitted = _now()

    def returns():
        for measure in measures:
            start, choices = start_of[measure.agreement_id], health[measure.agreement_id]
            for p in range(months):
                yield (measure.pk, start + relativedelta(months=p), rng.choice(choices), "", "", submitted, submitter,
                       Return.Status.VALIDATED, "", submitter, submitted)  # keyed in by the contract manager: validated as entered

    written = copy_rows(Return, ["measure", "period_start", "value", "evidence", "evidence_file", "submitted_at", "submitted_by",
                                 "status", "query_reason", "reviewed_by", "reviewed_at"], returns())
    counts.update({"agreements": len(agreements), "measures": len(measures), "returns": written, "rectification notices": len(under),
                   "notices of change": 500, "nightly evaluations": _last_night()})


# Last night's stored evaluation of every running agreement, as evaluations.tasks.nightly_evaluation leaves it: the RAG
# (worst latest measure rating), the red measures and the overdue returns, worked out here in SQL from the seeded
# returns; the criteria's findings are left empty and no PDF is rendered (bench/nightly_evaluation.py times those).
LAST_NIGHT = """
WITH measured AS (
    SELECT m.agreement_id, l.period_start,
           CASE WHEN l.value IS NULL THEN 0
                WHEN (CASE WHEN m.direction = 'higher' THEN m.target - l.value ELSE l.value - m.target END) > m.tolerance THEN 3
                WHEN (CASE WHEN m.direction = 'higher' THEN m.target - l.value ELSE l.value - m.target END) > 0 THEN 2
                ELSE 1 END AS rating,
           greatest(0, d.due - (SELECT count(*) FROM contracts_return r WHERE r.measure_id = m.id
                                AND r.period_start < a.start_date + d.due * f.months * interval '1 month')) AS overdue
    FROM contracts_measure m JOIN contracts_agreement a ON a.id = m.agreement_id
    LEFT JOIN LATERAL (SELECT r.value, r.period_start FROM contracts_return r WHERE r.measure_id = m.id ORDER BY r.period_start DESC LIMIT 1) l ON TRUE
    CROSS JOIN LATERAL (SELECT CASE m.frequency WHEN 'monthly' THEN 1 WHEN 'quarterly' THEN 3 ELSE 12 END AS months) f
    CROSS JOIN LATERAL (SELECT ((extract(year FROM age(current_date - 10, a.start_date)) * 12
                                + extract(month FROM age(current_date - 10, a.start_date)))::int / f.months) AS due) d
    WHERE a.state IN ('live', 'under_rectification')
)
INSERT INTO evaluations_evaluation (run_id, agreement_id, period_start, rag, penalties_period, penalties_year, red_measures, overdue_returns,
                                    compliance_issues, flags, detail, fingerprint, pdf, evaluated_at)
SELECT %s, agreement_id, max(period_start), CASE max(rating) WHEN 3 THEN 'red' WHEN 2 THEN 'amber' WHEN 1 THEN 'green' ELSE 'none' END,
       0, 0, count(*) FILTER (WHERE rating = 3), sum(overdue), 0, 0, '{"criteria": []}'::jsonb, md5(agreement_id::text), '', now()
FROM measured GROUP BY agreement_id
"""


def _last_night() -> int:
    from evaluations.models import EvaluationRun

    began = _now() - timedelta(hours=20)
    run = EvaluationRun.objects.create(on=date.today() - timedelta(days=1), status="completed", started_at=began,
                                       finished_at=began + timedelta(hours=1))
    with connection.cursor() as cursor:
        cursor.execute(LAST_NIGHT, [run.pk])
        written = cursor.rowcount
    from evaluations.selectors import run_figures

    EvaluationRun.objects.filter(pk=run.pk).update(total=written, figures=run_figures(run))  # kept as run_finish keeps them
    return written
