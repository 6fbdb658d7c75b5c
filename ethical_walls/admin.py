"""The wall in the Django admin: read-only, through the selectors, with no way round it (SPEC §4 rule 7).

Nothing here adds, changes or deletes: the audit log is append-only, and
memberships and declarations change only through `ethical_walls.services`.
Superusers and staff get nothing for free — what a person may view depends on
their role, as on the pages. The guardian permission models are not
registered: object permissions are the wall's services' alone to grant.
"""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import Group
from rest_framework.authtoken.admin import TokenAdmin, TokenProxy

from core.admin import KeptRecordAdmin
from core.models import User
from core.roles import Role
from ethical_walls.access import FLAGS, access_changed, access_of
from ethical_walls.tokens import token_issue, token_revoke
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


# --- people, their roles and their API tokens: changes of access, each audited -----------------------------

@admin.register(User)
class NomsUserAdmin(KeptRecordAdmin, UserAdmin):
    search_fields = ["username", "first_name", "last_name", "email"]
    # Access comes from roles (groups) and the wall's object permissions, never from permissions given here.
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("Personal info", {"fields": ("first_name", "last_name", "email", "organisation")}),
        ("Roles and access", {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
        ("Important dates", {"fields": ("last_login", "date_joined")}),
    )
    list_display = ["username", "first_name", "last_name", "organisation", "is_staff"]

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.pk == request.user.pk:
            readonly += [*FLAGS, "groups"]  # nobody changes their own roles (segregation of duties)
        return readonly

    def save_model(self, request, obj, form, change):
        stored = User.objects.filter(pk=obj.pk).first() if change else None
        request._access_before = access_of(stored) if stored else {"roles": [], **{flag: False for flag in FLAGS}}
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        access_changed(user=form.instance, before=request._access_before, actor=request.user)


# The roles are created by a migration (core/migrations/0002): not edited, and never deleted, here.
admin.site.unregister(Group)


# API tokens: issued and revoked through ethical_walls.tokens, so each is audited (DRF's own admin is replaced).
admin.site.unregister(TokenProxy)


@admin.register(TokenProxy)
class ApiTokenAdmin(TokenAdmin):
    """DRF's token admin (its URLs use the user's id), without showing keys in the list, writing through ethical_walls.tokens."""

    list_display = ["user", "created"]
    autocomplete_fields = ["user"]

    def has_change_permission(self, request, obj=None):
        return False  # a token is issued or revoked, never edited

    def save_model(self, request, obj, form, change):
        token = token_issue(user=obj.user, actor=request.user)
        obj.key, obj.created = token.key, token.created
        self.message_user(request, f"API token for {obj.user.username}: {token.key} — give it to the system now; it is shown once here.")

    def delete_model(self, request, obj):
        token_revoke(user=obj.user, actor=request.user)
