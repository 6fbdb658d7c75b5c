"""Errors services raise, which pages and the API turn into messages and status codes."""

from django.core.exceptions import PermissionDenied, ValidationError  # noqa: F401  (re-exported)


class TransitionRefused(Exception):
    """A guard is not met. Carries each missing condition's message (API: 409)."""

    def __init__(self, transition: str, missing: list[str]):
        self.transition = transition
        self.missing = missing
        super().__init__(f"Cannot {transition.replace('_', ' ')} until: " + "; ".join(missing))


class StaleObject(Exception):
    """Someone else changed the record since it was read (API: 409/412)."""

    def __init__(self, what: str = "This record"):
        super().__init__(f"{what} was changed by someone else since you opened it. Reload the page and try again.")
