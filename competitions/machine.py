"""The competition's lifecycle, declared once (SPEC §3; seed "The Competition Lifecycle").

Who may take each step: commissioners run pre-procurement and mobilisation, MoJ Procurement
leads the procurement phase, the SRO closes the competition when benefits are reported.
The FSM graph (models.py), the services, the page's buttons and the API's actions read it;
the guards are `competitions.guards.GUARDS`; each step's service registers itself
(`competitions.services.lifecycle`).
"""

from competitions import guards
from competitions.states import ABANDONABLE, Regime, State
from core.machines import Machine, Step
from core.roles import Role

COMMISSIONER, PROCUREMENT, SRO = (Role.COMMISSIONER,), (Role.PROCUREMENT,), (Role.SRO,)

LIFECYCLE = Machine("competition", [
    Step("start_pre_procurement", State.DRAFT, State.PRE_PROCUREMENT, "Start pre-procurement", COMMISSIONER),
    Step("launch", State.PRE_PROCUREMENT, State.PRE_QUALIFICATION, "Launch the procurement", PROCUREMENT),
    Step("open_dialogue", State.PRE_QUALIFICATION, State.DIALOGUE, "Open dialogue", PROCUREMENT,
         regime_labels={Regime.PA_2023: "Open the negotiation / dialogue round"}),
    Step("invite_tenders", [State.PRE_QUALIFICATION, State.DIALOGUE], State.TENDER, "Invite tenders", PROCUREMENT),
    # The 2023 Act's competitive flexible procedure speaks of final tenders (the state's 2023 label, STATE_LABELS_2023).
    Step("call_for_bafo", State.TENDER, State.BAFO, "Call for best and final offers", PROCUREMENT,
         regime_labels={Regime.PA_2023: "Call for final tenders"}),
    Step("start_evaluation", State.BAFO, State.EVALUATION, "Start evaluation", PROCUREMENT),
    Step("recommend_award", State.EVALUATION, State.AWARD_RECOMMENDED, "Recommend award", PROCUREMENT, how="form"),
    Step("start_standstill", State.AWARD_RECOMMENDED, State.STANDSTILL, "Start standstill", PROCUREMENT),
    Step("award", State.STANDSTILL, State.AWARDED, "Award the contract", PROCUREMENT),
    Step("start_mobilisation", State.AWARDED, State.MOBILISATION, "Start mobilisation", COMMISSIONER),
    Step("go_live", State.MOBILISATION, State.LIVE, "Go live", COMMISSIONER),
    Step("close", State.LIVE, State.CLOSED, "Close the competition", SRO),
    # The last resort, offered last.
    Step("abandon", ABANDONABLE, State.ABANDONED, "Abandon the competition", (Role.COMMISSIONER, Role.SRO, Role.PROCUREMENT), how="form"),
], guards=guards.GUARDS)

# Who records what on a competition (besides its lifecycle), on its commissioning side: the one table the services
# check (`require_commissioning_side(actor, competition, *RECORD_ROLES[...])`) and the page offers its links by.
# The wall's own records (its arrangements, the conflicts assessment) belong to named people, not roles: the
# lead commissioner or SRO, and the SRO (ethical_walls.services).
_DELIVERY = (Role.COMMISSIONER, Role.SRO)
_GATEWAY = (Role.GATEWAY_REVIEWER, Role.SRO)
_BUYING = (Role.COMMISSIONER, Role.PROCUREMENT)
RECORD_ROLES: dict[str, tuple[Role, ...]] = {
    "business-case": _DELIVERY,
    "approve-business-case": SRO,
    "procurement-strategy": _BUYING,
    "planned-review": _DELIVERY,
    "treasury-approval": _DELIVERY,
    "gateway-review": _GATEWAY,
    "recommendation-status": _GATEWAY,
    "benefits-report": SRO,
    "benefit": _DELIVERY,  # the business cases' benefits and their actuals (issue #21), as the business cases themselves
    "benefit-actual": _DELIVERY,
    "criterion": _BUYING,
    "edit-criterion": _BUYING,
    "remove-criterion": _BUYING,
    "participation-question": _BUYING,
    "score": (Role.PROCUREMENT, Role.COMMISSIONER, Role.SRO),
    **{action: PROCUREMENT for action in (
        "bid", "bid-document", "participant", "prequalify", "tender", "bafo", "compliance", "withdraw-bid", "cost-adjustment",
        "moderate", "tie-break", "debriefs", "challenge", "resolve-challenge", "clarification", "answer", "open-tender-box",
    )},
}
