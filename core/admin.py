from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from core.models import Organisation, ServiceArea, User


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "sector", "organisation_type", "is_crown_body", "parent"]
    list_filter = ["sector", "organisation_type", "is_crown_body"]
    search_fields = ["name"]


@admin.register(User)
class NomsUserAdmin(UserAdmin):
    fieldsets = (*UserAdmin.fieldsets, ("Organisation", {"fields": ("organisation",)}))
    list_display = ["username", "first_name", "last_name", "organisation", "is_staff"]


@admin.register(ServiceArea)
class ServiceAreaAdmin(admin.ModelAdmin):
    list_display = ["name"]
    search_fields = ["name"]
