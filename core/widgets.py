"""Form widgets of our own."""

import html

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.safestring import mark_safe


def _escape(text) -> str:
    """Django's conditional_escape (safe strings pass as they are) at the standard library's speed."""
    return text.__html__() if hasattr(text, "__html__") else html.escape(str(text))


class QuickSelect(forms.Select):
    """A select written straight from its choices, for the lists that grow with the data (organisations, people).

    Django's Select builds a context dictionary per option and renders each through its own
    template: about 35 µs an option, 20 ms for a filter of 600 providers. This writes the same
    HTML (same attributes, optgroups, one option selected) in a few microseconds an option.
    """

    def render(self, name, value, attrs=None, renderer=None):
        final_attrs = self.build_attrs(self.attrs, attrs)
        if self.allow_multiple_selected:
            final_attrs["multiple"] = True
        chosen = {str(v) for v in self.format_value(value)}
        options = "".join(self._options(self.choices, chosen, []))
        return format_html('<select name="{}"{}>{}</select>', name, flatatt(final_attrs), mark_safe(options))

    def _options(self, choices, chosen, selected_once):
        for value, label in choices:
            if isinstance(label, (list, tuple)):
                yield f'<optgroup label="{_escape(value)}">'
                yield from self._options(label, chosen, selected_once)
                yield "</optgroup>"
                continue
            text = "" if value is None else str(value)
            selected = text in chosen and (self.allow_multiple_selected or not selected_once)
            if selected:
                selected_once.append(text)
            yield f'<option value="{_escape(text)}"{" selected" if selected else ""}>{_escape(label)}</option>'


class DateParts(dict):
    """What a person typed in a GOV.UK date input, box by box (`day`, `month`, `year`, and `time` for a moment)."""


class DateInput(forms.MultiWidget):
    """GOV.UK's date input: day, month and year boxes in a fieldset (issue #19), never the browser's mm/dd/yyyy picker.

    The boxes are `<name>_day`, `<name>_month`, `<name>_year`; their value reaches the field as DateParts, which
    `core.forms_utils.DateField` reads with GOV.UK's error messages. A date sent whole under the field's own
    name (`2027-03-27`, as a script would) is still read as it is.
    """

    template_name = "core/widgets/date_input.html"
    parts = (("day", "Day", 2), ("month", "Month", 2), ("year", "Year", 4))
    hint = "For example, 27 3 2027"

    def __init__(self, attrs=None):
        super().__init__({name: forms.TextInput(attrs={"inputmode": "numeric"}) for name, _label, _width in self.parts}, attrs)

    def decompress(self, value):
        if isinstance(value, DateParts):
            return [value.get(name, "") for name, _label, _width in self.parts]
        if isinstance(value, str):
            value = _parse_whole(value)
        return self._split(value) if value else [""] * len(self.parts)

    def _split(self, value) -> list[str]:
        return [str(value.day), str(value.month), str(value.year)]

    def value_from_datadict(self, data, files, name):
        if name in data:
            return data.get(name)
        typed = super().value_from_datadict(data, files, name)
        return DateParts((part, str(value or "").strip()) for (part, _label, _width), value in zip(self.parts, typed))

    def id_for_label(self, id_):
        return f"{id_}_0" if id_ else ""  # the day box: where the error summary's link puts the cursor

    def value_omitted_from_data(self, data, files, name):
        return name not in data and super().value_omitted_from_data(data, files, name)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        for subwidget, (_part, label, width) in zip(context["widget"]["subwidgets"], self.parts):
            subwidget["label"], subwidget["width"], subwidget["numeric"] = label, width, label != "Time"
        context["widget"]["hint"] = self.hint
        return context


class DateTimeInput(DateInput):
    """A moment: GOV.UK's date input and a time box (24-hour clock, "17:00")."""

    parts = (*DateInput.parts, ("time", "Time", 4))
    hint = "For example, 27 3 2027 and 17:00"

    def _split(self, value) -> list[str]:
        from django.utils import timezone

        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return [*super()._split(value), value.strftime("%H:%M")]


def _parse_whole(text: str):
    """A date or moment written whole (ISO 8601), or None."""
    import datetime

    try:
        return datetime.datetime.fromisoformat(text) if "T" in text or " " in text.strip() else datetime.date.fromisoformat(text)
    except ValueError:
        return None


class GovukCheckboxes(forms.CheckboxSelectMultiple):
    """GOV.UK checkboxes, optionally in headed groups, numbered `<id>_0`, `<id>_1`… across groups.

    The flat numbering lets the error summary link to the first checkbox (`field.id_for_label`).
    """

    template_name = "core/widgets/checkboxes.html"

    def id_for_label(self, id_, index=None):
        if index is None:
            return f"{id_}_0" if id_ else ""
        return super().id_for_label(id_, index)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        base = context["widget"]["attrs"].get("id")
        number = 0
        for _group, options, _index in context["widget"]["optgroups"]:
            for option in options:
                if base:
                    option["attrs"]["id"] = f"{base}_{number}"
                number += 1
        return context
