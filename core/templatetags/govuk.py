"""Render Django form widgets with GOV.UK Frontend classes and accessible descriptions."""

from django import forms, template
from django.forms.widgets import Input

register = template.Library()

_WIDGET_CLASSES = (
    (forms.Textarea, "govuk-textarea"),
    (forms.Select, "govuk-select"),
    (forms.CheckboxInput, "govuk-checkboxes__input"),
    (forms.FileInput, "govuk-file-upload"),
    (Input, "govuk-input"),
)


DASHES = "---------"  # Django's empty choice, shown to people as a row of dashes
EMPTY_CHOICE = "Choose one"


def _no_dashes(field) -> None:
    """A select's empty choice in words: a model choice's `empty_label`, a choice list's blank entry."""
    if getattr(field, "empty_label", None) == DASHES:
        field.empty_label = EMPTY_CHOICE
    choices = getattr(field, "choices", None)
    if isinstance(choices, list) and any(label == DASHES for _, label in choices):
        field.choices = [(value, EMPTY_CHOICE if label == DASHES else label) for value, label in choices]


@register.filter
def govuk_widget(bound_field):
    _no_dashes(bound_field.field)
    widget = bound_field.field.widget
    css = next((css for kind, css in _WIDGET_CLASSES if isinstance(widget, kind)), "")
    if bound_field.errors:
        css += {"govuk-select": " govuk-select--error", "govuk-textarea": " govuk-textarea--error"}.get(
            css, " govuk-input--error" if css == "govuk-input" else ""
        )
    described_by = []
    if bound_field.help_text:
        described_by.append(f"{bound_field.id_for_label}-hint")
    if bound_field.errors:
        described_by.append(f"{bound_field.id_for_label}-error")
    attrs = {"class": css.strip()}
    if described_by:
        attrs["aria-describedby"] = " ".join(described_by)
    return bound_field.as_widget(attrs=attrs)


@register.filter
def section_link(anchor, page_parts=None) -> str:
    """A link to a section of this page: within the part shown ("#wall"), or to the part that holds it (core.sections)."""
    return page_parts.url("", anchor) if page_parts else f"#{anchor}"


@register.filter
def duration_words(value) -> str:
    """A timedelta in words, as GOV.UK writes it: "30 minutes", "1 hour 30 minutes" (not "0:30:00")."""
    minutes = int(value.total_seconds() // 60) if value else 0
    hours, minutes = divmod(minutes, 60)
    parts = [f"{hours} hour{'s' if hours != 1 else ''}"] if hours else []
    if minutes or not hours:
        parts.append(f"{minutes} minute{'s' if minutes != 1 else ''}")
    return " ".join(parts)


@register.simple_tag(takes_context=True)
def way_back(context) -> str:
    """The page the person came from, if it is this service's own (for an error page's "go back" link); else ""."""
    from django.utils.http import url_has_allowed_host_and_scheme

    request = context.get("request")
    referer = request.META.get("HTTP_REFERER", "") if request is not None else ""
    if referer and url_has_allowed_host_and_scheme(referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return referer
    return ""
