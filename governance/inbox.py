"""What risk registers put in a person's inbox (core.inbox, issue #21): high risks they own, their mitigations due.

Two queries whatever the registers' size; both through `governance.selectors`, so an owner who has
since lost sight of a record (a wall change) is offered nothing of it.
"""

import datetime
from collections.abc import Iterator
from typing import Any

from django.urls import reverse

from core.inbox import Task
from governance import selectors

RISKS = "Risks and issues"


def tasks(user: Any, today: datetime.date, horizon: datetime.date) -> Iterator[Task]:
    if not selectors.sees_risks(user):
        return
    for risk in selectors.high_risks_owned(user):
        yield Task(title=f"Review high {risk.get_kind_display().lower()} {risk.reference} ({risk.score}): {risk.title}",
                   url=reverse("governance:risk", args=[risk.pk]), area=RISKS, key=f"risk-high|{risk.pk}")
    for mitigation in selectors.mitigations_due(user, horizon):
        yield Task(title=f"Mitigation of {mitigation.risk.reference} due: {mitigation.action[:80]}",
                   url=reverse("governance:risk", args=[mitigation.risk_id]), area=RISKS, due=mitigation.due_on, decision=False,
                   key=f"mitigation|{mitigation.pk}")
