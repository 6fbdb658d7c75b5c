"""What competitions and cycles may use of contracts (pyproject's `independence` contract allows only this module).

- Award creates the agreement (a contract, or an SLA for a crown body).
- The agreements a person may see, for the cycle's review of services (and the model, to type them).
- A cycle's budget: the agreements let for its specifications against its resources (issue #20).
- The outcomes tree's roll-up: what agreements contribute to each outcome, their ratings, trends and money paid (issue #21).
- Benefits' actuals: a measure's validated returns, and the measures a person may link a benefit to (issue #21).
- Whether the agreement a competition let has its mobilisation plan drawn up, and complete (issue #21).
"""

from contracts.budgets import Budget, cycle_budget
from contracts.guards import mobilisation_complete, mobilisation_planned
from contracts.models import Agreement, Measure
from contracts.outcomes import Contribution, outcome_contributions
from contracts.selectors import validated_series, visible_agreements
from contracts.services import agreement_create_from_award

__all__ = ["Agreement", "Budget", "Contribution", "Measure", "agreement_create_from_award", "cycle_budget", "mobilisation_complete",
           "mobilisation_planned", "outcome_contributions", "validated_series", "visible_agreements"]
