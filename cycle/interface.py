"""What contracts may use of commissioning cycles (pyproject's `independence` contract allows only this module).

An agreement delivers outcomes of the outcomes framework and may follow a cycle's service
specification; who may see cycles decides whether a specification can be chosen.
"""

from cycle.forms import outcome_choices
from cycle.models import Outcome, ServiceSpecification
from cycle.selectors import sees_cycles

__all__ = ["Outcome", "ServiceSpecification", "outcome_choices", "sees_cycles"]
