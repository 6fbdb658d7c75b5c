"""Every form of the pages, sent hostile values: never a server error (issue #15, "Bad input").

The forms are found as a user finds them: from the demo's competition, cycle, agreement and
wall pages, each link to a page with a POST form is followed and the form's fields read from
its HTML. Each field is then sent the values outside testers used — numbers beyond any
column's range, negative amounts, dates no one could mean, very long text, control
characters — one field at a time, drawn by Hypothesis (bounded, derandomized), as the role
that may use the form. Every answer must be below 500.
"""

import re
from html.parser import HTMLParser
from urllib.parse import urljoin

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from competitions.models import Competition
from contracts.models import Agreement
from core.models import User
from cycle.models import CommissioningCycle

pytestmark = pytest.mark.django_db

HOSTILE = [
    "100000000000000000000", "-5", "-0.01", "1e308", "NaN", "9" * 400, "0", "",
    "0001-01-01", "9999-12-31", "31/02/2026", "x" * 20_000, "nul\x00byte", "\u202etext", "=HYPERLINK(\"x\")", "<script>",
]
EXAMPLES_PER_FORM = 4  # per form: bounded, the whole run a few minutes
FORM_LINK = re.compile(r'href="(/(?:competitions|cycles|contracts|walls)/[^"#?]*(?:records|transitions|edit|declare|add|remove|arrangements|assess|withdraw|move-on|step-back)[^"#]*)"')


class Forms(HTMLParser):
    """The forms of a page sent by `method` (POST by default): their action and field names (hidden ones with their values)."""

    def __init__(self, method: str = "post"):
        super().__init__()
        self.method = method
        self.forms: list[dict] = []
        self._form = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("method") or "get").lower() == self.method:
            self._form = {"action": attrs.get("action") or "", "fields": {}, "hidden": {}}
            self.forms.append(self._form)
        elif self._form is not None and tag in ("input", "select", "textarea") and attrs.get("name"):
            if attrs.get("type") == "hidden":
                self._form["hidden"][attrs["name"]] = attrs.get("value", "")
            elif attrs.get("type") not in ("submit", "button"):
                self._form["fields"][attrs["name"]] = attrs.get("value", "")

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None


def forms_of(html: str, method: str = "post") -> list[dict]:
    parser = Forms(method)
    parser.feed(html)
    return parser.forms


def form_pages(client: Client) -> set[str]:
    """The pages with forms reachable from the demo's records' pages, for this user."""
    starts = [f"/competitions/{pk}/?section=all" for pk in Competition.objects.values_list("pk", flat=True)]
    starts += [f"/cycles/{pk}/?section=all" for pk in CommissioningCycle.objects.values_list("pk", flat=True)]
    starts += [f"/contracts/{pk}/?section=all" for pk in Agreement.objects.values_list("pk", flat=True)[:6]]
    starts += [f"/walls/{pk}/" for pk in Competition.objects.values_list("pk", flat=True)]
    found = set()
    for start in starts:
        response = client.get(start)
        if response.status_code == 200:
            found.update(FORM_LINK.findall(response.content.decode()))
    return found


def fuzz_form(client, username: str, form: dict, target: str, names: list[str], failures: list[str]) -> None:
    @settings(max_examples=EXAMPLES_PER_FORM, derandomize=True, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(name=st.sampled_from(names), value=st.sampled_from(HOSTILE))
    def send(name, value):
        answer = client.post(target, {**form["hidden"], **form["fields"], name: value})
        if answer.status_code >= 500:
            failures.append(f"{username}: POST {target} {name}={value[:30]!r} answered {answer.status_code}")

    send()


FUZZERS = ["commissioner", "procurement", "contract_manager", "sro"]


def test_no_hostile_value_in_any_form_reaches_a_server_error(demo_data):
    """Each form page once, fuzzed by the first of the demo roles that reaches it."""
    clients = {}
    for username in FUZZERS:
        client = Client(raise_request_exception=False)
        client.force_login(User.objects.get(username=username))
        clients[username] = client
    fuzzed_by: dict[str, str] = {}
    for username, client in clients.items():
        for page in sorted(form_pages(client)):
            fuzzed_by.setdefault(page, username)
    failures = []
    for page, username in sorted(fuzzed_by.items()):
        client = clients[username]
        response = client.get(page)
        if response.status_code != 200:
            continue
        for form in forms_of(response.content.decode()):
            names = sorted(form["fields"])
            if names:
                fuzz_form(client, username, form, form["action"] or page, names, failures)
    assert len(fuzzed_by) > 30
    assert not failures, "\n".join(sorted(set(failures)))


@pytest.mark.parametrize("kind", ["cohort-result", "equality-result"])
def test_a_number_beyond_the_column_is_a_field_error(demo_data, kind):
    agreement = Agreement.objects.filter(state="live").order_by("pk").first()
    client = Client()
    client.force_login(User.objects.get(username="contract_manager"))
    response = client.post(f"/contracts/{agreement.pk}/records/{kind}/", {"referrals": "100000000000000000000", "outcomes": "1"})
    assert response.status_code == 200
    assert "Referrals must be 2147483647 or less" in response.content.decode()


# --- the filters: every form sent by GET (the lists' filters, search, comparing versions) --------------------

NAV_LINK = re.compile(r'href="(/(?!admin|api|logout|login|static|media)[^"#?]*)"')


def html_of(client: Client, page: str) -> str:
    """The page's HTML, or "" for anything else (a file, a download, a redirect, a refusal)."""
    response = client.get(page)
    html = response.status_code == 200 and response["Content-Type"].startswith("text/html") and not response.streaming
    return response.content.decode() if html else ""


def filter_pages(client: Client) -> set[str]:
    """The pages this user reaches from the home page's links and theirs, and some agreements' and a competition's own."""
    found = set(NAV_LINK.findall(html_of(client, "/"))) | {"/"}
    for page in list(found):
        found |= {link for link in NAV_LINK.findall(html_of(client, page)) if link.count("/") <= 4}
    found |= {f"/contracts/{pk}/?section=all" for pk in Agreement.objects.order_by("pk").values_list("pk", flat=True)[:6]}
    return found | {f"/competitions/{Competition.objects.order_by('pk').values_list('pk', flat=True).first()}/?section=all"}


def test_no_hostile_value_in_any_filter_reaches_a_server_error(demo_data):
    """Each page's GET forms, each field (and the page number) given every hostile value in turn, by each demo role
    that reaches the page: lists, search, the audit log, versions compared. Every answer below 500."""
    failures, sent = [], set()
    for username in ["oversight", *FUZZERS]:
        client = Client(raise_request_exception=False)
        client.force_login(User.objects.get(username=username))
        for page in sorted(filter_pages(client)):
            for form in forms_of(html_of(client, page), "get"):
                target = urljoin(page, form["action"]).split("#")[0]  # "#section": the page itself, scrolled
                for name in sorted({*form["fields"], "page"}):
                    if (target, name) in sent:
                        continue
                    sent.add((target, name))
                    for value in HOSTILE:
                        answer = client.get(target, {**form["hidden"], name: value})
                        if answer.status_code >= 500:
                            failures.append(f"{username}: GET {target} {name}={value[:30]!r} answered {answer.status_code}")
    assert len({target for target, _ in sent}) >= 8, sorted(sent)
    assert not failures, "\n".join(sorted(set(failures)))
