"""OCDS 1.1 releases, records and packages of a competition, built from its published facts only.

The facts come from `ocds.selectors` (what every bidder sees, the Procurement Act
2023 notices, and a 2011 competition's let contract); this module only arranges
them. One OCID per competition (`<OCID_PREFIX>-<reference>`); each release is one
published moment, in date order, with a stable id `<ocid>-<what>`:

| tag | built from |
|---|---|
| planning | the launch: the estimated value as the budget |
| tender | the launch: title, description, service area, value, procedure, award criteria as published, bid deadline; the UK4 tender notice |
| tenderUpdate | each later move of the procurement (dialogue, tendering, final tenders, evaluation, award recommended, standstill), as a milestone; each clarification answered to all bidders; a later UK4 |
| award / awardUpdate | UK6 contract award notice (2023: supplier, value, pending during standstill); the award itself (active; for 2011 rules, supplier and value of the contract the award created) |
| contract / contractUpdate | UK7 contract details notice (2023: value, period, KPIs); for 2011 rules the contract at mobilisation, and its service going live |
| implementation / implementationUpdate | UK9 contract performance notices (KPI ratings); each payment made (a paid claim) as a transaction: day, amount, payer and payee |
| contractAmendment | UK10 contract change notices (a Notice of Change in effect) |
| contractTermination | UK11 contract termination notice; for 2011 rules the contract ending |
| tenderCancellation (+ awardCancellation) | UK12 procurement termination notice; for 2011 rules the abandonment, with its published reason |

The record's compiled release merges the releases by the OCDS merge rules:
objects field by field, arrays of objects with an `id` by id, anything else
replaced by the later release.
"""

import copy
import datetime
from collections import Counter
from decimal import Decimal

from django.utils import timezone
from django.utils.text import slugify

from competitions.models import STATE_LABELS_2023, AwardBasis, NoticeType, Procedure, Regime, State
from contracts.models import RUNNING
from ocds.selectors import PublishedCompetition, PublishedNotice

OCDS_VERSION = "1.1"
PUBLISHER = {"name": "Ministry of Justice (NOMS)"}
LICENSE = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"
BUYER = {"id": "ministry-of-justice-noms", "name": "Ministry of Justice (NOMS)"}
PAYMENTS_SOURCE = "https://www.gov.uk/government/collections/ministry-of-justice-spend-over-25000"
PROCURING_ENTITY = {"id": "moj-procurement", "name": "MoJ Procurement"}
CURRENCY = "GBP"
LANGUAGE = "en"
# Offender services are services (procurementCategory codelist).
MAIN_PROCUREMENT_CATEGORY = "services"

# method codelist: open, or selective where bidders must first qualify (pre-qualification, conditions of participation).
PROCUREMENT_METHODS = {
    Procedure.OPEN: "open",
    Procedure.RESTRICTED: "selective",
    Procedure.COMPETITIVE_DIALOGUE: "selective",
    Procedure.COMPETITIVE_FLEXIBLE: "selective",
}
# awardCriteria codelist.
AWARD_CRITERIA = {AwardBasis.MEAT: "ratedCriteria", AwardBasis.LOWEST_PRICE: "priceOnly"}
# The moves of a launched procurement that a tenderUpdate announces.
TENDER_STAGES = (State.DIALOGUE, State.TENDER, State.BAFO, State.EVALUATION, State.AWARD_RECOMMENDED, State.STANDSTILL)
# documentType codelist, for each notice.
NOTICE_DOCUMENT_TYPES = {
    "UK4": "tenderNotice", "UK6": "awardNotice", "UK7": "contractNotice", "UK9": "physicalProgressReport",
    "UK10": "contractNotice", "UK11": "contractNotice", "UK12": "cancellationDetails",
}
ENDED_CONTRACT = "terminated"  # contractStatus: signed and in force, and now come to a close (early or not)


# --- values ---------------------------------------------------------------------------------------------

def _money(amount) -> dict | None:
    if amount is None:
        return None
    amount = Decimal(str(amount))
    return {"amount": int(amount) if amount == amount.to_integral_value() else float(amount), "currency": CURRENCY}


def iso(moment: datetime.datetime) -> str:
    """An OCDS date-time, in UTC: releases are merged in date order, and the text of a UTC time sorts as the time does."""
    return moment.astimezone(datetime.timezone.utc).isoformat(timespec="seconds")


def parse_iso(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text)




def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _day(day) -> str | None:
    """A date (or an ISO date string from a notice) as an OCDS date-time: the start of that day, UK time."""
    if not day:
        return None
    if isinstance(day, str):
        day = datetime.date.fromisoformat(day[:10])
    return timezone.localtime(_start_of(day)).isoformat(timespec="seconds")  # that day's start in the UK, as a reader means it


def _stage_label(competition: PublishedCompetition, state: str) -> str:
    if competition.regime == Regime.PA_2023 and state in STATE_LABELS_2023:
        return STATE_LABELS_2023[state]
    return State(state).label


def _without_empty(value):
    """Leave out what is not known rather than publish nulls (a null would erase a field in the compiled release)."""
    if isinstance(value, dict):
        cleaned = {name: _without_empty(item) for name, item in value.items()}
        return {name: item for name, item in cleaned.items() if item not in (None, "", [], {})}
    if isinstance(value, list):
        return [_without_empty(item) for item in value]
    return value


def _party(organisation: dict, *roles: str) -> dict:
    return {**organisation, "roles": list(roles)}


def _supplier(name: str) -> dict:
    return {"id": f"supplier-{slugify(name)}", "name": name}


def _award_id(competition: PublishedCompetition) -> str:
    return f"{competition.reference}-award"


def _notice_document(notice: PublishedNotice, notices_url: str) -> dict:
    key = f"{notice.notice_type}-{notice.version}"
    document = {
        "id": key, "documentType": NOTICE_DOCUMENT_TYPES[notice.notice_type],
        "title": f"{notice.title} (version {notice.version})", "datePublished": iso(notice.published_at),
        "format": "application/json", "language": LANGUAGE,
    }
    if notices_url:
        document["url"] = f"{notices_url}#{key}"
    return document


def _stage_milestone(competition: PublishedCompetition, state: str, at: datetime.datetime) -> dict:
    return {
        "id": f"stage-{state}", "title": _stage_label(competition, state),
        "description": "The procurement entered this stage.", "status": "met", "dateMet": iso(at),
    }


STANDSTILL_END = "standstill-end"


# --- the releases of one competition ------------------------------------------------------------------

class _Timeline:
    def __init__(self, competition: PublishedCompetition):
        self.competition = competition
        self.entries: list[tuple[datetime.datetime, int, dict]] = []
        self.ids: set[str] = set()

    def add(self, key: str, at: datetime.datetime, tags: list[str], **blocks) -> None:
        release_id = f"{self.competition.ocid}-{key}"
        while release_id in self.ids:  # a move made twice keeps both releases
            release_id += "-again"
        self.ids.add(release_id)
        release = {
            "ocid": self.competition.ocid, "id": release_id, "date": iso(at), "tag": tags,
            "initiationType": "tender", "language": LANGUAGE, **blocks,
        }
        self.entries.append((at, len(self.entries), _without_empty(release)))

    def latest(self) -> datetime.datetime | None:
        return max((at for at, _, _ in self.entries), default=None)

    def releases(self) -> list[dict]:
        return [release for _, _, release in sorted(self.entries, key=lambda entry: entry[:2])]


def competition_releases(competition: PublishedCompetition, *, notices_url: str = "") -> list[dict]:
    """The competition's releases, oldest first; none before it is launched."""
    launch = next((t for t in competition.transitions if t.to_state == State.PRE_QUALIFICATION), None)
    if launch is None:
        return []
    timeline = _Timeline(competition)
    _launch(timeline, competition, launch, notices_url)
    for transition in competition.transitions:
        if transition is not launch:
            _move(timeline, competition, transition)
    seen: Counter[str] = Counter()
    for notice in competition.notices:
        seen[notice.notice_type] += 1
        _notice(timeline, competition, notice, first=seen[notice.notice_type] == 1, notices_url=notices_url)
    for clarification in competition.clarifications:
        timeline.add(
            f"clarification-{clarification.key}", clarification.published_at, ["tenderUpdate"],
            tender={
                "id": competition.reference, "hasEnquiries": True,
                "documents": [{
                    "id": f"clarification-{clarification.key}", "documentType": "clarifications",
                    "title": "Clarification answered to all bidders",
                    "description": f"Question: {clarification.question}\nAnswer: {clarification.answer}",
                    "datePublished": iso(clarification.published_at), "language": LANGUAGE,
                }],
            },
        )
    for payment in competition.payments:
        _payment(timeline, competition, payment)
    _contract_ended(timeline, competition)
    return timeline.releases()


def _contract_id(competition: PublishedCompetition) -> str:
    """The contract's id as its releases give it: the 2011 award's agreement, or the 2023 contract details notice's."""
    if competition.contract:
        return competition.contract.reference
    details = next((n.content for n in competition.notices if n.notice_type == NoticeType.UK7), {})
    return (details.get("contract") or {}).get("id") or f"{competition.reference}-contract"


def _payment(timeline: _Timeline, competition: PublishedCompetition, payment) -> None:
    """A payment made, as a transaction of the contract's implementation (the buyer pays, the supplier is paid)."""
    at = timezone.make_aware(datetime.datetime.combine(payment.paid_on, datetime.time(12)))
    payee = _supplier(payment.payee)
    timeline.add(f"payment-{payment.key}", at, ["implementationUpdate"], parties=[_party(BUYER, "payer"), _party(payee, "payee")], contracts=[{
        "id": _contract_id(competition), "awardID": _award_id(competition),
        "implementation": {"transactions": [{
            "id": f"payment-{payment.key}", "source": PAYMENTS_SOURCE, "date": iso(at), "value": _money(payment.amount),
            "payer": BUYER, "payee": payee,
        }]},
    }])


def _launch(timeline: _Timeline, competition: PublishedCompetition, launch, notices_url: str) -> None:
    parties = [_party(BUYER, "buyer"), _party(PROCURING_ENTITY, "procuringEntity")]
    timeline.add(
        "planning", launch.at, ["planning"], parties=parties, buyer=BUYER,
        planning={"budget": {
            "id": f"{competition.reference}-budget", "description": f"Estimated value: {competition.title}",
            "amount": _money(competition.estimated_value),
        }},
    )
    tender = {
        "id": competition.reference, "title": competition.title, "description": competition.description or None,
        "status": "active", "procuringEntity": PROCURING_ENTITY, "value": _money(competition.estimated_value),
        "procurementMethod": PROCUREMENT_METHODS[competition.procedure],
        "procurementMethodDetails": competition.procedure_label,
        "mainProcurementCategory": MAIN_PROCUREMENT_CATEGORY,
        "items": [{"id": "1", "description": competition.service_area}],
        "awardCriteria": AWARD_CRITERIA[competition.award_basis],
        "milestones": [_stage_milestone(competition, State.PRE_QUALIFICATION, launch.at)],
    }
    if competition.criteria:
        tender["awardCriteriaDetails"] = "; ".join(
            f"{criterion.name} ({criterion.kind}, {criterion.weight.normalize():f}%)" for criterion in competition.criteria
        )
    if competition.bid_deadline:
        tender["tenderPeriod"] = {"endDate": iso(competition.bid_deadline)}
    tender_notice = next((n for n in competition.notices if n.notice_type == "UK4"), None)
    if tender_notice:
        tender["documents"] = [_notice_document(tender_notice, notices_url)]
    timeline.add("tender", launch.at, ["tender"], parties=parties, buyer=BUYER, tender=tender)


def _awarded_before(competition: PublishedCompetition, moment: datetime.datetime) -> bool:
    return any(t.to_state == State.AWARDED and t.at <= moment for t in competition.transitions)


def _award_published_before(competition: PublishedCompetition, moment: datetime.datetime) -> bool:
    return any(n.notice_type == NoticeType.UK6 and n.published_at <= moment for n in competition.notices)


def _contract_reference(competition: PublishedCompetition) -> dict:
    return {"id": competition.contract.reference, "awardID": _award_id(competition)}


def _move(timeline: _Timeline, competition: PublishedCompetition, transition) -> None:
    reference, at, state = competition.reference, transition.at, transition.to_state
    contract = competition.contract  # 2011 rules only
    if state in TENDER_STAGES:
        tender = {"id": reference, "status": "active", "milestones": [_stage_milestone(competition, state, at)]}
        if state == State.TENDER:
            tender["tenderPeriod"] = {"startDate": iso(at), "endDate": iso(competition.bid_deadline) if competition.bid_deadline else None}
        if state == State.STANDSTILL and competition.standstill_ends_on:
            tender["milestones"].append({
                "id": STANDSTILL_END, "title": "Standstill period ends", "status": "scheduled",
                "dueDate": _day(competition.standstill_ends_on),
            })
        timeline.add(transition.action.replace("_", "-"), at, ["tenderUpdate"], tender=tender)
    elif state == State.AWARDED:
        award = {"id": _award_id(competition), "status": "active"}
        parties = None
        if contract:
            award.update(date=iso(at), value=_money(contract.value), suppliers=[_supplier(contract.supplier)])
            parties = [_party(_supplier(contract.supplier), "supplier")]
        milestones = [_stage_milestone(competition, state, at)]
        if competition.standstill_ends_on:
            milestones.append({"id": STANDSTILL_END, "title": "Standstill period ends", "status": "met", "dateMet": _day(competition.standstill_ends_on)})
        timeline.add(
            "award", at, ["awardUpdate" if _award_published_before(competition, at) else "award"],
            parties=parties, tender={"id": reference, "status": "complete", "milestones": milestones}, awards=[award],
        )
    elif state == State.MOBILISATION and contract:
        block = {**_contract_reference(competition), "title": contract.title, "status": "active", "value": _money(contract.value)}
        if contract.start_date or contract.end_date:
            block["period"] = {"startDate": _day(contract.start_date), "endDate": _day(contract.end_date)}
        timeline.add("contract", at, ["contract"], parties=[_party(_supplier(contract.supplier), "supplier")], contracts=[block])
    elif state == State.LIVE and contract:
        timeline.add("service-live", at, ["contractUpdate"], contracts=[{
            **_contract_reference(competition),
            "milestones": [{"id": "service-live", "title": "Service live", "type": "delivery", "status": "met", "dateMet": iso(at)}],
        }])
    elif state == State.ABANDONED and competition.regime == Regime.RULES_2011:
        # A 2023 competition's abandonment is published by its UK12 notice (below).
        timeline.add("abandon", at, ["tenderCancellation"], tender={
            "id": reference, "status": "cancelled",
            "documents": [{
                "id": "abandonment", "documentType": "cancellationDetails", "title": "Why the competition was abandoned",
                "description": competition.abandoned_reason or None, "datePublished": iso(at), "language": LANGUAGE,
            }],
        })


def _contract_ended(timeline: _Timeline, competition: PublishedCompetition) -> None:
    contract = competition.contract
    if not contract or contract.state in RUNNING or not contract.ended_on:
        return
    latest = timeline.latest()
    at = max(_start_of(contract.ended_on), latest) if latest else _start_of(contract.ended_on)
    timeline.add("contract-ended", at, ["contractTermination"], contracts=[{
        **_contract_reference(competition), "status": ENDED_CONTRACT, "period": {"endDate": _day(contract.ended_on)},
    }])


def _notice(timeline: _Timeline, competition: PublishedCompetition, notice: PublishedNotice, *, first: bool, notices_url: str) -> None:
    content, at, key = notice.content, notice.published_at, f"{notice.notice_type}-{notice.version}"
    document = _notice_document(notice, notices_url)
    reference, award_id = competition.reference, _award_id(competition)
    contract_id = (content.get("contract") or {}).get("id") or f"{reference}-contract"
    supplier_name = (content.get("award") or content.get("contract") or {}).get("supplier")
    parties = [_party(_supplier(supplier_name), "supplier")] if supplier_name else None

    if notice.notice_type == NoticeType.UK4:
        if not first:  # the first is the tender release's own notice
            timeline.add(key, at, ["tenderUpdate"], tender={"id": reference, "documents": [document]})
    elif notice.notice_type == NoticeType.UK6:
        award_facts = content.get("award") or {}
        award = {
            "id": award_id, "status": "active" if _awarded_before(competition, at) else "pending",
            "date": _day(award_facts.get("date")) or iso(at), "value": _money((award_facts.get("value") or {}).get("amount")),
            "documents": [document],
        }
        if supplier_name:
            award["suppliers"] = [_supplier(supplier_name)]
        timeline.add(key, at, ["award" if first else "awardUpdate"], parties=parties, awards=[award])
    elif notice.notice_type == NoticeType.UK7:
        period = content.get("period") or {}
        block = {
            "id": contract_id, "awardID": award_id, "title": (content.get("contract") or {}).get("title"),
            "status": "active", "value": _money((content.get("value") or {}).get("amount")),
            "period": {"startDate": _day(period.get("startDate")), "endDate": _day(period.get("endDate"))},
            "documents": [document],
        }
        kpis = content.get("kpis") or []
        if kpis:
            block["description"] = "Key performance indicators: " + "; ".join(_kpi(kpi) for kpi in kpis)
        timeline.add(key, at, ["contract" if first else "contractUpdate"], parties=parties, contracts=[block])
    elif notice.notice_type == NoticeType.UK9:
        ratings = "; ".join(f"{kpi['name']}: {kpi['rating']}" for kpi in content.get("kpis") or [])
        report = {**document, "description": " ".join(part for part in (
            f"KPI ratings at {content.get('assessmentDate', '')}: {ratings}." if ratings else "", content.get("rule", ""),
        ) if part) or None}
        timeline.add(key, at, ["implementation" if first else "implementationUpdate"], contracts=[{
            "id": contract_id, "awardID": award_id, "implementation": {"documents": [report]},
        }])
    elif notice.notice_type == NoticeType.UK10:
        change = content.get("change") or {}
        changes = change.get("changes") or {}
        block = {
            "id": contract_id, "awardID": award_id, "documents": [document],
            "amendments": [{
                "id": key, "date": iso(at), "rationale": change.get("summary") or None,
                "description": f"Notice of Change {change.get('number', '')}{' (material)' if change.get('material') else ''}".strip(),
            }],
        }
        if "value" in changes:
            block["value"] = _money(changes["value"])
        if "end_date" in changes:
            block["period"] = {"endDate": _day(changes["end_date"])}
        timeline.add(key, at, ["contractAmendment"], contracts=[block])
    elif notice.notice_type == NoticeType.UK11:
        termination = content.get("termination") or {}
        timeline.add(key, at, ["contractTermination"], contracts=[{
            "id": contract_id, "awardID": award_id, "status": ENDED_CONTRACT,
            "period": {"endDate": _day(termination.get("date")) or iso(at)},
            "documents": [{**document, "description": termination.get("reason") or None}],
        }])
    elif notice.notice_type == NoticeType.UK12:
        awarded = _award_published_before(competition, at)
        timeline.add(
            key, at, ["tenderCancellation", "awardCancellation"] if awarded else ["tenderCancellation"],
            tender={
                "id": reference, "status": "cancelled",
                "documents": [{**document, "description": content.get("terminationReason") or None}],
            },
            awards=[{"id": award_id, "status": "cancelled"}] if awarded else None,
        )
    else:  # every notice type the service publishes has its release above: a new one must be added there
        raise ValueError(f"No OCDS release is built for a {notice.notice_type} notice.")


def _kpi(kpi: dict) -> str:
    """"Name (target 95 %, monthly)" from a UK7 KPI."""
    target = kpi.get("target")
    if isinstance(target, float):
        target = f"{target:g}"
    target = " ".join(str(part) for part in (target, kpi.get("unit")) if part not in (None, ""))
    details = ", ".join(part for part in (f"target {target}" if target else "", kpi.get("frequency") or "") if part)
    return f"{kpi.get('name', '')} ({details})" if details else kpi.get("name", "")


# --- records and packages -----------------------------------------------------------------------------

WHOLE_LIST_MERGE = {"additionalIdentifiers", "additionalClassifications"}


def _merge(target: dict, source: dict) -> dict:
    """OCDS merge: objects field by field, arrays of objects with ids by id, everything else replaced; null removes."""
    for name, value in source.items():
        if value is None:
            target.pop(name, None)
        elif isinstance(value, dict):
            target[name] = _merge(target[name] if isinstance(target.get(name), dict) else {}, value)
        elif (
            isinstance(value, list) and value and name not in WHOLE_LIST_MERGE
            and all(isinstance(item, dict) and "id" in item for item in value)
        ):
            merged = target[name] if isinstance(target.get(name), list) else []
            positions = {item.get("id"): index for index, item in enumerate(merged) if isinstance(item, dict)}
            for item in value:
                if item["id"] in positions:
                    merged[positions[item["id"]]] = _merge(merged[positions[item["id"]]], item)
                else:
                    positions[item["id"]] = len(merged)
                    merged.append(_merge({}, item))
            target[name] = merged
        else:
            target[name] = copy.deepcopy(value)
    return target


def compiled_release(releases: list[dict]) -> dict:
    """The current state of every field, from the releases in date order (id, date and tag are the compiled release's own)."""
    compiled: dict = {}
    for release in releases:
        _merge(compiled, {name: value for name, value in release.items() if name not in ("id", "date", "tag")})
    latest = releases[-1]
    return {
        "ocid": latest["ocid"], "id": f"{latest['ocid']}-compiled", "date": _latest_date(releases), "tag": ["compiled"],
        **{name: value for name, value in compiled.items() if name != "ocid"},
    }


def competition_record(competition: PublishedCompetition, *, notices_url: str = "") -> dict | None:
    releases = competition_releases(competition, notices_url=notices_url)
    if not releases:
        return None
    return {"ocid": competition.ocid, "releases": releases, "compiledRelease": compiled_release(releases)}


def _latest_date(releases: list[dict]) -> str:
    return max((release["date"] for release in releases), key=datetime.datetime.fromisoformat)


def _package(*, uri: str, policy_uri: str, published: str) -> dict:
    return {
        "uri": uri, "version": OCDS_VERSION, "publishedDate": published, "publisher": PUBLISHER,
        "license": LICENSE, "publicationPolicy": policy_uri,
    }


def release_package(releases: list[dict], *, uri: str, policy_uri: str) -> dict:
    """Releases in a package; `publishedDate` is the latest release's date, as for a package made on demand."""
    return {**_package(uri=uri, policy_uri=policy_uri, published=_latest_date(releases)), "releases": releases}


def record_package(records: list[dict], *, uri: str, policy_uri: str) -> dict:
    published = _latest_date([record["compiledRelease"] for record in records])
    return {**_package(uri=uri, policy_uri=policy_uri, published=published), "records": records}
