"""The sealed electronic tender box, read (issue #18): a bidder's own receipts, and what staff may know — counts and openings.

Writes are `competitions.services.tender_box`. Nothing here gives anyone else's tender: a bidder
finds its own by opening each sealed value of the round (its bid is inside the seal), and staff get
numbers per round until the two-person opening.
"""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.utils import timezone

from competitions.models import Bid, Competition, SealedTender, TenderBoxOpening, TenderRound
from competitions.selectors import bids_of
from competitions.states import State
from core import sealing
from core.models import User

ROUND_OF_STATE = {State.TENDER: TenderRound.TENDER, State.BAFO: TenderRound.BAFO}
DEADLINE_FIELD = {TenderRound.TENDER: "bid_deadline", TenderRound.BAFO: "bafo_deadline"}
DEADLINE_NAME = {TenderRound.TENDER: "tender deadline", TenderRound.BAFO: "deadline for best and final offers"}


@dataclass(frozen=True)
class ReceiptFile:
    title: str
    name: str
    size: int
    sha256: str


@dataclass(frozen=True)
class Receipt:
    """What a bidder is given for a sealed tender: its number, when it arrived, and a SHA-256 of each file."""

    number: str
    round: str
    received_at: datetime
    price: Decimal
    submitted_by: str
    files: tuple[ReceiptFile, ...]
    withdrawn_at: datetime | None
    opened_at: datetime | None

    @property
    def round_label(self) -> str:
        return TenderRound(self.round).label


def deadline_of(competition: Competition, round: str) -> datetime | None:
    value: datetime | None = getattr(competition, DEADLINE_FIELD[TenderRound(round)])
    return value


def when(moment: datetime) -> str:
    return f"{timezone.localtime(moment):%H:%M on %d %B %Y}"


def acting_bid(actor: User, competition: Competition) -> Bid:
    """The bid the actor tenders for (`selectors.bids_of`: a supplier's, or the crown bid it is on the wall's bid side of)."""
    bid = bids_of(actor).filter(competition=competition).first()
    if bid is None:
        raise PermissionDenied(f"You have no bid in {competition.reference}: register your interest first.")
    return bid


def own_tender(competition: Competition, round: str, bid: Bid) -> tuple[SealedTender, dict[str, Any]] | None:
    """The bid's tender in this round's box (every sealed tender of the round is opened to find it: a handful)."""
    for tender in SealedTender.objects.filter(competition=competition, round=round):
        payload = sealing.unseal_json(tender.sealed)
        if payload["bid"] == bid.pk:
            return tender, payload
    return None


def receipt_of(tender: SealedTender, payload: dict[str, Any] | None = None) -> Receipt:
    payload = payload or sealing.unseal_json(tender.sealed)
    files = tuple(ReceiptFile(**sealing.unseal_json(f.sealed)) for f in tender.files.order_by("id"))
    return Receipt(
        number=payload["receipt"], round=tender.round, received_at=tender.received_at, price=Decimal(payload["price"]),
        submitted_by=payload["by_name"], files=files, withdrawn_at=tender.withdrawn_at, opened_at=tender.opened_at,
    )


def own_receipts(actor: User, competition: Competition) -> list[Receipt]:
    """The actor's bid's receipts in this competition's box, by round (nothing when it has no bid)."""
    try:
        bid = acting_bid(actor, competition)
    except PermissionDenied:
        return []
    receipts = []
    for round in TenderRound:
        found = own_tender(competition, round, bid)
        if found:
            receipts.append(receipt_of(*found))
    return receipts


def tender_box_counts(competition: Competition) -> dict[str, int]:
    """How many tenders are in each round's box (withdrawn ones left out): all that staff see before the opening."""
    rows = (SealedTender.objects.filter(competition=competition).values("round")
            .annotate(received=Count("id", filter=Q(withdrawn_at__isnull=True))))
    return {row["round"]: row["received"] for row in rows}


def tender_box_openings(competition: Competition) -> dict[str, TenderBoxOpening]:
    return {opening.round: opening for opening in competition.tender_box_openings.select_related("first_officer", "second_officer")}


@dataclass(frozen=True)
class RoundSummary:
    round: str
    label: str
    deadline: datetime | None
    received: int
    opening: TenderBoxOpening | None


def tender_box_summary(competition: Competition) -> list[RoundSummary]:
    """Each round with a deadline or a tender: its deadline, how many tenders arrived, and its opening so far."""
    counts, openings = tender_box_counts(competition), tender_box_openings(competition)
    return [RoundSummary(round=r, label=r.label, deadline=deadline_of(competition, r), received=counts.get(r, 0), opening=openings.get(r))
            for r in TenderRound if deadline_of(competition, r) is not None or r in counts]
