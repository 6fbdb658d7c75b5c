"""Shared machinery of the state-machine property tests (issue: "Bad input").

Each machine (competition, commissioning cycle, agreement) is a hypothesis
`RuleBasedStateMachine` built on `StateMachineProperties`. A rule opens a step
with `begin_step` — what it tries, through which channel, as whom, and which
moves of the state graph it may legitimately cause — then does it through a
service call, a page form POST (Django's test client, signed in) or an API call
(DRF's APIClient). The invariants below run after every step and check:

- no answer was a server error (a service raising anything but the errors the
  pages and API turn into 4xx counts as one);
- the state changed only by one move of the FSM graph that was available before
  the step (its guards met) to an actor holding a role allowed for it — and, the
  other way round, a move whose every condition was met (role, guards, the version
  read, a reason where one is needed) did happen;
- a changed state left exactly one new event recording from -> to, made by the
  actor, and a new version; an unchanged one no such event;
- a refused answer (400/403/404/405/409/412/415/428, or a page form shown again) changed
  nothing, and an API transition that answered 2xx did move;
- the audit log only grows: its count never falls and rows already written never change;
- the guards of the current state that cannot be undone still hold (per machine).

Database: the test function is marked `django_db` (pytest-django's one transaction
per test) and runs the machine with `run_state_machine_as_test`; each example opens
its own savepoint when the machine is created and rolls it back at teardown, so
examples are independent and a replayed (shrunk) example sees the same database as
the first time. `hypothesis.extra.django.TestCase` gives the same per-example
isolation only to `@given` methods, not to a state machine run from a test.
"""

import os
import traceback
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.test import Client
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant
from rest_framework.test import APIClient

from core.errors import StaleObject, TransitionRefused
from core.models import User
from ethical_walls.models import AuditEvent

# The errors services raise on purpose; pages and the API answer them 400/403/409.
DOMAIN_ERRORS = (ValidationError, PermissionDenied, TransitionRefused, StaleObject)
REFUSED = {400, 403, 404, 405, 409, 412, 415, 428}
CHANNELS = ("service", "page", "api")
LOG_STEPS = os.environ.get("STATE_MACHINE_LOG") == "1"  # print each step and its outcome (with pytest -s)

# Bounded and reproducible in CI: a fixed number of derandomized examples, no example
# database. STATE_MACHINE_EXAMPLES / STATE_MACHINE_STEPS explore further locally.
MACHINE_SETTINGS = settings(
    max_examples=int(os.environ.get("STATE_MACHINE_EXAMPLES", "15")),
    stateful_step_count=int(os.environ.get("STATE_MACHINE_STEPS", "15")),
    deadline=None,
    derandomize=True,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)

# --- input strategies -------------------------------------------------------------------------

HOSTILE_STRINGS = [
    "", " ", "\t\n", "0", "-1", "-99999999999999999999", "1e309", "NaN", "Infinity", "1.5", "１２", "0x10",
    "2024-02-30", "31/12/2024", "9999-12-31", "0001-01-01", "10000-01-01", "true", "null", "[]", "{}",
    "<script>alert(1)</script>", "' OR 1=1 --", "\u202egnp.exe", "😀" * 20, "x" * 5000, "nul\x00byte",
]
# Page and API text: printable and not (NUL only from the list above: forms and DRF must refuse it).
hostile_text = st.one_of(
    st.sampled_from(HOSTILE_STRINGS),
    st.text(alphabet=st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"), max_size=40),
)
# A reason or free text a person might type, or not.
reasons = st.one_of(
    st.sampled_from(["", "   ", "Budget withdrawn by the Board.", "x" * 20000, "Ünïcødé — reason ✓"]),
    st.text(alphabet=st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"), max_size=30),
)
# The version a caller sends: the one it read, the one before, none, or anything at all.
versions = st.one_of(
    st.just("current"), st.just("absent"), st.just("current"), st.just("previous"),
    st.integers(min_value=-3, max_value=2**63 + 5),
    st.sampled_from(["abc", "", "1.5", "１", " 3 ", "0x10", "9" * 40]),
)
# Values in a JSON body: every JSON type, including ones the field does not take.
json_values = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False), hostile_text,
    st.lists(st.integers(min_value=-5, max_value=5), max_size=3), st.dictionaries(st.sampled_from(["a", "id", "0"]), st.integers(), max_size=2),
)


def version_value(choice, current: int):
    """The version a step sends, from a drawn choice and the version as the database has it."""
    if choice == "current":
        return current
    if choice == "previous":
        return current - 1
    if choice == "absent":
        return None
    return choice


def version_is_fresh(choice, channel: str = "service") -> bool:
    """A service or a page form given no version acts on the record as it is; an API write without one answers 428."""
    return choice == "current" or (choice == "absent" and channel != "api")


def text_is_valid(text) -> bool:
    """What forms and serializers accept as a required reason: a string with something in it."""
    return isinstance(text, str) and bool(text.strip()) and "\x00" not in text


def fresh_user(user) -> User:
    """A new instance: users cache their roles and the competitions they may see."""
    return User.objects.get(pk=user.pk)


@dataclass
class Step:
    """One rule's attempt, and what the invariants need to judge it."""

    description: str
    channel: str = "service"
    actor: str = ""
    before_state: str = ""
    before_version: int = 0
    last_event_id: int = 0
    # Moves the step may cause: transition name -> target state (available before, actor allowed).
    permitted: dict = field(default_factory=dict)
    must_move_to: str | None = None  # every condition met, so the state must become this
    status: int | None = None  # HTTP status, or None for a service call
    refused: bool = False  # the channel answered that nothing was done
    succeeded_transition: bool = False  # an API transition action answered 2xx


class StateMachineProperties(RuleBasedStateMachine):
    """The invariants shared by the three machines; subclasses describe their object."""

    event_model = None  # the machine's own timeline
    event_object_field = ""  # the event's foreign key to the object
    from_field = "from_state"
    to_field = "to_state"
    state_field = "state"

    def __init__(self):
        super().__init__()
        self._savepoint = transaction.atomic()
        self._savepoint.__enter__()
        self.obj = None
        self.step: Step | None = None
        self.problems: list[str] = []
        self.stale = None  # an instance read some steps ago, for stale writes
        self.audit_count = AuditEvent.objects.count()
        self.audit_max_id = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
        self.audit_rows = self._audit_rows(self.audit_max_id)

    def teardown(self):
        try:
            self.cleanup()
        finally:
            transaction.set_rollback(True)
            self._savepoint.__exit__(None, None, None)

    def cleanup(self):
        """Undo what the example did outside the database (time travel)."""

    # --- what subclasses provide ------------------------------------------------------------
    def reload(self):
        return type(self.obj).objects.get(pk=self.obj.pk)

    def guard_problems(self, obj) -> list[str]:
        """The state's guards that can no longer be undone, each that fails as a message."""
        return []

    # --- the object ------------------------------------------------------------------------------
    def state_of(self, obj) -> str:
        return getattr(obj, self.state_field)

    def available_moves(self) -> dict:
        """Transition name -> target for every move the FSM allows now (source state and guards)."""
        current = self.reload()
        getter = getattr(current, f"get_available_{self.state_field}_transitions")
        return {t.name: t.target for t in getter()}

    def _events(self):
        return self.event_model.objects.filter(**{self.event_object_field: self.obj.pk})

    # --- steps ----------------------------------------------------------------------------------
    def begin_step(self, description: str, *, channel="service", actor="", permitted=None, must_move_to=None) -> Step:
        current = self.reload()
        if self.stale is None or self.state_of(self.stale) == self.state_of(current):
            self.stale = current  # stale copies come from an earlier state
        last = self._events().order_by("-id").values_list("id", flat=True).first() or 0
        self.step = Step(
            description=description, channel=channel, actor=actor, before_state=self.state_of(current),
            before_version=current.version, last_event_id=last, permitted=dict(permitted or {}), must_move_to=must_move_to,
        )
        return self.step

    def service(self, call, *args, **kwargs):
        """Call a service as the pages and API do: its own errors are refusals, anything else a server error."""
        try:
            with transaction.atomic():
                return call(*args, **kwargs)
        except DOMAIN_ERRORS:
            if self.step:
                self.step.refused = True
            return None
        except Exception:
            self.problems.append(f"{self.step.description if self.step else call}: service raised\n{traceback.format_exc()}")
            return None

    def etag_for(self, user, url: str) -> str:
        """The ETag this user reads at `url` now (or a tag that matches nothing, where they may not read it)."""
        client = APIClient()
        client.force_authenticate(user)
        return client.get(url).get("ETag", '"unreadable"')

    def page(self, user, method: str, url: str, data=None, **extra):
        client = Client()
        client.force_login(user)
        response = self._request(client, method, url, data, **extra)
        if response is not None and method == "post" and response.status_code == 200 and self.step:
            self.step.refused = True  # the form shown again, with its errors: nothing was done
        return response

    def api(self, user, method: str, url: str, data=None, **extra):
        client = APIClient()
        client.force_authenticate(user)
        if method != "get":
            extra.setdefault("format", "json")
        return self._request(client, method, url, data, **extra)

    def _request(self, client, method, url, data, **extra):
        try:
            with transaction.atomic():
                response = getattr(client, method)(url, data, **extra) if data is not None else getattr(client, method)(url, **extra)
        except Exception:
            self.problems.append(f"{self.step.description if self.step else ''}: {method.upper()} {url} {data!r:.400} raised\n{traceback.format_exc()}")
            return None
        if response.status_code >= 500:
            self.problems.append(f"{self.step.description if self.step else ''}: {method.upper()} {url} {data!r:.400} answered {response.status_code}")
        if self.step:
            self.step.status = response.status_code
            if response.status_code in REFUSED:
                self.step.refused = True
        return response

    # --- invariants ------------------------------------------------------------------------------
    @invariant()
    def no_server_error(self):
        assert not self.problems, "\n\n".join(self.problems)

    @invariant()
    def audit_log_only_grows(self):
        count = AuditEvent.objects.count()
        assert count >= self.audit_count, f"the audit log shrank from {self.audit_count} to {count} rows"
        assert self._audit_rows(self.audit_max_id) == self.audit_rows, "audit rows already written have changed or gone"
        newer = list(AuditEvent.objects.filter(id__gt=self.audit_max_id).values_list("id", flat=True))
        self.audit_count = count
        self.audit_max_id = max([self.audit_max_id, *newer])
        self.audit_rows = self._audit_rows(self.audit_max_id)

    AUDIT_ROWS_COMPARED = 500

    def _audit_rows(self, up_to: int) -> list[tuple]:
        return list(
            AuditEvent.objects.filter(id__lte=up_to).order_by("id").values_list(
                "id", "at", "actor_id", "action", "channel", "object_type", "object_id", "competition_id", "subject_id", "detail", "path",
            )[: self.AUDIT_ROWS_COMPARED]
        )

    @invariant()
    def state_changes_only_by_a_permitted_move(self):
        self.check_step()

    def check_step(self):
        """Judge the step under way; rules that take several steps call it between them."""
        assert not self.problems, "\n\n".join(self.problems)
        step = self.step
        if step is None or self.obj is None:
            return
        current = self.reload()
        after = self.state_of(current)
        moved = after != step.before_state
        where = f"{step.description} [{step.channel} as {step.actor}, HTTP {step.status}]"
        events = list(
            self._events().filter(id__gt=step.last_event_id).exclude(**{self.to_field: ""})
            .values_list(self.from_field, self.to_field, "actor_id")
        )
        new_moves = [(before, after_) for before, after_, _actor in events]
        if moved:
            assert after in step.permitted.values(), (
                f"{where}: {step.before_state} -> {after}, but only {step.permitted or 'no move'} was permitted"
            )
            assert not step.refused, f"{where}: answered as refused, yet the state moved {step.before_state} -> {after}"
            assert new_moves == [(step.before_state, after)], f"{where}: moved {step.before_state} -> {after}, events {new_moves}"
            assert current.version > step.before_version, f"{where}: moved without a new version"
            user = getattr(self, "users", {}).get(step.actor)
            if user is not None:
                assert events[0][2] == user.pk, f"{where}: the timeline names user {events[0][2]}, not {step.actor} ({user.pk}), as making the move"
        else:
            assert not new_moves, f"{where}: the state stayed {after} but the timeline records moves {new_moves}"
            assert not step.succeeded_transition, f"{where}: the API answered {step.status} but the state stayed {after}"
            assert step.must_move_to is None, f"{where}: every condition was met, yet the state stayed {after} (expected {step.must_move_to})"
        if step.must_move_to is not None:
            assert after == step.must_move_to, f"{where}: expected {step.must_move_to}, got {after}"
        if LOG_STEPS:
            print(f"{where}: {step.before_state} -> {after}{' (refused)' if step.refused else ''}")
        self.step = None

    @invariant()
    def guards_of_the_current_state_hold(self):
        if self.obj is None:
            return
        problems = self.guard_problems(self.reload())
        assert not problems, "; ".join(problems)


# --- typed edge values: input that passes a field's own parsing and reaches the service ------------------

EDGE_DATES = ["0001-01-01", "9999-12-31", "2020-02-29", "2026-01-01", "1970-01-01"]
EDGE_DATETIMES = ["9999-12-31T23:59", "0001-01-01T00:00", "2026-06-01T12:00"]
EDGE_NUMBERS = ["0", "-0.01", "-1", "0.001", "1", "100", "100.01", "99999999999999.99", "999999999999.99", "1e5"]
EDGE_INTEGERS = ["0", "-1", "1", "36", "2147483648", "9223372036854775808"]


def _flat_choices(choices) -> list[str]:
    values = []
    for value, label in choices:
        if isinstance(label, (list, tuple)):
            values.extend(str(v) for v, _ in label)
        else:
            values.append(str(value))
    return values


def form_field_values(field):
    """Values a Django form field may take, at and beyond its edges (pks of its queryset, choices, extreme dates and numbers)."""
    from django import forms

    if isinstance(field, forms.ModelMultipleChoiceField):
        pks = [str(pk) for pk in field.queryset.values_list("pk", flat=True)[:5]]
        return st.lists(st.sampled_from([*pks, "999999999"]), max_size=3)
    if isinstance(field, forms.ModelChoiceField):
        pks = [str(pk) for pk in field.queryset.values_list("pk", flat=True)[:5]]
        return st.sampled_from([*pks, "", "999999999"])
    if isinstance(field, forms.MultipleChoiceField):
        return st.lists(st.sampled_from(_flat_choices(field.choices) or ["1"]), max_size=3)
    if isinstance(field, forms.ChoiceField):
        return st.sampled_from(_flat_choices(field.choices) or [""])
    if isinstance(field, forms.DateTimeField):
        return st.sampled_from(EDGE_DATETIMES)
    if isinstance(field, forms.DateField):
        return st.sampled_from(EDGE_DATES)
    if isinstance(field, (forms.DecimalField, forms.FloatField)):
        return st.sampled_from(EDGE_NUMBERS)
    if isinstance(field, forms.IntegerField):
        return st.sampled_from(EDGE_INTEGERS)
    if isinstance(field, forms.BooleanField):
        return st.sampled_from(["on", "", "false"])
    if isinstance(field, forms.FileField):
        return st.just("")
    return reasons


def form_data(form, data, *, extra_keys=("version",)):
    """Draw a POST body for `form`: each field typed at its edges, garbage, or left out."""
    fields = {name: st.one_of(form_field_values(field), hostile_text) for name, field in form.fields.items()}
    fields.update({key: hostile_text for key in extra_keys if key not in fields})
    return data.draw(st.fixed_dictionaries({}, optional=fields), label=f"{type(form).__name__} data")


def api_field_values(field, ids):
    """Values a DRF field may take, at and beyond its edges; `ids` stand in for any related record."""
    from rest_framework import serializers

    related = st.sampled_from([*ids, 999999999, -1, 0])
    if isinstance(field, serializers.ManyRelatedField):
        return st.lists(related, max_size=3)
    if isinstance(field, serializers.RelatedField):
        return st.one_of(related, st.none())
    if isinstance(field, serializers.ListSerializer):
        return st.lists(api_body_values(field.child, ids), max_size=2)
    if isinstance(field, serializers.Serializer):
        return api_body_values(field, ids)
    if isinstance(field, serializers.BooleanField):
        return st.sampled_from([True, False, "yes", "no", None, 1])
    if isinstance(field, serializers.ChoiceField):
        return st.sampled_from([*map(str, field.choices), "", None])
    if isinstance(field, serializers.DateTimeField):
        return st.sampled_from([*EDGE_DATETIMES, "9999-12-31T23:59:59Z"])
    if isinstance(field, serializers.DateField):
        return st.sampled_from(EDGE_DATES)
    if isinstance(field, (serializers.DecimalField, serializers.FloatField)):
        return st.one_of(st.sampled_from(EDGE_NUMBERS), st.sampled_from([0, -1, 1e300, 99999999999999.99]))
    if isinstance(field, serializers.IntegerField):
        return st.sampled_from([0, -1, 1, 36, 2**31, 2**63, 2**64])
    if isinstance(field, serializers.ListField):
        return st.one_of(st.lists(related, max_size=3), json_values)
    if isinstance(field, serializers.DictField):
        return st.one_of(st.dictionaries(related.map(str), st.sampled_from(EDGE_NUMBERS), max_size=2), json_values)
    return reasons


def api_body_values(serializer, ids):
    writable = {name: field for name, field in serializer.fields.items() if not field.read_only}
    return st.fixed_dictionaries({}, optional={name: st.one_of(api_field_values(field, ids), json_values) for name, field in writable.items()})


def api_body(serializer_class, ids, data):
    """Draw a JSON body for an endpoint taking `serializer_class`: each field typed at its edges, any JSON, or left out."""
    return data.draw(api_body_values(serializer_class(), list(ids)), label=f"{serializer_class.__name__} body")
