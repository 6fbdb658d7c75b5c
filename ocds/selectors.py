"""What OCDS publishes about a competition: its published facts, and nothing else (SPEC §4 rule 7, §6).

OCDS data is public by design, so it is the same whoever asks: the facts every
bidder sees, read through the competitions selectors —

- competitions from their launch (the tender notice): a competition in draft or
  pre-procurement, or abandoned before launch, is not published;
- the competition's public fields (those of the bidders' serializer), its
  published evaluation criteria and the clarifications answered to all bidders
  (`competitions.selectors.clarification_queryset(confidential=False)`: question
  and answer only, never the asker);
- the date of each move of its (public) state;
- the Central Digital Platform notices of a Procurement Act 2023 competition,
  which are published documents;
- for a 2011-rules competition, which publishes no notices here, the contract the
  award created, as a contract award notice shows it: supplier, value, period and
  whether it is running or has ended.

- the payments made under the contract the competition let (paid claims: the day,
  the amount and the payee — public spending, issue #20).

Bids, their number and bidders, prices, scores, moderation, the award
recommendation, business cases, gateway reviews, conflicts, the wall and the
agreement's management records (claims in progress among them) are never read here. The facts are handed to
`ocds.releases` as plain data classes, so the release builder cannot reach
anything else.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Exists, OuterRef, Prefetch, QuerySet, prefetch_related_objects

from competitions import selectors as competition_selectors
from competitions.models import Competition, CompetitionEvent, EvaluationCriterion, Notice, Regime
from contracts.models import Claim
from ethical_walls import audit
from ethical_walls.selectors import get_or_404



@dataclass(frozen=True)
class Transition:
    action: str
    to_state: str
    at: datetime.datetime


@dataclass(frozen=True)
class PublishedNotice:
    notice_type: str
    version: int
    published_at: datetime.datetime
    content: dict
    ocid: str

    @property
    def title(self) -> str:
        return Notice.NoticeType(self.notice_type).label


@dataclass(frozen=True)
class PublishedClarification:
    key: int
    question: str
    answer: str
    published_at: datetime.datetime


@dataclass(frozen=True)
class PublishedPayment:
    """A payment made under the contract (issue #20): public spending, published as an OCDS transaction."""

    key: int
    paid_on: datetime.date
    amount: Decimal
    payee: str


@dataclass(frozen=True)
class PublishedCriterion:
    name: str
    kind: str
    weight: Decimal


@dataclass(frozen=True)
class LetContract:
    """The agreement a 2011-rules award created, as a contract award notice publishes it."""

    reference: str
    title: str
    supplier: str
    value: Decimal
    start_date: datetime.date | None
    end_date: datetime.date | None
    state: str
    ended_on: datetime.date | None


@dataclass(frozen=True)
class PublishedCompetition:
    pk: int
    ocid: str
    reference: str
    title: str
    description: str
    service_area: str
    regime: str
    procedure: str
    procedure_label: str
    award_basis: str
    estimated_value: Decimal
    state: str
    bid_deadline: datetime.datetime | None
    standstill_started_on: datetime.date | None
    standstill_ends_on: datetime.date | None
    abandoned_reason: str
    criteria: tuple[PublishedCriterion, ...]
    transitions: tuple[Transition, ...]
    notices: tuple[PublishedNotice, ...]
    clarifications: tuple[PublishedClarification, ...]
    contract: LetContract | None
    payments: tuple[PublishedPayment, ...] = ()


def published_competitions(*, user, ocid: str = "") -> QuerySet[Competition]:
    """Competitions published as OCDS: launched, through the competitions selector (the same set for every user)."""
    competitions = competition_selectors.competition_list(user=user).filter(competition_selectors.published_competitions())
    if ocid:
        competitions = competitions.filter(ocid=ocid)
    return competitions.order_by("reference", "pk")


def _prefetches(user) -> list:
    return [
        # As the bidders' view of a competition (competitions.selectors): published criteria only.
        Prefetch("criteria", queryset=EvaluationCriterion.objects.filter(published=True).order_by("kind", "id"), to_attr="ocds_criteria"),
        Prefetch(
            "clarifications",
            queryset=competition_selectors.clarification_queryset(user, confidential=False).only("id", "competition_id", "question", "answer", "published_at"),
            to_attr="ocds_clarifications",
        ),
        Prefetch("notices", queryset=Notice.objects.order_by("published_at", "id"), to_attr="ocds_notices"),
        # Payments made (paid claims) on the contract the competition let: date, amount and payee, nothing of the claim.
        Prefetch("agreement__claims", queryset=Claim.objects.filter(status=Claim.Status.PAID).select_related("agreement__provider")
                 .only("id", "agreement_id", "paid_on", "total", "status", "agreement__provider__name").order_by("paid_on", "id"),
                 to_attr="ocds_payments"),
        # When the state moved, not who moved it or why.
        Prefetch(
            "events",
            queryset=CompetitionEvent.objects.exclude(to_state="").only("id", "competition_id", "action", "to_state", "at").order_by("at", "id"),
            to_attr="ocds_transitions",
        ),
    ]


def _let_contract(competition) -> LetContract | None:
    if competition.regime != Regime.RULES_2011:
        return None  # a 2023 competition's contract is published by its UK6, UK7, UK9, UK10 and UK11 notices
    try:
        agreement = competition.agreement
    except ObjectDoesNotExist:
        return None
    return LetContract(
        reference=agreement.reference, title=agreement.title, supplier=agreement.provider.name, value=agreement.value,
        start_date=agreement.start_date, end_date=agreement.end_date, state=agreement.state, ended_on=agreement.ended_on,
    )


def _payments(competition) -> tuple[PublishedPayment, ...]:
    try:
        agreement = competition.agreement
    except ObjectDoesNotExist:
        return ()
    return tuple(PublishedPayment(c.pk, c.paid_on, c.total, c.agreement.provider.name) for c in getattr(agreement, "ocds_payments", ()))


def _facts(competition) -> PublishedCompetition:
    return PublishedCompetition(
        pk=competition.pk, ocid=competition.ocid, reference=competition.reference, title=competition.title,
        description=competition.description, service_area=competition.service_area.name, regime=competition.regime,
        procedure=competition.procedure, procedure_label=competition.get_procedure_display(),
        award_basis=competition.award_basis, estimated_value=competition.estimated_value, state=competition.state,
        bid_deadline=competition.bid_deadline, standstill_started_on=competition.standstill_started_on,
        standstill_ends_on=competition.standstill_ends_on, abandoned_reason=competition.abandoned_reason,
        criteria=tuple(PublishedCriterion(c.name, c.kind, c.weight) for c in competition.ocds_criteria),
        transitions=tuple(Transition(e.action, e.to_state, e.at) for e in competition.ocds_transitions),
        notices=tuple(PublishedNotice(n.notice_type, n.version, n.published_at, n.content, competition.ocid) for n in competition.ocds_notices),
        clarifications=tuple(
            PublishedClarification(c.pk, c.question, c.answer, c.published_at) for c in competition.ocds_clarifications
        ),
        contract=_let_contract(competition),
        payments=_payments(competition),
    )


def published_facts(*, user, competitions: QuerySet[Competition] | list[Competition]) -> list[PublishedCompetition]:
    """The published facts of `competitions` (from `published_competitions`), in a fixed number of queries."""
    competitions = list(competitions)
    prefetch_related_objects(competitions, *_prefetches(user))
    return [_facts(competition) for competition in competitions]


def published_competition_list(*, user, ocid: str = "") -> QuerySet[Competition]:
    """Published competitions with what `published_facts` reads joined in (the 2011 contracts and their suppliers)."""
    return published_competitions(user=user, ocid=ocid).select_related("service_area", "agreement__provider")


def published_competition_get(*, user, pk, path: str = "") -> PublishedCompetition:
    """One competition's published facts.

    A competition that is not published (draft, pre-procurement, abandoned before
    launch) or that the user may not see answers 404, logged as a refused attempt
    as everywhere in the API.
    """
    competition = get_or_404(
        user, published_competition_list(user=user), pk=pk, channel=audit.Channel.EXPORT, path=path,
        object_type="competitions.competition",
        # So that the refusal shows on the breach view of the competition's SRO.
        competition_id=lambda: competition_selectors.existing_competition_id(pk),
    )
    facts = published_facts(user=user, competitions=published_competition_list(user=user).filter(pk=competition.pk))
    return facts[0]


# --- the publication store (ocds.services publishes; these read what was published, as it was) -----------------

def release_rows(*, ocid: str = "", competition_id: int | None = None):
    """Stored releases in publication order: every reader gets the same (they are public by design)."""
    from ocds.models import PublishedRelease

    rows = PublishedRelease.objects.all()
    if ocid:
        rows = rows.filter(ocid=ocid)
    if competition_id is not None:
        rows = rows.filter(competition_id=competition_id)
    return rows.order_by("id")


def published_competition_pk(*, user, pk, path: str = "") -> int:
    """A competition with published releases, else 404 — logged as a refused attempt (under that competition, when it exists)."""
    from ocds.models import PublishedRelease

    competitions = Competition.objects.filter(Exists(PublishedRelease.objects.filter(competition=OuterRef("pk"))))
    return get_or_404(
        user, competitions.only("pk"), pk=pk, channel=audit.Channel.EXPORT, path=path, object_type="competitions.competition",
        competition_id=lambda: competition_selectors.existing_competition_id(pk),
    ).pk
