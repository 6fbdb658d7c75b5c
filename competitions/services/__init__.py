"""Every write to a competition and its records (SPEC §3), by use case.

- `lifecycle`: creating and editing a competition, and each transition (who may take it, its effects);
- `assurance`: business cases, strategy, assurance plan, Treasury approvals, Gateway reviews, benefits;
- `bids`: bids and their stages, documents, compliance, cost adjustments; clarifications and challenges;
- `decisions`: what a board's decision about the competition settles (issue #21);
- `evaluation`: criteria, scores, moderation, the tie-break, debrief letters;
- `tender_box`: the sealed electronic tender box (bidders seal, two procurement officers open).

Callers use `competitions.services.<name>`: every service is re-exported here.
"""

from competitions.services._common import record_wall_event, require_commissioning_side, require_role  # noqa: F401
from competitions.services.assurance import *  # noqa: F401,F403
from competitions.services.bids import *  # noqa: F401,F403
from competitions.services.decisions import *  # noqa: F401,F403
from competitions.services.evaluation import *  # noqa: F401,F403
from competitions.services.lifecycle import *  # noqa: F401,F403
from competitions.services.tender_box import *  # noqa: F401,F403
