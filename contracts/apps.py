from django.apps import AppConfig


class ContractsConfig(AppConfig):
    name = "contracts"
    verbose_name = "Contracts and SLAs"

    def ready(self):
        from contracts import inbox as contract_inbox, protected, search as contract_search
        from core import inbox

        protected.register()  # what the wall guards of agreements (contracts/protected.py)
        inbox.register(contract_inbox.tasks)  # each person's agreements work (core/inbox.py)
        contract_search.register()  # what the header's search finds in agreements
