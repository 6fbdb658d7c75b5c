"""Exit and decommissioning plans (issue #21; seed 002, lines 272–276 and 288).

An agreement that is decommissioned, or that ends with nothing to carry on its service, needs a
plan for its service users' transition, the return of data, its staff and its assets. The contract
manager or MoJ Procurement writes it (and may rewrite it until it is agreed); a commissioner agrees
it. "Decommission" needs it agreed (`contracts.guards`). An agreement within `EXIT_PLAN_MONTHS` of
its end date with no successor — no other running or mobilising agreement for the same service area
that runs beyond it — and no agreed plan is a task in its contract manager's inbox. Expiry itself is
not held up: the contract ends on its end date whatever the plan says, which is why the service asks
for the plan months before.
"""

from datetime import date

from dateutil.relativedelta import relativedelta
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from contracts.machine import RECORD_ROLES
from contracts.models import Agreement, ExitPlan
from contracts.services import _event, require_role
from contracts.states import ENDED, RUNNING, AgreementState
from core.events import EventKind
from core.models import User

EXIT_PLAN_MONTHS = 6
PARTS = ("service_users", "data_return", "staff", "assets")


@transaction.atomic
def exit_plan_record(*, agreement: Agreement, actor: User, service_users: str, data_return: str, staff: str, assets: str) -> ExitPlan:
    require_role(actor, *RECORD_ROLES["exit-plan"], agreement=agreement)
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    if agreement.state in ENDED:
        raise ValidationError("This agreement has ended: its exit plan can no longer change.")
    given = {"service_users": service_users, "data_return": data_return, "staff": staff, "assets": assets}
    missing = {name: "Say what happens." for name, text in given.items() if not text.strip()}
    if missing:
        raise ValidationError(missing)
    plan = ExitPlan.objects.filter(agreement=agreement).first()
    if plan is not None and plan.agreed:
        raise ValidationError("The exit plan is agreed: it no longer changes.")
    plan = plan or ExitPlan(agreement=agreement, recorded_by=actor)
    for name, text in given.items():
        setattr(plan, name, text.strip())
    plan.recorded_by = actor
    plan.save()
    _event(agreement, actor, EventKind.RECORD, "Exit plan written")
    return plan


@transaction.atomic
def exit_plan_agree(*, agreement: Agreement, actor: User) -> ExitPlan:
    require_role(actor, *RECORD_ROLES["agree-exit-plan"], agreement=agreement)
    plan = ExitPlan.objects.select_for_update().filter(agreement=agreement).first()
    if plan is None:
        raise ValidationError("There is no exit plan to agree yet.")
    if plan.agreed:
        raise ValidationError("The exit plan is agreed already.")
    if plan.recorded_by_id == actor.pk:
        raise PermissionDenied("You wrote this exit plan: another person agrees it.")
    plan.agreed_by, plan.agreed_on = actor, timezone.localdate()
    plan.save(update_fields=["agreed_by", "agreed_on"])
    _event(agreement, actor, EventKind.RECORD, "Exit plan agreed")
    return plan


def successors() -> Exists:
    """Whether another agreement carries on each one's service: same service area, running or mobilising, ending later (or open)."""
    return Exists(Agreement.objects.filter(service_area=OuterRef("service_area"), state__in=[*RUNNING, AgreementState.MOBILISING])
                  .exclude(pk=OuterRef("pk")).filter(Q(end_date__isnull=True) | Q(end_date__gt=OuterRef("end_date"))))


def needing_exit_plans(agreements: QuerySet[Agreement], today: date) -> QuerySet[Agreement]:
    """Running agreements ending within EXIT_PLAN_MONTHS with no successor and no agreed exit plan, soonest first."""
    return (agreements.filter(state__in=RUNNING, end_date__gte=today, end_date__lte=today + relativedelta(months=EXIT_PLAN_MONTHS))
            .annotate(succeeded=successors()).filter(succeeded=False)
            .exclude(exit_plan__agreed_on__isnull=False).order_by("end_date", "pk"))
