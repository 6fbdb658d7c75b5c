"""End-to-end journeys in a real browser: Playwright driving Debian's Chromium against the live test server.

Every page a journey visits is checked with axe-core (the npm package, injected into each
page by the browser context): a violation of impact "serious" or "critical" fails the journey. Each journey saves
a full-page screenshot of its last page, and the axe findings of every page it visited,
under test-artifacts/browser/.

Data is set up through the services before the journey starts; the journey itself is
clicks and typing, as its user would do them. The live server needs committed data, so
these tests are transactional and reload the data migrations' rows (roles, outcomes) at
the start of each test (serialized_rollback) and once more after the last one, for any
transactional test that runs after them.
"""

import json
import os
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connections
from playwright.sync_api import Browser, Page, expect, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")  # Debian's package, installed by scripts/setup; never `playwright install`
AXE_SCRIPT = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"  # npm axe-core, from package-lock.json
ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts" / "browser"
PASSWORD = "correct-horse-battery"  # tests.core.factories.UserFactory's password
FAILING_IMPACTS = ("serious", "critical")
# Elements whose own visible text is set in a serif font (the browser's default where no GOV.UK font class reaches it);
# visually hidden text (1 px boxes) is read by screen readers, not seen.
SERIF_TEXT = """() => [...document.querySelectorAll("body *")]
  .filter(el => [...el.childNodes].some(node => node.nodeType === 3 && node.textContent.trim()))
  .filter(el => { const box = el.getBoundingClientRect(); return box.width > 1 && box.height > 1; })
  .map(el => [el, getComputedStyle(el).fontFamily.toLowerCase()])
  .filter(([el, family]) => !/sans|arial|mono|courier/.test(family))
  .slice(0, 5).map(([el, family]) => el.tagName.toLowerCase() + (el.className ? "." + String(el.className).trim().split(/\\s+/).join(".") : "") + ": " + family)"""
REFLOW_WIDTH = 320
# The elements that stick out past the window's right edge, deepest first: what a failed reflow check names.
WIDEST_ELEMENTS = """() => [...document.querySelectorAll("body *")]
  .filter(el => el.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
  .filter(el => ![...el.children].some(child => child.getBoundingClientRect().right > document.documentElement.clientWidth + 1))
  .slice(0, 5).map(el => el.tagName.toLowerCase() + (el.className ? "." + String(el.className).trim().split(/\\s+/).join(".") : "")
    + " (" + Math.round(el.getBoundingClientRect().right) + " px)")"""

# Every test here is transactional (the live server reads committed data) and restores the
# rows the data migrations made before it starts.
BROWSER_DB = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture(scope="package")
def browser() -> Browser:
    """One Chromium for the browser suite, closed when the suite ends.

    Playwright's sync API keeps an asyncio event loop running on the main thread for as long
    as it runs, and Django refuses database access from a thread with a running loop; the
    tests and the live server are plain synchronous code, so the documented workaround
    (DJANGO_ALLOW_ASYNC_UNSAFE) is switched on for exactly that long. Stopping Playwright
    with the suite keeps the running loop out of the tests that follow.
    """
    for needed, how in ((CHROMIUM, "scripts/setup installs Debian's chromium package"), (AXE_SCRIPT, "scripts/setup runs npm ci")):
        if not needed.exists():
            pytest.fail(f"{needed} is missing: {how}.")
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    serialized = {c.alias: c._test_serialized_contents for c in connections.all() if hasattr(c, "_test_serialized_contents")}
    try:
        with sync_playwright() as playwright:
            # With a loop running, Django keeps its connections per context rather than per
            # thread, so from here on the tests (and the live server, which shares an in-memory
            # SQLite connection) use new connection objects: give them the database snapshot
            # serialized_rollback restores from, and close them when done (an in-memory SQLite
            # database ignores the close).
            for alias, contents in serialized.items():
                connections[alias]._test_serialized_contents = contents
            chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
            try:
                yield chromium
            finally:
                chromium.close()
                connections.close_all()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="package", autouse=True)
def _restore_migrated_rows(django_db_setup, django_db_blocker):
    """After the last browser test, put back what the data migrations made (its flush emptied every table)."""
    yield
    with django_db_blocker.unblock():
        for connection in connections.all():
            serialized = getattr(connection, "_test_serialized_contents", None)
            if serialized:
                connection.creation.deserialize_db_from_string(serialized)


class Journey:
    """One user's visit: sign in, move about by links and buttons, and have axe check each page on arrival.

    Every navigation of the page is recorded; `finish()` fails if any page was not checked,
    or if any page had a serious or critical accessibility violation.
    """

    def __init__(self, page: Page, name: str, base_url: str):
        self.page = page
        self.name = name
        self.base_url = base_url
        self.unchecked: list[str] = []
        self.checked: list[dict] = []
        self.failures: list[str] = []
        page.on("framenavigated", lambda frame: frame == page.main_frame and self.unchecked.append(frame.url))

    # --- moving about -------------------------------------------------------------------------
    def visit(self, path: str, *, status: int = 200):
        response = self.page.goto(self.base_url + path)
        assert response is not None and response.status == status, f"{path} answered {response and response.status}, not {status}"
        self.check()
        return response

    def follow(self, locator):
        """Click a link or a submit button and check the page it leads to."""
        with self.page.expect_navigation(wait_until="load"):
            locator.click()
        self.check()

    def link(self, name: str, *, exact: bool = False):
        self.follow(self.page.get_by_role("link", name=name, exact=exact).first)

    def button(self, name: str, *, exact: bool = False):
        self.follow(self.page.get_by_role("button", name=name, exact=exact).first)

    def open_pdf(self, name: str):
        """Follow a link to a PDF and come back; returns the PDF's response (its body read through the same session).

        Chromium shows a PDF in its own viewer, which is not one of our pages: axe checks the
        page the link is on, before and after, not the viewer.
        """
        link = self.page.get_by_role("link", name=name).first
        with self.page.expect_response(lambda response: response.request.is_navigation_request()) as navigation:
            link.click()
        response = navigation.value
        assert response.status == 200 and response.headers["content-type"] == "application/pdf", f"{response.url}: not a PDF"
        pdf = self.page.request.get(response.url)  # the viewer keeps the bytes to itself: fetch them with the session's cookies
        assert pdf.ok and pdf.body().startswith(b"%PDF"), f"{response.url}: no PDF in the body"
        self.unchecked.remove(response.url)
        self.page.go_back(wait_until="load")
        self.check()
        return pdf

    def fill_date(self, legend: str, day, *, time: str | None = None):
        """Type a date (and a time) into GOV.UK's date input named by its legend, box by box, as a person would."""
        group = self.page.get_by_role("group", name=legend)
        group.get_by_label("Day").fill(str(day.day))
        group.get_by_label("Month").fill(str(day.month))
        group.get_by_label("Year").fill(str(day.year))
        if time is not None:
            group.get_by_label("Time").fill(time)

    def sign_in(self, user, *, then: str = "/login/"):
        """Sign in through the sign-in page; `then` is a page to ask for first (a signed-out visitor is sent to sign in)."""
        self.visit(then)
        expect(self.page.get_by_role("heading", level=1)).to_have_text("Sign in to NOMS Commissioning")
        self.page.get_by_label("Username").fill(user.username)
        self.page.get_by_label("Password").fill(PASSWORD)
        self.button("Sign in")
        expect(self.page.locator(".govuk-phase-banner")).to_contain_text(f"Signed in as {user}")

    # --- what the page says -------------------------------------------------------------------
    def text(self, selector: str = "main") -> str:
        return self.page.inner_text(selector)

    def success(self) -> str:
        return self.page.inner_text(".govuk-notification-banner--success")

    # --- accessibility --------------------------------------------------------------------------
    def check(self):
        """Run axe-core on the page as it is now; keep every finding, fail later on serious or critical ones."""
        self.page.wait_for_load_state("load")
        url = self.page.url
        started = time.perf_counter()
        results = self.page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
        seconds = round(time.perf_counter() - started, 2)
        violations = results["violations"]
        self.checked.append({
            "url": url,
            "title": self.page.title(),
            "axe_seconds": seconds,
            "violations": [
                {"id": v["id"], "impact": v["impact"], "help": v["help"], "helpUrl": v["helpUrl"],
                 "targets": [node["target"] for node in v["nodes"]]}
                for v in violations
            ],
        })
        self.check_reflow(url)
        serif = self.page.evaluate(SERIF_TEXT)
        if serif:
            self.failures.append(f"{url}: text set in a serif font, not GOV.UK's: {serif}")
        for violation in violations:
            if violation["impact"] in FAILING_IMPACTS:
                targets = "; ".join(" ".join(map(str, node["target"])) for node in violation["nodes"][:10])
                self.failures.append(f"{url}: {violation['id']} ({violation['impact']}): {violation['help']} — {targets}")
        self.unchecked.clear()

    def check_reflow(self, url: str):
        """WCAG 2.2 1.4.10: at 320 CSS px wide the page never scrolls sideways (issue #19); then back to the desktop's width."""
        desktop = self.page.viewport_size
        self.page.set_viewport_size({"width": REFLOW_WIDTH, "height": 640})
        overflow = self.page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
        if overflow > 0:
            wide = self.page.evaluate(WIDEST_ELEMENTS)
            self.screenshot(f"-reflow-{len(self.failures)}")
            self.failures.append(f"{url}: at {REFLOW_WIDTH} CSS px the page is {overflow} px wider than the window; widest: {wide}")
        self.page.set_viewport_size(desktop)

    def screenshot(self, suffix: str = "") -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{self.name}{suffix}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def finish(self):
        """The journey's end: a screenshot of its last page, then every page checked and none with serious violations."""
        self.screenshot()
        assert not self.unchecked, f"pages not checked with axe: {self.unchecked}"
        assert not self.failures, "serious or critical accessibility violations:\n" + "\n".join(self.failures)

    def save_findings(self):
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        (ARTIFACTS / f"{self.name}-axe.json").write_text(json.dumps(self.checked, indent=2))


@pytest.fixture
def journey(request, browser, live_server):
    """A fresh browser context (cookies, storage) per test, and the journey named after its module."""
    context = browser.new_context(
        base_url=live_server.url,
        # axe is test tooling injected into our pages: no Content Security Policy of theirs may block it.
        bypass_csp=True,
        viewport={"width": 1280, "height": 900},
        accept_downloads=True,
    )
    context.set_default_timeout(15_000)
    context.add_init_script(path=str(AXE_SCRIPT))
    page = context.new_page()
    name = request.module.__name__.rsplit(".", 1)[-1].removeprefix("test_")  # one journey per module, named for its role
    (ARTIFACTS / f"{name}-failed.png").unlink(missing_ok=True)  # from an earlier run
    trip = Journey(page, name, live_server.url)
    try:
        yield trip
    finally:
        if getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed:
            trip.screenshot("-failed")
        trip.save_findings()
        context.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Let the journey fixture know whether the test failed, to keep a screenshot of where."""
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)
