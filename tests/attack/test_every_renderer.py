"""Every API route, rendered as JSON and as the browsable HTML API, fetched by every kind of attacker (SPEC §4 rule 7).

The routes come from the DRF router and the records from the scene, so a new endpoint or
a new renderer is covered without editing this file. For each route the attacker asks for
the list, every record of the resource by id (those it may read and those it may not), and
each action's URL; in JSON (`?format=json`), in HTML (`?format=api`, and `Accept:
text/html` as a browser sends it). No body — form fields and pre-filled "raw data" included
— may hold a text the attacker must not read (tests/attack/scene.py works those out from
the records and the facts of the wall), nothing may answer 500, and every 403 or 404 is a
refused attempt in the audit log.
"""

import re

import pytest
from django.urls import URLPattern
from rest_framework.test import APIClient

from ethical_walls.models import AuditEvent
from noms_commissioning.api import router
from tests.api import model_of
from tests.attack.scene import ATTACKERS, build_scene, leaks, protected_texts

pytestmark = pytest.mark.django_db

RECORDS_PER_RESOURCE = 12  # ids tried on each detail route: the scene's records, the protected ones among them
RENDERINGS = {
    "json": ({"format": "json"}, {}),
    "browsable": ({"format": "api"}, {}),
    "browser": ({}, {"HTTP_ACCEPT": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}),
}


def routes() -> list[tuple[str, str, str]]:
    """(basename, route name, URL template) of every route the router makes."""
    found = []
    for pattern in router.urls:
        if not isinstance(pattern, URLPattern) or pattern.name == "api-root":
            continue
        basename = next(b for _, _, b in router.registry if pattern.name.startswith(b + "-"))
        template = re.sub(r"\(\?P<(\w+)>[^)]+\)", "{pk}", pattern.pattern.regex.pattern).strip("^$").replace("\\", "")
        found.append((basename, pattern.name, "/api/v1/" + template))
    return found


def record_ids(basename: str) -> list:
    viewset = next(v for _, v, b in router.registry if b == basename)
    model = model_of(viewset)
    return [] if model is None else list(model._default_manager.order_by("pk").values_list("pk", flat=True)[:RECORDS_PER_RESOURCE])



@pytest.fixture
def scene():
    built = build_scene()
    yield built
    built.journey.stop_travel()


def test_the_routes_cover_every_resource_of_the_router():
    assert {basename for basename, _, _ in routes()} == {basename for _, _, basename in router.registry}


@pytest.mark.parametrize("attacker", ATTACKERS)
def test_no_rendering_of_any_route_gives_an_attacker_protected_text(scene, attacker):
    user = scene.attackers[attacker]
    texts = protected_texts(scene, user)
    client = APIClient()
    client.force_authenticate(user)
    ids = {basename: record_ids(basename) for basename in {b for b, _, _ in routes()}}
    failures, fetched = [], 0
    for basename, name, template in routes():
        if "{pk}" not in template:
            urls = [template]
        elif name.endswith("-detail"):
            urls = [template.format(pk=pk) for pk in ids[basename]]
        else:  # an action: its URL on the first and last record (GET answers 405, rendered all the same)
            urls = [template.format(pk=pk) for pk in ids[basename][:1] + ids[basename][-1:]]
        for url in urls:
            for rendering, (params, headers) in RENDERINGS.items():
                response = client.get(url, params, **headers)
                fetched += 1
                where = f"{url} as {rendering} ({response.status_code})"
                if response.status_code >= 500:
                    failures.append(f"{where}: server error")
                    continue
                failures += leaks(texts, response.content.decode("utf-8", errors="replace"), where)
                if response.status_code in (403, 404) and not AuditEvent.objects.filter(action="refused", actor=user, path=url).exists():
                    failures.append(f"{where}: refusal not logged")
    assert fetched > 300
    assert not failures, f"{attacker}:\n" + "\n".join(failures)


def test_the_browsable_api_draws_no_form_and_no_raw_data(scene):
    """The forms DRF pre-fills (from the serializer the view names for its schema) are never drawn."""
    client = APIClient()
    client.force_authenticate(scene.journey.commissioner)
    html = client.get(f"/api/v1/competitions/{scene.live.pk}/", {"format": "api"}).content.decode()
    assert scene.live.reference in html  # the answer itself is there
    assert "<textarea" not in html and 'name="_content"' not in html and 'method="POST"' not in html
    assert 'data-method="PUT"' not in html and 'data-method="PATCH"' not in html and "<select" not in html


@pytest.mark.parametrize("url", ["/api/v1/competitions.json", "/api/v1/competitions/1.json", "/api/v1/agreements.json", "/api/v1/ocds/releases.json"])
def test_format_suffixes_answer_404_never_500(scene, url):
    client = APIClient()
    client.force_authenticate(scene.journey.commissioner)
    assert client.get(url, follow=True).status_code == 404
