"""The agreement's lifecycle, declared once (SPEC §5).

Who may take each step (SPEC §1): contract managers and MoJ Procurement mobilise, go live
and run rectification; MoJ Procurement terminates; commissioners decommission; agreements
expire overnight. Rectification moves happen by issuing and closing rectification notices.
The FSM graph (models.py), the services, the page's panels and the API's actions read it;
the guards are `contracts.guards.GUARDS`.
"""

from contracts import guards
from contracts.states import RUNNING, AgreementState
from core.machines import Machine, Step
from core.roles import Role

MANAGERS = (Role.CONTRACT_MANAGER, Role.PROCUREMENT)

AGREEMENT = Machine("agreement", [
    Step("mobilise", AgreementState.DRAFT, AgreementState.MOBILISING, "Start mobilisation", MANAGERS),
    Step("go_live", AgreementState.MOBILISING, AgreementState.LIVE, "Go live", MANAGERS),
    Step("start_rectification", AgreementState.LIVE, AgreementState.UNDER_RECTIFICATION, "Put under rectification", MANAGERS,
         how="record", hint="Issuing a rectification notice puts the agreement under rectification."),
    Step("end_rectification", AgreementState.UNDER_RECTIFICATION, AgreementState.LIVE, "Return to live", MANAGERS,
         how="close", hint="Closing the rectification notice as satisfied returns the agreement to live."),
    Step("terminate", RUNNING, AgreementState.TERMINATED, "Terminate early", (Role.PROCUREMENT,), how="form"),
    Step("expire", RUNNING, AgreementState.EXPIRED, "Expire", how="automatic",
         hint="Agreements expire overnight once their end date has passed."),
    Step("decommission", RUNNING, AgreementState.DECOMMISSIONED, "Decommission", (Role.COMMISSIONER,), how="form"),
], guards=guards.GUARDS)

# Who may record what on an agreement (SPEC §1), by the kind of record its page's forms and the API
# name: contract managers run performance, MoJ Procurement issues Notices of Change, the lead
# commissioner agrees material ones. The services check these; the pages offer forms by them.
RECORD_ROLES: dict[str, tuple[Role, ...]] = {
    "terms": MANAGERS,
    "break-point": MANAGERS,
    "supply-chain-member": MANAGERS,
    "measure": MANAGERS,
    "return": (Role.CONTRACT_MANAGER,),
    "review-return": (Role.CONTRACT_MANAGER,),  # validate or query a provider's return
    "cohort-result": (Role.CONTRACT_MANAGER,),
    "feedback": (Role.CONTRACT_MANAGER,),
    "equality-result": (Role.CONTRACT_MANAGER,),
    "remedial-plan": (Role.CONTRACT_MANAGER,),
    "decide-remedial-plan": (Role.CONTRACT_MANAGER,),  # accept or reject the provider's proposed plan
    "complete-remedial-plan": (Role.CONTRACT_MANAGER,),
    "rectification-notice": MANAGERS,
    "close-rectification": MANAGERS,
    "notice-of-change": (Role.PROCUREMENT,),
    "decide-notice-of-change": (Role.COMMISSIONER,),
    "performance-notice": MANAGERS,
    # Money (issue #20): the terms with the other terms; a claim raised by the provider's contract lead (or the contract
    # manager for a provider not using the service), checked by a contract manager, approved and paid by MoJ Procurement.
    "payment-terms": MANAGERS,
    "tariff": MANAGERS,
    "claim": (Role.CONTRACT_MANAGER,),
    "amend-claim": (Role.CONTRACT_MANAGER,),
    "check-claim": (Role.CONTRACT_MANAGER,),
    "credit-claim": (Role.CONTRACT_MANAGER,),
    "query-claim": (Role.CONTRACT_MANAGER, Role.PROCUREMENT),
    "approve-claim": (Role.PROCUREMENT,),
    "pay-claim": (Role.PROCUREMENT,),
    # Mobilisation (issue #21): contract managers and MoJ Procurement plan and complete it; the SRO accepts a gap.
    "mobilisation-plan": MANAGERS,
    "milestone": MANAGERS,
    "complete-milestone": MANAGERS,
    "accept-gap": (Role.SRO,),
    # The contract management log (issue #21): contract managers keep it.
    "log-entry": (Role.CONTRACT_MANAGER,),
    "close-log-action": (Role.CONTRACT_MANAGER,),
    # Exit (issue #21): written by those who manage the agreement, agreed by a commissioner (who decommissions).
    "exit-plan": MANAGERS,
    "agree-exit-plan": (Role.COMMISSIONER,),
}
