import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.forms import Form
from django.forms.utils import pretty_name

from core.text import lowercase_first
from core.uploads import validate_document
from core.widgets import DateInput, DateParts, DateTimeInput


def apply_service_errors(form: Form, call):
    """Run a service; show its validation errors on the form (by field where it names one).

    Returns the service's result, or None when it refused the input.
    """
    try:
        return call()
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            for field, messages in error.message_dict.items():
                form.add_error(field if field in form.fields else None, messages)
        else:
            form.add_error(None, error.messages)
        return None


# The largest whole number a PostgreSQL `integer` column holds (Django's IntegerField and PositiveIntegerField).
MAX_INTEGER = 2_147_483_647


def whole_number(**kwargs):
    """A form's whole-number field, bounded by the column it is stored in: a larger number is a field error, not a 500."""
    from django import forms

    kwargs.setdefault("max_value", MAX_INTEGER)
    return forms.IntegerField(**kwargs)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input, each checked as a document and named in its error (Django's documented pattern for
    multiple uploads); a list of the files, empty when none is given and none is required."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        uploads = [upload for upload in (data if isinstance(data, (list, tuple)) else [data]) if upload]
        if not uploads:
            super().clean(None, initial)  # "This field is required."
            return []
        cleaned = [super(MultipleFileField, self).clean(upload, initial) for upload in uploads]
        problems = []
        for upload in cleaned:
            try:
                validate_document(upload)
            except ValidationError as refused:
                problems += [f"{upload.name}: {message}" for message in refused.messages]
        if problems:
            raise ValidationError(problems)
        return cleaned


def _list_words(words: list[str]) -> str:
    return " and ".join(words) if len(words) < 3 else ", ".join(words[:-1]) + " and " + words[-1]


def _date_from_parts(parts: DateParts, messages: dict) -> datetime.date | None:
    """The day, month and year boxes as a date (None when all are empty), refused in the field's messages."""
    if not any(parts.values()):
        return None
    missing = [name for name, typed in parts.items() if not typed]
    if missing:
        raise ValidationError(messages["incomplete"], code="incomplete", params={"parts": _list_words(missing)})
    numbers = [parts[name] for name in ("day", "month", "year")]
    if not all(number.isdigit() for number in numbers) or len(parts["year"]) != 4:
        raise ValidationError(messages["invalid"], code="invalid")
    try:
        return datetime.date(int(parts["year"]), int(parts["month"]), int(parts["day"]))
    except ValueError:
        raise ValidationError(messages["invalid"], code="invalid") from None


class DateField(forms.DateField):
    """A date typed in GOV.UK's date input, refused in GOV.UK's words ("… must include a month", "… must be a real date")."""

    widget = DateInput
    default_error_messages = {"incomplete": "The date must include a %(parts)s", "invalid": "The date must be a real date"}

    def to_python(self, value):
        if isinstance(value, DateParts):
            value = _date_from_parts(value, self.error_messages)
        return super().to_python(value)


class DateTimeField(forms.DateTimeField):
    """A moment typed as GOV.UK's date input and a 24-hour time ("17:00"), in the service's time zone."""

    widget = DateTimeInput
    default_error_messages = {"incomplete": "The date and time must include a %(parts)s", "invalid": "The date and time must be real",
                              "invalid_time": "The time must be a real time on the 24-hour clock, like 17:00"}

    def to_python(self, value):
        if isinstance(value, DateParts):
            day = _date_from_parts(DateParts((k, v) for k, v in value.items() if k != "time"), self.error_messages)
            if day is None and not value.get("time"):
                return None
            if not value.get("time"):
                raise ValidationError(self.error_messages["incomplete"], code="incomplete", params={"parts": "time"})
            if day is None:
                raise ValidationError(self.error_messages["incomplete"], code="incomplete", params={"parts": "day, month and year"})
            try:
                moment = datetime.time.fromisoformat(value["time"].replace(".", ":").zfill(5))
            except ValueError:
                raise ValidationError(self.error_messages["invalid_time"], code="invalid_time") from None
            value = datetime.datetime.combine(day, moment)
        return super().to_python(value)


def _choosing(field: forms.Field) -> bool:
    return isinstance(field, (forms.ChoiceField, forms.ModelChoiceField, forms.BooleanField, forms.FileField))


def govuk_messages(label: str, field: forms.Field) -> dict[str, str]:
    """Django's error messages for a field in GOV.UK's wording, naming the field (design system, "Error message")."""
    name = label.rstrip(":")
    question = name.endswith("?")
    subject = f"The answer to “{name}”" if question else name
    inside = lowercase_first(name)
    if question:
        required = f"Answer the question: {name}"
    elif isinstance(field, forms.FileField):
        required = f"Select a file for {inside}"
    elif _choosing(field):
        required = f"Select {inside}"
    else:
        required = f"Enter {inside}"
    messages = {"required": required, "invalid_choice": f"Select one of the answers to: {name}" if question else f"Select {inside} from the list"}
    if isinstance(field, (forms.DecimalField, forms.FloatField)):  # Django's subclasses of IntegerField
        messages["invalid"] = f"{subject} must be a number"
    elif isinstance(field, forms.IntegerField):
        messages["invalid"] = f"{subject} must be a whole number"
    elif isinstance(field, forms.EmailField):
        messages["invalid"] = "Enter an email address in the correct format, like name@example.com"
    elif isinstance(field, forms.DateTimeField):
        messages["invalid"] = f"{subject} must be a real date and time"
        messages["invalid_time"] = f"The time in “{name}” must be a real time on the 24-hour clock, like 17:00"
    elif isinstance(field, forms.DateField):
        messages["invalid"] = f"{subject} must be a real date"
    worded: dict[str, str] = {code: Plain(message) for code, message in messages.items()}
    # The limits' messages are %-formatted with the limit: a "%" of the label's own ("Weight (%)") is doubled.
    subject = subject.replace("%", "%%")
    return worded | {
        "max_length": f"{subject} must be %(limit_value)s characters or fewer",
        "min_length": f"{subject} must be %(limit_value)s characters or more",
        "max_value": f"{subject} must be %(limit_value)s or less",
        "min_value": f"{subject} must be %(limit_value)s or more",
        "max_digits": f"{subject} must be %(max)s digits or fewer",
        "max_decimal_places": f"{subject} must have %(max)s decimal places or fewer",
        "max_whole_digits": f"{subject} must have %(max)s digits or fewer before the decimal point",
        "incomplete": f"{subject} must include a %(parts)s",
    }


class Plain(str):
    """A message with no placeholders: Django %-formats a field error with its params when it has some (an invalid
    choice with the value chosen, "NaN" with the value typed), and a label's own "%" must not be read as one."""

    def __mod__(self, params):
        return str(self)


def _django_defaults(field: forms.Field) -> dict[str, str]:
    """The messages a field has when no one wrote its own, merged as `Field.__init__` merges them."""
    merged: dict[str, str] = {}
    for kind in reversed(type(field).__mro__):
        merged.update(getattr(kind, "default_error_messages", {}))
    return merged


class GovukForm(forms.Form):
    """Every form of the service: field errors worded as GOV.UK words them, each naming its field (issue #19).

    A message a form or service writes itself is kept; only Django's defaults are replaced. The wording is
    applied as the form is checked, so fields a form adds as it is built are worded too.
    """

    def full_clean(self):
        self._govuk_wording()
        super().full_clean()

    def _govuk_wording(self) -> None:
        for name, field in self.fields.items():
            label = str(field.label) if field.label else pretty_name(name)
            defaults = _django_defaults(field)
            for code, message in govuk_messages(label, field).items():
                if code not in field.error_messages or field.error_messages[code] == defaults.get(code):
                    field.error_messages[code] = message
