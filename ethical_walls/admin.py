"""The wall in the Django admin: read-only, through the selectors, with no way round it (SPEC §4 rule 7).

Nothing here adds, changes or deletes: the audit log is append-only, and
memberships and declarations change only through `ethical_walls.services`.
Superusers and staff get nothing for free — what a person may view depends on
their role, as on the pages. The guardian permission models are not
registered: object permissions are the wall's services' alone to grant.
"""

from django.contrib import admin

from core.roles import Role
from ethical_walls import audit, registry, selectors
from ethical_walls.models import AuditEvent, ConflictDeclaration, Membership


class ReadOnlyWallAdmin(admin.ModelAdmin):
    """View-only for the roles in `readers`; a record the user may not view answers 404, and is logged."""

    readers: tuple = (Role.OVERSIGHT,)
    actions = None  # no bulk actions, "delete selected" above all

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        user = request.user
        return user.is_active and user.is_staff and user.has_role(*self.readers)

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def _refuse(self, request, object_id=""):
        raise audit.refuse(
            actor=request.user, channel=audit.Channel.ADMIN, object_type=audit.object_type_of(self.model),
            object_id=object_id, path=request.path, competition_id=registry.competition_id_of(self.model, object_id),
        )

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_permission(request):
            self._refuse(request)
        return super().changelist_view(request, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if not self.has_view_permission(request) or not self.get_queryset(request).filter(pk=object_id).exists():
            self._refuse(request, object_id)
        return super().change_view(request, object_id, form_url, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        if not self.has_view_permission(request) or not self.get_queryset(request).filter(pk=object_id).exists():
            self._refuse(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        self._refuse(request, object_id)


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyWallAdmin):
    list_display = ["at", "action", "channel", "actor", "object_type", "object_id", "competition_id", "subject", "detail"]
    list_filter = ["action", "channel"]
    search_fields = ["object_type", "object_id", "detail", "path"]
    date_hierarchy = "at"
    list_select_related = ["actor", "subject"]

    def get_queryset(self, request):
        return selectors.audit_event_list(user=request.user)


@admin.register(ConflictDeclaration)
class ConflictDeclarationAdmin(ReadOnlyWallAdmin):
    readers = tuple(selectors.REGISTER_READERS)
    list_display = ["competition", "user", "nature", "assessment", "declared_at", "assessed_by", "assessed_at"]
    list_filter = ["nature", "assessment"]

    def get_queryset(self, request):
        # The register as the person may read it: oversight all, an SRO their competitions', anyone their own.
        return selectors.declaration_list(user=request.user)


@admin.register(Membership)
class MembershipAdmin(ReadOnlyWallAdmin):
    """Who was on which side: oversight's record of grants and revocations, as the audit log is."""

    list_display = ["wall", "user", "side", "role", "bid", "joined_at", "added_by", "left_at", "removed_by"]
    list_filter = ["side", "role"]
    list_select_related = ["wall__competition", "user", "bid__bidder", "added_by", "removed_by"]
