"""Signals one product app sends and another listens to, so neither imports the other (STYLE.md, "Layers")."""

from django.dispatch import Signal

# Something a competition publishes may have changed: a move, an edit after launch, a clarification
# answered to all, a notice published, its contract let, changed or ended. Sent inside the transaction
# that made the change, with `competition_id`; ocds stores the releases it calls for in that transaction.
published_facts_changed = Signal()

# Award created an agreement from a competition. Sent inside the award's transaction with `agreement`,
# `competition_id` and `actor`: governance carries the competition's open risks to the agreement.
agreement_awarded = Signal()

# A body recorded a decision (boards.services.decision_record). Sent inside the decision's transaction with
# `decision` and `actor`: competitions records what an approval settles (the criteria agreed, the mandate
# authorised) and its timeline entry; a receiver that refuses (ValidationError) undoes the decision.
board_decided = Signal()
