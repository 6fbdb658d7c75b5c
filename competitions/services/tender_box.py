"""The sealed electronic tender box, written (issue #18): bidders seal their tenders; two procurement officers open the box.

Until its round's deadline a bidder may seal, replace and withdraw its tender and gets a receipt
(the time, and the SHA-256 of each file). Nothing in the box names its bidder or shows its
content in the clear: staff count what has arrived (`competitions.tender_box`). After the
deadline one procurement officer begins the opening and a different one completes it; only then
are the tenders unsealed into the bids (price, documents), where the wall's rule 2 takes over.
"""

import hashlib
import os
import uuid
from decimal import Decimal, InvalidOperation
from typing import Any, Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile, File
from django.db import transaction
from django.utils import timezone

from competitions.models import Bid, BidDocument, Competition, SealedFile, SealedTender, TenderBoxOpening, TenderRound
from competitions.machine import RECORD_ROLES
from competitions.services._common import _event, require_commissioning_side
from competitions.states import State
from competitions.tender_box import DEADLINE_NAME, ROUND_OF_STATE, Receipt, acting_bid, deadline_of, own_tender, receipt_of, when
from core import sealing
from core.events import EventKind
from core.models import User
from core.uploads import validate_document
from ethical_walls import services as wall

__all__ = ["tender_seal", "tender_withdraw", "tender_box_open", "tender_keys_rotate"]

MAX_FILES = 20


def _open_round(competition: Competition, bid: Bid) -> str:
    """The round taking tenders now, or the refusal naming why none is."""
    round = ROUND_OF_STATE.get(State(competition.state))
    if round is None:
        raise ValidationError("The tender box takes tenders at the tender stage and, when called for, best and final offers.")
    deadline = deadline_of(competition, round)
    if deadline is None:
        raise ValidationError(f"MoJ Procurement has not set the {DEADLINE_NAME[round]} yet.")
    now = timezone.now()
    if now >= deadline:
        raise ValidationError(f"The {DEADLINE_NAME[round]} was {when(deadline)}: late tenders are refused.")
    if TenderBoxOpening.objects.filter(competition=competition, round=round).exists():
        raise ValidationError("The tender box for this round is being opened: it takes nothing more.")
    if bid.withdrawn:
        raise ValidationError("Your bid has been withdrawn from this competition.")
    if round == TenderRound.TENDER and competition.procedure != "open" and bid.pre_qualification != Bid.PreQualification.PASSED:
        raise PermissionDenied("Only bidders who passed pre-qualification may tender.")
    if round == TenderRound.BAFO and bid.tender_price is None:
        raise PermissionDenied("Only bidders who tendered may make a best and final offer.")
    return round


def _price(value: object) -> Decimal:
    try:
        price = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise ValidationError({"price": "Enter the price in pounds, like 1250000.00."}) from None
    if not price.is_finite() or price < 0 or price >= Decimal("1e12"):
        raise ValidationError({"price": "Enter a price of £0 or more, below £1,000,000,000,000."})
    return price


def _seal_file(tender: SealedTender, upload: "File[Any]") -> None:
    try:
        validate_document(upload)
    except ValidationError as refused:
        raise ValidationError({"documents": [f"{upload.name}: {message}" for message in refused.messages]}) from None
    content = upload.read()
    name = os.path.basename(str(upload.name))
    details = {"title": name, "name": name, "size": len(content), "sha256": hashlib.sha256(content).hexdigest()}
    sealed_file = SealedFile(tender=tender, sealed=sealing.seal_json(details))
    sealed_file.content.save("sealed", ContentFile(sealing.seal(content)), save=False)
    sealed_file.save()


def _delete_files(tender: SealedTender) -> None:
    for sealed_file in tender.files.all():
        sealed_file.content.delete(save=False)
        sealed_file.delete()


@transaction.atomic
def tender_seal(*, competition: Competition, actor: User, price: object, documents: Sequence["File[Any]"]) -> Receipt:
    """Seal (or replace) the actor's bid's tender in the round now open; the receipt says what arrived and when."""
    competition = Competition.objects.select_for_update().get(pk=competition.pk)
    bid = acting_bid(actor, competition)
    round = _open_round(competition, bid)
    amount = _price(price)
    if not documents:
        raise ValidationError({"documents": "Attach your tender documents."})
    if len(documents) > MAX_FILES:
        raise ValidationError({"documents": f"Attach at most {MAX_FILES} files to one tender."})
    now = timezone.now()
    payload = {"bid": bid.pk, "price": str(amount), "by": actor.pk, "by_name": actor.get_full_name() or actor.get_username(),
               "receipt": f"{competition.reference}-{round.upper()}-{uuid.uuid4().hex[:12].upper()}"}
    found = own_tender(competition, round, bid)
    if found is None:
        tender = SealedTender.objects.create(competition=competition, round=round, sealed=sealing.seal_json(payload), received_at=now)
        description = "A sealed tender arrived in the tender box"
    else:
        tender = found[0]
        _delete_files(tender)
        tender.sealed, tender.received_at, tender.withdrawn_at = sealing.seal_json(payload), now, None
        tender.save(update_fields=["sealed", "received_at", "withdrawn_at"])
        description = "A sealed tender in the tender box was replaced"
    for upload in documents:
        _seal_file(tender, upload)
    # The timeline says that something arrived, never whose it is: not even who sent it.
    _event(competition, None, EventKind.TENDER_BOX, f"{description} ({TenderRound(round).label.lower()} round)")
    return receipt_of(tender, payload)


@transaction.atomic
def tender_withdraw(*, competition: Competition, actor: User) -> Receipt:
    """Withdraw the actor's bid's sealed tender before the deadline: its documents are destroyed, its receipt kept."""
    competition = Competition.objects.select_for_update().get(pk=competition.pk)
    bid = acting_bid(actor, competition)
    round = _open_round(competition, bid)
    found = own_tender(competition, round, bid)
    if found is None or found[0].withdrawn_at is not None:
        raise ValidationError("There is no tender of yours in the box to withdraw.")
    tender, payload = found
    _delete_files(tender)
    tender.withdrawn_at = timezone.now()
    tender.save(update_fields=["withdrawn_at"])
    _event(competition, None, EventKind.TENDER_BOX, f"A sealed tender was withdrawn from the tender box ({TenderRound(round).label.lower()} round)")
    return receipt_of(tender, payload)


@transaction.atomic
def tender_box_open(*, competition: Competition, actor: User, round: str) -> TenderBoxOpening:
    """One of the two keys: the first procurement officer begins the opening, a different one completes it and unseals."""
    require_commissioning_side(actor, competition, *RECORD_ROLES["open-tender-box"])
    competition = Competition.objects.select_for_update().get(pk=competition.pk)
    round = TenderRound(round)
    deadline = deadline_of(competition, round)
    if deadline is None:
        raise ValidationError(f"The {DEADLINE_NAME[round]} is not set: there is no box to open.")
    if timezone.now() < deadline:
        raise ValidationError(f"The tender box stays sealed until the {DEADLINE_NAME[round]}, {when(deadline)}.")
    opening = TenderBoxOpening.objects.filter(competition=competition, round=round).first()
    if opening is None:
        opening = TenderBoxOpening.objects.create(competition=competition, round=round, first_officer=actor, begun_at=timezone.now())
        _event(competition, actor, EventKind.TENDER_BOX,
               f"Opening of the tender box ({round.label.lower()} round) begun by {actor}: a second procurement officer must complete it")
        return opening
    if opening.is_open:
        raise ValidationError("This tender box has already been opened.")
    if opening.first_officer_id == actor.pk:
        raise ValidationError("A second, different procurement officer must complete the opening: you began it.")
    try:
        opened = _unseal_round(competition, round, opened_by=actor)
    except sealing.SealBroken as broken:
        raise ValidationError(f"{broken} Nothing was opened: check TENDER_BOX_KEYS (README, 'The sealed tender box').") from None
    opening.second_officer, opening.opened_at, opening.tenders_opened = actor, timezone.now(), opened
    opening.save(update_fields=["second_officer", "opened_at", "tenders_opened"])
    _event(competition, actor, EventKind.TENDER_BOX,
           f"Tender box ({round.label.lower()} round) opened by {opening.first_officer} and {actor}: {opened} tender(s)")
    return opening


def _unseal_round(competition: Competition, round: str, *, opened_by: User) -> int:
    """Every tender of the round into its bid: the price, and each document checked against the SHA-256 on its receipt."""
    opened = 0
    for tender in SealedTender.objects.filter(competition=competition, round=round, opened_at__isnull=True).prefetch_related("files"):
        now = timezone.now()
        if tender.withdrawn_at is not None:
            tender.opened_at = now
            tender.save(update_fields=["opened_at"])
            continue
        payload = sealing.unseal_json(tender.sealed)
        bid = Bid.objects.select_for_update().get(pk=payload["bid"])
        submitter = User.objects.filter(pk=payload["by"]).first() or opened_by
        for sealed_file in tender.files.all():
            details = sealing.unseal_json(sealed_file.sealed)
            with sealed_file.content.open("rb") as stored:
                content = sealing.unseal(stored.read())
            if hashlib.sha256(content).hexdigest() != details["sha256"]:
                raise ValidationError(f"A document of tender {payload['receipt']} does not match its receipt: the box was tampered with.")
            document = BidDocument(bid=bid, title=details["title"], uploaded_by=submitter)
            document.file.save(details["name"], ContentFile(content), save=False)
            document.save()
            wall.wall_protect(document)
        if round == TenderRound.TENDER:
            bid.tender_price, bid.stage, bid.submitted_at = Decimal(payload["price"]), Bid.Stage.TENDER, tender.received_at
        else:
            bid.bafo_price, bid.stage = Decimal(payload["price"]), Bid.Stage.BAFO
        bid.save(update_fields=["tender_price", "bafo_price", "stage", "submitted_at"])
        tender.opened_at = now
        tender.save(update_fields=["opened_at"])
        opened += 1
    return opened


def tender_keys_rotate() -> int:
    """Every sealed value re-encrypted with the first key of TENDER_BOX_KEYS (the key rotation); returns how many."""
    rotated = 0
    with transaction.atomic():
        for tender in SealedTender.objects.select_for_update():
            tender.sealed = sealing.reseal(tender.sealed)
            tender.save(update_fields=["sealed"])
            rotated += 1
        for sealed_file in SealedFile.objects.select_for_update():
            with sealed_file.content.open("rb") as stored:
                content = sealing.reseal(stored.read())
            old_name = sealed_file.content.name
            sealed_file.content.save("sealed", ContentFile(content), save=False)
            sealed_file.sealed = sealing.reseal(sealed_file.sealed)
            sealed_file.save(update_fields=["content", "sealed"])
            sealed_file.content.storage.delete(old_name)
            rotated += 1
    return rotated
