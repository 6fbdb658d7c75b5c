"""What the wall protects and how a record leads to the competition whose wall covers it, registered by the apps.

The wall imports no product app (the `layers` contract in pyproject.toml). Each app says what it
protects in its `protected.py`, called from its AppConfig.ready():

    registry.register_protected("competitions.score", competition_path="bid__competition_id")
    registry.register_protected("competitions.bid", competition_path="competition_id", own_bid_path="pk")

A protected record is shared, record by record, with the commissioning side of its competition
(its object permissions); one with an `own_bid_path` also with the team of that bid. Adding a
protected record is that one registration and its permission tables (ethical_walls/models.py);
a system check (`ethical_walls.checks`) fails when the two disagree, and the attack suite probes
every registered record.

The wall files every refusal under its competition, so that it shows on that competition's
breach view (SPEC §4 rule 6) whichever channel it came through: a bid looked up by id in the
API, a Notice of Change's page, a 403 on an agreement's move. The wall knows no product
model; each app says, in its AppConfig.ready(), how its records reach a competition:

    registry.register_competition_path("competitions.bid", "competition_id")
    registry.register_url_subject("contracts", "contracts.agreement", "pk")

A record with no competition (an agreement let outside a competition) gives None.

Records that are not shared record by record but by who reads them are *scoped*
(`register_scoped`): an agreement is read by the commissioning side's roles, less anyone
excluded from the competition that let it, and belongs to its provider organisation (the
organisation whose own people see it: `organisation_path`, for holders of `organisation_roles`).
`ethical_walls.selectors.scoped` (the commissioning side), `owned` (the organisation's own people)
and `sees` apply the scope; the system check ethical_walls.E003 checks the organisation path.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldError, ValidationError
from django.db.models import Model, Q, QuerySet
from django.urls import ResolverMatch

ModelOrLabel = type[Model] | Model | str


@dataclass(frozen=True)
class Protected:
    label: str  # "app_label.modelname"
    competition_path: str  # the lookup from the record to its competition's id ("pk" for a competition)
    own_bid_path: str | None = None  # the record's attribute naming the bid whose team sees it ("pk" for a bid)
    organisation_path: str | None = None  # the lookup from the record to the bidding organisation whose own people see it
    organisation_roles: tuple[str, ...] = ()  # the supplier roles whose holders see their organisation's records of this kind
    shared_path: str | None = None  # the lookup to the organisations the bidder shared it with (consortium members): they read it

    @property
    def model(self) -> type[Model]:
        return apps.get_model(self.label)


@dataclass(frozen=True)
class Scoped:
    label: str
    readers: tuple[str, ...]  # the commissioning side's roles that read every one (never the bid side: BID_SIDE_ROLES)
    organisation_path: str  # the lookup from the record to the id of the organisation it belongs to
    competition_path: str | None = None  # the competition that produced it: hidden from whoever that competition excluded
    organisation_roles: tuple[str, ...] = ()  # the supplier roles whose holders see their own organisation's records

    @property
    def model(self) -> type[Model]:
        return apps.get_model(self.label)


_protected: dict[str, Protected] = {}
_scoped: dict[str, Scoped] = {}
_subject: str | None = None

_competition_paths: dict[str, str] = {}
# URL namespace -> (model label, URL keyword naming the record)
_url_subjects: dict[str, tuple[str, str]] = {}
# Name of a request body's field -> the model whose id it carries ("agreement" -> "contracts.agreement")
_reference_fields: dict[str, str] = {}


def _label(model_or_label: ModelOrLabel) -> str:
    return (model_or_label if isinstance(model_or_label, str) else model_or_label._meta.label_lower).lower()


def register_wall_subject(model_label: str) -> None:
    """The record each wall stands around (the competition): its permission is the commissioning side's confidential view."""
    global _subject
    _subject = _label(model_label)


def subject_model() -> type[Model]:
    if _subject is None:
        raise LookupError("No app has registered the wall's subject (register_wall_subject).")
    return apps.get_model(_subject)


def register_protected(model_label: str, *, competition_path: str, own_bid_path: str | None = None,
                       organisation_path: str | None = None, organisation_roles: tuple[str, ...] = (), shared_path: str | None = None) -> None:
    """A record the wall protects: shared with its competition's commissioning side (and, with `own_bid_path`, its bid's
    team; with `organisation_path`, the bidding organisation's own people holding `organisation_roles`; with
    `shared_path`, the people of the organisations the bidder chose to share it with, to read)."""
    label = _label(model_label)
    _protected[label] = Protected(label, competition_path, own_bid_path, organisation_path, tuple(organisation_roles), shared_path)
    register_competition_path(label, competition_path)


def register_scoped(model_label: str, *, readers: tuple[str, ...], organisation_path: str, competition_path: str | None = None,
                    organisation_roles: tuple[str, ...] = ()) -> None:
    """A record read by role on the commissioning side, and by its own organisation's people holding `organisation_roles`."""
    label = _label(model_label)
    _scoped[label] = Scoped(label, tuple(readers), organisation_path, competition_path, tuple(organisation_roles))
    if competition_path:
        register_competition_path(label, competition_path)


def scoped() -> list[Scoped]:
    return list(_scoped.values())


def scope_of(model_or_label: ModelOrLabel) -> Scoped:
    found = _scoped.get(_label(model_or_label))
    if found is None:
        raise LookupError(f"{_label(model_or_label)} is not registered as scoped (register_scoped).")
    return found


def protected() -> list[Protected]:
    """Every protected kind of record, in the order registered."""
    return list(_protected.values())


def protection_of(model_or_label: ModelOrLabel) -> Protected | None:
    return _protected.get(_label(model_or_label))


def records_of_competition(competition_id: int) -> list[QuerySet[Model]]:
    """Every protected record of a competition, a queryset per kind: its commissioning side's material."""
    return [p.model._default_manager.filter(**{p.competition_path: competition_id}) for p in protected()]


def records_of_bid(bid_id: int) -> list[QuerySet[Model]]:
    """What a bid's own team sees: the protected records whose `own_bid_path` leads to that bid."""
    return [p.model._default_manager.filter(**{p.own_bid_path: bid_id}) for p in protected() if p.own_bid_path]


def own_bid_id(record: Model) -> int | None:
    """The bid whose team may see this record, if any."""
    protection = protection_of(record)
    if protection is None or protection.own_bid_path is None:
        return None
    bid_id: int | None = getattr(record, protection.own_bid_path)
    return bid_id


def _follow(record: object, hops: list[str]) -> Any:
    """Walk a registered path's relations from a record (None where one is missing)."""
    for hop in hops:
        record = getattr(record, hop, None)
        if record is None:
            return None
    return record


def value_in_memory(record: object, path: str) -> Any:
    """Follow a lookup ("bid__bidder_id") through a record's loaded relations (None where one is missing)."""
    *hops, last = path.split("__")
    return getattr(_follow(record, hops), last, None)


def competition_of_record(record: Model) -> Any:
    """The competition object a protected record belongs to, by its registered path ("bid__competition_id" → record.bid.competition)."""
    path = competition_path(record)
    if path is None:
        raise LookupError(f"{record._meta.label} is not registered with the wall.")
    return record if path == "pk" else _follow(record, path.removesuffix("_id").split("__"))


def competition_id_in_memory(record: Model) -> int | None:
    """The competition a record belongs to, following its registered path through loaded relations (None if unregistered)."""
    path = competition_path(record)
    if path is None:
        return None
    if path == "pk":
        return int(record.pk)
    *hops, last = path.split("__")
    found: int | None = getattr(_follow(record, hops), last, None)
    return found


def register_competition_path(model_label: str, path: str) -> None:
    """`path` is the lookup from the record to its competition's id: "pk" for a competition itself."""
    _competition_paths[_label(model_label)] = path


def register_url_subject(namespace: str, model_label: str, kwarg: str) -> None:
    """The pages under this URL namespace are about the record named by the `kwarg` of their URL."""
    _url_subjects[namespace] = (_label(model_label), kwarg)


def register_reference_field(name: str, model_label: str) -> None:
    """A request body's `name` field carries the id of a `model_label` record (to file a refused write)."""
    _reference_fields[name] = _label(model_label)


def competition_id_from_references(body: Mapping[str, Any]) -> int | None:
    """The competition a write's body is about, from the first reference field it carries."""
    for name, label in _reference_fields.items():
        value = body.get(name)
        if isinstance(value, (int, str)) and str(value).isdigit():
            found = competition_id_of(label, int(value))
            if found is not None:
                return found
    return None


_published_competitions: Callable[[str], Q] | None = None


def register_published_competitions(condition: Callable[[str], Q]) -> None:
    """`condition(path)` is the condition on a competition every bidder may see (launched), reached by `path` ("" for the
    competition itself, "competition__" from a record of one): a condition on the joined row, not a subquery of ids,
    so a short list (one person's declarations) checks its own few competitions rather than hashing all of them."""
    global _published_competitions
    _published_competitions = condition


def published_competitions(path: str = "") -> Q:
    if _published_competitions is None:
        raise LookupError("No app has registered which competitions are published (register_published_competitions).")
    return _published_competitions(path)


_declarable: Callable[..., QuerySet[Any]] | None = None


def register_declarable_competitions(selector: Callable[..., QuerySet[Any]]) -> None:
    """`selector(user=…)` gives the competitions a person may declare their interests in (the API's choice)."""
    global _declarable
    _declarable = selector


def declarable_competitions(*, user: Any) -> QuerySet[Any]:
    if _declarable is None:
        raise LookupError("No app has registered the competitions people declare on (register_declarable_competitions).")
    return _declarable(user=user)


def competition_path(model_or_label: ModelOrLabel) -> str | None:
    return _competition_paths.get(_label(model_or_label))


def competition_id_of(model_or_label: ModelOrLabel, pk: object) -> int | None:
    """The competition a record belongs to, read without the wall (for filing a refusal), or None."""
    label = _label(model_or_label)
    path = _competition_paths.get(label)
    if path is None or pk in (None, ""):
        return None
    model = apps.get_model(label)
    try:
        found: int | None = model._default_manager.filter(pk=pk).values_list(path, flat=True).first()
        return found
    except (ValueError, TypeError, ValidationError, FieldError, OverflowError):
        return None  # not an id at all


def competition_id_for_url(resolver_match: ResolverMatch | None) -> int | None:
    """The competition a page is about, from its URL (None where it is about none)."""
    if resolver_match is None:
        return None
    subject = None
    for namespace in resolver_match.namespaces:
        subject = _url_subjects.get(namespace, subject)
    if subject is None:
        return None
    label, kwarg = subject
    return competition_id_of(label, resolver_match.kwargs.get(kwarg))
