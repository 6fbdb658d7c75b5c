"""Demo data for the nightly evaluation: feedback and equality monitoring on two agreements, then tonight's run.

Idempotent: the records are added once; the run is upserted (and a measure that turned
red is notified once, to the console e-mail backend in the demo).
"""

from decimal import Decimal as D

from dateutil.relativedelta import relativedelta
from django.utils import timezone

from scenarios import contracts as contracts_demo
from contracts import services as contracts_services
from contracts.models import Agreement, EqualityResult, Feedback
from evaluations import services

FEEDBACK = {
    contracts_demo.SLA_DARTMOOR: [
        (Feedback.Source.SERVICE_USER, 4, 212, "3.9", "Prisoner survey: most found the induction and education offer helpful."),
        (Feedback.Source.STAKEHOLDER, 2, 14, "4.2", "Independent Monitoring Board and local partners: constructive, good family visits."),
    ],
    contracts_demo.RESETTLEMENT_PBR: [
        (Feedback.Source.SERVICE_USER, 5, 96, "2.7", "Exit interviews: accommodation advice came too late before release."),
        (Feedback.Source.STAKEHOLDER, 3, 9, "3.4", "Local authority housing teams: referrals arrive with little notice."),
    ],
}
# (characteristic, group, referrals, outcomes) for each of the last two quarters.
EQUALITY = {
    contracts_demo.RESETTLEMENT_PBR: [
        (EqualityResult.Characteristic.ETHNICITY, "White", 210, 62),
        (EqualityResult.Characteristic.ETHNICITY, "Black or Black British", 52, 8),
        (EqualityResult.Characteristic.ETHNICITY, "Asian or Asian British", 38, 11),
        (EqualityResult.Characteristic.AGE, "18 to 24", 64, 17),
        (EqualityResult.Characteristic.AGE, "25 and over", 236, 64),
    ],
    contracts_demo.SLA_DARTMOOR: [
        (EqualityResult.Characteristic.DISABILITY, "Disabled", 48, 30),
        (EqualityResult.Characteristic.DISABILITY, "Not disabled", 190, 121),
    ],
}


def seed_evaluation() -> None:
    cast = contracts_demo.Cast.load()
    today = timezone.localdate()
    for reference, items in FEEDBACK.items():
        agreement = Agreement.objects.filter(reference=reference).first()
        if agreement is None or agreement.feedback.exists():
            continue
        for source, months_ago, respondents, satisfaction, summary in items:
            contracts_services.feedback_record(
                agreement=agreement, actor=cast.contract_manager, received_on=today - relativedelta(months=months_ago),
                source=source, respondents=respondents, satisfaction=D(satisfaction), summary=summary,
            )
    for reference, rows in EQUALITY.items():
        agreement = Agreement.objects.filter(reference=reference).first()
        if agreement is None or agreement.equality_results.exists():
            continue
        quarter_start = today.replace(day=1) - relativedelta(months=3 + (today.month - 1) % 3)
        for later, period_start in enumerate((quarter_start - relativedelta(months=3), quarter_start)):
            for characteristic, group, referrals, outcomes in rows:
                contracts_services.equality_result_record(
                    agreement=agreement, actor=cast.contract_manager, period_start=period_start, characteristic=characteristic,
                    group=group, referrals=referrals + 4 * later, outcomes=outcomes + later,
                )
    services.run_in_process(today)
