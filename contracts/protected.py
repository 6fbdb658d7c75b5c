"""What the wall guards of agreements (SPEC §4, §5), registered with `ethical_walls.registry`.

An agreement is the commissioning side's material: read by the roles in `READERS`, never by
the bid side, and not by anyone the SRO excluded from the competition that let it (the
exclusion covers everything the competition produced). It belongs to its provider
organisation, whose contract leads see it and act on it (the provider's pages,
contracts/provider_views.py). Its records (measures, returns, notices…) are read through their agreement.
An agreement let by a competition is covered by that competition's wall: refusals about it
and its records are filed under that competition.
"""

from core.roles import Role
from ethical_walls import registry

READERS = (Role.COMMISSIONER, Role.SRO, Role.PROCUREMENT, Role.CONTRACT_MANAGER, Role.OVERSIGHT)
# The provider's own people who see its agreements (issue #18): its contract leads.
PROVIDER_ROLES = (Role.CONTRACT_LEAD,)

# Records of an agreement, with the path to the competition that let it (for filing a refusal).
FILED_UNDER_COMPETITION = {
    "contracts.measure": "agreement__competition_id",
    "contracts.return": "measure__agreement__competition_id",
    "contracts.noticeofchange": "agreement__competition_id",
    "contracts.rectificationnotice": "agreement__competition_id",
    "contracts.remedialactionplan": "agreement__competition_id",
    "contracts.agreementversion": "agreement__competition_id",
    "contracts.breakpoint": "agreement__competition_id",
    "contracts.paymentterms": "agreement__competition_id",
    "contracts.outcometariff": "agreement__competition_id",
    "contracts.claim": "agreement__competition_id",
    "contracts.claimline": "claim__agreement__competition_id",
}


def register() -> None:
    registry.register_scoped("contracts.agreement", readers=READERS, organisation_path="provider_id", competition_path="competition_id",
                             organisation_roles=PROVIDER_ROLES)
    for label, path in FILED_UNDER_COMPETITION.items():
        registry.register_competition_path(label, path)
    registry.register_url_subject("contracts", "contracts.agreement", "pk")
    registry.register_reference_field("agreement", "contracts.agreement")
    registry.register_reference_field("measure", "contracts.measure")
