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
def money_size(value):
    """An amount without its sign, for a line that says in words which way it goes ("less £1,000.00")."""
    if value in (None, ""):
        return "–"
    return money(abs(Decimal(value)))


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.filter
def figure(value):
    """A quantity with thousands separators and no needless decimals: 8,200,000; 12.5 (an en dash when there is none)."""
    if value in (None, ""):
        return "–"
    number = Decimal(value)
    return f"{number:,.0f}" if number == number.to_integral_value() else f"{number.normalize():,f}"


@register.filter
def gap_words(value, unit=""):
    """A gap (demand less provision) said in words, never as a minus sign: "gap of 4,900 places", "surplus of 4,900 places"."""
    if value in (None, ""):
        return "–"
    number = Decimal(value)
    if number == 0:
        return "No gap"
    return f"{'Gap' if number > 0 else 'Surplus'} of {figure(abs(number))}{' ' + unit if unit else ''}"
