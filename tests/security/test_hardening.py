"""Security hardening: sign-in lock-out, Content Security Policy, sessions that end, the deploy checks,
static analysis (bandit) and known vulnerabilities in what we install (pip-audit)."""

import datetime
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.test import Client

from core.roles import Role
from tests.core.factories import UserFactory

ROOT = Path(settings.BASE_DIR)
BIN = Path(sys.executable).parent
APP_PACKAGES = ["core", "competitions", "contracts", "cycle", "ethical_walls", "evaluations", "noms_commissioning"]
PASSWORD = "a-long-and-good-password"


def sign_in(client, username, password):
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR="203.0.113.7")


@pytest.mark.django_db
def test_repeated_failed_sign_ins_lock_that_username_from_that_address():
    user = UserFactory(username="rebecca", roles=[Role.COMMISSIONER])
    user.set_password(PASSWORD)
    user.save()
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert sign_in(client, "rebecca", "wrong").status_code == 200  # the form again, with its error
    locked = sign_in(client, "rebecca", "wrong")
    assert locked.status_code == 429 and "Sign-in locked for now" in locked.content.decode()
    assert sign_in(client, "rebecca", PASSWORD).status_code == 429  # even the right password, while locked
    other = UserFactory(username="mark", roles=[Role.PROCUREMENT])
    other.set_password(PASSWORD)
    other.save()
    assert sign_in(client, "mark", PASSWORD).status_code == 302  # someone else is not held back


@pytest.mark.django_db
def test_a_successful_sign_in_clears_the_failures():
    user = UserFactory(username="sian", roles=[Role.COMMISSIONER])
    user.set_password(PASSWORD)
    user.save()
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(client, "sian", "wrong")
    assert sign_in(client, "sian", PASSWORD).status_code == 302
    client.logout()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert sign_in(client, "sian", "wrong").status_code == 200


@pytest.mark.django_db
def test_pages_carry_a_content_security_policy_without_inline_script(client):
    client.force_login(UserFactory(roles=[Role.COMMISSIONER]))
    for path in ("/login/", "/", "/competitions/", "/api/docs/"):
        policy = client.get(path)["Content-Security-Policy"]
        directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
        assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'", path
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
        assert directives["frame-ancestors"] == "'none'" and directives["object-src"] == "'none'"


def _templates():
    return [p for folder in ["templates", *APP_PACKAGES] for p in (ROOT / folder).rglob("*.html")]


def test_no_template_has_inline_script_or_style():
    """What the policy forbids is not written either: every script is a file, every style in a stylesheet."""
    inline_script = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/(?:ld\+)?json\")[^>]*>", re.I)
    offenders = []
    for template in _templates():
        text = template.read_text()
        if inline_script.search(text) or re.search(r"\sstyle=", text) or re.search(r"\son[a-z]+=\"", text) or "<style" in text:
            offenders.append(str(template.relative_to(ROOT)))
    # PDF templates are rendered by WeasyPrint, not a browser, and carry no script.
    assert [o for o in offenders if "_pdf" not in o and "/pdf/" not in o] == []
    assert len(_templates()) > 50


@pytest.mark.django_db
def test_a_session_ends_after_the_idle_time_and_a_request_renews_it(client, settings):
    client.force_login(UserFactory(roles=[Role.COMMISSIONER]))
    idle = datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    with time_machine.travel(datetime.datetime.now(datetime.timezone.utc) + idle - datetime.timedelta(minutes=1)) as traveller:
        assert client.get("/").status_code == 200  # active: renewed from here
        traveller.shift(idle - datetime.timedelta(minutes=1))
        assert client.get("/").status_code == 200
        traveller.shift(idle + datetime.timedelta(minutes=1))
        response = client.get("/")
        assert response.status_code == 302 and response["Location"].startswith("/login/")


def _session_writes(client, path="/organisations/"):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return [q["sql"] for q in queries.captured_queries
            if "django_session" in q["sql"] and not q["sql"].lstrip().upper().startswith("SELECT")]


@pytest.mark.django_db
def test_a_page_view_writes_the_session_only_once_a_minute_has_passed(client, settings):
    from noms_commissioning.settings import base

    assert not base.SESSION_SAVE_EVERY_REQUEST and base.SESSION_RENEW_SECONDS == 60  # no UPDATE per request (issue #22)
    client.force_login(UserFactory(roles=[Role.COMMISSIONER]))
    start = datetime.datetime.now(datetime.timezone.utc)
    with time_machine.travel(start, tick=False) as traveller:
        assert _session_writes(client) == []  # just signed in: the sign-in's save started the clock
        traveller.shift(datetime.timedelta(seconds=59))
        assert _session_writes(client) == []
        traveller.shift(datetime.timedelta(seconds=2))
        assert len(_session_writes(client)) >= 1  # a minute on: renewed, once
        assert _session_writes(client) == []
    response = client.get("/organisations/")
    assert settings.SESSION_COOKIE_NAME not in response.cookies  # no fresh cookie without a renewal


PRODUCTION = {"DJANGO_SETTINGS_MODULE": "noms_commissioning.settings.production", "SECRET_KEY": "k3" + "".join(chr(65 + i % 26) + str(i) for i in range(40)),
              "ALLOWED_HOSTS": "commissioning.example.org", "PATH": str(BIN), "TENDER_BOX_KEYS": "Rk5sT2R5dWZkQXRzZGZnaGprbHF3ZXJ0eXVpb3BhYnM="}


def test_production_settings_pass_the_deploy_checks():
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"], cwd=ROOT, env=PRODUCTION,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_the_tender_box_key():
    env = {name: value for name, value in PRODUCTION.items() if name != "TENDER_BOX_KEYS"}
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode != 0 and "TENDER_BOX_KEYS must hold the tender box's Fernet key" in result.stderr


def test_bandit_finds_no_high_severity_issue():
    result = subprocess.run([str(BIN / "bandit"), "-q", "-r", *APP_PACKAGES, "-f", "json", "--severity-level", "high"],
                            cwd=ROOT, capture_output=True, text=True, timeout=300)
    report = json.loads(result.stdout)
    assert report["results"] == [], [(r["filename"], r["line_number"], r["issue_text"]) for r in report["results"]]
    assert report["metrics"]["_totals"]["loc"] > 5000  # it read our code


def test_pip_audit_finds_no_known_vulnerability_in_the_installed_packages():
    """Against PyPI's advisory data (the only registry this machine reaches). Any finding fails the build."""
    result = subprocess.run([str(BIN / "pip-audit"), "--vulnerability-service", "pypi", "--progress-spinner", "off", "-f", "json", "-l"],
                            cwd=ROOT, capture_output=True, text=True, timeout=600)
    report = json.loads(result.stdout)
    vulnerable = [(d["name"], d["version"], [v["id"] for v in d["vulns"]]) for d in report["dependencies"] if d.get("vulns")]
    assert vulnerable == []
    assert any(d["name"] == "django" for d in report["dependencies"])
