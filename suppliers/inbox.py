"""What supplier accounts put in MoJ Procurement's inbox (core.inbox, issue #19): first administrators' requests to decide."""

import datetime
from collections.abc import Iterator
from typing import Any

from django.urls import reverse

from core.inbox import Task
from core.roles import Role
from suppliers import selectors


def tasks(user: Any, today: datetime.date, horizon: datetime.date) -> Iterator[Task]:
    if not user.has_role(Role.PROCUREMENT):
        return
    for request in selectors.pending_account_requests():
        yield Task(f"Decide {request.user.get_full_name()}'s request for a supplier account for {request.organisation}",
                   reverse("suppliers:decide", args=[request.pk]), "Supplier accounts")
