"""A contract manager submits returns, sees a measure turn red and issues a rectification notice."""

import datetime

from django.utils import timezone
from playwright.sync_api import expect

from contracts import performance
from contracts.models import Agreement, AgreementState
from core.roles import Role
from tests.browser.conftest import BROWSER_DB
from tests.contracts.test_pages import add_measure, evaluate_tonight, go_live, make_agreement, months_ago
from tests.core.factories import UserFactory

pytestmark = BROWSER_DB


def test_contract_manager_submits_returns_sees_red_and_issues_a_rectification_notice(journey):
    # Before: a live framework call-off, three months in, one monthly measure (target 90%, Amber down to 85%), no returns.
    people = {
        "procurement": UserFactory(roles=[Role.PROCUREMENT]),
        "manager": UserFactory(roles=[Role.CONTRACT_MANAGER], first_name="Mo", last_name="Farouk"),
    }
    agreement = make_agreement(people, reference="FW-2026-014", title="Resettlement support in Wales", provider="Nacro", start=months_ago(3))
    measure = add_measure(agreement, people, name="Accommodation on release", target="90", tolerance="5")
    go_live(agreement, people)
    first, second = performance.periods(measure, agreement.start_date, timezone.localdate())[:2]
    page = journey.page
    card = page.locator(f"#measure-{measure.pk}")
    rating = card.locator(".govuk-summary-card__actions .govuk-tag")

    journey.sign_in(people["manager"])
    journey.link("Contracts and SLAs")
    journey.link("FW-2026-014")
    journey.link("Measures and performance")  # the agreement page's parts, under its sub navigation
    expect(rating).to_have_text("No returns yet")

    for period, value, expected in [(first, "93", "Green"), (second, "78", "Red")]:
        journey.link("Submit a return for Accommodation on release")
        page.get_by_label("Which return").select_option(value=f"{measure.pk}:{period.isoformat()}")
        page.get_by_label("Value").fill(value)
        page.get_by_label("Evidence", exact=True).fill("nDelius accommodation status at release, checked against the provider's records.")
        journey.button("Save")
        assert "Submit a return: saved." in journey.success()
        expect(rating).to_have_text(expected)

    # Overnight the evaluation runs (Celery beat); next morning the portfolio counts the agreement as Red.
    run = evaluate_tonight()
    journey.link("Contracts and SLAs")
    expect(page.locator("#portfolio + p")).to_contain_text(f"nightly evaluation of {run.on:%-d %B %Y}")
    expect(page.locator(".app-contracts-rag-table tr", has_text="Red")).to_contain_text("1")
    journey.link("FW-2026-014")
    journey.link("Contract management")
    journey.link("Issue a rectification notice")
    page.get_by_label("What must be put right").fill("Accommodation on release fell to 78% against a target of 90%: restore it within the deadline.")
    deadline = timezone.localdate() + datetime.timedelta(days=28)
    journey.fill_date("Deadline", deadline)
    journey.button("Save")
    assert "Issue a rectification notice: saved." in journey.success()
    expect(page.locator("h1 + p .govuk-tag").first).to_have_text("Under rectification")
    expect(page.locator("#rectification + table")).to_contain_text(f"{deadline.day} {deadline:%b %Y}")
    assert Agreement.objects.get(pk=agreement.pk).state == AgreementState.UNDER_RECTIFICATION
    journey.finish()
