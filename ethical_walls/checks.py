"""System checks: the registry of protected records and the object-permission tables agree.

A record registered as protected (`registry.register_protected`) with no permission tables could
never be shared with anyone; a table for a record nobody registered would never be granted by the
wall's services. Either is an error at `manage.py check` (and so at start-up and in the tests).
"""

from django.apps import apps
from django.core import checks
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Model
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from ethical_walls import registry


def permission_tables() -> dict[str, set[str]]:
    """The records that have object-permission tables, with which kinds ("user", "group")."""
    tables: dict[str, set[str]] = {}
    for model in apps.get_app_config("ethical_walls").get_models():
        for base, kind in ((UserObjectPermissionBase, "user"), (GroupObjectPermissionBase, "group")):
            if issubclass(model, base):
                target = model._meta.get_field("content_object").related_model
                if isinstance(target, type) and issubclass(target, Model):
                    tables.setdefault(target._meta.label_lower, set()).add(kind)
    return tables


@checks.register(checks.Tags.security)
def protected_records_have_permission_tables(app_configs: object = None, **kwargs: object) -> list[checks.CheckMessage]:
    protected = {p.label for p in registry.protected()}
    tables = permission_tables()
    errors: list[checks.CheckMessage] = [
        checks.Error(f"{label} is registered as protected but has no user and group permission tables.",
                     hint="Add them with _permission_models() in ethical_walls/models.py, and a migration.", id="ethical_walls.E001")
        for label in sorted(protected) if tables.get(label) != {"user", "group"}
    ]
    errors += [
        checks.Error(f"{label} has object-permission tables but is not registered as protected.",
                     hint="Register it in its app's protected.py (ethical_walls.registry.register_protected).", id="ethical_walls.E002")
        for label in sorted(set(tables) - protected)
    ]
    return errors


@checks.register(checks.Tags.security)
def scoped_records_belong_to_an_organisation(app_configs: object = None, **kwargs: object) -> list[checks.CheckMessage]:
    """A scoped record's organisation path must be a foreign key to core.Organisation (whose people will see it)."""
    errors: list[checks.CheckMessage] = []
    for scope in registry.scoped():
        try:
            field = scope.model._meta.get_field(scope.organisation_path.removesuffix("_id"))
            target = getattr(field, "related_model", None)
            label = target._meta.label_lower if isinstance(target, type) and issubclass(target, Model) else None
        except FieldDoesNotExist:
            label = None
        if label != "core.organisation":
            errors.append(checks.Error(
                f"{scope.label}'s organisation path {scope.organisation_path!r} does not lead to an organisation.",
                hint="Name the record's foreign key to core.Organisation in its app's protected.py.", id="ethical_walls.E003",
            ))
    return errors
