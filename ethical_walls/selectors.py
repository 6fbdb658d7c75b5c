"""Who may see what (SPEC §4): the one place every channel asks.

Confidential records are visible to a user exactly when the user holds the
record's django-guardian object permission (granted and revoked only by
`ethical_walls.services`). Superusers and staff get nothing for free:
`with_superuser=False` and no global permissions are consulted.
"""

from datetime import date, datetime
from typing import Any, Callable, TypeVar, cast

from django.conf import settings
from django.contrib.auth.models import Permission
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db.models import Max, Model, Q, QuerySet
from django.utils import timezone
from guardian.utils import get_group_obj_perms_model, get_user_obj_perms_model

from core.roles import BID_SIDE_ROLES, Role
from ethical_walls import audit, registry
from core.models import Sector
from ethical_walls.models import AuditEvent, ConflictDeclaration, DeclarationRequest, Membership, Side

# The wall knows no product model: a person is whoever the request or task carries (a user, anonymous, or a
# lazy object for one), and a competition is the registered subject (`registry.subject_model()`).
Person = Any
Competition = Any
M = TypeVar("M", bound=Model)


def view_codename(model: type[Model]) -> str:
    return f"view_{model._meta.model_name}"


def view_permission(model: type[Model]) -> str:
    return f"{model._meta.app_label}.{view_codename(model)}"


def permitted(user: Person, queryset: QuerySet[M]) -> QuerySet[M]:
    """The records of `queryset` the user holds the object permission to view, and a supplier's own organisation's.

    The ids come from the direct foreign-key permission tables, the user's own grants and
    their groups', on the indexed (user, permission, object) key: one semi-join however large
    the table, no casts, no generic table, and no exception for superusers or staff. A supplier
    user (issue #18) sees besides the records its organisation owns where the registry says so
    (a bidder's own bid, its documents and debrief letter: `organisation_path`).
    """
    granted = Q(pk__in=_permitted_ids_query(user, queryset.model))
    own = _own_organisation_condition(user, queryset.model)
    return queryset.filter(granted | own if own is not None else granted)


def acting_organisation_id(user: Person, roles: tuple[str, ...]) -> int | None:
    """The organisation a supplier user acts for, if signed in and holding one of `roles` (the registry's organisation roles)."""
    organisation_id: int | None = getattr(user, "organisation_id", None)
    if organisation_id is None or not roles or not getattr(user, "is_authenticated", False) or not user.has_role(*roles):
        return None
    return organisation_id


def _own_organisation_condition(user: Person, model: type[Model]) -> Q | None:
    """Records of `model` its registered organisation path gives to the user's organisation, for holders of its roles,
    and those its bidder shared with the user's organisation (a consortium's members: `shared_path`)."""
    protection = registry.protection_of(model)
    if protection is None or protection.organisation_path is None:
        return None
    organisation_id = acting_organisation_id(user, protection.organisation_roles)
    if organisation_id is None:
        return None
    own = Q(**{protection.organisation_path: organisation_id})
    if protection.shared_path is not None:  # a many-valued path: a semi-join, so no record comes back twice
        own |= Q(pk__in=model._default_manager.filter(**{protection.shared_path: organisation_id}).values("pk"))
    return own


def _permitted_ids_query(user: Person, model: type[Model]) -> QuerySet[Any, Any]:
    permission_id = view_permission_id(model)
    user_permissions = get_user_obj_perms_model(cast(Any, model))._default_manager  # guardian takes the class too
    if not getattr(user, "is_authenticated", False) or permission_id is None:
        return user_permissions.none().values("content_object_id")
    by_user = user_permissions.filter(user=user, permission_id=permission_id).values("content_object_id")
    by_group = get_group_obj_perms_model(cast(Any, model))._default_manager.filter(group__user=user, permission_id=permission_id).values("content_object_id")
    return by_user.union(by_group)


_view_permission_ids: dict[str, int] = {}


def view_permission_id(model: type[Model]) -> int | None:
    """The id of the model's view permission: looked up once per process, forgotten when migrate or flush remakes them.

    Filtering the permission tables on it, rather than joining permissions and content types
    by name, keeps every wall query two joins shorter.
    """
    label = model._meta.label_lower
    if label not in _view_permission_ids:
        found = Permission.objects.filter(
            codename=view_codename(model), content_type__app_label=model._meta.app_label, content_type__model=model._meta.model_name,
        ).values_list("pk", flat=True).first()
        if found is None:
            return None  # not made yet (mid-migration): nobody holds it
        _view_permission_ids[label] = found
    return _view_permission_ids[label]


def forget_permission_ids(**_signal: object) -> None:
    """Connected to post_migrate: migrate and flush recreate permissions, perhaps under new ids."""
    _view_permission_ids.clear()


def permitted_ids_subquery(user: Person, model: type[Model]) -> QuerySet[Any, Any]:
    """The ids of the `model` records the user may view, as a subquery to filter by (no query of its own)."""
    return _permitted_ids_query(user, model)


def permitted_ids(user: Person, model: type[Model]) -> set[int]:
    """The ids of the `model` records the user holds the view permission of (and a supplier's own organisation's)."""
    ids = {row["content_object_id"] for row in _permitted_ids_query(user, model)}
    own = _own_organisation_condition(user, model)
    if own is not None:
        ids |= set(model._default_manager.filter(own).values_list("pk", flat=True))
    return ids


def confidential_competition_ids(user: Person) -> set[int]:
    """Competitions whose confidential records this user may see (the commissioning side). Cached per user object."""
    if not hasattr(user, "_confidential_competition_ids"):
        user._confidential_competition_ids = permitted_ids(user, registry.subject_model())
    ids: set[int] = user._confidential_competition_ids
    return ids


def forget_cached_access(user: Person) -> None:
    for cached in ("_confidential_competition_ids", "_bid_team_bid_ids", "_excluded_competition_ids"):
        user.__dict__.pop(cached, None)


def sees_commissioning_material(user: Person, *roles: str) -> bool:
    """The commissioning side's material outside any one competition — plans, agreements, reports, the whole
    portfolio — for someone signed in holding one of `roles` (any, when none are named), and never for someone
    on the bid side (core.roles.BID_SIDE_ROLES), whatever else they hold (SPEC §4). The one place that rule is kept."""
    return bool(
        getattr(user, "is_authenticated", False)
        and (not roles or user.has_role(*roles))
        and not user.has_role(*BID_SIDE_ROLES)
    )


def sees_whole_portfolio(user: Person) -> bool:
    """Oversight (the Board, auditors) reads every competition, launched or not — but never as a bid-team member."""
    return sees_commissioning_material(user, Role.OVERSIGHT)


def excluded_competition_ids(user: Person) -> set[int]:
    """Competitions the SRO excluded this person from for a conflict of interest (rule 4). Cached per user object.

    The exclusion covers everything the competition produced, the agreement it let included.
    """
    if not hasattr(user, "_excluded_competition_ids"):
        user._excluded_competition_ids = set(
            ConflictDeclaration.objects.filter(user=user, assessment=ConflictDeclaration.Assessment.EXCLUDED).values_list("competition_id", flat=True)
        ) if getattr(user, "is_authenticated", False) else set()
    ids: set[int] = user._excluded_competition_ids
    return ids


def sees_kind(user: Person, model: type[Model]) -> bool:
    """Whether the user reads records of a scoped kind at all (an agreement: the commissioning side's roles)."""
    return sees_commissioning_material(user, *registry.scope_of(model).readers)


def _through(through: str, path: str) -> str:
    return f"{through}__{path}" if through else path


def scoped(user: Person, queryset: QuerySet[M], *, kind: type[Model] | None = None, through: str = "") -> QuerySet[M]:
    """The records of a scoped kind the user may see: by role, less those of competitions the user was excluded from.

    With `kind` and `through`, records of another model reached from one of that kind by `through` (an agreement's
    notices: kind=Agreement, through="agreement"), filtered by conditions on the joined record — for a reader by role,
    no condition at all — rather than by a subquery of every visible record's id, which PostgreSQL hashes in full."""
    scope = registry.scope_of(kind or queryset.model)
    if not sees_commissioning_material(user, *scope.readers):
        return queryset.none()
    excluded = excluded_competition_ids(user)
    if excluded and scope.competition_path:
        return queryset.exclude(**{f"{_through(through, scope.competition_path)}__in": excluded})
    return queryset


def owned(user: Person, queryset: QuerySet[M], *, kind: type[Model] | None = None, through: str = "") -> QuerySet[M]:
    """The records of a scoped kind that belong to the user's own organisation, for a supplier holding the scope's
    organisation roles (a provider's contract lead and its agreements); nothing for anyone else. `kind` and `through`
    as for `scoped`."""
    scope = registry.scope_of(kind or queryset.model)
    organisation_id = acting_organisation_id(user, scope.organisation_roles)
    return queryset.none() if organisation_id is None else queryset.filter(**{_through(through, scope.organisation_path): organisation_id})


def sees(user: Person, record: Model) -> bool:
    """Whether the user may see this one record: its object permission if protected; if scoped, by role on the
    commissioning side or as its own organisation's people."""
    if registry.protection_of(record) is not None:
        return record.pk in permitted_ids(user, type(record))
    scope = registry.scope_of(record)
    if not sees_commissioning_material(user, *scope.readers):
        organisation_id = acting_organisation_id(user, scope.organisation_roles)
        return organisation_id is not None and registry.value_in_memory(record, scope.organisation_path) == organisation_id
    competition_id = getattr(record, scope.competition_path) if scope.competition_path else None
    return competition_id is None or competition_id not in excluded_competition_ids(user)


def requested_competition_ids(user: Person) -> set[int]:
    """Competitions whose commissioning side this person has been asked to join, awaiting their declaration."""
    if not getattr(user, "is_authenticated", False):
        return set()
    return set(DeclarationRequest.objects.filter(user=user, closed_at__isnull=True).values_list("competition_id", flat=True))


def open_requests(*, user: Person = None, competition: Competition = None) -> QuerySet[DeclarationRequest]:
    requests = DeclarationRequest.objects.filter(closed_at__isnull=True).select_related("competition", "user", "requested_by")
    if user is not None:
        requests = requests.filter(user=user)
    if competition is not None:
        requests = requests.filter(competition=competition)
    return requests.order_by("requested_at", "pk")


def sees_confidential(user: Person, competition: Competition) -> bool:
    return competition is not None and competition.pk in confidential_competition_ids(user)


def get_or_404(user: Person, queryset: QuerySet[M], *, channel: str, path: str = "", object_type: str | None = None,
               competition_id: int | Callable[[], int | None] | None = None, **lookup: Any) -> M:
    """Fetch one record the user may see (`pk=…` or another lookup); otherwise log the refused attempt and answer 404.

    A record that does not exist and one the user may not see give the same answer.
    `competition_id` (a value, or a callable asked only on refusal) files the refusal
    under that competition, for its SRO's breach view; by default the competition the
    record belongs to (`ethical_walls.registry`), when it exists.
    """
    try:
        return queryset.get(**lookup)
    except (ObjectDoesNotExist, ValidationError, ValueError, TypeError, OverflowError):
        asked_for = next(iter(lookup.values()), "")
        if callable(competition_id):
            competition_id = competition_id()
        elif competition_id is None and "pk" in lookup:
            competition_id = registry.competition_id_of(queryset.model, lookup["pk"])
        raise audit.refuse(
            actor=user, channel=channel, object_type=object_type or audit.object_type_of(queryset.model),
            object_id=asked_for, competition_id=competition_id, path=path,
        ) from None


# --- rule 2: tenders are sealed until the bid deadline ---------------------------------------

def tenders_open(competition: Competition) -> bool:
    """After the bid deadline the evaluators may see every tender."""
    return competition.bid_deadline is not None and timezone.now() >= competition.bid_deadline


def bid_team_bid_ids(user: Person) -> set[int]:
    if not getattr(user, "is_authenticated", False):
        return set()
    if not hasattr(user, "_bid_team_bid_ids"):
        user._bid_team_bid_ids = set(
            Membership.objects.filter(user=user, side=Side.BID, left_at__isnull=True).values_list("bid_id", flat=True)
        )
    ids: set[int] = user._bid_team_bid_ids
    return ids


def owned_by_own_organisation(user: Person, record: Model) -> bool:
    """Whether the record is the user's organisation's by its registered organisation path (a bidder's own bid)."""
    protection = registry.protection_of(record)
    if protection is None or protection.organisation_path is None:
        return False
    organisation_id = acting_organisation_id(user, protection.organisation_roles)
    return organisation_id is not None and registry.value_in_memory(record, protection.organisation_path) == organisation_id


def shared_with_own_organisation(user: Person, record: Model) -> bool:
    """Whether the record's bidder shared it with the user's organisation (a consortium member reading the lead's bid)."""
    protection = registry.protection_of(record)
    if protection is None or protection.shared_path is None:
        return False
    organisation_id = acting_organisation_id(user, protection.organisation_roles)
    return organisation_id is not None and type(record)._default_manager.filter(pk=record.pk, **{protection.shared_path: organisation_id}).exists()


def tender_visible(user: Person, bid: Any) -> bool:
    """A bid's tender (price, documents) is its own team's (or its own bidder's, and the consortium members it is shared
    with) until the deadline, then the evaluators'."""
    return (bid.pk in bid_team_bid_ids(user) or owned_by_own_organisation(user, bid) or shared_with_own_organisation(user, bid)
            or (sees_confidential(user, bid.competition) and tenders_open(bid.competition)))


# --- the wall itself -----------------------------------------------------------------------

def wall_in_place(competition: Competition) -> bool:
    try:
        return competition.wall.established_on is not None
    except ObjectDoesNotExist:
        return False


def conflicts_assessment_complete(competition: Competition) -> bool:
    """The s.83 assessment is complete and no declaration in the register awaits assessment."""
    try:
        completed = competition.conflicts_assessment.completed_on is not None
    except ObjectDoesNotExist:
        return False
    pending = [d for d in competition.conflict_declarations.all() if d.assessment == ConflictDeclaration.Assessment.PENDING]
    return completed and not pending


def current_members(competition: Competition, *, side: str | None = None) -> QuerySet[Membership]:
    members = Membership.objects.filter(wall__competition=competition, left_at__isnull=True).select_related("user", "bid__bidder")
    return members.filter(side=side) if side else members


def former_members(competition: Competition) -> QuerySet[Membership]:
    """People who have left a competition's wall, most recent first (the caller has checked the user sees the wall)."""
    return (
        Membership.objects.filter(wall__competition=competition, left_at__isnull=False)
        .select_related("user", "bid__bidder", "added_by", "removed_by")
        .order_by("-left_at", "-pk")
    )


def membership(user: Person, competition: Competition) -> Membership | None:
    return Membership.objects.filter(wall__competition=competition, user=user, left_at__isnull=True).first()


def quarantine_ends(user: Person, competition: Competition, *, joining: str = Side.BID) -> datetime | str | None:
    """When the person may join this side of this competition's wall (rule 3), "ongoing", or None if free now.

    Work on the other side — of this competition or any competition in the same service
    area — bars them until the quarantine period has passed since it ended: commissioning-side
    work from bid teams, and bid-team work from commissioning sides.
    """
    from dateutil.relativedelta import relativedelta

    other_side = Side.COMMISSIONING if joining == Side.BID else Side.BID
    work = Membership.objects.filter(user=user, side=other_side, wall__competition__service_area=competition.service_area_id)
    if work.filter(left_at__isnull=True).exists():
        return "ongoing"
    last = work.aggregate(last=Max("left_at"))["last"]
    if last is None:
        return None
    ends = last + relativedelta(months=settings.WALL_QUARANTINE_MONTHS)
    return ends if ends > timezone.now() else None


def has_public_sector_bid(competition: Competition) -> bool:
    """The public sector may bid (the competition says so) or has: then the bid team's role bars its commissioning side."""
    return bool(competition.public_sector_bid_possible or competition.bids.filter(bidder__sector=Sector.PUBLIC).exists())


# --- the register and the log -----------------------------------------------------------------

REGISTER_READERS = ("Oversight", "SRO")


def declaration_list(*, user: Person, competition: Competition = None) -> QuerySet[ConflictDeclaration]:
    """The conflicts register: oversight reads it all; an SRO the competitions they are SRO of; everyone their own —
    for a competition they may still see (one not launched that they have since left no longer exists for them)."""
    declarations = ConflictDeclaration.objects.select_related("competition", "user", "assessed_by")
    if competition is not None:
        declarations = declarations.filter(competition=competition)
    if sees_whole_portfolio(user):
        return declarations
    # The sets are a reader's few competitions (and cached on the user for the rest of the request): as literal ids
    # the query stays one plain filter, where permitted-ids subqueries cost more to build than the rows to read.
    confidential = confidential_competition_ids(user)
    still_visible = registry.published_competitions("competition__")
    if also_visible := confidential | requested_competition_ids(user):
        still_visible |= Q(competition__in=also_visible)
    readable = Q(user=user) & still_visible
    if confidential:
        readable |= Q(competition__sro=user, competition__in=confidential)
    return declarations.filter(readable)


def audit_event_list(*, user: Person, action: str = "", channel: str = "", competition_id: int | None = None,
                     actor_id: int | None = None, kind: str = "", since: date | None = None, until: date | None = None) -> QuerySet[AuditEvent]:
    """Oversight reads the whole log, filtered by what happened, how, to which competition and kind of record, who, and when."""
    if not user.has_role("Oversight"):
        return AuditEvent.objects.none()
    events = AuditEvent.objects.select_related("actor", "subject")
    if action:
        events = events.filter(action=action)
    if channel:
        events = events.filter(channel=channel)
    if competition_id:
        events = events.filter(competition_id=competition_id)
    if actor_id:
        events = events.filter(actor_id=actor_id)
    if kind:
        events = events.filter(object_type=kind)
    if since:
        events = events.filter(at__date__gte=since)
    if until:
        events = events.filter(at__date__lte=until)
    return events


def audit_kinds() -> list[str]:
    """The kinds of record the log names (for its filter)."""
    return list(AuditEvent.objects.exclude(object_type="").order_by("object_type").values_list("object_type", flat=True).distinct())


def breach_list(*, user: Person) -> QuerySet[AuditEvent]:
    """Refused attempts: all of them for oversight; for an SRO, those on their competitions."""
    refused = AuditEvent.objects.filter(action=AuditEvent.Action.REFUSED).select_related("actor")
    if user.has_role("Oversight"):
        return refused
    if user.has_role("SRO"):
        own = permitted(user, registry.subject_model()._default_manager.filter(sro=user)).values("pk")
        return refused.filter(competition_id__in=own)
    return refused.none()
