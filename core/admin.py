"""Admin for the records everyone may read — organisations and service areas (people, roles and tokens: ethical_walls/admin.py).

Nothing here is deleted: the record of who did what outlives them (deactivate a person
instead), and a deletion page would list the records that depend on one — agreements,
competitions not yet launched — to someone the wall does not let see them (SPEC §4 rule 7).
Role changes are written to the wall's audit log, and nobody may change their own roles or
account flags. Roles are created by a migration: the groups themselves are not edited here.
"""

from django.contrib import admin

from core.models import Organisation, ServiceArea


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


@admin.register(ServiceArea)
class ServiceAreaAdmin(KeptRecordAdmin):
    list_display = ["name"]
    search_fields = ["name"]
