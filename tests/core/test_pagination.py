"""Lists that never count their whole table (issue #22): exact up to a bound, "more than N" beyond it, in the API and on pages."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from core.models import Organisation
from core.pagination import BoundedPaginator
from core.roles import Role
from tests.core.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def organisations():
    Organisation.objects.bulk_create([Organisation(name=f"Provider {n:02}", sector="voluntary", organisation_type="charity") for n in range(12)])
    return Organisation.objects.order_by("name")


def _api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_below_the_bound_the_count_is_exact(settings, organisations):
    settings.LIST_COUNT_LIMIT = 100
    body = _api(UserFactory(roles=[Role.PROCUREMENT])).get("/api/v1/organisations/?page_size=5").json()
    assert (body["count"], body["more_than"], len(body["results"])) == (Organisation.objects.count(), None, 5)


def test_beyond_the_bound_it_says_more_than_and_counts_no_further(settings, organisations):
    settings.LIST_COUNT_LIMIT = 4
    api = _api(UserFactory(roles=[Role.PROCUREMENT]))
    with CaptureQueriesContext(connection) as queries:
        body = api.get("/api/v1/organisations/?page_size=2").json()
    assert (body["count"], body["more_than"], len(body["results"])) == (None, 4, 2)
    assert body["next"].endswith("page=2&page_size=2")
    counts = [q["sql"] for q in queries if "COUNT(" in q["sql"].upper()]
    assert len(counts) == 1 and "LIMIT 5" in counts[0]  # one COUNT over at most the bound plus one row

    # A deep page counts as far as itself: it exists, and so does its next while there are rows left.
    total = Organisation.objects.count()
    last = (total + 1) // 2
    deep = api.get(f"/api/v1/organisations/?page_size=2&page={last - 1}").json()
    assert len(deep["results"]) == 2 and deep["next"] is not None
    final = api.get(f"/api/v1/organisations/?page_size=2&page={last}").json()
    assert final["next"] is None and final["count"] == total  # counted to the end: exact
    assert api.get(f"/api/v1/organisations/?page_size=2&page={last + 1}").status_code == 404
    assert api.get("/api/v1/organisations/?page=last").status_code == 404  # the last page would need the whole count


def test_the_schema_documents_the_bounded_count():
    schema = _api(UserFactory(roles=[Role.PROCUREMENT])).get("/api/schema/?format=json").json()
    page = schema["components"]["schemas"]["PaginatedOrganisationList"]
    assert page["properties"]["count"]["type"] == page["properties"]["more_than"]["type"] == ["integer", "null"]
    assert "more than this many" in page["properties"]["more_than"]["description"]


def test_pages_say_more_than_rather_than_count_millions(settings, organisations):
    settings.LIST_COUNT_LIMIT = 3
    paginator = BoundedPaginator(Organisation.objects.order_by("name"), 2)
    assert (paginator.count, paginator.exact, paginator.count_words, paginator.pages_words) == (4, False, "more than 3", "more than 1")
    exact = BoundedPaginator(Organisation.objects.filter(name__startswith="Provider 0"), 20)
    assert (exact.count_words, exact.pages_words) == ("10", "1")
    assert BoundedPaginator(list(range(7)), 2, page=3).count == 7  # a list is counted by length, as far as the page


def test_the_competitions_page_says_more_than(settings, journey):
    """A page of 25 counts at least as far as itself: with 27 competitions and a bound of 10, "more than 25"."""
    from competitions import services

    settings.LIST_COUNT_LIMIT = 10
    for n in range(26):
        services.competition_create(actor=journey.commissioner, title=f"Competition {n}", service_area=journey.service_area, estimated_value=1)
    client = Client()
    client.force_login(journey.commissioner)
    page = client.get("/competitions/").content.decode()
    assert "more than 25 competitions" in page and "Page 1 of more than 1" in page
    assert "27 competitions" in client.get("/competitions/?page=2").content.decode()  # the second page counts to the end


def test_counting_reads_only_the_keys_not_what_the_rows_show(organisations):
    """A list's rows may carry costly annotations (an agreement's RAG reads every measure's latest return): counting skips them."""
    from django.db.models import OuterRef, Subquery

    annotated = Organisation.objects.annotate(
        twin=Subquery(Organisation.objects.filter(name=OuterRef("name")).exclude(pk=OuterRef("pk")).values("name")[:1])).order_by("name")
    total = Organisation.objects.count()
    with CaptureQueriesContext(connection) as queries:
        assert BoundedPaginator(annotated, 5).count == total
    sql, = [q["sql"] for q in queries]
    assert sql.count("FROM") == 2 and "ORDER BY" not in sql and "twin" not in sql  # the count and its one subquery, of keys


def test_an_absurd_page_number_is_a_404_not_an_overflow(organisations):
    api = _api(UserFactory(roles=[Role.PROCUREMENT]))
    for page in ("99999999999999999999999", "9223372036854775807", "-5", "1e9", "NaN"):
        assert api.get(f"/api/v1/organisations/?page={page}").status_code == 404, page


# --- by cursor: to walk a long list to its end ----------------------------------------------------------

def test_a_cursor_pages_forward_and_back_in_the_order_rows_were_recorded(organisations):
    api = _api(UserFactory(roles=[Role.PROCUREMENT]))
    recorded = list(Organisation.objects.order_by("pk").values_list("pk", flat=True))
    first = api.get("/api/v1/organisations/?paging=cursor&page_size=5").json()
    assert [row["id"] for row in first["results"]] == recorded[:5] and first["previous"] is None
    with CaptureQueriesContext(connection) as queries:
        second = api.get(first["next"]).json()
    assert [row["id"] for row in second["results"]] == recorded[5:10]
    assert not [q for q in queries if "COUNT(" in q["sql"].upper()] and not [q for q in queries if "OFFSET" in q["sql"].upper()]
    assert [row["id"] for row in api.get(second["previous"]).json()["results"]] == recorded[:5]
    Organisation.objects.filter(pk__in=recorded[1::4]).update(sector="private")
    filtered = api.get("/api/v1/organisations/?paging=cursor&sector=private&page_size=2").json()
    assert [row["id"] for row in filtered["results"]] == recorded[1::4][:2]
    assert [row["id"] for row in api.get(filtered["next"]).json()["results"]] == recorded[1::4][2:4]


@pytest.mark.parametrize(("query", "field"), [
    ("paging=sideways", "paging"),
    ("paging=cursor&page=2", "page"),
    ("paging=cursor&ordering=name", "ordering"),
    ("paging=page&cursor=cD0x", "cursor"),
    ("cursor=not-base64!", "cursor"),
    ("cursor=cD1hYmM%3D", "cursor"),  # p=abc: a position that is not a row id
    ("cursor=cD05OTk5OTk5OTk5OTk5OTk5OTk5OTk5OQ%3D%3D", "cursor"),  # p=9999999999999999999999: past any id
    ("cursor=bz0tMQ%3D%3D", "cursor"),  # o=-1
])
def test_a_cursor_or_paging_the_list_did_not_give_is_refused_by_field(organisations, query, field):
    response = _api(UserFactory(roles=[Role.PROCUREMENT])).get(f"/api/v1/organisations/?{query}")
    assert response.status_code == 400, (query, response.content)
    assert list(response.json()["errors"]) == [field]


def test_the_schema_and_the_browsable_api_offer_paging_by_cursor(organisations):
    user = UserFactory(roles=[Role.PROCUREMENT])
    schema = _api(user).get("/api/schema/?format=json").json()
    parameters = {p["name"]: p for p in schema["paths"]["/api/v1/organisations/"]["get"]["parameters"]}
    assert parameters["paging"]["schema"]["enum"] == ["page", "cursor"] and "cursor" in parameters
    assert "400" in schema["paths"]["/api/v1/organisations/"]["get"]["responses"]
    browser = Client()
    browser.force_login(user)
    html = browser.get("/api/v1/organisations/?paging=cursor&page_size=5", HTTP_ACCEPT="text/html").content.decode()
    assert "Provider" in html and "cursor=" in html  # the page's next link, to follow
