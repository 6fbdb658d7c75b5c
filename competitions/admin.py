"""Admin for competitions: read-only, and read through the ethical wall.

Superusers and staff see only the records they hold object permissions for,
like everyone else (SPEC §4 rule 7); asking for any other id answers 404 and is
logged as a refused attempt. Changes go through the services, never the admin.
"""

from django.contrib import admin

from competitions.models import (
    AwardRecommendation,
    Bid,
    BidDocument,
    BusinessCase,
    Competition,
    DebriefLetter,
    EvaluationCriterion,
    GatewayReview,
    ModeratedScore,
    Score,
    TieBreak,
)
from ethical_walls import audit, registry
from ethical_walls.selectors import permitted


class WalledAdmin(admin.ModelAdmin):
    def get_queryset(self, request):
        return permitted(request.user, super().get_queryset(request))

    def get_object(self, request, object_id, from_field=None):
        found = super().get_object(request, object_id, from_field)
        if found is None:
            raise audit.refuse(actor=request.user, channel=audit.Channel.ADMIN, object_type=audit.object_type_of(self.model),
                               object_id=object_id, path=request.path, competition_id=registry.competition_id_of(self.model, object_id))
        audit.viewed(actor=request.user, channel=audit.Channel.ADMIN, obj=found, path=request.path)
        return found

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Competition)
class CompetitionAdmin(WalledAdmin):
    list_display = ["reference", "title", "state", "regime", "estimated_value"]
    list_filter = ["state", "regime"]
    search_fields = ["reference", "title"]


@admin.register(Bid)
class BidAdmin(WalledAdmin):
    list_display = ["competition", "bidder", "stage", "compliant"]
    # The tender itself is sealed until the bid deadline (rule 2): prices stay on the wall-aware pages.
    exclude = ["tender_price", "bafo_price"]


for model in (BidDocument, BusinessCase, DebriefLetter, EvaluationCriterion, GatewayReview, ModeratedScore, Score, TieBreak, AwardRecommendation):
    admin.site.register(model, WalledAdmin)
