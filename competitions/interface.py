"""What cycles and contracts may use of competitions (pyproject's `independence` contract allows only this module).

- Reading: the competitions a person may see (`competition_list`, through the wall), the live
  competition in a service area (no market sounding then), the states and regimes, the
  assurance plan's reviews before launch, the Central Digital Platform notices.
- Writing: a contract's notices (UK7, UK9–UK11) published under its competition's OCID.
"""

from competitions.models import LAUNCHED, Competition, Notice, PlannedReview, Regime, State
from competitions.states import NoticeType
from competitions.notices import notice_publish
from competitions.selectors import competition_list

__all__ = ["LAUNCHED", "Competition", "Notice", "NoticeType", "PlannedReview", "Regime", "State", "competition_list",
           "live_competition_in", "notice_publish"]

# From launch to award: contact with providers goes through MoJ Procurement.
LIVE_STATES = [s for s in LAUNCHED if s not in (State.AWARDED, State.MOBILISATION, State.LIVE, State.CLOSED, State.ABANDONED)]


def live_competition_in(service_area) -> Competition | None:
    """The competition running in this service area between launch and award, if any."""
    return Competition.objects.filter(service_area=service_area, state__in=LIVE_STATES).first()
