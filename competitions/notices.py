"""Content of the Central Digital Platform notices of a Procurement Act 2023 competition.

Each notice is a versioned record linked to the competition's OCID: UK4 (tender),
UK6 (contract award) and UK12 (procurement termination) here; the contracts app
adds UK7, UK9, UK10 and UK11. Only published facts go in: never scores of other
bidders, draft criteria, business cases or internal notes.
"""

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from competitions.models import Competition, Notice
from competitions.states import NoticeType
from core.models import User
from core.signals import published_facts_changed


def _money(amount: Decimal | None) -> dict[str, float | str] | None:
    return None if amount is None else {"amount": float(amount), "currency": "GBP"}


def _tender_section(competition: Competition) -> dict[str, Any]:
    strategy = getattr(competition, "procurement_strategy", None)
    return {
        "id": competition.reference,
        "title": competition.title,
        "description": competition.description,
        "procurementMethodDetails": competition.get_procedure_display(),
        "value": _money(competition.estimated_value),
        "lots": [line.strip() for line in (strategy.lots.splitlines() if strategy else []) if line.strip()],
        "awardCriteria": "lowestPrice" if competition.award_basis == "lowest_price" else "mostAdvantageousTender",
        "awardCriteriaDetails": [
            {"name": c.name, "type": c.kind, "weight": float(c.weight)} for c in competition.criteria.filter(published=True)
        ],
        "tenderPeriod": {"endDate": competition.bid_deadline.isoformat() if competition.bid_deadline else None},
        "serviceArea": competition.service_area.name,
    }


def uk4_content(competition: Competition) -> dict[str, Any]:
    return {
        "noticeType": NoticeType.UK4.value, "title": "Tender notice", "ocid": competition.ocid,
        "buyer": "Ministry of Justice (NOMS)",
        "tender": _tender_section(competition),
        "conflictsAssessmentCompleted": True,  # the launch guard requires it (s.83)
        "publicSectorBidPossible": competition.public_sector_bid_possible,
    }


def uk6_content(competition: Competition) -> dict[str, Any]:
    recommendation = competition.award_recommendation
    return {
        "noticeType": NoticeType.UK6.value, "title": "Contract award notice", "ocid": competition.ocid,
        "tender": {"id": competition.reference, "title": competition.title},
        "award": {
            "supplier": recommendation.bid.bidder.name,
            "value": _money(recommendation.bid.price),
            "date": recommendation.made_on.isoformat(),
        },
        "standstillPeriod": {
            "startDate": competition.standstill_started_on.isoformat() if competition.standstill_started_on else None,
            "endDate": competition.standstill_ends_on.isoformat() if competition.standstill_ends_on else None,
        },
    }


def uk12_content(competition: Competition) -> dict[str, Any]:
    return {
        "noticeType": NoticeType.UK12.value, "title": "Procurement termination notice", "ocid": competition.ocid,
        "tender": {"id": competition.reference, "title": competition.title, "status": "cancelled"},
        "terminationReason": competition.abandoned_reason,
    }


# NoticeType members are strs: looked up by the `notice_type` a caller passes.
BUILDERS: dict[str, Callable[[Competition], dict[str, Any]]] = {NoticeType.UK4: uk4_content, NoticeType.UK6: uk6_content, NoticeType.UK12: uk12_content}


def next_notice_version(competition: Competition, notice_type: str) -> int:
    latest = Notice.objects.filter(competition=competition, notice_type=notice_type).aggregate(v=Max("version"))["v"]
    return (latest or 0) + 1


@transaction.atomic
def notice_publish(*, competition: Competition, notice_type: str, actor: User | None,
                   content: dict[str, Any] | None = None) -> Notice:
    """Publish the next version of a notice. `content` is given by other apps' notices (UK7…UK11)."""
    body = content if content is not None else BUILDERS[notice_type](competition)
    version = next_notice_version(competition, notice_type)
    body = {**body, "version": version}
    notice = Notice.objects.create(
        competition=competition, notice_type=notice_type, version=version, content=body,
        published_at=timezone.now(), published_by=actor,
    )
    published_facts_changed.send(sender=Notice, competition_id=competition.pk)
    return notice
