"""The /api/v1/ router: each app registers its viewsets here."""

from rest_framework.routers import DefaultRouter

from competitions.api.views import BenefitViewSet, BidViewSet, ClarificationViewSet, CompetitionViewSet, GatewayReviewViewSet
from contracts.api.views import AgreementViewSet, ClaimViewSet, MeasureViewSet, MobilisationMilestoneViewSet, NoticeOfChangeViewSet, PaymentViewSet, RectificationNoticeViewSet, ReturnViewSet
from core.api.views import OrganisationViewSet, SearchViewSet
from cycle.api.views import CycleViewSet, OutcomeViewSet
from ethical_walls.api.views import AuditEventViewSet, ConflictDeclarationViewSet
from governance.api.views import DecisionViewSet, RiskViewSet
from ocds.views import OcdsCompetitionViewSet, OcdsReleaseViewSet


class Router(DefaultRouter):
    # No format-suffix routes (`/competitions.json`): the views' handlers take no `format` argument, so
    # those routes answered 500. `?format=json` or `?format=api` chooses the renderer instead.
    include_format_suffixes = False


router = Router()
router.register("organisations", OrganisationViewSet, basename="organisation")
router.register("cycles", CycleViewSet, basename="cycle")
router.register("outcomes", OutcomeViewSet, basename="outcome")
router.register("competitions", CompetitionViewSet, basename="competition")
router.register("gateway-reviews", GatewayReviewViewSet, basename="gateway-review")
router.register("bids", BidViewSet, basename="bid")
router.register("clarifications", ClarificationViewSet, basename="clarification")
router.register("benefits", BenefitViewSet, basename="benefit")
router.register("agreements", AgreementViewSet, basename="agreement")
router.register("measures", MeasureViewSet, basename="measure")
router.register("returns", ReturnViewSet, basename="return")
router.register("notices-of-change", NoticeOfChangeViewSet, basename="notice-of-change")
router.register("rectification-notices", RectificationNoticeViewSet, basename="rectification-notice")
router.register("claims", ClaimViewSet, basename="claim")
router.register("payments", PaymentViewSet, basename="payment")
router.register("mobilisation-milestones", MobilisationMilestoneViewSet, basename="mobilisation-milestone")
router.register("conflict-declarations", ConflictDeclarationViewSet, basename="conflict-declaration")
router.register("audit-events", AuditEventViewSet, basename="audit-event")
router.register("risks", RiskViewSet, basename="risk")
router.register("decisions", DecisionViewSet, basename="decision")
router.register("search", SearchViewSet, basename="search")
# Open Contracting Data Standard: published competition data (ocds/views.py).
router.register("ocds/releases", OcdsReleaseViewSet, basename="ocds-release")
router.register("ocds/competitions", OcdsCompetitionViewSet, basename="ocds-competition")
