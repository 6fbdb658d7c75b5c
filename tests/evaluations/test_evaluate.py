"""The nightly evaluation: the five criteria, one evaluation per agreement per night whatever re-runs
or crashes, red-measure e-mails sent once and only to those the wall lets see the agreement, PDFs read back."""

import datetime
from decimal import Decimal
from types import SimpleNamespace
from unittest import mock

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from contracts import services as contract_services
from contracts.models import EqualityResult, Feedback
from core.roles import Role
from evaluations import evaluate, selectors, services, tasks
from evaluations.models import Evaluation, EvaluationFailure, EvaluationRun, RedMeasureNotification, reports_storage
from tests.contracts.test_pages import add_measure, fresh, go_live, make_agreement, months_ago, submit
from tests.pdf import pdf_text

pytestmark = pytest.mark.django_db
D = Decimal
TODAY = timezone.localdate()


def measure_of(agreement, name):
    return fresh(agreement).measures.get(name=name)


@pytest.fixture
def portfolio(people):
    """Three live agreements: one whose first measure has just turned Red, one Green, one without returns."""
    turning = make_agreement(people, reference="EV-RED", value="2400000", months=24, payment_model="pbr", share_at_risk=D("20"))
    add_measure(turning, people, name="Accommodation on release")
    add_measure(turning, people, name="Employment after release", target="30", tolerance="5")
    go_live(turning, people)
    submit(measure_of(turning, "Accommodation on release"), people, ["92", "91", "88", "80"])  # Green, Green, Amber, Red
    submit(measure_of(turning, "Employment after release"), people, ["31", "32", "33", "34"])
    steady = make_agreement(people, reference="EV-GREEN", provider="St Giles Trust")
    add_measure(steady, people)
    go_live(steady, people)
    submit(measure_of(steady, "Accommodation on release"), people, ["95"] * 12)
    quiet = make_agreement(people, reference="EV-NONE", provider="Catch22", start=TODAY)
    add_measure(quiet, people)
    go_live(quiet, people)
    return {"red": fresh(turning), "green": fresh(steady), "none": fresh(quiet)}


def loaded(agreement):
    return selectors.for_evaluation([agreement.pk]).get()


# --- the computation -------------------------------------------------------------------------------

def test_satisfaction_is_compared_unrounded_and_a_concern_never_shows_as_three(portfolio, people):
    # 249 respondents at 3.00 and one at 2.00: 749 / 250 = 2.996, below 3 although it rounds to 3.00.
    agreement = portfolio["green"]
    for respondents, satisfaction in ((249, "3"), (1, "2")):
        contract_services.feedback_record(agreement=agreement, actor=people["manager"], received_on=TODAY, source=Feedback.Source.SERVICE_USER,
                                          respondents=respondents, satisfaction=D(satisfaction))
    criterion = evaluate.evaluate(loaded(agreement), TODAY).detail["criteria"][1]
    assert criterion["status"] == evaluate.CONCERN
    assert criterion["summary"] == "Average satisfaction 2.99 out of 5 (below 3: a concern)."
    assert criterion["findings"] == ["Service users: 2.99 out of 5 from 250 respondents."]


def test_the_five_criteria_of_an_agreement_that_turned_red(portfolio, people):
    agreement = portfolio["red"]
    manager = people["manager"]
    contract_services.feedback_record(agreement=agreement, actor=manager, received_on=TODAY, source=Feedback.Source.SERVICE_USER,
                                      respondents=30, satisfaction=D("2.5"))
    contract_services.feedback_record(agreement=agreement, actor=manager, received_on=TODAY, source=Feedback.Source.STAKEHOLDER,
                                      respondents=10, satisfaction=D("4.5"))
    contract_services.cohort_result_record(agreement=agreement, actor=manager, period_start=months_ago(3), cohort="All",
                                           difficulty="medium", referrals=200, outcomes=80)
    for group, referrals, outcomes in (("White", 150, 60), ("Black or Black British", 40, 8), ("Mixed", 10, 1)):
        contract_services.equality_result_record(agreement=agreement, actor=manager, period_start=months_ago(3),
                                                 characteristic=EqualityResult.Characteristic.ETHNICITY, group=group,
                                                 referrals=referrals, outcomes=outcomes)

    findings = evaluate.evaluate(loaded(agreement), TODAY)

    accommodation = measure_of(agreement, "Accommodation on release")
    assert findings.rag == "red" and findings.red_measures == 1
    assert findings.turned_red == [(accommodation, months_ago(9))]  # the fourth monthly period
    # Both measures miss the returns of the fifth to the twelfth month; last month's is overdue after the 10th.
    assert findings.overdue_returns == 2 * (8 if TODAY.day > 10 else 7)
    assert findings.outcomes_delivered == 80
    assert findings.cost_per_outcome == (D("1200000") / 80).quantize(D("0.01"))  # £2.4m over 2 years, 80 outcomes in 12 months
    assert findings.feedback_score == D("3.00")  # (30 × 2.5 + 10 × 4.5) / 40
    statuses = {c["name"]: c["status"] for c in findings.detail["criteria"]}
    assert statuses == {
        "Outcomes delivered": "concern", "User and stakeholder feedback": "concern", "Performance and value for money": "concern",
        "Compliance with the agreement": "concern", "Equality monitoring": "concern",
    }
    equality = next(c for c in findings.detail["criteria"] if c["name"] == "Equality monitoring")
    # Black or Black British: 20% of referrals, 20% succeed against 40% for White; Mixed has under 10% of referrals.
    assert equality["findings"] == [
        "Ethnicity: Black or Black British (20.0% of referrals) succeed at 20% against 40% for White, under four fifths of the best rate."
    ]
    assert findings.penalties_year == D("1000") + D("5000")  # the Amber and the Red period of the first measure


def test_an_agreement_without_returns_has_no_data_for_most_criteria(portfolio):
    findings = evaluate.evaluate(loaded(portfolio["none"]), TODAY)
    assert (findings.rag, findings.score, findings.red_measures, findings.turned_red) == ("none", None, 0, [])
    assert [c["status"] for c in findings.detail["criteria"]] == ["no_data", "no_data", "no_data", "ok", "no_data"]


def _measure(direction="higher"):
    return SimpleNamespace(target=D("90"), tolerance=D("5"), direction=direction)


class _Rel(list):
    def all(self):
        return self


@pytest.mark.parametrize("values, turned", [
    (["91", "80"], True),           # Green then Red
    (["86", "80"], True),           # Amber then Red
    (["80"], True),                 # a first return that is Red
    (["80", "80"], False),          # Red already: notified when it turned
    (["80", "91"], False),          # recovered
    ([], False),
])
def test_a_measure_turns_red_when_its_latest_return_is_red_and_the_one_before_was_not(values, turned):
    measure = _measure()
    measure.returns = _Rel(SimpleNamespace(period_start=datetime.date(2026, n + 1, 1), value=D(v)) for n, v in enumerate(values))
    assert (evaluate.turned_red(measure) is not None) == turned


def test_equality_needs_a_group_of_a_tenth_of_referrals_under_four_fifths_of_the_best():
    since = datetime.date(2026, 1, 1)

    def row(group, referrals, outcomes, characteristic="sex"):
        return SimpleNamespace(period_start=since, group=group, referrals=referrals, outcomes=outcomes,
                               get_characteristic_display=lambda: characteristic.title())

    at_four_fifths = [row("Female", 50, 16), row("Male", 50, 20)]  # 32% is exactly 0.8 × 40%
    assert evaluate.equality_findings(at_four_fifths, since) == ([], 2)
    below = [row("Female", 50, 15), row("Male", 50, 20)]
    assert len(evaluate.equality_findings(below, since)[0]) == 1
    old = [SimpleNamespace(**{**vars(r), "period_start": datetime.date(2025, 1, 1)}) for r in below]
    assert evaluate.equality_findings(old, since) == ([], 0)


def test_the_nightly_run_is_scheduled_at_the_configured_time(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["nightly-evaluation"]
    hour, minute = (int(part) for part in settings.EVALUATION_TIME.split(":"))
    assert entry["task"] == "evaluations.tasks.nightly_evaluation"
    assert (entry["schedule"].hour, entry["schedule"].minute) == ({hour}, {minute})


def test_agreement_pdfs_have_their_own_queue_and_a_plain_worker_takes_both():
    from noms_commissioning.celery import app

    def queue(task):
        return app.amqp.router.route({}, task)["queue"].name

    assert queue("evaluations.tasks.render_reports") == "reports"
    assert {queue(f"evaluations.tasks.{task}") for task in ("nightly_evaluation", "evaluate_chunk", "finish_evaluation")} == {"celery"}
    assert set(app.amqp.queues) == {"celery", "reports"}  # what a worker started without -Q consumes


# --- the run: stored, idempotent, resumable ----------------------------------------------------------

def _stored():
    return sorted(Evaluation.objects.values_list("run__on", "agreement__reference", "rag"))


def test_the_nightly_task_stores_one_evaluation_per_running_agreement_and_pdfs_that_read_back(portfolio, people):
    tasks.nightly_evaluation.delay(TODAY.isoformat())

    run = selectors.run_with_progress(EvaluationRun.objects.get(on=TODAY).pk)
    assert (run.status, run.total, run.done, run.failed) == (EvaluationRun.Status.COMPLETED, 3, 3, 0)
    assert _stored() == [(TODAY, "EV-GREEN", "green"), (TODAY, "EV-NONE", "none"), (TODAY, "EV-RED", "red")]
    red = Evaluation.objects.get(agreement=portfolio["red"])
    text = pdf_text(red.pdf.read())
    assert "Evaluation: EV-RED" in text and "Turned Red this period: Accommodation on release" in text
    assert "Compliance with the agreement: concern" in text and "Equality monitoring: no data" in text
    summary = pdf_text(run.summary_pdf.read())
    assert "Portfolio evaluation" in summary and "3 of 3 running agreements evaluated" in summary
    assert "EV-RED" in summary and "EV-GREEN" not in summary  # only those needing attention are listed
    assert [m.to for m in mail.outbox] == [[people["manager"].email]]
    assert "Accommodation on release" in mail.outbox[0].subject and "EV-RED" in mail.outbox[0].subject


def test_running_the_same_night_twice_changes_nothing(portfolio):
    tasks.nightly_evaluation.delay(TODAY.isoformat())
    first = (_stored(), sorted(Evaluation.objects.values_list("pdf", flat=True)), len(mail.outbox))
    files = sorted(reports_storage().listdir("agreements/EV-RED")[1])

    tasks.nightly_evaluation.delay(TODAY.isoformat())
    call_command("run_evaluation", "--date", TODAY.isoformat(), stdout=open("/dev/null", "w"))

    assert (_stored(), sorted(Evaluation.objects.values_list("pdf", flat=True)), len(mail.outbox)) == first
    assert sorted(reports_storage().listdir("agreements/EV-RED")[1]) == files
    assert RedMeasureNotification.objects.count() == 1 and EvaluationRun.objects.count() == 1


def test_another_night_is_another_evaluation_keeping_the_report_of_unchanged_figures_and_no_second_email(portfolio, people):
    # Two nights after the 10th of the month: no return falls due between them.
    first, second = TODAY.replace(day=15), TODAY.replace(day=16)
    tasks.nightly_evaluation.delay(first.isoformat())
    contract_services.feedback_record(agreement=portfolio["green"], actor=people["manager"], received_on=min(TODAY, second),
                                      source=Feedback.Source.STAKEHOLDER, satisfaction=D("4"))
    tasks.nightly_evaluation.delay(second.isoformat())

    reports = {(e.run.on, e.agreement.reference): e.pdf.name for e in Evaluation.objects.select_related("run", "agreement")}
    assert len(reports) == 6
    assert reports[(first, "EV-RED")] == reports[(second, "EV-RED")]  # the same figures, the same report
    assert reports[(first, "EV-GREEN")] != reports[(second, "EV-GREEN")]  # new feedback: a new report
    assert "Produced by the nightly evaluation of NOMS Commissioning on the night of 16" in pdf_text(
        Evaluation.objects.get(run__on=second, agreement=portfolio["green"]).pdf.read())
    assert len(mail.outbox) == 1  # the measure turned red once


class WorkerDied(BaseException):
    """Not an Exception: like a killed worker, nothing in the chunk catches it."""


def test_a_worker_dying_half_way_then_the_retry_leaves_exactly_one_of_everything(portfolio, settings):
    settings.EVALUATION_CHUNK_SIZE = 1
    real, calls = evaluate.evaluate, []

    def dies_on_the_second(agreement, on):
        calls.append(agreement.reference)
        if len(calls) == 2:
            raise WorkerDied
        return real(agreement, on)

    with mock.patch("evaluations.services.evaluate", dies_on_the_second), pytest.raises(WorkerDied):
        tasks.nightly_evaluation.delay(TODAY.isoformat())
    run = selectors.run_with_progress(EvaluationRun.objects.get(on=TODAY).pk)
    assert (run.status, run.done, run.total) == (EvaluationRun.Status.RUNNING, 1, 3)

    tasks.nightly_evaluation.delay(TODAY.isoformat())  # the retry

    run = selectors.run_with_progress(run.pk)
    assert (run.status, run.done, run.failed) == (EvaluationRun.Status.COMPLETED, 3, 0)
    assert Evaluation.objects.count() == 3 and RedMeasureNotification.objects.count() == 1 and len(mail.outbox) == 1


def test_a_chunk_retried_after_its_evaluations_were_stored_sends_no_second_email(portfolio):
    run, ids = services.run_start(TODAY)
    services.evaluate_agreements(run, ids)
    services.evaluate_agreements(run, ids)  # the broker redelivers the chunk
    assert Evaluation.objects.count() == 3 and len(mail.outbox) == 1


def test_one_agreement_failing_is_recorded_and_the_run_goes_on(portfolio):
    real = evaluate.evaluate

    def fails_for_green(agreement, on):
        if agreement.reference == "EV-GREEN":
            raise ValueError("returns could not be read")
        return real(agreement, on)

    with mock.patch("evaluations.services.evaluate", fails_for_green):
        call_command("run_evaluation", stdout=open("/dev/null", "w"))
    run = selectors.run_with_progress(EvaluationRun.objects.get().pk)
    assert (run.status, run.done, run.failed) == (EvaluationRun.Status.COMPLETED_WITH_FAILURES, 2, 1)
    assert EvaluationFailure.objects.get().error == "ValueError: returns could not be read"
    assert "EV-GREEN: ValueError: returns could not be read" in pdf_text(run.summary_pdf.read())

    call_command("run_evaluation", stdout=open("/dev/null", "w"))  # put right, run again
    run = selectors.run_with_progress(run.pk)
    assert (run.status, run.done, run.failed) == (EvaluationRun.Status.COMPLETED, 3, 0)


def test_the_command_refuses_a_date_it_cannot_read():
    with pytest.raises(CommandError, match="--date must be a date as YYYY-MM-DD"):
        call_command("run_evaluation", "--date", "22/11/2026")
    assert not EvaluationRun.objects.exists()


def test_a_chunk_runs_a_fixed_number_of_queries_however_many_agreements(portfolio, people):
    for n in range(3):
        extra = make_agreement(people, reference=f"EV-MORE-{n}")
        add_measure(extra, people)
        go_live(extra, people)
        submit(measure_of(extra, "Accommodation on release"), people, ["91", "92"])
    run, ids = services.run_start(TODAY)
    calm = [pk for pk in ids if pk != portfolio["red"].pk]  # no measure turned red: no e-mail to send

    def queries(chunk):
        with CaptureQueriesContext(connection) as captured:
            services.evaluate_agreements(run, chunk)
        return len(captured)

    assert queries(calm[:1]) == queries(calm) and len(calm) == 5


# --- the wall ----------------------------------------------------------------------------------------

def test_no_email_to_a_contract_manager_who_has_joined_the_bid_team(portfolio, people):
    people["manager"].groups.add(Group.objects.get(name=Role.BID_TEAM))
    tasks.nightly_evaluation.delay(TODAY.isoformat())
    assert mail.outbox == []
    assert RedMeasureNotification.objects.get().status == RedMeasureNotification.Status.NO_RECIPIENT


# --- stored evaluations corrected under the rules of issue #16 (evaluations/migrations/0004) ---------------------

def test_stored_evaluations_are_corrected_where_the_new_rules_decide_differently(portfolio, people):
    from evaluations.recompute import FEEDBACK, recompute_stored

    agreement = portfolio["green"]
    for respondents, satisfaction in ((249, "3"), (1, "2")):  # 2.996 on average
        contract_services.feedback_record(agreement=agreement, actor=people["manager"], received_on=TODAY, source=Feedback.Source.SERVICE_USER,
                                          respondents=respondents, satisfaction=D(satisfaction))
    tasks.nightly_evaluation.delay(TODAY.isoformat())
    stored = Evaluation.objects.get(agreement=agreement)
    # As the old rule stored it: rounded to 3.00 before comparing, so no concern.
    detail = stored.detail
    detail["criteria"][1] = {"name": FEEDBACK, "status": evaluate.OK, "summary": "Average satisfaction 3.00 out of 5.",
                             "findings": ["Service users: 3.00 out of 5 from 250 respondents."]}
    Evaluation.objects.filter(pk=stored.pk).update(detail=detail, fingerprint=evaluate.fingerprint(detail), feedback_score=D("3.00"), pdf="")
    untouched = {e.pk: (e.detail, e.pdf.name) for e in Evaluation.objects.exclude(pk=stored.pk)}

    assert recompute_stored() == 1
    corrected = Evaluation.objects.get(pk=stored.pk)
    assert corrected.detail["criteria"][1]["status"] == evaluate.CONCERN and corrected.feedback_score == D("2.99")
    assert corrected.fingerprint == evaluate.fingerprint(corrected.detail) and corrected.pdf.name
    assert "Average satisfaction 2.99 out of 5 (below 3: a concern)." in pdf_text(reports_storage().open(corrected.pdf.name).read())
    assert {e.pk: (e.detail, e.pdf.name) for e in Evaluation.objects.exclude(pk=stored.pk)} == untouched
    assert recompute_stored() == 0  # a second run changes nothing
