from django import forms
from django.core.exceptions import ValidationError
from django.forms import Form

from core.uploads import validate_document


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

