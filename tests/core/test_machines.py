"""Each state machine is declared once (core.machines): the FSM, the services, the pages and the API read it."""

import pytest
from django_fsm import RETURN_VALUE

from competitions.machine import LIFECYCLE
from competitions.models import Competition
from contracts.machine import AGREEMENT, RECORD_ROLES
from contracts.models import Agreement
from contracts.views import RECORD_ACTIONS
from core.conditions import Condition
from core.machines import Machine, Step
from core.roles import Role
from cycle.machine import CYCLE
from cycle.models import CommissioningCycle

MACHINES = [(LIFECYCLE, Competition, "state"), (CYCLE, CommissioningCycle, "stage"), (AGREEMENT, Agreement, "state")]


def _graph(model, field):
    """(name, source, target) of every transition django-fsm knows on the model."""
    edges = set()
    for transition in getattr(model(), f"get_all_{field}_transitions")():
        target = transition.target
        edges.add((transition.name, transition.source, tuple(target.allowed_states) if isinstance(target, RETURN_VALUE) else target))
    return edges


@pytest.mark.parametrize("machine, model, field", MACHINES, ids=lambda v: getattr(v, "record", None) or getattr(v, "__name__", v))
def test_the_models_state_graph_is_the_machines_declaration(machine, model, field):
    declared = set()
    for name in machine.names:
        step = machine.step(name)
        sources = [step.source] if isinstance(step.source, str) else list(step.source)
        target = tuple(step.target.allowed_states) if isinstance(step.target, RETURN_VALUE) else step.target
        declared |= {(name, source, target) for source in sources}
    assert _graph(model, field) == declared
    assert machine.state_field == field


@pytest.mark.parametrize("machine", [LIFECYCLE, AGREEMENT], ids=["competition", "agreement"])
def test_every_step_a_person_takes_by_button_or_form_has_its_service(machine):
    offered = [name for name in machine.names if machine.step(name).how in ("button", "form") and machine.roles(name)]
    assert list(machine.services) == offered
    assert all(callable(service) for service in machine.services.values())


def test_steps_taken_another_way_say_how():
    for name in AGREEMENT.names:
        step = AGREEMENT.step(name)
        if step.how in ("record", "close", "automatic"):
            assert step.hint and name not in AGREEMENT.services
    assert AGREEMENT.roles("expire") == () and not AGREEMENT.may(object(), "expire")


def test_a_guard_for_an_undeclared_step_is_refused_when_the_machine_is_built():
    with pytest.raises(ValueError, match="launch_early"):
        Machine("thing", [Step("launch", "draft", "live", "Launch")],
                guards={"launch_early": [Condition("x", "X", lambda record: True)]})


def test_a_service_for_an_undeclared_step_is_refused():
    machine = Machine("thing", [Step("launch", "draft", "live", "Launch")], guards={})
    with pytest.raises(ValueError, match="explode"):
        machine.service("explode")


def test_possible_steps_come_in_lifecycle_order_with_abandoning_last():
    assert LIFECYCLE.possible("pre_qualification") == ["open_dialogue", "invite_tenders", "abandon"]
    assert CYCLE.possible("prioritise", how={"button"}) == ["design_services"]
    assert AGREEMENT.possible("live") == ["start_rectification", "terminate", "expire", "decommission"]


def test_a_refusal_of_something_that_is_not_a_step_takes_the_callers_label():
    assert LIFECYCLE.label("launch") == "Launch the procurement"
    assert AGREEMENT.label("notice_of_change", "This change") == "This change"


@pytest.mark.django_db
def test_may_reads_the_steps_roles(django_user_model):
    from django.contrib.auth.models import Group

    procurement = django_user_model.objects.create_user("p")
    procurement.groups.add(Group.objects.get(name=Role.PROCUREMENT))
    assert LIFECYCLE.may(procurement, "launch") and not LIFECYCLE.may(procurement, "start_pre_procurement")
    assert LIFECYCLE.roles_text("abandon") == "Commissioner or Senior Responsible Officer or MoJ Procurement officer"


def test_every_record_form_of_the_agreement_page_has_the_roles_its_service_checks():
    assert set(RECORD_ACTIONS) == set(RECORD_ROLES)
    assert all(action.roles == RECORD_ROLES[kind] for kind, action in RECORD_ACTIONS.items())


def test_a_label_may_be_in_a_regimes_own_words_and_falls_back_to_the_common_one():
    assert LIFECYCLE.label("call_for_bafo", regime="2023") == "Call for final tenders"
    assert LIFECYCLE.label("call_for_bafo", regime="2011") == "Call for best and final offers"
    assert LIFECYCLE.label("launch", regime="2023") == LIFECYCLE.label("launch") == "Launch the procurement"
