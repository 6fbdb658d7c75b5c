"""Records nobody may rewrite — the audit log, the timelines, published notices — refused by the database itself.

A model marked append-only carries a django-pgtrigger `Protect` trigger on PostgreSQL: every
UPDATE and DELETE of its rows is refused, by whatever connection, so raw SQL cannot rewrite
history either. The application's runtime role may besides only SELECT and INSERT these
tables (`core.database_roles`): it cannot TRUNCATE them, alter them, or disable or drop the
trigger, which only the tables' owner (the migrations' role) could. SQLite, the embedded
default, relies on the models' own refusals.
"""

import pgtrigger


def append_only_trigger() -> pgtrigger.Protect:
    return pgtrigger.Protect(name="append_only", operation=pgtrigger.Update | pgtrigger.Delete)


def append_only(model):
    """Class decorator: mark the model append-only (its table's runtime grants: SELECT and INSERT only)."""
    model.append_only = True
    return model
