"""Admin for the records everyone may read — organisations, service areas — and for people and their roles.

Nothing here is deleted: the record of who did what outlives them (deactivate a person
instead), and a deletion page would list the records that depend on one — agreements,
competitions not yet launched — to someone the wall does not let see them (SPEC §4 rule 7).
Role changes are written to the wall's audit log, and nobody may change their own roles or
account flags. Roles are created by a migration: the groups themselves are not edited here.
"""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import Group
from rest_framework.authtoken.admin import TokenAdmin, TokenProxy

from core.access import FLAGS, access_changed, access_of
from core.models import Organisation, ServiceArea, User
from core.tokens import token_issue, token_revoke


class KeptRecordAdmin(admin.ModelAdmin):
    """Added and changed here, never deleted."""

    actions = None

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Organisation)
class OrganisationAdmin(KeptRecordAdmin):
    list_display = ["name", "sector", "organisation_type", "is_crown_body", "parent"]
    list_filter = ["sector", "organisation_type", "is_crown_body"]
    search_fields = ["name"]


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


@admin.register(ServiceArea)
class ServiceAreaAdmin(KeptRecordAdmin):
    list_display = ["name"]
    search_fields = ["name"]


# The roles are created by a migration (core/migrations/0002): not edited, and never deleted, here.
admin.site.unregister(Group)


# API tokens: issued and revoked through core.tokens, so each is audited (DRF's own admin is replaced).
admin.site.unregister(TokenProxy)


@admin.register(TokenProxy)
class ApiTokenAdmin(TokenAdmin):
    """DRF's token admin (its URLs use the user's id), without showing keys in the list, writing through core.tokens."""

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
