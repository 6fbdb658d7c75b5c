"""The commissioning cycle's lifecycle, declared once (SPEC §2): eight stages forward, any stage back.

Commissioners move a cycle (several may work on one; its owner leads it). Forward steps
have guards (`cycle.guards.GUARDS`); stepping back has none but needs a reason and names
the stage it returns to. The FSM graph (models.py), the services, the page and the API read it.
"""

from django_fsm import RETURN_VALUE

from core.machines import Machine, Step
from core.roles import Role
from cycle import guards
from cycle.states import OPEN_STAGES, Stage

COMMISSIONER = (Role.COMMISSIONER,)

CYCLE = Machine("cycle", [
    Step("assess_needs", Stage.EVALUATE, Stage.ASSESS_NEEDS, "Move on to assessing needs", COMMISSIONER),
    Step("prioritise", Stage.ASSESS_NEEDS, Stage.PRIORITISE, "Move on to prioritising", COMMISSIONER),
    Step("design_services", Stage.PRIORITISE, Stage.DESIGN_SERVICES, "Move on to designing services", COMMISSIONER),
    Step("review_supply", Stage.DESIGN_SERVICES, Stage.REVIEW_SUPPLY, "Move on to reviewing supply", COMMISSIONER),
    Step("secure_services", Stage.REVIEW_SUPPLY, Stage.SECURE_SERVICES, "Move on to securing services", COMMISSIONER),
    Step("deliver", Stage.SECURE_SERVICES, Stage.DELIVER, "Move on to delivery", COMMISSIONER),
    Step("manage_performance", Stage.DELIVER, Stage.MANAGE_PERFORMANCE, "Move on to managing performance", COMMISSIONER),
    Step("closing_evaluation", Stage.MANAGE_PERFORMANCE, Stage.CLOSING_EVALUATION, "Move on to the closing evaluation", COMMISSIONER),
    Step("close", Stage.CLOSING_EVALUATION, Stage.CLOSED, "Close the cycle and open the next", COMMISSIONER),
    Step("step_back", OPEN_STAGES[1:], RETURN_VALUE(*OPEN_STAGES[:-1]), "Step back", COMMISSIONER, how="back"),
], guards=guards.GUARDS, state_field="stage")

FORWARD = CYCLE.names[:-1]
