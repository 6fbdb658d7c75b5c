from django.apps import AppConfig


class ContractsConfig(AppConfig):
    name = "contracts"
    verbose_name = "Contracts and SLAs"

    def ready(self):
        from ethical_walls import registry

        # An agreement let by a competition is covered by that competition's wall (a conflict
        # exclusion from the competition covers the agreement): its refusals are filed under it.
        for label, path in {
            "contracts.agreement": "competition_id",
            "contracts.measure": "agreement__competition_id",
            "contracts.return": "measure__agreement__competition_id",
            "contracts.noticeofchange": "agreement__competition_id",
            "contracts.rectificationnotice": "agreement__competition_id",
            "contracts.remedialactionplan": "agreement__competition_id",
            "contracts.agreementversion": "agreement__competition_id",
            "contracts.breakpoint": "agreement__competition_id",
        }.items():
            registry.register_competition_path(label, path)
        registry.register_url_subject("contracts", "contracts.agreement", "pk")
        registry.register_reference_field("agreement", "contracts.agreement")
        registry.register_reference_field("measure", "contracts.measure")
