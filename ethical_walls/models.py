"""The ethical wall of each competition (SPEC §4).

A competition has a commissioning side and, where HMPS bids, a bid side per
crown-body bid. Membership of a side is what the object permissions below
express; only `ethical_walls.services` creates or deletes them. Every grant,
revocation, view of protected material and refused attempt is an AuditEvent,
which nothing in the code can change or delete (and, on PostgreSQL, a trigger
refuses even raw SQL).
"""

from django.conf import settings
from django.db import models
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase
from core.append_only import append_only, append_only_trigger


class Side(models.TextChoices):
    COMMISSIONING = "commissioning", "Commissioning side"
    BID = "bid", "Bid side"


class SideRole(models.TextChoices):
    COMMISSIONER = "commissioner", "Commissioner"
    SRO = "sro", "Senior Responsible Officer"
    PROCUREMENT = "procurement", "MoJ Procurement"
    EVALUATOR = "evaluator", "Evaluator"
    GATEWAY_REVIEWER = "gateway_reviewer", "Gateway reviewer"
    BID_TEAM = "bid_team", "Bid team member"


COMMISSIONING_ROLES = [SideRole.COMMISSIONER, SideRole.SRO, SideRole.PROCUREMENT, SideRole.EVALUATOR, SideRole.GATEWAY_REVIEWER]


class Wall(models.Model):
    competition = models.OneToOneField("competitions.Competition", on_delete=models.CASCADE, related_name="wall")
    # Set when the arrangements keeping the sides apart are recorded (needed to launch
    # a competition a public-sector body may bid for).
    established_on = models.DateField(null=True, blank=True)
    established_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    arrangements = models.TextField(blank=True, help_text="How the commissioning and bid sides are kept apart.")

    def __str__(self):
        return f"Ethical wall for {self.competition.reference}"


class Membership(models.Model):
    """A person on one side of one wall, from joining until leaving."""

    wall = models.ForeignKey(Wall, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="wall_memberships")
    side = models.CharField(max_length=15, choices=Side.choices)
    role = models.CharField(max_length=20, choices=SideRole.choices)
    # The crown-body bid this bid-side member works on.
    bid = models.ForeignKey("competitions.Bid", null=True, blank=True, on_delete=models.PROTECT, related_name="team")
    joined_at = models.DateTimeField()
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    left_at = models.DateTimeField(null=True, blank=True)
    removed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["side", "joined_at"]
        constraints = [
            # Rule 3: nobody is on both sides of one competition (nor twice on one side).
            models.UniqueConstraint(fields=["wall", "user"], condition=models.Q(left_at__isnull=True), name="one_current_side_per_person"),
            models.CheckConstraint(
                condition=(models.Q(side="bid", bid__isnull=False, role="bid_team"))
                | (models.Q(side="commissioning", bid__isnull=True) & ~models.Q(role="bid_team")),
                name="bid_side_members_are_on_a_bid",
            ),
        ]

    def __str__(self):
        return f"{self.user} ({self.get_role_display()}, {self.get_side_display().lower()})"


class ConflictDeclaration(models.Model):
    """Rule 4: everyone given access to a competition declares their interests first."""

    class Nature(models.TextChoices):
        NIL = "nil", "Nil return: no interest to declare"
        CONFLICT = "conflict", "An interest that may conflict"

    class Assessment(models.TextChoices):
        NOT_NEEDED = "not_needed", "No assessment needed (nil return)"
        PENDING = "pending", "Awaiting the SRO's assessment"
        MITIGATED = "mitigated", "Mitigated, with conditions"
        EXCLUDED = "excluded", "Excluded from the competition"

    competition = models.ForeignKey("competitions.Competition", on_delete=models.CASCADE, related_name="conflict_declarations")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="conflict_declarations")
    nature = models.CharField(max_length=10, choices=Nature.choices)
    details = models.TextField(blank=True)
    declared_at = models.DateTimeField()
    assessment = models.CharField(max_length=12, choices=Assessment.choices)
    conditions = models.TextField(blank=True, help_text="The mitigation the person must keep to.")
    assessed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    assessed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["competition", "declared_at"]
        constraints = [models.UniqueConstraint(fields=["competition", "user"], name="one_declaration_per_person_per_competition")]

    @property
    def allows_access(self) -> bool:
        return self.assessment in (self.Assessment.NOT_NEEDED, self.Assessment.MITIGATED)


class DeclarationRequest(models.Model):
    """The lead commissioner or SRO asks a person to join the commissioning side (rule 4).

    Until they have declared their interests they cannot see the competition at all; the
    request is what lets them see its reference and title, on the declaration page only.
    A nil return (or a conflict the SRO mitigates) puts them on the side in the role asked.
    """

    class Outcome(models.TextChoices):
        OPEN = "", "Awaiting their declaration"
        JOINED = "joined", "Joined the commissioning side"
        EXCLUDED = "excluded", "Excluded by the SRO"
        REFUSED = "refused", "Could not join"
        WITHDRAWN = "withdrawn", "Withdrawn"

    competition = models.ForeignKey("competitions.Competition", on_delete=models.CASCADE, related_name="declaration_requests")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="declaration_requests")
    role = models.CharField(max_length=20, choices=SideRole.choices)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, blank=True, default=Outcome.OPEN)
    outcome_detail = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["competition", "requested_at"]
        constraints = [
            models.UniqueConstraint(fields=["competition", "user"], condition=models.Q(closed_at__isnull=True), name="one_open_request_per_person"),
        ]

    def __str__(self):
        return f"{self.user} asked to join as {self.get_role_display().lower()}"


class ConflictsAssessment(models.Model):
    """Procurement Act 2023 s.83: the SRO's assessment of the register before the tender notice."""

    competition = models.OneToOneField("competitions.Competition", on_delete=models.CASCADE, related_name="conflicts_assessment")
    summary = models.TextField()
    completed_on = models.DateField(null=True, blank=True)
    completed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")


@append_only
class AuditEvent(models.Model):
    """Append-only record of grants, revocations, views of protected material and refusals."""

    class Action(models.TextChoices):
        GRANT = "grant", "Access granted"
        REVOKE = "revoke", "Access revoked"
        VIEW = "view", "Protected material viewed"
        REFUSED = "refused", "Attempt refused"
        DECLARE = "declare", "Interests declared"
        ASSESS = "assess", "Conflict assessed"
        EXPORT = "export", "Protected material exported"
        REQUEST = "request", "Asked to declare and join"
        ROLE = "role", "Roles changed"

    class Channel(models.TextChoices):
        PAGE = "page", "Page"
        API = "api", "REST API"
        ADMIN = "admin", "Admin"
        EXPORT = "export", "Export (CSV / OCDS)"
        PDF = "pdf", "PDF"
        SEARCH = "search", "Search"
        EMAIL = "email", "Email"
        REPORT = "report", "Nightly report"
        SERVICE = "service", "Service"

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=10, choices=Action.choices, db_index=True)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    object_type = models.CharField(max_length=60)
    object_id = models.CharField(max_length=40, blank=True)
    # No foreign key: the log outlives the records and never cascades. Indexed for the breach view.
    competition_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text="The person whose access was granted or revoked.",
    )
    detail = models.CharField(max_length=300, blank=True)
    path = models.CharField(max_length=300, blank=True)

    objects = models.Manager()

    class Meta:
        triggers = [append_only_trigger()]
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_action_display()} {self.object_type} {self.object_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("The audit log is append-only: events cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("The audit log is append-only: events cannot be deleted.")


# --- Object permissions with direct foreign keys (indexed, joined without casts, deleted with their object).

def _permission_models(model_label: str, name: str):
    user_model = type(
        f"{name}UserObjectPermission", (UserObjectPermissionBase,),
        {"__module__": __name__, "content_object": models.ForeignKey(model_label, on_delete=models.CASCADE)},
    )
    group_model = type(
        f"{name}GroupObjectPermission", (GroupObjectPermissionBase,),
        {"__module__": __name__, "content_object": models.ForeignKey(model_label, on_delete=models.CASCADE)},
    )
    return user_model, group_model


# The records the wall protects (SPEC §4 rule 1): the competition itself (its confidential
# view), bids, criteria, scores, business cases, gateway reports, award material, documents.
CompetitionUserObjectPermission, CompetitionGroupObjectPermission = _permission_models("competitions.Competition", "Competition")
BidUserObjectPermission, BidGroupObjectPermission = _permission_models("competitions.Bid", "Bid")
BidDocumentUserObjectPermission, BidDocumentGroupObjectPermission = _permission_models("competitions.BidDocument", "BidDocument")
CriterionUserObjectPermission, CriterionGroupObjectPermission = _permission_models("competitions.EvaluationCriterion", "Criterion")
ScoreUserObjectPermission, ScoreGroupObjectPermission = _permission_models("competitions.Score", "Score")
ModeratedScoreUserObjectPermission, ModeratedScoreGroupObjectPermission = _permission_models("competitions.ModeratedScore", "ModeratedScore")
BusinessCaseUserObjectPermission, BusinessCaseGroupObjectPermission = _permission_models("competitions.BusinessCase", "BusinessCase")
GatewayReviewUserObjectPermission, GatewayReviewGroupObjectPermission = _permission_models("competitions.GatewayReview", "GatewayReview")
AwardRecommendationUserObjectPermission, AwardRecommendationGroupObjectPermission = _permission_models("competitions.AwardRecommendation", "AwardRecommendation")
TieBreakUserObjectPermission, TieBreakGroupObjectPermission = _permission_models("competitions.TieBreak", "TieBreak")
DebriefLetterUserObjectPermission, DebriefLetterGroupObjectPermission = _permission_models("competitions.DebriefLetter", "DebriefLetter")
