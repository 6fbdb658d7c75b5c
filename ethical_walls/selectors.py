from django.core.exceptions import ObjectDoesNotExist


def wall_in_place(competition) -> bool:
    try:
        return competition.wall is not None
    except ObjectDoesNotExist:
        return False


def conflicts_assessment_complete(competition) -> bool:
    try:
        return competition.conflicts_assessment.completed_on is not None
    except ObjectDoesNotExist:
        return False
