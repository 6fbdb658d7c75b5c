"""Links into the agreement page's parts (contracts.parts)."""

from django import template

from contracts.parts import section_url

register = template.Library()


@register.simple_tag
def agreement_section(agreement_id: int, anchor: str) -> str:
    """The agreement page at one section: `{% agreement_section agreement.pk "measures" %}`."""
    return section_url(agreement_id, anchor)
