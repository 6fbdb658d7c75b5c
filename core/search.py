"""One search across the service (issue #19): each app registers what it can find, read through its own selectors.

On PostgreSQL a search is full-text: each kind's fields make one `SearchVector` (English
configuration), matched with `websearch_to_tsquery` (quoted phrases, `or`, `-word`), ranked by
`ts_rank` and shown with `ts_headline`'s highlighted words; a GIN index on the same vector (the
apps' migrations, PostgreSQL only) answers it without reading the table. On SQLite (local running)
every word must appear in one of the fields, case-insensitive, and the words are highlighted here.

Results come only from the querysets the apps hand in — their selectors, which apply the wall —
so a search finds nothing its user could not open.
"""

import html
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import F, Q, QuerySet, Value
from django.db.models.functions import Coalesce
from django.utils.safestring import SafeString, mark_safe

CONFIG = "english"
START, STOP = "\x02", "\x03"  # ts_headline's markers: never in the text, replaced by <mark> once the text is escaped
MAX_QUERY = 200
PER_KIND = 10


@dataclass(frozen=True)
class Result:
    kind: str
    title: str
    url: str
    snippet: str  # plain text
    snippet_html: SafeString  # the same, escaped, with the matching words in <mark>
    rank: float


Provider = Callable[[Any, str, int], list[Result]]
_providers: dict[str, tuple[int, Provider]] = {}


def register(kind: str, provider: Provider, *, position: int = 50) -> None:
    """What a kind of record answers to a search; kinds are listed by `position`, then name."""
    _providers[kind] = (position, provider)


def vector(*fields: str) -> SearchVector:
    """The search vector of `fields` (the same expression as the kind's GIN index, so the index answers it)."""
    return SearchVector(*fields, config=CONFIG)


def full_text() -> bool:
    return connection.vendor == "postgresql"


def clean(query: str) -> str:
    """The words of what was typed, at most MAX_QUERY characters: control characters (a NUL, which PostgreSQL
    cannot hold in text) are spaces, runs of space one."""
    return " ".join("".join(c if c.isprintable() else " " for c in query).split())[:MAX_QUERY]


def matching(queryset: QuerySet[Any], fields: Sequence[str], query: str, *, headline: str) -> QuerySet[Any]:
    """`queryset` narrowed to the records matching `query` on `fields`, best first, each with `rank` and `headline`."""
    if full_text():
        search = SearchQuery(query, search_type="websearch", config=CONFIG)
        found = vector(*fields)
        return (queryset.annotate(document=found).filter(document=search)
                .annotate(rank=SearchRank(found, search), headline=SearchHeadline(
                    Coalesce(headline, Value("")), search, config=CONFIG, start_sel=START, stop_sel=STOP, max_words=30, min_words=12,
                    max_fragments=2, fragment_delimiter=" … "))
                .order_by("-rank", "pk"))
    words = [w for w in re.split(r"\W+", query) if w and w.lower() not in ("or", "and")]
    condition = Q()
    for word in words:
        any_field = Q()
        for field in fields:
            any_field |= Q(**{f"{field}__icontains": word})
        condition &= any_field
    return queryset.filter(condition).annotate(rank=Value(0.0), headline=F(headline)).order_by("pk") if words else queryset.none()


def _marked(text: str, query: str) -> tuple[str, SafeString]:
    """Plain and highlighted snippets: PostgreSQL's markers, or on SQLite each query word found (case-insensitive)."""
    if not full_text():
        text = _around(text, query)
        for word in sorted({w for w in re.split(r"\W+", query) if len(w) > 1}, key=len, reverse=True):
            text = re.sub(re.escape(word), lambda m: f"{START}{m.group(0)}{STOP}", text, flags=re.IGNORECASE)
    plain = text.replace(START, "").replace(STOP, "")
    escaped = html.escape(text).replace(START, "<mark>").replace(STOP, "</mark>")
    return plain, mark_safe(escaped)  # nosec B308, B703: escaped above; only our own <mark> tags are added


def _around(text: str, query: str, width: int = 220) -> str:
    words = [w for w in re.split(r"\W+", query) if w]
    lowered = text.lower()
    at = min((lowered.find(w.lower()) for w in words if w.lower() in lowered), default=0)
    start = max(0, at - width // 3)
    return ("… " if start else "") + text[start:start + width] + (" …" if start + width < len(text) else "")


def result(kind: str, title: str, url: str, headline: str | None, query: str, rank: float | None) -> Result:
    plain, marked = _marked(headline or "", query)
    return Result(kind=kind, title=title, url=url, snippet=plain, snippet_html=marked, rank=float(rank or 0))


def search(user: Any, query: str, *, per_kind: int = PER_KIND) -> list[tuple[str, list[Result]]]:
    """Each kind's results for the user, best first, kinds by their position (empty kinds left out)."""
    query = clean(query)
    if not query or not getattr(user, "is_authenticated", False):
        return []
    ordered = sorted(_providers.items(), key=lambda item: (item[1][0], item[0]))
    found = [(kind, provider(user, query, per_kind)) for kind, (_, provider) in ordered]
    return [(kind, results) for kind, results in found if results]


ORGANISATION_FIELDS = ("name",)


def organisations(user: Any, query: str, limit: int) -> list[Result]:
    """Organisations are public records: anyone signed in finds them."""
    from django.urls import reverse

    from core.selectors import organisation_list

    found = matching(organisation_list(), ORGANISATION_FIELDS, query, headline="name")[:limit]
    return [result("Organisations", o.name, reverse("organisations") + f"?sector={o.sector}", o.headline, query, o.rank) for o in found]


def index_operation(app_label: str, model_name: str, fields: Sequence[str], name: str) -> Any:
    """A migration operation: on PostgreSQL, a GIN index on the kind's search vector (on SQLite, nothing: no full text).

    Built from `vector`, so its expression is the one the searches use and the planner can answer them from it.
    """
    from django.contrib.postgres.indexes import GinIndex
    from django.db import migrations

    def index(apps: Any) -> tuple[Any, Any]:
        return apps.get_model(app_label, model_name), GinIndex(vector(*fields), name=name)

    def create(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.add_index(*index(apps))

    def drop(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.remove_index(*index(apps))

    return migrations.RunPython(create, drop)
