"""Governance and assurance records: business cases, the procurement strategy, the assurance plan, Treasury
approvals, Gateway and keyholder reviews and their recommendations, the benefits report.
"""

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from competitions.benefits import progress_of
from competitions.models import (
    Benefit,
    BenefitActual,
    BenefitsReport,
    BusinessCase,
    Competition,
    GatewayReview,
    PlannedReview,
    Programme,
    ProcurementStrategy,
    Recommendation,
    RecoveryAction,
    TreasuryApproval,
)
from competitions.states import DELIVERY_CONFIDENCE_SCALES
from core import dates
from core.events import EventKind
from core.models import User
from ethical_walls import services as wall
from ethical_walls.selectors import sees_confidential
from competitions.machine import RECORD_ROLES
from competitions.services._common import _event, require_commissioning_side, require_role


# --- governance records -------------------------------------------------------------------

@transaction.atomic
def business_case_record(*, competition: Competition, actor: User, kind: str, summary: str) -> BusinessCase:
    require_commissioning_side(actor, competition, *RECORD_ROLES["business-case"])
    case, created = BusinessCase.objects.update_or_create(
        competition=competition, kind=kind,
        defaults={"summary": summary, "status": BusinessCase.Status.DRAFT, "approved_by": None, "approved_on": None},
    )
    wall.wall_protect(case)
    _event(competition, actor, EventKind.BUSINESS_CASE, f"{case.get_kind_display()} {'drafted' if created else 'revised (back to draft)'}")
    return case


@transaction.atomic
def business_case_approve(*, business_case: BusinessCase, actor: User, approved_on: date | None = None) -> BusinessCase:
    require_commissioning_side(actor, business_case.competition, *RECORD_ROLES["approve-business-case"])
    dates.check_not_in_future("approved_on", approved_on, "An approval")
    business_case.status = BusinessCase.Status.APPROVED
    business_case.approved_by = actor
    business_case.approved_on = approved_on or timezone.localdate()
    business_case.save()
    _event(business_case.competition, actor, EventKind.BUSINESS_CASE, f"{business_case.get_kind_display()} approved by {actor}")
    return business_case


@transaction.atomic
def procurement_strategy_record(*, competition: Competition, actor: User, route: str, lots: str = "") -> ProcurementStrategy:
    require_commissioning_side(actor, competition, *RECORD_ROLES["procurement-strategy"])
    strategy, _ = ProcurementStrategy.objects.update_or_create(
        competition=competition,
        defaults={"route": route, "lots": lots, "recorded_by": actor, "recorded_on": timezone.localdate()},
    )
    _event(competition, actor, EventKind.PROCUREMENT_STRATEGY, "Procurement strategy recorded")
    return strategy


@transaction.atomic
def planned_review_add(*, competition: Competition, actor: User, review_type: str, before_state: str, planned_on: date, gate: int | None = None) -> PlannedReview:
    require_commissioning_side(actor, competition, *RECORD_ROLES["planned-review"])
    if review_type in ("gateway", "keyholder") and gate is None:
        raise ValidationError({"gate": "Say which gate this review is."})
    dates.check_plausible("planned_on", planned_on)
    review = PlannedReview.objects.create(competition=competition, review_type=review_type, gate=gate, before_state=before_state, planned_on=planned_on)
    _event(competition, actor, EventKind.ASSURANCE_PLAN, f"Assurance plan: {review.get_review_type_display()} planned for {planned_on:%d %B %Y}")
    return review


@transaction.atomic
def treasury_approval_record(*, competition: Competition, actor: User, stage: str, reference: str, approved_on: date) -> TreasuryApproval:
    require_commissioning_side(actor, competition, *RECORD_ROLES["treasury-approval"])
    dates.check_not_in_future("approved_on", approved_on, "A Treasury approval")
    approval, _ = TreasuryApproval.objects.update_or_create(
        competition=competition, stage=stage, defaults={"reference": reference, "approved_on": approved_on},
    )
    _event(competition, actor, EventKind.TREASURY_APPROVAL, f"Treasury approval (TAP) of the {approval.get_stage_display()} recorded")
    return approval


@transaction.atomic
def gateway_review_record(
    *, actor: User, gate: int, held_on: date, review_team: str, delivery_confidence: str, competition: Competition | None = None,
    programme: Programme | None = None, review_type: str = GatewayReview.ReviewType.GATEWAY, summary: str = "",
    recommendations: Sequence[dict[str, Any]] = (),
) -> GatewayReview:
    """Record a Gateway or keyholder review; a Red rating opens a recovery action.

    Reviewers record reviews of the competitions whose commissioning side they are on.
    """
    if competition is not None:
        require_commissioning_side(actor, competition, *RECORD_ROLES["gateway-review"])
    else:
        require_role(actor, *RECORD_ROLES["gateway-review"])
    scale = DELIVERY_CONFIDENCE_SCALES[settings.DELIVERY_CONFIDENCE_SCALE]
    if delivery_confidence not in scale:
        allowed = ", ".join(c.label for c in scale)
        raise ValidationError({"delivery_confidence": f"Use the {settings.DELIVERY_CONFIDENCE_SCALE.replace('_', '-')} scale: {allowed}."})
    if (competition is None) == (programme is None):
        raise ValidationError({"competition": "A review is of one competition, or (Gate 0 only) of a programme."})
    if programme is not None and gate != 0:
        raise ValidationError({"gate": "Only Gate 0 (strategic assessment) is held for a programme."})
    # A review recorded is a review held: not one to come (a future one is planned in the assurance plan).
    dates.check_not_in_future("held_on", held_on, "A review that has been held")
    review = GatewayReview(
        competition=competition, programme=programme, review_type=review_type, gate=gate, held_on=held_on,
        review_team=review_team, delivery_confidence=delivery_confidence, summary=summary, recorded_by=actor,
    )
    review.full_clean()
    review.save()
    for item in recommendations:
        Recommendation.objects.create(review=review, text=item["text"], urgency=item["urgency"], status=item.get("status", "open"))
    if delivery_confidence == "red":
        RecoveryAction.objects.create(
            review=review, opened_on=timezone.localdate(),
            description="Recovery action opened by a Red delivery confidence rating: address the critical recommendations before the next gate.",
        )
    if competition is not None:
        wall.wall_protect(review)
        _event(competition, actor, EventKind.GATEWAY_REVIEW, f"{review} recorded")
    return review


@transaction.atomic
def recommendation_set_status(*, recommendation: Recommendation, actor: User, status: str) -> Recommendation:
    review = recommendation.review
    if review.competition is None:  # a programme's Gate 0
        require_role(actor, *RECORD_ROLES["recommendation-status"])
    else:
        require_commissioning_side(actor, review.competition, *RECORD_ROLES["recommendation-status"])
    recommendation.status = status
    recommendation.save(update_fields=["status"])
    if review.competition is not None:
        _event(review.competition, actor, EventKind.ASSURANCE,
               f"Gate {review.gate} recommendation marked {recommendation.get_status_display().lower()}: {recommendation.text}")
    return recommendation




@transaction.atomic
def benefits_report_submit(*, competition: Competition, actor: User, summary: str) -> BenefitsReport:
    require_commissioning_side(actor, competition, *RECORD_ROLES["benefits-report"])
    if competition.sro_id != actor.pk:
        raise PermissionDenied("Only the competition's own SRO reports its benefits.")
    benefits = list(Benefit.objects.filter(business_case__competition=competition).select_related("owner").prefetch_related("actuals"))
    report, _ = BenefitsReport.objects.update_or_create(
        competition=competition, defaults={"summary": summary, "submitted_by": actor, "submitted_on": timezone.localdate(),
                                           "benefits": [progress.as_reported() for progress in progress_of(benefits)]},
    )
    _event(competition, actor, EventKind.BENEFITS, "Benefits realisation report submitted")
    return report


# --- benefits (issue #21) ---------------------------------------------------------------------------------

@transaction.atomic
def benefit_add(*, business_case: BusinessCase, actor: User, description: str, how_measured: str, baseline: Decimal, target: Decimal,
                owner: User, unit: str = "", measure: Any = None) -> Benefit:
    """A benefit the business case expects, with its owner (someone on the competition's commissioning side)."""
    competition = business_case.competition
    require_commissioning_side(actor, competition, *RECORD_ROLES["benefit"])
    if not sees_confidential(owner, competition):
        raise ValidationError({"owner": "Choose an owner on the competition's commissioning side."})
    if target == baseline:
        raise ValidationError({"target": "The target must differ from the baseline: a benefit is a change."})
    benefit = Benefit(business_case=business_case, description=description.strip(), how_measured=how_measured.strip(), unit=unit.strip(),
                      baseline=baseline, target=target, owner=owner, measure=measure)
    benefit.full_clean()
    benefit.save()
    _event(competition, actor, EventKind.BENEFITS, f"Benefit added to the {business_case.get_kind_display()}: {benefit.description}")
    return benefit


@transaction.atomic
def benefit_actual_record(*, benefit: Benefit, actor: User, measured_on: date, value: Decimal, note: str = "") -> BenefitActual:
    """An actual for a benefit not linked to a measure (a linked benefit's actuals are its measure's validated returns)."""
    competition = benefit.business_case.competition
    require_commissioning_side(actor, competition, *RECORD_ROLES["benefit-actual"])
    if benefit.measure_id is not None:
        raise ValidationError("This benefit's actuals come from its agreement's measure: record a return there.")
    dates.check_not_in_future("measured_on", measured_on, "An actual measured")
    if BenefitActual.objects.filter(benefit=benefit, measured_on=measured_on).exists():
        raise ValidationError({"measured_on": "An actual for this day is already recorded."})
    actual = BenefitActual.objects.create(benefit=benefit, measured_on=measured_on, value=value, note=note.strip(), recorded_by=actor)
    _event(competition, actor, EventKind.BENEFITS, f"Actual recorded for “{benefit.description}”: {value.normalize():f}")
    return actual
