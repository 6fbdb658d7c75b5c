"""The competitions' states and enumerations, outside models.py so the guards and other modules can read them.

models.py imports guards (the FSM's conditions), so guards cannot import models; both import
these. Values are stored in the database: change a label freely, a value only with a migration.
"""

from django.db import models


class Regime(models.TextChoices):
    RULES_2011 = "2011", "Public Contracts Regulations (2011 rules)"
    PA_2023 = "2023", "Procurement Act 2023"


class Procedure(models.TextChoices):
    RESTRICTED = "restricted", "Restricted procedure (2011)"
    COMPETITIVE_DIALOGUE = "competitive_dialogue", "Competitive dialogue (2011)"
    OPEN = "open", "Open procedure (2023)"
    COMPETITIVE_FLEXIBLE = "competitive_flexible", "Competitive flexible procedure (2023)"


PROCEDURES_BY_REGIME = {
    Regime.RULES_2011: {Procedure.RESTRICTED, Procedure.COMPETITIVE_DIALOGUE},
    Regime.PA_2023: {Procedure.OPEN, Procedure.COMPETITIVE_FLEXIBLE},
}


class AwardBasis(models.TextChoices):
    MEAT = "meat", "Most economically / most advantageous tender (weighted criteria)"
    LOWEST_PRICE = "lowest_price", "Lowest tender price"


class State(models.TextChoices):
    DRAFT = "draft", "Draft"
    PRE_PROCUREMENT = "pre_procurement", "Pre-procurement"
    PRE_QUALIFICATION = "pre_qualification", "Pre-qualification"
    DIALOGUE = "dialogue", "Dialogue"
    TENDER = "tender", "Tender"
    BAFO = "bafo", "Best and final offers"
    EVALUATION = "evaluation", "Evaluation"
    AWARD_RECOMMENDED = "award_recommended", "Award recommended"
    STANDSTILL = "standstill", "Standstill"
    AWARDED = "awarded", "Awarded"
    MOBILISATION = "mobilisation", "Mobilisation"
    LIVE = "live", "Live"
    CLOSED = "closed", "Closed"
    ABANDONED = "abandoned", "Abandoned"


# The Procurement Act 2023 names the same stages differently.
STATE_LABELS_2023 = {
    State.PRE_QUALIFICATION: "Participation (conditions of participation)",
    State.DIALOGUE: "Negotiation / dialogue round",
    State.TENDER: "Tendering",
    State.BAFO: "Final tenders",
}

# Seed, "The Competition Lifecycle": three phases.
PHASES = {
    "pre_procurement": [State.DRAFT, State.PRE_PROCUREMENT],
    "procurement": [
        State.PRE_QUALIFICATION, State.DIALOGUE, State.TENDER, State.BAFO, State.EVALUATION,
        State.AWARD_RECOMMENDED, State.STANDSTILL, State.AWARDED,
    ],
    "mobilisation": [State.MOBILISATION, State.LIVE],
    "ended": [State.CLOSED, State.ABANDONED],
}
PHASE_LABELS = {
    "pre_procurement": "Pre-procurement", "procurement": "Procurement",
    "mobilisation": "Mobilisation", "ended": "Closed or abandoned",
}
# Abandonment is possible from any state before award (SPEC §3).
ABANDONABLE = [
    State.DRAFT, State.PRE_PROCUREMENT, State.PRE_QUALIFICATION, State.DIALOGUE, State.TENDER,
    State.BAFO, State.EVALUATION, State.AWARD_RECOMMENDED, State.STANDSTILL,
]
# From launch on, bidders know of the competition: notices, documents and clarifications exist.
LAUNCHED = [s for s in State if s not in (State.DRAFT, State.PRE_PROCUREMENT)]


class DeliveryConfidence(models.TextChoices):
    GREEN = "green", "Green"
    AMBER_GREEN = "amber_green", "Amber/Green"
    AMBER = "amber", "Amber"
    AMBER_RED = "amber_red", "Amber/Red"
    RED = "red", "Red"


# The Major Projects portfolio moved to three points in 2021, so the scale is a setting.
DELIVERY_CONFIDENCE_SCALES = {
    "five_point": [DeliveryConfidence.GREEN, DeliveryConfidence.AMBER_GREEN, DeliveryConfidence.AMBER, DeliveryConfidence.AMBER_RED, DeliveryConfidence.RED],
    "three_point": [DeliveryConfidence.GREEN, DeliveryConfidence.AMBER, DeliveryConfidence.RED],
}


class BusinessCaseKind(models.TextChoices):
    OUTLINE = "outline", "Outline Business Case"
    FULL = "full", "Full Business Case"


class BusinessCaseStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    APPROVED = "approved", "Approved"


class ReviewType(models.TextChoices):
    GATEWAY = "gateway", "Gateway review"
    KEYHOLDER = "keyholder", "Keyholder review"


class CriterionKind(models.TextChoices):
    QUALITY = "quality", "Quality"
    PRICE = "price", "Price"


class BidStage(models.TextChoices):
    EXPRESSION_OF_INTEREST = "eoi", "Expression of interest"
    PRE_QUALIFICATION = "pre_qualification", "Pre-qualification"
    DIALOGUE = "dialogue", "Dialogue"
    TENDER = "tender", "Tender"
    BAFO = "bafo", "Best and final offer"


class PreQualification(models.TextChoices):
    PENDING = "pending", "Not yet assessed"
    PASSED = "passed", "Passed"
    FAILED = "failed", "Failed"


class ChallengeStatus(models.TextChoices):
    OPEN = "open", "Open"
    DISMISSED = "dismissed", "Dismissed"
    WITHDRAWN = "withdrawn", "Withdrawn"
    UPHELD = "upheld", "Upheld"


class NoticeType(models.TextChoices):
    UK4 = "UK4", "UK4 Tender notice"
    UK6 = "UK6", "UK6 Contract award notice"
    UK7 = "UK7", "UK7 Contract details notice"
    UK9 = "UK9", "UK9 Contract performance notice"
    UK10 = "UK10", "UK10 Contract change notice"
    UK11 = "UK11", "UK11 Contract termination notice"
    UK12 = "UK12", "UK12 Procurement termination notice"
