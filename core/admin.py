from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from rest_framework.authtoken.admin import TokenAdmin, TokenProxy

from core.models import Organisation, ServiceArea, User
from core.tokens import token_issue, token_revoke


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "sector", "organisation_type", "is_crown_body", "parent"]
    list_filter = ["sector", "organisation_type", "is_crown_body"]
    search_fields = ["name"]


@admin.register(User)
class NomsUserAdmin(UserAdmin):
    search_fields = ["username", "first_name", "last_name", "email"]
    fieldsets = (*UserAdmin.fieldsets, ("Organisation", {"fields": ("organisation",)}))
    list_display = ["username", "first_name", "last_name", "organisation", "is_staff"]


@admin.register(ServiceArea)
class ServiceAreaAdmin(admin.ModelAdmin):
    list_display = ["name"]
    search_fields = ["name"]


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
