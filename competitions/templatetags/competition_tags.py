from django import template

register = template.Library()

_STATE_COLOURS = {
    "draft": "grey", "pre_procurement": "light-blue", "abandoned": "red", "closed": "grey",
    "standstill": "yellow", "award_recommended": "yellow", "awarded": "green", "mobilisation": "turquoise", "live": "green",
}
_CONFIDENCE_COLOURS = {"green": "green", "amber_green": "turquoise", "amber": "yellow", "amber_red": "orange", "red": "red"}


@register.filter
def state_colour(state: str) -> str:
    return "govuk-tag--" + _STATE_COLOURS.get(state, "blue")


@register.filter
def confidence_colour(rating: str) -> str:
    return "govuk-tag--" + _CONFIDENCE_COLOURS.get(rating, "grey")
