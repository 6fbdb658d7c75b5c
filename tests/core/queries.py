"""Query counts for page tests: what the navigation's inbox count costs on every page (issue #19)."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.inbox import inbox_for


def inbox_queries(user) -> int:
    """The queries of the user's inbox, as a request builds it: on a fresh user object (nothing cached on it), its roles
    read already (the navigation reads them) and the process's permission ids looked up already."""
    inbox_for(type(user).objects.get(pk=user.pk))
    fresh = type(user).objects.get(pk=user.pk)
    fresh.role_names
    with CaptureQueriesContext(connection) as queries:
        inbox_for(fresh)
    return len(queries)
