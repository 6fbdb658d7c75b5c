from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def money(value):
    """£1,234,567.89 (or an en dash when there is no value)."""
    if value in (None, ""):
        return "–"
    return f"£{Decimal(value):,.2f}"


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None
