"""The outcomes tree's roll-up (issue #21): for each outcome, the agreements and measures contributing, their latest
rating and trend, and the money paid for it."""

import datetime
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from contracts import claims
from contracts.models import ClaimLine
from contracts.outcomes import outcome_contributions
from core.roles import Role
from tests.contracts.test_claims import Q1, returns
from tests.core.factories import UserFactory

pytestmark = pytest.mark.django_db


def _paid_quarter(agreement, people):
    claim = claims.claim_raise(agreement=agreement, actor=people["manager"], period_start=Q1)
    claims.claim_check(claim=claim, actor=UserFactory(roles=[Role.CONTRACT_MANAGER]))
    claims.claim_approve(claim=claim, actor=people["procurement"])
    return claims.claim_pay(claim=claim, actor=people["procurement"], paid_on=datetime.date(2026, 11, 1), payment_reference="BACS-1")


def test_each_outcome_shows_its_measures_rating_trend_and_the_money_paid_for_it(pbr, people):
    agreement, housed, reoffences = pbr
    returns(housed, people, Q1, ["10", "12", "15"])  # April Amber (£1,000 penalty), then better: Green and improving
    returns(reoffences, people, Q1, ["110", "100", "105"])  # fewer is better: 105 after 100 is worse
    claim = _paid_quarter(agreement, people)
    lines = {line.kind: line for line in claim.lines.all() if line.kind != "fee"}
    assert ClaimLine.objects.get(claim=claim, kind="deduction").measure_id == housed.pk
    found = outcome_contributions(people["oversight"])
    housed_row = next(c for c in found[housed.outcome_id] if c.measure == "Housed on release")
    housed_paid = sum(line.amount for line in claim.lines.filter(measure=housed))
    assert (housed_row.rating, housed_row.trend, housed_row.paid) == ("green", "improving", housed_paid)
    assert housed_paid == D("15248.63") - D("1000.00")  # the outcome payment less the penalty deducted for the same measure
    reoffending = next(c for c in found[reoffences.outcome_id] if c.measure == "Reoffences in the cohort")
    assert (reoffending.rating, reoffending.trend) == ("green", "worsening")
    assert lines  # the claim had outcome lines to count

    page = Client()
    page.force_login(people["commissioner"])
    text = page.get("/cycles/outcomes/").content.decode()
    assert "PBR-001 Resettlement support" in text and "Improving" in text and "Worsening" in text and "£14,248.63" in text


def test_the_bid_team_sees_no_contribution_and_the_roll_up_takes_a_fixed_number_of_queries(pbr, people):
    agreement, housed, reoffences = pbr
    returns(housed, people, Q1, ["10", "12", "15"])
    assert outcome_contributions(UserFactory(roles=[Role.BID_TEAM])) == {}
    oversight = people["oversight"]
    with CaptureQueriesContext(connection) as queries:
        outcome_contributions(type(oversight).objects.get(pk=oversight.pk))
    returns(reoffences, people, Q1, ["110", "100", "105"])
    with CaptureQueriesContext(connection) as more:
        outcome_contributions(type(oversight).objects.get(pk=oversight.pk))
    assert len(more) == len(queries)


def test_lines_written_before_they_named_their_measure_are_matched_by_their_reference(pbr, people):
    """contracts/migrations/0017: an outcome line or a deduction names its measure first in its reference."""
    import importlib

    from django.apps import apps

    agreement, housed, reoffences = pbr
    returns(housed, people, Q1, ["10", "12", "15"])
    returns(reoffences, people, Q1, ["110", "100", "105"])
    claim = claims.claim_raise(agreement=agreement, actor=people["manager"], period_start=Q1)
    expected = dict(claim.lines.values_list("pk", "measure_id"))
    ClaimLine.objects.filter(claim=claim).update(measure=None)
    importlib.import_module("contracts.migrations.0017_claim_line_measure").name_each_lines_measure(apps, None)
    assert dict(claim.lines.values_list("pk", "measure_id")) == expected
    assert sorted(m for m in expected.values() if m) == sorted([housed.pk, reoffences.pk, housed.pk])  # two outcomes, one penalty
