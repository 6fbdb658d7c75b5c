"""The competition state machine under random transitions, form posts and API calls (SPEC §3).

Each example builds a competition with `tests.competitions.journey.Journey`, walks it
along the happy path to a drawn starting state, then takes random steps: a transition
(any name, allowed here or not) through the service, the page or the API, as any of ten
people, with a current, stale or garbage version and any reason; meeting one guard
condition the way its users would; garbage posted to a record form or an API endpoint;
and reading the page and the API. The invariants are in `tests.properties.helpers`.

Debrief letters are rendered by a stub here: their PDF is tested in tests/core/test_pdf.py,
and rendering one per bidder per example would spend the whole time budget.
"""

import pytest
from django.urls import reverse
from hypothesis import strategies as st
from hypothesis.stateful import initialize, rule, run_state_machine_as_test

from competitions.machine import LIFECYCLE
from competitions import forms as competition_forms
from competitions import guards, views
from competitions import selectors as competition_selectors
from competitions.api import serializers
from competitions.models import (
    AwardRecommendation,
    Bid,
    Clarification,
    Competition,
    CompetitionEvent,
    Notice,
    State,
)
from contracts.models import Agreement
from core.models import Organisation
from core.roles import Role
from ethical_walls.selectors import sees_confidential
from tests.competitions.journey import Journey
from tests.core.factories import UserFactory
from tests.properties.helpers import (
    CHANNELS,
    MACHINE_SETTINGS,
    StateMachineProperties,
    api_body,
    form_data,
    fresh_user,
    reasons,
    text_is_valid,
    version_is_fresh,
    version_value,
    versions,
)

# Early states first: hypothesis shrinks towards them, and they are cheap to reach.
START_STATES = [
    State.DRAFT, State.PRE_PROCUREMENT, State.PRE_QUALIFICATION, State.TENDER, State.DIALOGUE, State.BAFO,
    State.EVALUATION, State.AWARD_RECOMMENDED, State.STANDSTILL, State.AWARDED, State.MOBILISATION, State.LIVE,
]
VARIANTS = {
    "2023 flexible, major, public bid": {},
    "2011 restricted, below threshold": {"regime": "2011", "procedure": "restricted", "major": False, "public_bid": False},
}
ACTORS = [
    "commissioner", "procurement", "sro", "evaluator", "reviewer",
    "outsider_commissioner", "contract_manager", "bid_team", "oversight", "nobody",
]
TRANSITIONS = list(LIFECYCLE.services)
NAMES = TRANSITIONS + ["explode", "delete", "launch_"]
AFTER_RECOMMENDATION = {State.AWARD_RECOMMENDED, State.STANDSTILL, State.AWARDED, State.MOBILISATION, State.LIVE, State.CLOSED}
AFTER_STANDSTILL = {State.STANDSTILL, State.AWARDED, State.MOBILISATION, State.LIVE, State.CLOSED}
AFTER_AWARD = {State.AWARDED, State.MOBILISATION, State.LIVE, State.CLOSED}
API_SERIALIZERS = {
    "competition": serializers.CompetitionUpdateSerializer, "gateway-reviews": serializers.GatewayReviewSerializer,
    "bids": serializers.BidSerializer, "clarifications": serializers.ClarificationLogSerializer, "answer": serializers.ClarificationAnswerSerializer,
}


def stub_pdf(*args, **kwargs) -> bytes:
    return b"%PDF-1.4\n% stub\n%%EOF\n"


class CompetitionMachine(StateMachineProperties):
    event_model = CompetitionEvent
    event_object_field = "competition"

    def __init__(self):
        super().__init__()
        self.journey = None

    @initialize(start=st.sampled_from(START_STATES), variant=st.sampled_from(list(VARIANTS)))
    def build(self, start, variant):
        self.journey = Journey(**VARIANTS[variant])
        if start == State.DIALOGUE and self.journey.competition.procedure == "restricted":
            start = State.PRE_QUALIFICATION  # the restricted procedure has no dialogue
        self.journey.advance_to(start)
        self.obj = self.journey.refresh()
        self.users = {
            "commissioner": self.journey.commissioner, "procurement": self.journey.procurement, "sro": self.journey.sro,
            "evaluator": self.journey.second_evaluator, "reviewer": self.journey.reviewer,
            "outsider_commissioner": UserFactory(roles=[Role.COMMISSIONER]),
            "contract_manager": UserFactory(roles=[Role.CONTRACT_MANAGER]),
            "bid_team": UserFactory(roles=[Role.BID_TEAM]),
            "oversight": UserFactory(roles=[Role.OVERSIGHT]),
            "nobody": UserFactory(roles=[]),
        }

    def cleanup(self):
        if self.journey is not None:
            self.journey.stop_travel()

    def user(self, name):
        return fresh_user(self.users[name])

    # --- what may happen ---------------------------------------------------------------------
    def permitted(self, name, actor) -> dict:
        """The move `name` if the FSM allows it now and the actor may make it (role, commissioning side)."""
        available = self.available_moves()
        if name not in available:
            return {}
        user = self.user(actor)
        if not (user.has_role(*LIFECYCLE.roles(name)) and sees_confidential(user, self.reload())):
            return {}
        return {name: available[name]}

    # --- rules ---------------------------------------------------------------------------------
    @rule(name=st.sampled_from(NAMES), channel=st.sampled_from(CHANNELS), actor=st.sampled_from(ACTORS), version=versions,
          reason=reasons, stale_instance=st.booleans(), send_bid=st.booleans(), if_match=st.sampled_from([None, "current", '"x"', "*", "W/\"1\""]))
    def attempt_transition(self, name, channel, actor, version, reason, stale_instance, send_bid, if_match):
        self.attempt(name, channel, actor, version, reason, stale_instance, send_bid, if_match)

    def next_moves(self) -> list[str]:
        """The moves out of the current state, forward ones first (abandoning is the last resort)."""
        competition = self.reload()
        names = {t.name for t in competition.get_all_state_transitions() if t.source == competition.state}
        return sorted(names, key=lambda name: (name == "abandon", TRANSITIONS.index(name)))

    @rule(data=st.data())
    def advance(self, data):
        """Meet every condition of a next move, then attempt it as someone holding its role.

        Hypothesis orders rules by their number of arguments, then name: this one comes
        first, so the simplest examples walk the lifecycle forward.
        """
        channel = data.draw(st.sampled_from(CHANNELS), label="channel")
        version = data.draw(versions, label="version")
        reason = data.draw(reasons, label="reason")
        send_bid = data.draw(st.booleans(), label="send bid")
        following = self.next_moves()
        if not following:
            return
        name = data.draw(st.sampled_from(following), label="move")
        for code in self.journey.codes(name):
            if code not in self.journey.satisfied:
                self.satisfy(code)
                self.check_step()
        holders = [a for a in ACTORS if self.user(a).has_role(*LIFECYCLE.roles(name))]
        actor = data.draw(st.sampled_from(holders or ACTORS), label="actor")
        self.attempt(name, channel, actor, version, reason, False, send_bid, None)

    def attempt(self, name, channel, actor, version, reason, stale_instance, send_bid, if_match):
        if channel == "service" and (name not in TRANSITIONS or isinstance(version, str) and version not in ("current", "previous", "absent")):
            channel = "api"  # services are called by code with real names and integer versions
        current = self.reload()
        permitted = self.permitted(name, actor) if name in TRANSITIONS else {}
        stale_instance = stale_instance and self.stale is not None
        fresh = version_is_fresh(version, channel) and not (channel == "service" and stale_instance and self.stale.state != current.state)
        if channel == "api" and if_match is not None:
            fresh = if_match in ("current", "*")  # If-Match wins over the body's version
        reason_ok = text_is_valid(reason) if name == "abandon" else True
        must_move = permitted.get(name) if (permitted and fresh and reason_ok and not (name == "recommend_award" and send_bid)) else None
        step = self.begin_step(f"{name} via {channel}", channel=channel, actor=actor, permitted=permitted, must_move_to=must_move)
        sent_version = version_value(version, current.version)
        user = self.user(actor)
        extra = {}
        if name == "abandon":
            extra["reason"] = reason
        if name == "recommend_award" and send_bid:
            extra["bid"] = Bid.objects.filter(competition=current).order_by("pk").first()
            extra["rationale"] = reason
        if channel == "service":
            competition = self.stale if stale_instance else current
            self.service(LIFECYCLE.services[name], competition=competition, actor=user, expected_version=sent_version, **extra)
        elif channel == "page":
            data = {k: (v.pk if isinstance(v, Bid) else v) for k, v in extra.items() if v is not None}
            if sent_version is not None:
                data["version"] = str(sent_version)
            self.page(user, "post", f"/competitions/{current.pk}/transitions/{name}/", data)
        else:
            body = {k: (v.pk if isinstance(v, Bid) else v) for k, v in extra.items()}
            if sent_version is not None:
                body["version"] = sent_version
            headers = {}
            if if_match is not None:
                headers["HTTP_IF_MATCH"] = self.etag_for(user, f"/api/v1/competitions/{current.pk}/") if if_match == "current" else if_match
            response = self.api(user, "post", f"/api/v1/competitions/{current.pk}/{name.replace('_', '-')}/", body, **headers)
            if response is not None and 200 <= response.status_code < 300:
                step.succeeded_transition = True

    @rule(data=st.data())
    def meet_a_condition(self, data):
        """Meet one guard condition the way its users would (Journey.satisfy), preferring the next moves'."""
        codes = [code for name in self.next_moves() for code in self.journey.codes(name) if code not in self.journey.satisfied]
        if not codes:
            every = [c.code for conditions in guards.GUARDS.values() for c in conditions]
            codes = [code for code in every if code not in self.journey.satisfied]
        if not codes:
            return
        self.satisfy(data.draw(st.sampled_from(list(dict.fromkeys(codes))), label="condition"))

    def satisfy(self, code):
        competition = self.reload()
        self.begin_step(f"satisfy {code}")
        # Journey's own helpers assume an order: skip what they cannot yet do (a test helper's limits, not the app's).
        bids = list(Bid.objects.filter(competition=competition))
        if code == "deadline_passed" and (competition.bid_deadline is None or not 2000 < competition.bid_deadline.year < 2100):
            return  # Journey travels to the day after the deadline: not to year 1 or 9999, where garbage may have put it
        if code == "standstill_elapsed" and competition.standstill_ends_on is None:
            return
        if code == "compliance" and (not bids or any(b.tender_price is None for b in bids)):
            return
        self.service(self.journey.satisfy, code)
        self.obj = self.journey.refresh()

    @rule(where=st.sampled_from(["record form", "api", "read"]), actor=st.sampled_from(ACTORS), data=st.data())
    def send_garbage(self, where, actor, data):
        """Garbage to a record form or an API endpoint, or a read of a page, a form or the API."""
        if where == "record form":
            self.post_garbage_to_a_record_form(data.draw(st.sampled_from([*views.RECORD_ACTIONS, "edit", "nonsense"]), label="kind"), actor, data)
        elif where == "api":
            self.post_garbage_to_the_api(data.draw(st.sampled_from(list(API_SERIALIZERS)), label="endpoint"), actor, data)
        else:
            where = data.draw(st.sampled_from(["page", "api", "edit", "transition form"]), label="read")
            self.read(actor, where, data.draw(st.sampled_from(TRANSITIONS), label="transition"))

    def post_garbage_to_a_record_form(self, kind, actor, data):
        competition = self.reload()
        action = views.RECORD_ACTIONS.get(kind)
        url = f"/competitions/{competition.pk}/records/{kind}/"
        if action and action.target:
            targets = competition_selectors.record_targets(competition, action.target)  # what the record view looks targets up in
            ids = list(targets.values_list("pk", flat=True)) + [999999999, 2**62, 2**64]
            url += f"{data.draw(st.sampled_from(ids), label='target')}/"
        if kind == "edit":
            url, form_body = f"/competitions/{competition.pk}/edit/", form_data(competition_forms.CompetitionGovernanceForm(), data)
        else:
            form_body = form_data(action.form(competition, None), data) if action else {"x": "y"}
        self.begin_step(f"garbage to record form {kind}", channel="page", actor=actor)
        self.page(self.user(actor), "post", url, form_body)

    def post_garbage_to_the_api(self, endpoint, actor, data):
        competition = self.reload()
        ids = [competition.pk, *Bid.objects.filter(competition=competition).values_list("pk", flat=True)]
        ids += [*Organisation.objects.order_by("pk").values_list("pk", flat=True)[:3], *(u.pk for u in self.users.values())]
        body = api_body(API_SERIALIZERS[endpoint], ids, data)
        if endpoint != "competition" and data.draw(st.booleans(), label="own competition"):
            body["competition"] = competition.pk
        self.begin_step(f"garbage to API {endpoint}", channel="api", actor=actor)
        user = self.user(actor)
        if endpoint == "competition":
            self.api(user, "patch", f"/api/v1/competitions/{competition.pk}/", body)
        elif endpoint == "answer":
            ids = list(Clarification.objects.filter(competition=competition).values_list("pk", flat=True)) or [999999999]
            self.api(user, "post", f"/api/v1/clarifications/{data.draw(st.sampled_from(ids), label='clarification')}/answer/", body)
        else:
            self.api(user, "post", f"/api/v1/{endpoint}/", body)

    def read(self, actor, where, name):
        """Every state renders for everyone: the page, its forms and the API detail."""
        competition = self.reload()
        self.begin_step(f"read {where}", channel="page" if where != "api" else "api", actor=actor)
        user = self.user(actor)
        url = {
            "page": reverse("competitions:detail", args=[competition.pk]), "api": f"/api/v1/competitions/{competition.pk}/",
            "edit": reverse("competitions:edit", args=[competition.pk]),
            "transition form": reverse("competitions:transition", args=[competition.pk, name]),
        }[where]
        (self.api if where == "api" else self.page)(user, "get", url)

    # --- the guards of the current state that nothing undoes -----------------------------------------
    def guard_problems(self, competition: Competition) -> list[str]:
        problems = []
        state = competition.state
        if state in AFTER_RECOMMENDATION and not AwardRecommendation.objects.filter(competition=competition).exists():
            problems.append(f"{state} without an award recommendation")
        if state in AFTER_STANDSTILL and competition.standstill_ends_on is None:
            problems.append(f"{state} without a standstill period")
        if state in AFTER_AWARD and not Agreement.objects.filter(competition=competition).exists():
            problems.append(f"{state} without the agreement the award creates")
        if state == State.ABANDONED and not competition.abandoned_reason.strip():
            problems.append("abandoned without a reason")
        # Abandoning counts as launched whether or not bidders ever knew of it, so it is left out.
        if competition.is_launched and state != State.ABANDONED and competition.regime == "2023" and not Notice.objects.filter(competition=competition, notice_type="UK4").exists():
            problems.append(f"{state} under the 2023 Act without a UK4 tender notice")
        if state == State.CLOSED and not hasattr(Competition.objects.get(pk=competition.pk), "benefits_report"):
            problems.append("closed without the SRO's benefits report")
        return problems


@pytest.mark.django_db
def test_competition_state_machine(monkeypatch):
    monkeypatch.setattr("competitions.services.render_pdf", stub_pdf)
    run_state_machine_as_test(CompetitionMachine, settings=MACHINE_SETTINGS)
