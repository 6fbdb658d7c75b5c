"""Each person's inbox (issue #19): decisions and deadlines derived from the records, through the wall, in fixed queries."""

import datetime
import html
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from competitions import services
from competitions.models import Bid, State
from contracts import performance
from contracts import services as contract_services
from core.inbox import inbox_for
from core.models import Organisation
from core.roles import Role
from ethical_walls import services as wall_services
from tests.contracts.test_pages import add_measure, go_live, make_agreement, months_ago
from tests.core.factories import UserFactory

pytestmark = pytest.mark.django_db


def titles(user, *, deadlines=False):
    inbox = inbox_for(user)
    return [t.title for t in (inbox.deadlines if deadlines else inbox.decisions)]


def test_the_sro_is_asked_to_assess_a_declared_conflict_until_it_is_assessed(journey, client):
    journey.satisfy("sro")
    evaluator = UserFactory(roles=[Role.COMMISSIONER], first_name="Rebecca", last_name="Holt")
    declaration = wall_services.conflict_declare(competition=journey.refresh(), actor=evaluator, nature="conflict",
                                                 details="My husband works for Serco.")
    expected = f"Assess Rebecca Holt's declared conflict on {journey.competition.reference}"
    assert expected in titles(journey.sro)
    assert expected not in titles(journey.commissioner)  # the SRO assesses, nobody else
    client.force_login(journey.sro)
    home = html.unescape(client.get("/").content.decode())
    assert expected in home and f"/walls/declarations/{declaration.pk}/assess/" in home
    assert f'<span class="app-count">{inbox_for(journey.sro).count}<span class="govuk-visually-hidden"> waiting for you' in home  # the navigation counts it
    wall_services.conflict_assess(declaration=declaration, actor=journey.sro, outcome="mitigated", conditions="Does not score Serco.")
    assert expected not in titles(journey.sro)


def test_procurement_answers_questions_opens_the_box_and_sees_its_deadlines(journey):
    journey.advance_to(State.TENDER)
    reference = journey.competition.reference
    services.clarification_log(competition=journey.refresh(), actor=journey.procurement, asked_by=journey.private_bidder, question="TUPE?")
    assert f"Answer 1 question from bidders on {reference}" in titles(journey.procurement)
    deadlines = titles(journey.procurement, deadlines=True)
    assert not any(reference in d for d in deadlines)  # the deadline is 80 days away: beyond the horizon
    journey.update(bid_deadline=timezone.now() + datetime.timedelta(days=60))
    journey.travel_to(timezone.localdate() + datetime.timedelta(days=40))
    assert any(d.startswith(f"Tenders close on {reference}") for d in titles(journey.procurement, deadlines=True))
    # A competition this officer is not on puts nothing in their inbox.
    stranger = UserFactory(roles=[Role.PROCUREMENT])
    assert inbox_for(stranger).count == 0
    # After the deadline, a sealed tender makes the box a task for each procurement officer, then for the second one.
    serco = UserFactory(roles=[Role.BID_MANAGER], organisation=journey.private_bidder)
    from django.core.files.uploadedfile import SimpleUploadedFile
    services.tender_seal(competition=journey.refresh(), actor=serco, price="1", documents=[SimpleUploadedFile("t.txt", b"tender")])
    journey.travel_to(timezone.localdate(journey.refresh().bid_deadline) + datetime.timedelta(days=1))
    assert f"Open the tender box of {reference} (one of two procurement officers)" in titles(journey.procurement)
    services.tender_box_open(competition=journey.refresh(), actor=journey.procurement, round="tender")
    assert not any("tender box" in t for t in titles(journey.procurement))  # the other officer completes it
    second = UserFactory(roles=[Role.PROCUREMENT])
    journey.join(second, "procurement")
    assert any(t.startswith(f"Complete the opening of {reference}'s tender box") for t in titles(second))


def test_a_contract_manager_validates_returns_and_a_provider_is_told_what_is_due_and_queried():
    people = {"procurement": UserFactory(roles=[Role.PROCUREMENT]), "manager": UserFactory(roles=[Role.CONTRACT_MANAGER])}
    agreement = make_agreement(people, reference="FW-2026-031", provider="Nacro", start=months_ago(3))
    measure = add_measure(agreement, people, name="Accommodation on release")
    go_live(agreement, people)
    lead = UserFactory(roles=[Role.CONTRACT_LEAD], organisation=Organisation.objects.get(name="Nacro"))
    awaited = performance.awaited(measure, agreement.start_date, timezone.localdate())
    due = [t for t in inbox_for(lead).deadlines if t.title.startswith("Return for Accommodation on release")]
    assert len(due) == len(awaited) and all(t.url == f"/contracts/provider/{agreement.pk}/returns/" for t in due)
    item = contract_services.return_submit(measure=measure, actor=lead, period_start=awaited[0], value=Decimal("91"))
    assert "Validate 1 return from Nacro on FW-2026-031" in titles(people["manager"])
    assert inbox_for(UserFactory(roles=[Role.BID_TEAM])).count == 0  # agreements never reach the bid side
    contract_services.return_query(item=item, actor=people["manager"], reason="The figure excludes the Welsh sites.")
    assert any(t.startswith("Correct your return for Accommodation on release") for t in titles(lead))
    assert "Validate 1 return from Nacro on FW-2026-031" not in titles(people["manager"])
    other_lead = UserFactory(roles=[Role.CONTRACT_LEAD], organisation=Organisation.objects.create(name="Catch22", sector="vcse", organisation_type="charity"))
    assert inbox_for(other_lead).count == 0  # another provider's agreement is not theirs


def test_a_bidder_is_asked_for_its_answers_and_told_its_deadlines_and_nothing_of_others(journey):
    services.participation_question_add(competition=journey.refresh(), actor=journey.procurement, question="Your experience?")
    journey.advance_to(State.PRE_QUALIFICATION)
    alpha = UserFactory(roles=[Role.BID_MANAGER], organisation=Organisation.objects.create(name="Alpha Ltd", sector="private", organisation_type="company"))
    services.bid_express_interest(competition=journey.refresh(), actor=alpha)
    reference = journey.competition.reference
    assert f"Answer the conditions of participation for {reference}" in titles(alpha)
    assert not any(reference in t for t in titles(alpha, deadlines=True))  # requests close in 36 days: beyond the horizon
    journey.travel_to(timezone.localdate() + datetime.timedelta(days=10))
    assert any(t.startswith(f"Requests to participate close on {reference}") for t in titles(alpha, deadlines=True))
    beta = UserFactory(roles=[Role.BID_MANAGER], organisation=Organisation.objects.create(name="Beta Ltd", sector="private", organisation_type="company"))
    assert inbox_for(beta).count == 0
    question = journey.competition.participation_questions.get()
    services.participation_answers_submit(competition=journey.refresh(), actor=alpha, answers={question.pk: "Ten years."})
    assert f"Answer the conditions of participation for {reference}" not in titles(alpha)
    assert Bid.objects.filter(bidder=alpha.organisation).exists()


def _home_queries(client, user) -> int:
    client.force_login(user)
    client.get("/")  # the session is read once, then every visit costs the same
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/").status_code == 200
    return len(queries)


def test_the_home_page_takes_the_same_queries_for_one_task_or_many(client):
    people = {"procurement": UserFactory(roles=[Role.PROCUREMENT]), "manager": UserFactory(roles=[Role.CONTRACT_MANAGER, Role.COMMISSIONER, Role.SRO])}
    counts = []
    for n in (1, 6):
        for i in range(len(counts) * 1, n):
            agreement = make_agreement(people, reference=f"FW-Q-{n}-{i}", provider="Nacro", start=months_ago(3))
            measure = add_measure(agreement, people)
            go_live(agreement, people)
            contract_services.rectification_notice_issue(agreement=agreement, actor=people["procurement"], failings="Late returns.",
                                                         deadline=timezone.localdate() + datetime.timedelta(days=7))
            contract_services.return_submit(measure=measure, actor=people["manager"], period_start=agreement.start_date, value=Decimal("80"))
        counts.append((_home_queries(client, people["manager"]), inbox_for(people["manager"]).count))
    assert counts[0][0] == counts[1][0] and counts[1][1] > counts[0][1]


def test_a_gateway_reviewer_sees_the_reviews_the_assurance_plan_puts_near_until_one_is_held(journey):
    services.planned_review_add(competition=journey.refresh(), actor=journey.commissioner, review_type="gateway", gate=2,
                                before_state=State.PRE_QUALIFICATION, planned_on=timezone.localdate() + datetime.timedelta(days=10))
    expected = f"Gate 2 review of {journey.competition.reference} planned"
    assert expected in titles(journey.reviewer, deadlines=True)
    assert expected not in titles(UserFactory(roles=[Role.GATEWAY_REVIEWER]), deadlines=True)  # not on this competition's wall
    journey.review(2)
    assert expected not in titles(journey.reviewer, deadlines=True)


def test_overdue_returns_are_chased_one_agreement_at_a_time_up_to_a_limit_then_as_one_task(monkeypatch):
    """At a portfolio's scale the inbox lists the first agreements with overdue returns and one task for the rest (issue #22's
    lesson: an inbox on every page must cost the same whatever the portfolio)."""
    from evaluations import selectors as evaluation_selectors
    from tests.contracts.test_pages import evaluate_tonight

    monkeypatch.setattr(evaluation_selectors, "OVERDUE_TASKS", 2)
    people = {"procurement": UserFactory(roles=[Role.PROCUREMENT]), "manager": UserFactory(roles=[Role.CONTRACT_MANAGER])}
    for n in range(4):
        agreement = make_agreement(people, reference=f"FW-LATE-{n}", provider="Nacro", start=months_ago(3))
        add_measure(agreement, people)
        go_live(agreement, people)
    evaluate_tonight()
    chased = [t for t in inbox_for(people["manager"]).decisions if t.title.startswith("Chase")]
    [more] = [t for t in chased if "more agreements" in t.title]
    assert sorted(t.title.split(" on ")[-1] for t in chased if t is not more) == ["FW-LATE-0", "FW-LATE-1"]
    assert more.title == "Chase overdue returns on 2 more agreements, as last night's evaluation found them"
    assert more.url == "/contracts/?show=overdue#overdue"


def test_the_navigation_keeps_the_count_a_while_and_the_home_page_counts_afresh(journey, client, settings, django_assert_max_num_queries):
    """Building the inbox reads every source; the navigation shows its count on every page, so it keeps it
    INBOX_COUNT_SECONDS (the load test found the count rebuilt on each page costing a contract manager 250 ms)."""
    from django.core.cache import cache

    settings.INBOX_COUNT_SECONDS = 60
    cache.clear()
    journey.satisfy("sro")
    client.force_login(journey.sro)
    badge = '<span class="app-count">{}<span class="govuk-visually-hidden"> waiting for you'
    before = inbox_for(journey.sro).count
    home = client.get("/").content.decode()  # builds the inbox, and keeps its count
    assert (badge.format(before) in home) if before else ('class="app-count"' not in home)
    evaluator = UserFactory(roles=[Role.COMMISSIONER])
    wall_services.conflict_declare(competition=journey.refresh(), actor=evaluator, nature="conflict", details="My husband works for Serco.")
    page = client.get("/walls/declare/").content.decode()
    assert badge.format(before + 1) not in page  # kept: a plain page does not rebuild the inbox
    assert badge.format(before + 1) in client.get("/").content.decode()  # the home page builds it afresh
    assert badge.format(before + 1) in client.get("/walls/declare/").content.decode()  # and keeps the new count
    cache.clear()


def test_deadlines_are_listed_nearest_first_up_to_a_limit_then_as_one_task(monkeypatch):
    """Issue #22: at 10× a contract manager's home page built and showed 508 rectification deadlines (633 ms); now the nearest
    few of each kind, and one task leading to the dashboard's list for the rest."""
    from contracts import inbox as contract_inbox

    monkeypatch.setattr(contract_inbox, "DEADLINES_LISTED", 2)
    people = {"procurement": UserFactory(roles=[Role.PROCUREMENT]), "manager": UserFactory(roles=[Role.CONTRACT_MANAGER])}
    today = timezone.localdate()
    for n in range(4):
        agreement = make_agreement(people, reference=f"FW-RN-{n}", provider="Nacro", start=months_ago(3))
        add_measure(agreement, people)
        go_live(agreement, people)
        contract_services.rectification_notice_issue(agreement=agreement, actor=people["procurement"], failings="Late returns.",
                                                     deadline=today + datetime.timedelta(days=20 - n))
    deadlines = [t for t in inbox_for(people["manager"]).deadlines if "ectification" in t.title]
    third = today + datetime.timedelta(days=19)
    assert [t.title for t in deadlines] == ["Rectification deadline for Nacro on FW-RN-3", "Rectification deadline for Nacro on FW-RN-2",
                                           f"More rectification deadlines, from {third:%-d %B %Y}: the dashboard lists them all"]
    assert deadlines[-1].url == "/contracts/?show=rectification#rectification" and deadlines[-1].due == today + datetime.timedelta(days=19)


def test_a_break_points_notice_is_a_deadline_from_the_last_day_to_give_it_kept_as_the_dates_change():
    """Issue #22: the inbox finds break points by their kept last day to give notice (an index range), not by reading every
    break point's length of notice; the day follows the break point when its date or notice changes."""
    from dateutil.relativedelta import relativedelta

    from contracts.models import BreakPoint

    people = {"procurement": UserFactory(roles=[Role.PROCUREMENT]), "manager": UserFactory(roles=[Role.CONTRACT_MANAGER])}
    today = timezone.localdate()
    agreement = make_agreement(people, reference="FW-BP-1", provider="Nacro", start=months_ago(3))
    add_measure(agreement, people)
    go_live(agreement, people)
    soon = contract_services.break_point_add(agreement=agreement, actor=people["procurement"], on=today + relativedelta(months=3, days=10),
                                             notice_months=3)
    later = contract_services.break_point_add(agreement=agreement, actor=people["procurement"], on=today + relativedelta(months=9), notice_months=6)
    assert soon.notice_by == soon.on - relativedelta(months=3) and later.notice_by == today + relativedelta(months=3)

    def notices():
        return [(t.title, t.due) for t in inbox_for(people["manager"]).deadlines if "break point" in t.title]

    assert notices() == [(f"Notice due for the break point of FW-BP-1 on {soon.on:%d %B %Y}", soon.notice_by)]  # later's is months away
    later.notice_months = 9  # nine months' notice: due today, the nearest deadline
    later.save(update_fields=["notice_months"])
    assert BreakPoint.objects.get(pk=later.pk).notice_by == today
    assert notices() == [(f"Notice due for the break point of FW-BP-1 on {later.on:%d %B %Y}", today),
                         (f"Notice due for the break point of FW-BP-1 on {soon.on:%d %B %Y}", soon.notice_by)]
    soon.on = today + relativedelta(months=8)
    soon.save(update_fields=["on"])
    assert [title for title, _ in notices()] == [f"Notice due for the break point of FW-BP-1 on {later.on:%d %B %Y}"]
