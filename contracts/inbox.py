"""What agreements put in a person's inbox (core.inbox, issue #19), each in a fixed number of queries.

Staff: returns to validate and remedial plans to decide (contract managers), Notices of Change to
agree (the lead commissioner), and deadlines — rectification, expiry, break-point notice — on the
agreements they may see. Providers' contract leads: their own agreements' returns due and queried,
notices to acknowledge and rectification deadlines.
"""

import datetime
from collections.abc import Iterator
from typing import Any

from django.db.models import Count, Max, Prefetch
from django.urls import reverse

from contracts import exit_plans, performance, selectors
from contracts.models import (Agreement, BreakPoint, Claim, ExitPlan, LogEntry, Measure, MobilisationMilestone, NoticeOfChange, RectificationNotice,
                              RemedialActionPlan, Return)
from contracts.parts import section_url
from contracts.states import ENDED, RUNNING, AgreementState
from core.inbox import Task
from core.roles import Role
from ethical_walls.selectors import owned

CONTRACTS, YOURS = "Contracts and SLAs", "Your agreements"


def _plural(n: int, one: str) -> str:
    return f"{n} {one if n == 1 else one + 's'}"


def tasks(user: Any, today: datetime.date, horizon: datetime.date) -> Iterator[Task]:
    if selectors.sees_agreements(user):
        yield from _staff_tasks(user, today, horizon)
    if user.has_role(Role.CONTRACT_LEAD):
        yield from _provider_tasks(user, today, horizon)


def _detail(agreement_id: int, anchor: str = "") -> str:
    return section_url(agreement_id, anchor)


def _staff_tasks(user: Any, today: datetime.date, horizon: datetime.date) -> Iterator[Task]:
    visible = selectors.visible_agreements(user)
    if user.has_role(Role.CONTRACT_MANAGER):
        waiting = (selectors.of_visible_agreements(Return, user, "measure__agreement").filter(status=Return.Status.SUBMITTED)
                   .values("measure__agreement_id", "measure__agreement__reference", "measure__agreement__provider__name")
                   .annotate(n=Count("pk"), latest=Max("pk")).order_by("measure__agreement__reference"))
        for row in waiting:
            yield Task(f"Validate {_plural(row['n'], 'return')} from {row['measure__agreement__provider__name']} on "
                       f"{row['measure__agreement__reference']}", _detail(row["measure__agreement_id"], "measures"), CONTRACTS,
                       key=f"validate-returns:{row['latest']}")
        plans = selectors.of_visible_agreements(RemedialActionPlan, user).filter(status=RemedialActionPlan.Status.PROPOSED).select_related("agreement__provider")
        for plan in plans:
            yield Task(f"Accept or reject {plan.agreement.provider}'s remedial action plan on {plan.agreement.reference}",
                       _detail(plan.agreement_id, "remedial-plans"), CONTRACTS, due=plan.due_on)
        yield from _staff_deadlines(user, visible, today, horizon)
    yield from _claim_tasks(user)
    # Mobilisation milestones (issue #21) the person owns, not yet done nor accepted as a gap, due within the horizon.
    milestones = selectors.of_visible_agreements(MobilisationMilestone, user).filter(owner=user, done_on__isnull=True, gap_accepted_at__isnull=True,
                                                      due_on__lte=horizon, agreement__state__in=[AgreementState.DRAFT, AgreementState.MOBILISING])
    for milestone in milestones.select_related("agreement").order_by("due_on", "pk"):
        yield Task(f"Mobilisation of {milestone.agreement.reference}: {milestone.title}", _detail(milestone.agreement_id, "mobilisation"),
                   CONTRACTS, due=milestone.due_on, decision=False, key=f"milestone:{milestone.pk}")
    if user.has_role(Role.CONTRACT_MANAGER):
        # Open actions of the contract management log (issue #21), due within the horizon, on the agreements they manage.
        actions = selectors.of_visible_agreements(LogEntry, user).filter(agreement__contract_manager=user, closed_on__isnull=True,
                                                                        due_on__lte=horizon)
        for entry in actions.exclude(action="").select_related("agreement").order_by("due_on", "pk"):
            yield Task(f"Action agreed at the {entry.get_kind_display().lower()} on {entry.agreement.reference}: {entry.action[:80]}",
                       _detail(entry.agreement_id, "management-log"), CONTRACTS, due=entry.due_on, decision=False, key=f"log-action:{entry.pk}")
    if user.has_role(Role.CONTRACT_MANAGER):
        # Agreements ending within six months with nothing to carry on the service and no agreed exit plan (issue #21).
        for agreement in exit_plans.needing_exit_plans(visible.filter(contract_manager=user), today).select_related("provider"):
            yield Task(f"Write and agree the exit plan for {agreement.reference} with {agreement.provider}: it ends with no successor",
                       _detail(agreement.pk, "exit-plan"), CONTRACTS, due=agreement.end_date, decision=False, key=f"exit-plan:{agreement.pk}")
    if user.has_role(Role.COMMISSIONER):
        exit_plans_to_agree = selectors.of_visible_agreements(ExitPlan, user).filter(agreed_on__isnull=True, agreement__state__in=RUNNING)
        for exit_plan in exit_plans_to_agree.exclude(recorded_by=user).select_related("agreement"):
            yield Task(f"Agree the exit plan for {exit_plan.agreement.reference}", _detail(exit_plan.agreement_id, "exit-plan"), CONTRACTS,
                       key=f"agree-exit-plan:{exit_plan.pk}")
        notices = selectors.of_visible_agreements(NoticeOfChange, user).filter(agreement__competition__lead_commissioner=user,
                                                status=NoticeOfChange.Status.AWAITING_AGREEMENT).select_related("agreement")
        for notice in notices:
            yield Task(f"Agree or refuse Notice of Change {notice.number} on {notice.agreement.reference}",
                       _detail(notice.agreement_id, "notices-of-change"), CONTRACTS)


def _claim_tasks(user: Any) -> Iterator[Task]:
    """Claims waiting for this person (issue #20): the first approval for a contract manager who did not raise it, the
    second for a procurement officer who neither raised nor checked it, and a queried claim back to its author."""
    waiting = Claim.objects.none()
    if user.has_role(Role.CONTRACT_MANAGER):
        waiting = waiting | selectors.of_visible_agreements(Claim, user).filter(status=Claim.Status.SUBMITTED).exclude(raised_by=user)
    if user.has_role(Role.PROCUREMENT):
        waiting = waiting | selectors.of_visible_agreements(Claim, user).filter(status=Claim.Status.CHECKED).exclude(raised_by=user).exclude(checked_by=user)
    waiting = waiting | selectors.of_visible_agreements(Claim, user).filter(status=Claim.Status.QUERIED, raised_by=user)
    for claim in waiting.select_related("agreement__provider").order_by("agreement__reference", "period_start"):
        verb = {Claim.Status.SUBMITTED: "Check", Claim.Status.CHECKED: "Approve", Claim.Status.QUERIED: "Rebuild the queried"}[Claim.Status(claim.status)]
        yield Task(f"{verb} {claim.agreement.provider}'s claim for {claim.period_start:%-d %B %Y} to {claim.period_end:%-d %B %Y} "
                   f"on {claim.agreement.reference}", _detail(claim.agreement_id, "claims"), CONTRACTS,
                   key=f"claim:{claim.pk}:{claim.status}")


# Deadlines of each kind listed one by one in an inbox, nearest first; the rest are one task leading to the dashboard's list
# (a portfolio of thousands has hundreds due within the horizon: building and showing each on every home page does not scale).
DEADLINES_LISTED = 20


def _first_then_more(rows: Any, task: Any, *, more: str, show: str, key: str) -> Iterator[Task]:
    """`task(row)` for the first DEADLINES_LISTED rows (already ordered nearest first), then one task for the rest, if any,
    due when the first of them is; one query whatever the number (the rest are counted on the dashboard, not here)."""
    listed = list(rows[: DEADLINES_LISTED + 1])
    for row in listed[:DEADLINES_LISTED]:
        yield task(row)
    if len(listed) > DEADLINES_LISTED:
        next_one = task(listed[DEADLINES_LISTED])
        yield Task(f"More {more}, from {next_one.due:%-d %B %Y}: the dashboard lists them all", reverse("contracts:index") + f"?show={show}#{show}",
                   CONTRACTS, due=next_one.due, decision=False, key=f"{key}:more:{next_one.key or next_one.url}:{next_one.due}")


def _staff_deadlines(user: Any, visible: Any, today: datetime.date, horizon: datetime.date) -> Iterator[Task]:
    notices = (selectors.of_visible_agreements(RectificationNotice, user).filter(status=RectificationNotice.Status.OPEN, deadline__lte=horizon)
               .select_related("agreement__provider").order_by("deadline", "pk"))
    yield from _first_then_more(notices, lambda notice: Task(
        f"Rectification deadline for {notice.agreement.provider} on {notice.agreement.reference}",
        _detail(notice.agreement_id, "rectification"), CONTRACTS, due=notice.deadline, decision=False),
        more="rectification deadlines", show="rectification", key="rectification")
    expiring = (visible.filter(state__in=RUNNING, end_date__gte=today, end_date__lte=horizon).select_related("provider")
                .order_by("end_date", "pk"))
    yield from _first_then_more(expiring, lambda agreement: Task(
        f"{agreement.reference} with {agreement.provider} expires", _detail(agreement.pk), CONTRACTS, due=agreement.end_date, decision=False),
        more="agreements expiring", show="ahead", key="expiry")
    # Only the break points whose notice falls due within the horizon, by the kept last day to give notice: an index range,
    # however many break points there are (issue #22).
    due = (selectors.of_visible_agreements(BreakPoint, user).filter(notice_by__gte=today, notice_by__lte=horizon)
           .exclude(agreement__state__in=ENDED).select_related("agreement").order_by("on", "pk"))
    yield from _first_then_more(due, lambda point: Task(
        f"Notice due for the break point of {point.agreement.reference} on {point.on:%d %B %Y}", _detail(point.agreement_id), CONTRACTS,
        due=point.notice_by, decision=False),
        more="break points with notice due", show="ahead", key="break-point")


def _provider_tasks(user: Any, today: datetime.date, horizon: datetime.date) -> Iterator[Task]:
    own = owned(user, Agreement.objects.all())

    def page(agreement_id: int, anchor: str = "") -> str:
        return reverse("contracts:provider-detail", args=[agreement_id]) + (f"#{anchor}" if anchor else "")

    for item in Return.objects.filter(measure__agreement__in=own, status=Return.Status.QUERIED).select_related("measure__agreement"):
        yield Task(f"Correct your return for {item.measure.name} from {item.period_start:%d %B %Y} on {item.measure.agreement.reference}: "
                   f"{item.query_reason}", reverse("contracts:provider-correct-return", args=[item.measure.agreement_id, item.pk]), YOURS)
    unacknowledged = NoticeOfChange.objects.filter(agreement__in=own, status=NoticeOfChange.Status.IN_EFFECT, acknowledged_at__isnull=True)
    for notice in unacknowledged.select_related("agreement"):
        yield Task(f"Acknowledge Notice of Change {notice.number} on {notice.agreement.reference}", page(notice.agreement_id), YOURS)
    for rectification in RectificationNotice.objects.filter(agreement__in=own, status=RectificationNotice.Status.OPEN).select_related("agreement"):
        yield Task(f"Put right the failings in the rectification notice on {rectification.agreement.reference}",
                   page(rectification.agreement_id, "rectification"), YOURS, due=rectification.deadline, decision=False)
    running = own.filter(state__in=RUNNING, start_date__isnull=False).prefetch_related(
        Prefetch("measures", queryset=Measure.objects.prefetch_related("returns")))
    for agreement in running:
        for measure in agreement.measures.all():
            for begins in performance.awaited(measure, agreement.start_date, today):
                due = performance.due_date(measure, agreement.start_date, begins)
                if due <= horizon:
                    yield Task(f"Return for {measure.name}, the period from {begins:%d %B %Y}, on {agreement.reference}",
                               reverse("contracts:provider-return", args=[agreement.pk]), YOURS, due=due, decision=False)
