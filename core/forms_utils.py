from django.core.exceptions import ValidationError

from django.forms import Form


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
