"""Writes to the ethical wall (SPEC §4). Only these functions grant or revoke object permissions.

- `wall_join` / `wall_leave`: a person joins or leaves a side; permissions follow.
- `wall_protect`: a new protected record is shared with the people entitled to it.
- `conflict_declare` / `conflict_assess`: the register (rule 4).
Every grant and revocation is written to the audit log.
"""

from collections.abc import Iterable
from datetime import datetime
from typing import Any, cast

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Model, QuerySet
from django.utils import timezone
from guardian.utils import get_user_obj_perms_model

from core.events import EventKind
from core.models import User
from core.roles import SUPPLIER_ROLES, Role
from ethical_walls import audit, registry, selectors
from ethical_walls.selectors import Competition
from ethical_walls.signals import wall_recorded
from ethical_walls.models import (
    ConflictDeclaration,
    ConflictsAssessment,
    DeclarationRequest,
    Membership,
    Side,
    SideRole,
    Wall,
)

# Which Django role may take which place on the commissioning side.
SIDE_ROLE_NEEDS = {
    SideRole.COMMISSIONER: Role.COMMISSIONER,
    SideRole.SRO: Role.SRO,
    SideRole.PROCUREMENT: Role.PROCUREMENT,
    SideRole.EVALUATOR: None,  # commissioners, SROs or procurement officers who evaluate
    SideRole.GATEWAY_REVIEWER: Role.GATEWAY_REVIEWER,
    SideRole.BID_TEAM: Role.BID_TEAM,
}
EVALUATOR_ROLES = (Role.COMMISSIONER, Role.SRO, Role.PROCUREMENT)


def _grant(user: User, querysets: Iterable[QuerySet[Any]]) -> int:
    granted = 0
    for queryset in querysets:
        objects = list(queryset)
        if objects:
            perm_model: Any = get_user_obj_perms_model(cast(Any, queryset.model))  # guardian takes the class too
            perm_model.objects.bulk_assign_perm(selectors.view_codename(queryset.model), user, objects, ignore_conflicts=True)
            granted += len(objects)
    selectors.forget_cached_access(user)
    return granted


def _revoke(user: User, querysets: Iterable[QuerySet[Any]]) -> None:
    for queryset in querysets:
        perm_model = get_user_obj_perms_model(cast(Any, queryset.model))
        perm_model._default_manager.filter(user=user, content_object__in=queryset).delete()
    selectors.forget_cached_access(user)


def _require_wall_manager(actor: User, competition: Competition) -> None:
    """The lead commissioner and the SRO decide who is on the commissioning side."""
    if actor.pk not in (competition.lead_commissioner_id, competition.sro_id):
        raise PermissionDenied("Only the competition's lead commissioner or SRO can change its commissioning side.")


# --- the wall ---------------------------------------------------------------------------------

@transaction.atomic
def wall_create(*, competition: Competition, actor: User, declaration_nature: str, declaration_details: str = "") -> Wall:
    """Every competition has a wall from the start; its creator declares and joins the commissioning side."""
    wall = Wall.objects.create(competition=competition)
    conflict_declare(competition=competition, actor=actor, nature=declaration_nature, details=declaration_details)
    if declaration_nature == ConflictDeclaration.Nature.NIL:
        _join(wall=wall, user=actor, side=Side.COMMISSIONING, role=SideRole.COMMISSIONER, actor=actor)
    return wall


@transaction.atomic
def wall_establish(*, competition: Competition, actor: User, arrangements: str) -> Wall:
    """Record the arrangements that keep the sides apart (needed before launch where HMPS may bid)."""
    if not actor.has_role(Role.SRO, Role.COMMISSIONER):
        raise PermissionDenied("Only the SRO or a commissioner records the wall's arrangements.")
    _require_wall_manager(actor, competition)
    if not arrangements.strip():
        raise ValidationError({"arrangements": "Describe how the two sides are kept apart."})
    wall = Wall.objects.select_for_update().get(competition=competition)
    wall.arrangements = arrangements
    wall.established_on = wall.established_on or timezone.localdate()
    wall.established_by = wall.established_by or actor
    wall.save()
    wall_recorded.send(sender=Wall, competition=competition, actor=actor, action=EventKind.WALL, description="Ethical wall arrangements recorded")
    return wall


def _check_eligible(*, competition: Competition, user: User, side: str, role: str, bid: Any = None) -> None:
    """Rule 3 and the roles, everything but the declaration: each refusal says why."""
    needed = SIDE_ROLE_NEEDS[SideRole(role)]
    if role == SideRole.EVALUATOR and not user.has_role(*EVALUATOR_ROLES):
        raise ValidationError({"user": f"{user} cannot evaluate: evaluators are commissioners, SROs or MoJ Procurement officers."})
    if needed and not user.has_role(needed):
        raise ValidationError({"user": f"{user} does not hold the {Role(needed).label} role."})
    if side == Side.BID and (bid is None or bid.competition_id != competition.pk or not bid.bidder.is_crown_body):
        raise ValidationError({"bid": "Bid-side members work on a crown-body (HMPS) bid in this competition."})
    if side == Side.COMMISSIONING and user.has_role(Role.BID_TEAM) and selectors.has_public_sector_bid(competition):
        raise ValidationError({"user": f"{user} holds the {Role.BID_TEAM.label} role, which bars the commissioning side of "
                                       f"{competition.reference}: the public sector may bid in it."})
    current = selectors.membership(user, competition)
    if current is not None:
        if current.side != side:
            raise ValidationError({"user": f"{user} is on the {current.get_side_display().lower()} of {competition.reference}: nobody may be on both sides."})
        raise ValidationError({"user": f"{user} is already on the {current.get_side_display().lower()}."})
    ends = selectors.quarantine_ends(user, competition, joining=side)
    if ends is not None:
        work = "commissioning-side" if side == Side.BID else "bid-team"
        place = "a bid team" if side == Side.BID else "its commissioning side"
        if ends == "ongoing":
            raise ValidationError({"user": f"{user} is doing {work} work in {competition.service_area}; they may join {place} only once the quarantine period after that work has passed."})
        raise ValidationError({"user": f"{user} did {work} work in {competition.service_area}: in quarantine until {timezone.localtime(cast(datetime, ends)):%d %B %Y}."})


def _check_declared(*, competition: Competition, user: User) -> None:
    """Rule 4: no declaration, no access; a declared conflict waits for the SRO, and an exclusion stands."""
    declaration = ConflictDeclaration.objects.filter(competition=competition, user=user).first()
    if declaration is None:
        raise ValidationError({"user": f"{user} has not declared their interests in {competition.reference}: no declaration, no access."})
    if declaration.assessment == ConflictDeclaration.Assessment.PENDING:
        raise ValidationError({"user": f"{user}'s declared conflict awaits the SRO's assessment."})
    if declaration.assessment == ConflictDeclaration.Assessment.EXCLUDED:
        raise ValidationError({"user": f"{user} has been excluded from {competition.reference} because of a conflict of interest."})


def _check_can_join(*, competition: Competition, user: User, side: str, role: str, bid: Any = None) -> None:
    _check_eligible(competition=competition, user=user, side=side, role=role, bid=bid)
    _check_declared(competition=competition, user=user)


def _join(*, wall: Wall, user: User, side: str, role: str, actor: User, bid: Any = None) -> Membership:
    member = Membership.objects.create(wall=wall, user=user, side=side, role=role, bid=bid, joined_at=timezone.now(), added_by=actor)
    competition = wall.competition
    granted = _grant(user, registry.records_of_competition(competition.pk) if side == Side.COMMISSIONING else registry.records_of_bid(bid.pk))
    audit.record(
        action=audit.Action.GRANT, channel=audit.Channel.SERVICE, actor=actor, obj=competition, subject=user,
        detail=f"{user} joined the {member.get_side_display().lower()} as {member.get_role_display().lower()} ({granted} records)",
    )
    return member


def _refused_place(*, actor: User, competition: Competition, user: User, side: str, refusal: ValidationError) -> None:
    # Logged outside the refused transaction, so the record survives the rollback.
    audit.refused(
        actor=actor, channel=audit.Channel.SERVICE, object_type="ethical_walls.membership", competition_id=competition.pk,
        detail=f"{user} refused a place on the {Side(side).label.lower()}: {' '.join(refusal.messages)}",
    )


def wall_join(*, competition: Competition, user: User, side: str, role: str, actor: User, bid: Any = None) -> Membership:
    """Put a person on a side. A refusal (rules 3 and 4) says why, and is logged as a refused attempt."""
    if side == Side.COMMISSIONING:
        _require_wall_manager(actor, competition)
    elif not (actor.has_role(Role.PROCUREMENT) and selectors.sees_confidential(actor, competition)) and not (
        bid is not None and bid.pk in selectors.bid_team_bid_ids(actor)
    ):
        raise PermissionDenied("Bid-side members are added by MoJ Procurement or by the bid's own team.")
    try:
        with transaction.atomic():
            _check_can_join(competition=competition, user=user, side=side, role=role, bid=bid)
            return _join(wall=competition.wall, user=user, side=side, role=role, actor=actor, bid=bid)
    except ValidationError as refusal:
        _refused_place(actor=actor, competition=competition, user=user, side=side, refusal=refusal)
        raise


def wall_invite(*, competition: Competition, user: User, role: str, actor: User) -> Membership | DeclarationRequest:
    """The lead commissioner or SRO puts a person on the commissioning side — or, until they have
    declared their interests (rule 4), asks them to: they join in this role once they have declared
    nil, or once the SRO has mitigated the conflict they declare."""
    _require_wall_manager(actor, competition)
    declaration = ConflictDeclaration.objects.filter(competition=competition, user=user).first()
    if declaration is not None and declaration.assessment != ConflictDeclaration.Assessment.PENDING:
        return wall_join(competition=competition, user=user, side=Side.COMMISSIONING, role=role, actor=actor)
    try:
        with transaction.atomic():
            _check_eligible(competition=competition, user=user, side=Side.COMMISSIONING, role=role)
            open_request = DeclarationRequest.objects.select_for_update().filter(competition=competition, user=user, closed_at__isnull=True).first()
            if open_request is not None:
                raise ValidationError({"user": f"{user} has already been asked to declare their interests in {competition.reference}."})
            request = DeclarationRequest.objects.create(
                competition=competition, user=user, role=role, requested_by=actor, requested_at=timezone.now(),
            )
            audit.record(
                action=audit.Action.REQUEST, channel=audit.Channel.SERVICE, actor=actor, obj=competition, subject=user,
                detail=f"{user} asked to declare their interests and join the commissioning side as {request.get_role_display().lower()}",
            )
            return request
    except ValidationError as refusal:
        _refused_place(actor=actor, competition=competition, user=user, side=Side.COMMISSIONING, refusal=refusal)
        raise


@transaction.atomic
def wall_request_withdraw(*, request: DeclarationRequest, actor: User) -> DeclarationRequest:
    _require_wall_manager(actor, request.competition)
    _close_request(request, DeclarationRequest.Outcome.WITHDRAWN, f"Withdrawn by {actor}", actor=actor)
    return request


def _close_request(request: DeclarationRequest, outcome: str, detail: str, *, actor: User) -> None:
    locked = DeclarationRequest.objects.select_for_update().get(pk=request.pk)
    if locked.closed_at is not None:
        raise ValidationError("This request has been closed already.")
    request.closed_at, request.outcome, request.outcome_detail = timezone.now(), outcome, detail[:300]
    request.save(update_fields=["closed_at", "outcome", "outcome_detail"])
    if outcome != DeclarationRequest.Outcome.JOINED:
        audit.record(action=audit.Action.REQUEST, channel=audit.Channel.SERVICE, actor=actor, obj=request.competition, subject=request.user,
                     detail=f"Request to {request.user} closed: {detail}")


def _take_requested_place(competition: Competition, user: User, *, actor: User) -> None:
    """After a declaration that allows access: the place the person was asked to take, if any."""
    request = DeclarationRequest.objects.filter(competition=competition, user=user, closed_at__isnull=True).select_related("requested_by").first()
    if request is None:
        return
    try:
        with transaction.atomic():
            _check_eligible(competition=competition, user=user, side=Side.COMMISSIONING, role=request.role)
            _join(wall=competition.wall, user=user, side=Side.COMMISSIONING, role=request.role, actor=request.requested_by)
    except ValidationError as refusal:
        _refused_place(actor=actor, competition=competition, user=user, side=Side.COMMISSIONING, refusal=refusal)
        _close_request(request, DeclarationRequest.Outcome.REFUSED, " ".join(refusal.messages), actor=actor)
        return
    _close_request(request, DeclarationRequest.Outcome.JOINED, "Declared and joined", actor=actor)


def check_bid_team_off_commissioning_side(competition: Competition) -> None:
    """Before the public sector may bid: nobody holding the bid-team role may be on the commissioning side (rule 3)."""
    holders = [m.user for m in selectors.current_members(competition, side=Side.COMMISSIONING) if m.user.has_role(Role.BID_TEAM)]
    if holders:
        names = ", ".join(str(user) for user in holders)
        raise ValidationError(f"{names} hold{'s' if len(holders) == 1 else ''} the {Role.BID_TEAM.label} role and "
                              f"{'is' if len(holders) == 1 else 'are'} on the commissioning side of {competition.reference}: "
                              "remove them before the public sector may bid.")


def _leave(member: Membership, actor: User, reason: str) -> None:
    member.left_at = timezone.now()
    member.removed_by = actor
    member.save(update_fields=["left_at", "removed_by"])
    competition = member.wall.competition
    _revoke(member.user, registry.records_of_competition(competition.pk) if member.side == Side.COMMISSIONING else registry.records_of_bid(cast(int, member.bid_id)))
    audit.record(
        action=audit.Action.REVOKE, channel=audit.Channel.SERVICE, actor=actor, obj=competition, subject=member.user,
        detail=f"{member.user} left the {member.get_side_display().lower()}: {reason}",
    )


@transaction.atomic
def wall_leave(*, member: Membership, actor: User, reason: str = "No longer working on the competition") -> Membership:
    competition = member.wall.competition
    if member.side == Side.COMMISSIONING:
        _require_wall_manager(actor, competition)
    elif actor.pk != member.user_id and not (actor.has_role(Role.PROCUREMENT) and selectors.sees_confidential(actor, competition)):
        raise PermissionDenied("Bid-side members leave themselves or are removed by the competition's MoJ Procurement officer.")
    if member.left_at is not None:
        raise ValidationError("This person has already left.")
    _leave(member, actor, reason)
    return member


@transaction.atomic
def wall_protect(record: Model, *, actor: User | None = None) -> None:
    """Share a newly created protected record with the commissioning side (and a bid's own team)."""
    competition = registry.competition_of_record(record)
    queryset = type(record)._default_manager.filter(pk=record.pk)
    # A bid team sees what is registered as its own bid's (the bid, its documents, its debrief letter), never its scores.
    bid_id = registry.own_bid_id(record)
    for member in selectors.current_members(competition):
        if member.side == Side.COMMISSIONING or (bid_id is not None and bid_id == member.bid_id):
            _grant(member.user, [queryset])


# --- the conflicts register ----------------------------------------------------------------------

@transaction.atomic
def conflict_declare(*, competition: Competition, actor: User, nature: str, details: str = "") -> ConflictDeclaration:
    """A person declares their interests in a competition (nil, or an interest that may conflict)."""
    if actor.has_role(*SUPPLIER_ROLES):
        raise PermissionDenied("Declarations of interest are made by the agency's own people; suppliers are on the bid side of every wall.")
    if nature not in ConflictDeclaration.Nature.values:
        raise ValidationError({"nature": "Choose a nil return or declare an interest."})
    if nature == ConflictDeclaration.Nature.CONFLICT and not details.strip():
        raise ValidationError({"details": "Describe the interest."})
    existing = ConflictDeclaration.objects.filter(competition=competition, user=actor).first()
    if existing is not None and existing.assessment == ConflictDeclaration.Assessment.EXCLUDED:
        # A fresh declaration cannot undo the SRO's exclusion.
        raise ValidationError({"nature": f"You were excluded from {competition.reference} by the SRO; only the SRO can review that."})
    assessment = ConflictDeclaration.Assessment.NOT_NEEDED if nature == "nil" else ConflictDeclaration.Assessment.PENDING
    declaration, created = ConflictDeclaration.objects.update_or_create(
        competition=competition, user=actor,
        defaults={"nature": nature, "details": details, "declared_at": timezone.now(), "assessment": assessment,
                  "conditions": "", "assessed_by": None, "assessed_at": None},
    )
    audit.record(action=audit.Action.DECLARE, channel=audit.Channel.SERVICE, actor=actor, obj=competition, subject=actor,
                 detail=f"{'Declared' if created else 'Re-declared'}: {declaration.get_nature_display()}")
    # A new conflict suspends access until the SRO has assessed it.
    member = selectors.membership(actor, competition)
    if member is not None and assessment == ConflictDeclaration.Assessment.PENDING:
        _leave(member, actor, "declared a conflict of interest awaiting assessment")
    if declaration.allows_access:
        _take_requested_place(competition, actor, actor=actor)
    return declaration


@transaction.atomic
def conflict_assess(*, declaration: ConflictDeclaration, actor: User, outcome: str, conditions: str = "") -> ConflictDeclaration:
    """The SRO mitigates (with conditions) or excludes; an excluded person loses any access."""
    competition = declaration.competition
    if competition.sro_id != actor.pk:
        raise PermissionDenied("Only the competition's SRO assesses declared conflicts.")
    if declaration.nature != ConflictDeclaration.Nature.CONFLICT:
        raise ValidationError({"outcome": "A nil return needs no assessment."})
    if outcome not in (ConflictDeclaration.Assessment.MITIGATED, ConflictDeclaration.Assessment.EXCLUDED):
        raise ValidationError({"outcome": "Choose to mitigate or to exclude."})
    if outcome == ConflictDeclaration.Assessment.MITIGATED and not conditions.strip():
        raise ValidationError({"conditions": "State the conditions that mitigate the conflict."})
    declaration.assessment = outcome
    declaration.conditions = conditions
    declaration.assessed_by = actor
    declaration.assessed_at = timezone.now()
    declaration.save()
    audit.record(action=audit.Action.ASSESS, channel=audit.Channel.SERVICE, actor=actor, obj=competition, subject=declaration.user,
                 detail=f"Conflict {declaration.get_assessment_display().lower()}")
    member = selectors.membership(declaration.user, competition)
    if member is not None and outcome == ConflictDeclaration.Assessment.EXCLUDED:
        _leave(member, actor, "excluded because of a conflict of interest")
    selectors.forget_cached_access(declaration.user)
    if outcome == ConflictDeclaration.Assessment.MITIGATED:
        _take_requested_place(competition, declaration.user, actor=actor)
    else:
        request = DeclarationRequest.objects.filter(competition=competition, user=declaration.user, closed_at__isnull=True).first()
        if request is not None:
            _close_request(request, DeclarationRequest.Outcome.EXCLUDED, "Excluded by the SRO for a conflict of interest", actor=actor)
    return declaration


@transaction.atomic
def conflicts_assessment_complete(*, competition: Competition, actor: User, summary: str) -> ConflictsAssessment:
    """Procurement Act 2023 s.83: the SRO confirms the register is assessed before the tender notice."""
    if competition.sro_id != actor.pk:
        raise PermissionDenied("Only the competition's SRO completes the conflicts assessment.")
    pending = competition.conflict_declarations.filter(assessment=ConflictDeclaration.Assessment.PENDING)
    if pending.exists():
        names = ", ".join(str(d.user) for d in pending.select_related("user"))
        raise ValidationError({"summary": f"Assess every declared conflict first: {names}."})
    assessment, _ = ConflictsAssessment.objects.update_or_create(
        competition=competition, defaults={"summary": summary, "completed_on": timezone.localdate(), "completed_by": actor},
    )
    wall_recorded.send(sender=ConflictsAssessment, competition=competition, actor=actor, action=EventKind.WALL, description="Conflicts assessment completed")
    return assessment

