"""The SQL floor: for each endpoint and user, hand-written SQL through psycopg fetching the data the page shows.

What a page could cost if it did nothing but read its data, in as few round trips as a
person writing the SQL by hand would use: the first page (25 rows) with the columns the
page or serializer shows, the total count, and the related rows shown with them. The
ethical wall is applied as the selectors apply it (the user's direct object permissions,
launched competitions for the bid team); lists the bid team may not see at all are not
read (the application answers them without a query), so they have no floor. Each floor is
run `runs` times, one after another, on one connection; the times are of the whole set.
No Python objects, no templates, no serialisation: the gap to the page's time is the
framework's and the application's. The floor's session turns JIT compilation off (see floors()).
"""

import time

import psycopg

from endpoints import ENDPOINTS, EMPTY_FOR_BID_TEAM

RUNNING = ("live", "under_rectification")
LAUNCHED = ("pre_qualification", "dialogue", "tender", "bafo", "evaluation", "award_recommended", "standstill", "awarded",
            "mobilisation", "live", "closed", "abandoned")
PAGE = 25


def _permission_ids(cursor) -> dict:
    cursor.execute(
        "SELECT ct.model, p.id FROM auth_permission p JOIN django_content_type ct ON ct.id = p.content_type_id "
        "WHERE ct.app_label = 'competitions' AND p.codename = 'view_' || ct.model"
    )
    return dict(cursor.fetchall())


def _all(cursor, sql, params=None):
    cursor.execute(sql, params)
    return cursor.fetchall()


# The wall as SQL: the user's direct object permission on a record (ethical_walls.selectors.permitted).
def _permitted(table: str, alias: str, model: str) -> str:
    return (f"EXISTS (SELECT 1 FROM ethical_walls_{table}userobjectpermission p WHERE p.content_object_id = {alias}.id "
            f"AND p.user_id = %(user)s AND p.permission_id = %(perm_{model})s)")


def _visible_competition(role: str) -> str:
    """Oversight sees the portfolio; the bid team launched competitions and any it is on the commissioning side of."""
    if role != "bid_team":
        return "TRUE"
    return (
        f"((c.state IN {LAUNCHED} AND c.state <> 'abandoned') OR (c.state = 'abandoned' AND EXISTS (SELECT 1 FROM "
        f"competitions_competitionevent e WHERE e.competition_id = c.id AND e.to_state = 'pre_qualification')) OR "
        f"{_permitted('competition', 'c', 'competition')})"
    )


def competition_page(cursor, ctx, *, api: bool):
    where = _visible_competition(ctx["role"])
    _all(cursor, f"SELECT count(*) FROM competitions_competition c WHERE {where}", ctx)
    users = ", lc.first_name, lc.last_name, s.first_name, s.last_name" if api else ""
    joins = " JOIN core_user lc ON lc.id = c.lead_commissioner_id LEFT JOIN core_user s ON s.id = c.sro_id" if api else ""
    _all(cursor, f"SELECT c.id, c.reference, c.title, c.state, c.regime, c.procedure, c.estimated_value, c.ocid, sa.name, "
                 f"{_permitted('competition', 'c', 'competition')} AS confidential{users} "
                 f"FROM competitions_competition c JOIN core_servicearea sa ON sa.id = c.service_area_id{joins} "
                 f"WHERE {where} ORDER BY c.reference, c.id LIMIT {PAGE}", ctx)


def gateway_reviews(cursor, ctx):
    where = _permitted("gatewayreview", "g", "gatewayreview")
    _all(cursor, f"SELECT count(*) FROM competitions_gatewayreview g WHERE {where}", ctx)
    rows = _all(cursor, f"SELECT g.id, g.gate, g.held_on, g.delivery_confidence, g.summary, c.reference, u.first_name, u.last_name "
                        f"FROM competitions_gatewayreview g LEFT JOIN competitions_competition c ON c.id = g.competition_id "
                        f"JOIN core_user u ON u.id = g.recorded_by_id WHERE {where} ORDER BY g.held_on, g.id LIMIT {PAGE}", ctx)
    _all(cursor, "SELECT id, review_id, text, urgency, status FROM competitions_recommendation WHERE review_id = ANY(%s)", ([r[0] for r in rows],))


def bids(cursor, ctx):
    where = _permitted("bid", "b", "bid")
    _all(cursor, f"SELECT count(*) FROM competitions_bid b WHERE {where}", ctx)
    rows = _all(cursor, f"SELECT b.id, b.stage, b.pre_qualification, b.tender_price, b.bafo_price, b.submitted_at, o.name, c.reference, c.bid_deadline "
                        f"FROM competitions_bid b JOIN core_organisation o ON o.id = b.bidder_id JOIN competitions_competition c ON c.id = b.competition_id "
                        f"WHERE {where} ORDER BY c.reference, o.name LIMIT {PAGE}", ctx)
    _all(cursor, "SELECT bp.bid_id, o.name, bp.role, bp.funding_share, bp.risk_share FROM competitions_bidparticipant bp "
                 "JOIN core_organisation o ON o.id = bp.organisation_id WHERE bp.bid_id = ANY(%s)", ([r[0] for r in rows],))


def clarifications(cursor, ctx):
    where = (f"((k.published_at IS NOT NULL AND NOT k.commercially_sensitive AND c.state IN {LAUNCHED}) "
             f"OR {_permitted('competition', 'c', 'competition')})")
    _all(cursor, f"SELECT count(*) FROM competitions_clarification k JOIN competitions_competition c ON c.id = k.competition_id WHERE {where}", ctx)
    _all(cursor, f"SELECT k.id, k.question, k.answer, k.published_at, k.commercially_sensitive, c.reference, o.name "
                 f"FROM competitions_clarification k JOIN competitions_competition c ON c.id = k.competition_id "
                 f"JOIN core_organisation o ON o.id = k.asked_by_id WHERE {where} ORDER BY k.logged_at, k.id LIMIT {PAGE}", ctx)


# An agreement's RAG: the worst of its measures' latest ratings (contracts.selectors._overall_rag), for the agreements in `ids`.
RAG_OF = """
    SELECT m.agreement_id,
           CASE max(CASE WHEN l.value IS NULL THEN 0
                         WHEN (CASE WHEN m.direction = 'higher' THEN m.target - l.value ELSE l.value - m.target END) > m.tolerance THEN 3
                         WHEN (CASE WHEN m.direction = 'higher' THEN m.target - l.value ELSE l.value - m.target END) > 0 THEN 2
                         ELSE 1 END)
           WHEN 3 THEN 'red' WHEN 2 THEN 'amber' WHEN 1 THEN 'green' ELSE 'none' END
    FROM contracts_measure m
    LEFT JOIN LATERAL (SELECT r.value FROM contracts_return r WHERE r.measure_id = m.id ORDER BY r.period_start DESC LIMIT 1) l ON TRUE
    WHERE m.agreement_id = ANY(%s) GROUP BY m.agreement_id
"""


def agreement_list(cursor, ctx):
    _all(cursor, "SELECT count(*) FROM contracts_agreement")
    rows = _all(cursor, f"SELECT a.id, a.reference, a.title, a.kind, a.value, a.start_date, a.end_date, a.state, a.version, p.name, sa.name, "
                        f"u.first_name, u.last_name FROM contracts_agreement a JOIN core_organisation p ON p.id = a.provider_id "
                        f"JOIN core_servicearea sa ON sa.id = a.service_area_id LEFT JOIN core_user u ON u.id = a.contract_manager_id "
                        f"ORDER BY a.reference, a.id LIMIT {PAGE}")
    _all(cursor, RAG_OF, ([r[0] for r in rows],))
    return rows


def measures(cursor, ctx):
    _all(cursor, "SELECT count(*) FROM contracts_measure")
    rows = _all(cursor, f"SELECT m.id, m.agreement_id, m.name, m.unit, m.target, m.tolerance, m.direction, m.frequency, m.weight, "
                        f"m.penalty_amber, m.penalty_red, m.is_kpi, o.title, a.start_date, a.state FROM contracts_measure m "
                        f"JOIN contracts_agreement a ON a.id = m.agreement_id LEFT JOIN cycle_outcome o ON o.id = m.outcome_id "
                        f"ORDER BY m.agreement_id, m.id LIMIT {PAGE}")
    # Every return of those measures: the latest rating and the overdue periods come from them.
    _all(cursor, "SELECT measure_id, period_start, value FROM contracts_return WHERE measure_id = ANY(%s)", ([r[0] for r in rows],))


def returns(cursor, ctx):
    _all(cursor, "SELECT count(*) FROM contracts_return")
    _all(cursor, f"SELECT r.id, r.measure_id, m.agreement_id, r.period_start, r.value, r.evidence, r.evidence_file, r.submitted_at, "
                 f"m.target, m.tolerance, m.direction, u.first_name, u.last_name FROM contracts_return r "
                 f"JOIN contracts_measure m ON m.id = r.measure_id "
                 f"JOIN core_user u ON u.id = r.submitted_by_id ORDER BY r.measure_id, r.period_start LIMIT {PAGE}")


def notices_of_change(cursor, ctx):
    _all(cursor, "SELECT count(*) FROM contracts_noticeofchange")
    _all(cursor, f"SELECT n.id, n.number, n.summary, n.material, n.changes, n.status, n.issued_at, a.reference, i.first_name, i.last_name, "
                 f"v.number FROM contracts_noticeofchange n JOIN contracts_agreement a ON a.id = n.agreement_id "
                 f"JOIN core_user i ON i.id = n.issued_by_id LEFT JOIN contracts_agreementversion v ON v.notice_of_change_id = n.id "
                 f"ORDER BY a.reference, n.number LIMIT {PAGE}")


def rectification_notices(cursor, ctx):
    _all(cursor, "SELECT count(*) FROM contracts_rectificationnotice")
    _all(cursor, f"SELECT n.id, n.failings, n.issued_on, n.deadline, n.status, a.reference, u.first_name, u.last_name "
                 f"FROM contracts_rectificationnotice n JOIN contracts_agreement a ON a.id = n.agreement_id "
                 f"JOIN core_user u ON u.id = n.issued_by_id ORDER BY n.issued_on DESC, n.id DESC LIMIT {PAGE}")


def conflict_declarations(cursor, ctx):
    # Their own, and those on competitions they are SRO of (each side by its index, not one OR over every declaration).
    where = "TRUE" if ctx["role"] == "oversight" else (
        f"d.id IN (SELECT id FROM ethical_walls_conflictdeclaration WHERE user_id = %(user)s UNION SELECT s.id FROM "
        f"ethical_walls_conflictdeclaration s JOIN competitions_competition c2 ON c2.id = s.competition_id WHERE c2.sro_id = %(user)s "
        f"AND {_permitted('competition', 'c2', 'competition')})")
    _all(cursor, f"SELECT count(*) FROM ethical_walls_conflictdeclaration d JOIN competitions_competition c ON c.id = d.competition_id WHERE {where}", ctx)
    _all(cursor, f"SELECT d.id, d.nature, d.details, d.declared_at, d.assessment, d.conditions, d.assessed_at, c.reference, u.first_name, "
                 f"u.last_name, x.first_name, x.last_name FROM ethical_walls_conflictdeclaration d "
                 f"JOIN competitions_competition c ON c.id = d.competition_id JOIN core_user u ON u.id = d.user_id "
                 f"LEFT JOIN core_user x ON x.id = d.assessed_by_id WHERE {where} ORDER BY c.reference, d.declared_at LIMIT {PAGE}", ctx)


def audit_events(cursor, ctx):
    _all(cursor, "SELECT count(*) FROM ethical_walls_auditevent")
    _all(cursor, f"SELECT e.id, e.at, e.action, e.channel, e.object_type, e.object_id, e.competition_id, e.detail, e.path, "
                 f"a.username, s.username FROM ethical_walls_auditevent e LEFT JOIN core_user a ON a.id = e.actor_id "
                 f"LEFT JOIN core_user s ON s.id = e.subject_id ORDER BY e.at DESC, e.id DESC LIMIT {PAGE}")


def organisations(cursor, ctx):
    _all(cursor, "SELECT count(*) FROM core_organisation")
    _all(cursor, f"SELECT o.id, o.name, o.sector, o.organisation_type, o.is_crown_body, o.parent_id, o.region "
                 f"FROM core_organisation o ORDER BY o.name LIMIT {PAGE}")


def cycles(cursor, ctx):
    _all(cursor, "SELECT count(*) FROM cycle_commissioningcycle")
    rows = _all(cursor, f"SELECT y.id, y.name, y.cycle_type, y.level, y.area, y.period_start, y.period_end, y.available_resources, y.stage, "
                        f"y.version, u.first_name, u.last_name, "
                        f"(SELECT count(*) FROM cycle_priority p WHERE p.cycle_id = y.id), "
                        f"(SELECT count(*) FROM cycle_servicespecification s WHERE s.cycle_id = y.id), "
                        f"(SELECT coalesce(sum(p.cost), 0) FROM cycle_priority p WHERE p.cycle_id = y.id AND p.funded) "
                        f"FROM cycle_commissioningcycle y JOIN core_user u ON u.id = y.owner_id ORDER BY y.period_start DESC, y.name LIMIT {PAGE}")
    _all(cursor, "SELECT p.cycle_id, o.name, p.arrangement, p.contribution FROM cycle_partner p JOIN core_organisation o ON o.id = p.organisation_id "
                 "WHERE p.cycle_id = ANY(%s)", ([r[0] for r in rows],))


def outcomes(cursor, ctx):
    _all(cursor, "SELECT count(*) FROM cycle_outcome")
    _all(cursor, f"SELECT id, level, title, theme, parent_id FROM cycle_outcome ORDER BY id LIMIT {PAGE}")


def ocds_releases(cursor, ctx):
    where = "c.state = ANY(%(launched)s) AND EXISTS (SELECT 1 FROM competitions_competitionevent e WHERE e.competition_id = c.id AND e.action = 'launch')"
    params = {**ctx, "launched": list(LAUNCHED)}
    _all(cursor, f"SELECT count(*) FROM competitions_competition c WHERE {where}", params)
    rows = _all(cursor, f"SELECT c.id, c.ocid, c.reference, c.title, c.description, c.regime, c.procedure, c.award_basis, c.estimated_value, "
                        f"c.state, c.bid_deadline, sa.name, a.reference, a.value, a.start_date, a.end_date, a.state, p.name "
                        f"FROM competitions_competition c JOIN core_servicearea sa ON sa.id = c.service_area_id "
                        f"LEFT JOIN contracts_agreement a ON a.competition_id = c.id LEFT JOIN core_organisation p ON p.id = a.provider_id "
                        f"WHERE {where} ORDER BY c.reference, c.id LIMIT {PAGE}", params)
    ids = ([r[0] for r in rows],)
    _all(cursor, "SELECT competition_id, name, kind, weight FROM competitions_evaluationcriterion WHERE published AND competition_id = ANY(%s)", ids)
    _all(cursor, "SELECT competition_id, id, question, answer, published_at FROM competitions_clarification "
                 "WHERE published_at IS NOT NULL AND NOT commercially_sensitive AND competition_id = ANY(%s)", ids)
    _all(cursor, "SELECT competition_id, notice_type, version, published_at, content FROM competitions_notice WHERE competition_id = ANY(%s)", ids)
    _all(cursor, "SELECT competition_id, action, to_state, at FROM competitions_competitionevent WHERE to_state <> '' AND competition_id = ANY(%s)", ids)


# The periods due by today (ended, and the 10 days' grace passed): whole months from the start to 10 days ago, per period.
OVERDUE = """
    WITH due AS MATERIALIZED (
        SELECT a.id AS agreement_id, a.reference, a.provider_id, a.start_date, m.id AS measure_id, m.name, f.months, d.due,
               (a.start_date + d.due * f.months * interval '1 month')::date AS due_end
        FROM contracts_agreement a JOIN contracts_measure m ON m.agreement_id = a.id
        CROSS JOIN LATERAL (SELECT CASE m.frequency WHEN 'monthly' THEN 1 WHEN 'quarterly' THEN 3 ELSE 12 END AS months) f
        CROSS JOIN LATERAL (SELECT ((extract(year FROM age(current_date - 10, a.start_date)) * 12
                                    + extract(month FROM age(current_date - 10, a.start_date)))::int / f.months) AS due) d
        WHERE a.state = ANY(%(running)s) AND a.start_date IS NOT NULL),
    received AS (
        SELECT r.measure_id, count(*) AS n FROM contracts_return r JOIN due d ON d.measure_id = r.measure_id AND r.period_start < d.due_end
        GROUP BY r.measure_id)
    SELECT s.agreement_id, s.reference, p.name, s.measure_id, s.name,
           ARRAY(SELECT period::date FROM generate_series(s.start_date, s.due_end - interval '1 day', s.months * interval '1 month') AS period
                 WHERE NOT EXISTS (SELECT 1 FROM contracts_return r WHERE r.measure_id = s.measure_id AND r.period_start = period::date)
                 ORDER BY 1)
    FROM due s JOIN core_organisation p ON p.id = s.provider_id LEFT JOIN received x ON x.measure_id = s.measure_id
    WHERE coalesce(x.n, 0) < s.due ORDER BY s.reference, s.measure_id
"""


def _dashboard_rest(cursor, running):
    """What the dashboard shows besides RAG and overdue returns: rectification deadlines, expiries, break points, stewardship."""
    _all(cursor, "SELECT n.id, n.deadline, a.reference, p.name FROM contracts_rectificationnotice n JOIN contracts_agreement a ON a.id = n.agreement_id "
                 "JOIN core_organisation p ON p.id = a.provider_id WHERE n.status = 'open' ORDER BY n.deadline, n.id")
    _all(cursor, "SELECT a.id, a.reference, a.end_date, p.name FROM contracts_agreement a JOIN core_organisation p ON p.id = a.provider_id "
                 "WHERE a.state = ANY(%(running)s) AND a.end_date <= current_date + interval '6 months' ORDER BY a.end_date, a.reference", running)
    _all(cursor, "SELECT b.id, b.on, b.notice_months, a.reference, p.name FROM contracts_breakpoint b JOIN contracts_agreement a ON a.id = b.agreement_id "
                 "JOIN core_organisation p ON p.id = a.provider_id WHERE a.state <> ALL(ARRAY['terminated', 'expired', 'decommissioned']) "
                 "AND b.on BETWEEN current_date AND current_date + interval '6 months' ORDER BY b.on, b.id")
    _all(cursor, "SELECT s.agreement_id, o.name, s.risk_share, s.funding_share FROM contracts_supplychainmember s "
                 "JOIN contracts_agreement a ON a.id = s.agreement_id JOIN core_organisation o ON o.id = s.organisation_id "
                 "WHERE a.state = ANY(%(running)s) AND s.role IN ('sub_prime', 'member') AND s.risk_share > s.funding_share", running)
    _all(cursor, "SELECT c.agreement_id, c.cohort, c.difficulty, sum(c.referrals), sum(c.outcomes) FROM contracts_cohortresult c "
                 "JOIN contracts_agreement a ON a.id = c.agreement_id WHERE a.state = ANY(%(running)s) GROUP BY c.agreement_id, c.cohort, c.difficulty", running)


def dashboard_live(cursor, ctx):
    """The dashboard as it was first built: RAG and overdue returns worked out from every return on each request."""
    running = {"running": list(RUNNING)}
    # Portfolio RAG: each running agreement's worst latest rating, counted.
    _all(cursor, """
        WITH rated AS (
            SELECT a.id, max(CASE WHEN l.value IS NULL THEN 0
                                  WHEN (CASE WHEN m.direction = 'higher' THEN m.target - l.value ELSE l.value - m.target END) > m.tolerance THEN 3
                                  WHEN (CASE WHEN m.direction = 'higher' THEN m.target - l.value ELSE l.value - m.target END) > 0 THEN 2
                                  ELSE 1 END) AS worst
            FROM contracts_agreement a LEFT JOIN contracts_measure m ON m.agreement_id = a.id
            LEFT JOIN LATERAL (SELECT r.value FROM contracts_return r WHERE r.measure_id = m.id ORDER BY r.period_start DESC LIMIT 1) l ON TRUE
            WHERE a.state = ANY(%(running)s) GROUP BY a.id)
        SELECT worst, count(*) FROM rated GROUP BY worst""", running)
    # Overdue returns: periods ended more than 10 days ago with no return, by agreement and measure (only the
    # measures with fewer returns than periods due are expanded period by period).
    _all(cursor, OVERDUE, running)
    _dashboard_rest(cursor, running)
    agreement_list(cursor, ctx)


def agreement_page(cursor, ctx):
    """One agreement's page: terms, measures with every return, supply chain, notices, versions, timeline, evaluations."""
    agreement = {"id": ctx["agreement"]}
    _all(cursor, "SELECT a.*, p.name, sa.name, u.first_name, u.last_name, c.reference, c.regime, lc.first_name, lc.last_name "
                 "FROM contracts_agreement a JOIN core_organisation p ON p.id = a.provider_id JOIN core_servicearea sa ON sa.id = a.service_area_id "
                 "LEFT JOIN core_user u ON u.id = a.contract_manager_id LEFT JOIN competitions_competition c ON c.id = a.competition_id "
                 "LEFT JOIN core_user lc ON lc.id = c.lead_commissioner_id WHERE a.id = %(id)s", agreement)
    _all(cursor, "SELECT m.*, o.title, r.period_start, r.value, r.evidence, r.evidence_file, r.submitted_at, s.first_name, s.last_name "
                 "FROM contracts_measure m LEFT JOIN cycle_outcome o ON o.id = m.outcome_id LEFT JOIN contracts_return r ON r.measure_id = m.id "
                 "LEFT JOIN core_user s ON s.id = r.submitted_by_id WHERE m.agreement_id = %(id)s ORDER BY m.id, r.period_start", agreement)
    for sql in (
        "SELECT * FROM contracts_breakpoint WHERE agreement_id = %(id)s ORDER BY \"on\"",
        "SELECT s.*, o.name FROM contracts_supplychainmember s JOIN core_organisation o ON o.id = s.organisation_id WHERE s.agreement_id = %(id)s",
        "SELECT * FROM contracts_cohortresult WHERE agreement_id = %(id)s",
        "SELECT * FROM contracts_feedback WHERE agreement_id = %(id)s ORDER BY received_on DESC, id DESC",
        "SELECT * FROM contracts_equalityresult WHERE agreement_id = %(id)s",
        "SELECT * FROM contracts_remedialactionplan WHERE agreement_id = %(id)s ORDER BY agreed_on DESC, id DESC",
        "SELECT * FROM contracts_rectificationnotice WHERE agreement_id = %(id)s ORDER BY issued_on DESC, id DESC",
        "SELECT n.*, v.number FROM contracts_noticeofchange n LEFT JOIN contracts_agreementversion v ON v.notice_of_change_id = n.id "
        "WHERE n.agreement_id = %(id)s ORDER BY n.number",
        "SELECT * FROM contracts_agreementversion WHERE agreement_id = %(id)s ORDER BY number",
        "SELECT e.*, u.first_name, u.last_name FROM contracts_agreementevent e LEFT JOIN core_user u ON u.id = e.actor_id "
        "WHERE e.agreement_id = %(id)s ORDER BY e.at, e.id",
        "SELECT e.*, r.on FROM evaluations_evaluation e JOIN evaluations_evaluationrun r ON r.id = e.run_id WHERE e.agreement_id = %(id)s "
        "ORDER BY r.on DESC LIMIT 10",
    ):
        _all(cursor, sql, agreement)


def dashboard(cursor, ctx):
    """The contract managers' dashboard (contracts.selectors.dashboard): RAG, overdue returns and stewardship from last night's
    stored evaluations, the rest as it is now; and the list below it, each row's RAG from its latest returns."""
    running = {"running": list(RUNNING)}
    run = _all(cursor, "SELECT id FROM evaluations_evaluationrun WHERE status <> 'running' ORDER BY \"on\" DESC LIMIT 1")[0][0]
    _all(cursor, "SELECT rag, count(*) FROM evaluations_evaluation WHERE run_id = %s GROUP BY rag", (run,))
    _all(cursor, "SELECT count(*) FROM evaluations_evaluation WHERE run_id = %s AND overdue_returns > 0", (run,))
    _all(cursor, "SELECT e.agreement_id, e.rag, a.reference, p.name, e.overdue_returns FROM evaluations_evaluation e "
                 "JOIN contracts_agreement a ON a.id = e.agreement_id JOIN core_organisation p ON p.id = a.provider_id "
                 "WHERE e.run_id = %s AND e.overdue_returns > 0 ORDER BY e.overdue_returns DESC, a.reference LIMIT 20", (run,))
    _all(cursor, "SELECT e.agreement_id, a.reference, p.name, e.detail -> 'stewardship' FROM evaluations_evaluation e "
                 "JOIN contracts_agreement a ON a.id = e.agreement_id JOIN core_organisation p ON p.id = a.provider_id "
                 "WHERE e.run_id = %s AND e.flags > 0 ORDER BY a.reference", (run,))
    _dashboard_rest(cursor, running)
    agreement_list(cursor, ctx)


def returns_by_cursor(cursor, ctx):
    """Proposal: the returns list without its total (cursor pagination), the next page found from the last row."""
    _all(cursor, f"SELECT r.id, r.measure_id, m.agreement_id, r.period_start, r.value, r.evidence, r.evidence_file, r.submitted_at, "
                 f"m.target, m.tolerance, m.direction, u.first_name, u.last_name FROM contracts_return r "
                 f"JOIN contracts_measure m ON m.id = r.measure_id JOIN core_user u ON u.id = r.submitted_by_id "
                 f"ORDER BY r.measure_id, r.period_start LIMIT {PAGE + 1}")


# Floors of the fixes proposed in the results (bench/load/README.md), beside the floors of the pages as they are; and
# of what a page did before a fix, for comparison.
PROPOSALS = {
    ("/contracts/", "before: rated from every return on each request"): dashboard_live,
    ("/api/v1/returns/", "cursor pagination: no total count"): returns_by_cursor,
}

FLOORS = {
    "/contracts/": dashboard,
    "/contracts/<id>/": agreement_page,
    "/competitions/": lambda cursor, ctx: competition_page(cursor, ctx, api=False),
    "/api/v1/organisations/": organisations,
    "/api/v1/cycles/": cycles,
    "/api/v1/outcomes/": outcomes,
    "/api/v1/competitions/": lambda cursor, ctx: competition_page(cursor, ctx, api=True),
    "/api/v1/gateway-reviews/": gateway_reviews,
    "/api/v1/bids/": bids,
    "/api/v1/clarifications/": clarifications,
    "/api/v1/agreements/": agreement_list,
    "/api/v1/measures/": measures,
    "/api/v1/returns/": returns,
    "/api/v1/notices-of-change/": notices_of_change,
    "/api/v1/rectification-notices/": rectification_notices,
    "/api/v1/conflict-declarations/": conflict_declarations,
    "/api/v1/audit-events/": audit_events,
    "/api/v1/ocds/releases/": ocds_releases,
}


# Each kind's full-text match, ranked, ten at most: the GIN indexes' work (the apps' search migrations), the wall's
# filters left out — a floor below what any user's search can cost.
SEARCH_KINDS = [
    ("competitions_competition", "COALESCE(reference, '') || ' ' || COALESCE(title, '') || ' ' || COALESCE(description, '')"),
    ("competitions_clarification", "COALESCE(question, '') || ' ' || COALESCE(answer, '')"),
    ("competitions_biddocument", "COALESCE(title, '')"),
    ("cycle_commissioningcycle", "COALESCE(name, '') || ' ' || COALESCE(area, '')"),
    ("contracts_agreement", "COALESCE(reference, '') || ' ' || COALESCE(title, '')"),
    ("core_organisation", "COALESCE(name, '')"),
]


def search(cursor, ctx):
    for table, document in SEARCH_KINDS:
        _all(cursor, f"SELECT id, ts_rank(to_tsvector('english'::regconfig, {document}), q) AS rank "  # nosec B608: constants above
                     f"FROM {table}, websearch_to_tsquery('english'::regconfig, %s) q "
                     f"WHERE to_tsvector('english'::regconfig, {document}) @@ q ORDER BY rank DESC, id LIMIT 10", ["prison resettlement"])


FLOORS.update({"/search/?q=prison%20resettlement": search, "/api/v1/search/?q=prison%20resettlement": search})


def floors(fixture: dict, *, dsn: str, runs: int = 50) -> dict:
    """{(endpoint, role): [milliseconds per run]} for every endpoint and role the load test asks for."""
    times = {}
    with psycopg.connect(dsn, autocommit=True) as connection, connection.cursor() as cursor:
        # Hand-tuned: no JIT compilation, which PostgreSQL otherwise spends seconds on for the big estimates of the
        # dashboard's statements (the server's setting is left alone for the application).
        cursor.execute("SET jit = off")
        permissions = {f"perm_{model}": pk for model, pk in _permission_ids(cursor).items()}
        for endpoint, roles in ENDPOINTS:
            for role in roles:
                if (role == "bid_team" and endpoint in EMPTY_FOR_BID_TEAM) or endpoint not in FLOORS:
                    continue  # answered without reading anything, or no hand-written floor (the home page's inbox)
                ctx = {"role": role, "user": fixture["users"][role][0]["id"], "agreement": fixture["agreements"][0], **permissions}
                FLOORS[endpoint](cursor, ctx)  # once untimed: plans cached, pages in memory, as for the warmed-up server
                times[(endpoint, role)] = _timed(FLOORS[endpoint], cursor, ctx, runs)
        for (endpoint, proposal), floor in PROPOSALS.items():
            ctx = {"role": "contract_manager", "user": fixture["users"]["contract_manager"][0]["id"], **permissions}
            floor(cursor, ctx)
            times[(endpoint, f"proposal: {proposal}")] = _timed(floor, cursor, ctx, runs)
    return times


def _timed(floor, cursor, ctx, runs: int, budget_s: float = 20.0) -> list[float]:
    """`runs` timings of the floor, fewer (at least 5) where they would take longer than `budget_s` in all."""
    measured, started = [], time.perf_counter()
    while len(measured) < runs and (len(measured) < 5 or time.perf_counter() - started < budget_s):
        began = time.perf_counter()
        floor(cursor, ctx)
        measured.append((time.perf_counter() - began) * 1000)
    return measured
