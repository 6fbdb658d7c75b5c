"""The demo's risk and issue registers (issue #21): a cycle's, two competitions', three agreements', driven through the services.

Each is raised by someone who may manage risks on its record and owned by someone who may read it
(the services refuse anything else); some are reassessed, mitigated or escalated, so the portfolio's
heat map, the registers and the owners' inboxes have something to show.
"""

import datetime

from django.db import transaction
from django.utils import timezone

from competitions.models import Competition
from contracts.models import Agreement
from core.models import User
from cycle.models import CommissioningCycle
from governance import services
from governance.models import Risk
from scenarios import contracts as contract_scenarios
from scenarios import cycle as cycle_scenarios


def _days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


@transaction.atomic
def seed_risks() -> None:
    if Risk.objects.exists():
        return
    people = {u.username: u for u in User.objects.filter(username__in=["commissioner", "procurement", "contract_manager"])}
    commissioner, procurement, manager = (people[n] for n in ("commissioner", "procurement", "contract_manager"))

    strategy = CommissioningCycle.objects.get(name=cycle_scenarios.STRATEGIC)
    demand = services.risk_raise(
        actor=commissioner, subject="cycle", record=strategy, owner=commissioner, title="Sentencing changes alter demand for places",
        description="The Sentencing Bill's shorter custodial terms move demand from prison places to community supervision: "
                    "the plan's priorities could be funded for the wrong mix.", likelihood=3, impact=4, proximity="medium")
    services.mitigation_add(actor=commissioner, risk=demand, action="Re-run the needs assessment's demand model on the Bill's impact assessment",
                            owner=commissioner, due_on=_days(45))
    services.risk_escalate(actor=commissioner, risk=demand, reason="Affects every service area's allocation for 2027–28")

    birmingham = Competition.objects.get(reference="DEMO-002")
    tupe = services.risk_raise(
        actor=commissioner, subject="competition", record=birmingham, owner=commissioner, title="Incumbent's staff list is late",
        description="Without the incumbent's TUPE staff list, bidders cannot price the workforce and tenders may be qualified.",
        likelihood=4, impact=4, proximity="imminent")
    services.mitigation_add(actor=commissioner, risk=tupe, action="Formal request to the incumbent under the contract's exit clause",
                            owner=commissioner, due_on=_days(7))
    tagging = Competition.objects.get(reference="DEMO-003")
    services.risk_raise(
        actor=commissioner, subject="competition", record=tagging, owner=commissioner, title="Weights cannot be agreed before launch",
        description="The criteria's weights sum to more than 100%: the competition cannot launch until they are put right.",
        likelihood=2, impact=3, proximity="near", kind="issue")

    resettlement = Agreement.objects.get(reference=contract_scenarios.RESETTLEMENT_PBR)
    cash = services.risk_raise(
        actor=manager, subject="agreement", record=resettlement, owner=manager, title="Provider's cash flow under payment by results",
        description="Outcome payments lag delivery by a quarter or more; a small provider may not carry the gap.",
        likelihood=3, impact=5, proximity="near")
    services.mitigation_add(actor=manager, risk=cash, action="Agree monthly fee invoicing for the first year", owner=manager, due_on=_days(10))
    services.risk_escalate(actor=manager, risk=cash, reason="A provider failure would end the service in three prisons")
    payback = Agreement.objects.get(reference=contract_scenarios.CP_LONDON)
    vacancies = services.risk_raise(
        actor=manager, subject="agreement", record=payback, owner=manager, title="Supervisor vacancies in East London",
        description="Twelve supervisor posts are vacant; placements start late and hours are lost.", likelihood=5, impact=3,
        proximity="imminent", kind="issue")
    services.risk_reassess(actor=manager, risk=vacancies, likelihood=4, impact=3, proximity="near",
                           note="Six posts filled in the last month")
    tags = Agreement.objects.get(reference=contract_scenarios.EM_G4S)
    supply = services.risk_raise(
        actor=procurement, subject="agreement", record=tags, owner=manager, title="Single supplier of tag hardware",
        description="One manufacturer supplies every tag; a recall would stop new fittings.", likelihood=2, impact=4,
        proximity="distant")
    services.risk_close(actor=manager, risk=supply, note="A second manufacturer was approved under the contract in March")
