from django.apps import AppConfig


def _carry_risks(sender, *, agreement, competition_id, actor, **_signal):
    from governance.services import risks_carry_to_agreement

    risks_carry_to_agreement(competition_id=competition_id, agreement=agreement, actor=actor)


class GovernanceConfig(AppConfig):
    name = "governance"
    verbose_name = "Governance and risk"

    def ready(self):
        from core import inbox
        from core.signals import agreement_awarded
        from governance import inbox as governance_inbox

        inbox.register(governance_inbox.tasks)  # owners: their high risks and mitigations due
        # Award: the competition's open risks pass to the agreement it created (issue #21).
        agreement_awarded.connect(_carry_risks, dispatch_uid="governance.carry_risks")
