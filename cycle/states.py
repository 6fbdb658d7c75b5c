"""A cycle's stages and phases (SPEC §2): outside models.py so guards and the machine can read them."""

from django.db import models


class Stage(models.TextChoices):
    EVALUATE = "evaluate", "Evaluate"
    ASSESS_NEEDS = "assess_needs", "Assess needs"
    PRIORITISE = "prioritise", "Prioritise"
    DESIGN_SERVICES = "design_services", "Design services"
    REVIEW_SUPPLY = "review_supply", "Review supply"
    SECURE_SERVICES = "secure_services", "Secure services"
    DELIVER = "deliver", "Deliver"
    MANAGE_PERFORMANCE = "manage_performance", "Manage performance"
    CLOSING_EVALUATION = "closing_evaluation", "Closing evaluation"
    CLOSED = "closed", "Closed"


STAGE_ORDER = list(Stage.values)
PHASES = {
    "Planning": [Stage.EVALUATE, Stage.ASSESS_NEEDS, Stage.PRIORITISE, Stage.DESIGN_SERVICES],
    "Purchasing": [Stage.REVIEW_SUPPLY, Stage.SECURE_SERVICES],
    "Performance": [Stage.DELIVER, Stage.MANAGE_PERFORMANCE, Stage.CLOSING_EVALUATION, Stage.CLOSED],
}
OPEN_STAGES = STAGE_ORDER[:-1]
