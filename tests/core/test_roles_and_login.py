"""Roles exist as groups; every page needs a signed-in user; demo users can sign in."""

import pytest
from django.contrib.auth.models import Group
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from core.roles import STAFF_ROLES, SUPPLIER_ROLES, Role

pytestmark = pytest.mark.django_db


def test_every_role_of_the_spec_is_a_group():
    assert set(Group.objects.values_list("name", flat=True)) >= {role.value for role in Role}
    assert len(STAFF_ROLES) == 7 and len(SUPPLIER_ROLES) == 3  # SPEC §1's seven, and issue #18's supplier roles


def page_paths(resolver=None, prefix=""):
    """Every URL without parameters, walking the whole URLconf."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern).lstrip("^").rstrip("$")
        if isinstance(pattern, URLResolver):
            yield from page_paths(pattern, route)
        elif isinstance(pattern, URLPattern) and "<" not in route and "(?P" not in route and "\\" not in route:
            yield "/" + route


# Asking for a supplier account, and resetting a forgotten password, need no sign-in.
PUBLIC_PATHS = {"/login/", "/admin/login/", "/suppliers/register/", "/password-reset/", "/password-reset/sent/", "/password-reset/done/"}


def test_every_page_redirects_an_anonymous_visitor_to_sign_in(client):
    paths = [p for p in page_paths() if not p.startswith("/api/") and p not in PUBLIC_PATHS]
    assert {"/", "/cycles/", "/competitions/", "/contracts/", "/walls/", "/organisations/"} <= set(paths)
    for path in paths:
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].split("?")[0] in {"/login/", "/admin/login/"}, path


def test_every_api_endpoint_but_the_open_ocds_data_refuses_an_anonymous_caller(client):
    paths = [p for p in page_paths() if p.startswith("/api/")]
    assert "/api/v1/organisations/" in paths and "/api/schema/" in paths
    for path in paths:
        response = client.get(path)
        if path.startswith("/api/v1/ocds/"):
            assert response.status_code in (200, 404), path  # published data is open (nothing is published here: 404)
        else:
            assert response.status_code in (401, 403), path


def test_login_page_is_a_gov_uk_page(client):
    response = client.get("/login/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "govuk-header" in html and "govuk-footer" in html and "govuk-skip-link" in html
    assert 'class="govuk-phase-banner' in html
    assert "Sign in to NOMS Commissioning" in html


def test_wrong_password_shows_the_error_summary_and_signs_nobody_in(client, commissioner):
    response = client.post("/login/", {"username": commissioner.username, "password": "wrong"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html and "govuk-error-summary" in html
    assert "_auth_user_id" not in client.session


def test_sign_in_then_home_then_sign_out(client, commissioner):
    response = client.post("/login/", {"username": commissioner.username, "password": "correct-horse-battery"})
    assert response.status_code == 302 and response["Location"] == reverse("home")
    home = client.get("/")
    assert home.status_code == 200
    assert "Commissioner" in home.content.decode()
    client.post("/logout/")
    assert client.get("/").status_code == 302


@pytest.mark.parametrize(
    "role, sees, does_not_see",
    [
        (Role.BID_TEAM, ["Competitions", "Ethical walls"], ["Commissioning cycles", "Contracts and SLAs"]),
        (Role.CONTRACT_MANAGER, ["Contracts and SLAs"], ["Commissioning cycles"]),
        (Role.COMMISSIONER, ["Commissioning cycles", "Competitions", "Ethical walls"], []),
    ],
)
def test_service_navigation_follows_the_role(client, user_with_role, role, sees, does_not_see):
    client.force_login(user_with_role(role))
    html = client.get("/").content.decode()
    nav = html.split('class="govuk-service-navigation__list"')[1].split("</ul>")[0]
    for title in sees:
        assert title in nav
    for title in does_not_see:
        assert title not in nav


def test_each_app_has_a_real_page(client, user_with_role):
    client.force_login(user_with_role(Role.OVERSIGHT))
    for path, heading in [
        ("/cycles/", "Commissioning cycles"),
        ("/competitions/", "Competitions"),
        ("/contracts/", "Contracts and SLAs"),
        ("/walls/", "Ethical walls"),
    ]:
        response = client.get(path)
        assert response.status_code == 200, path
        assert f'<h1 class="govuk-heading-l">{heading}</h1>' in response.content.decode()


def test_unknown_page_is_a_gov_uk_404(client, commissioner):
    client.force_login(commissioner)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
