"""The agreement (contract / SLA) state machine under random transitions, form posts and API calls (SPEC §5).

Each example creates an agreement through the services (a framework call-off, so its
guards are the agreement's own), takes it to a drawn starting state, then takes random
steps: a transition (allowed here or not) through the service, the page or the API, as
any of nine people, with a current, stale or garbage version and any reason; issuing
and closing rectification notices (the moves into and out of rectification); the nightly
expiry, on the day or after the end date; meeting a guard condition (dates, measures,
KPIs, a contract manager, a Notice of Change) or breaking one; garbage posted to a
record form or the API; and reads. The invariants are in `tests.properties.helpers`.
"""

import datetime
from decimal import Decimal

import pytest
import time_machine
from dateutil.relativedelta import relativedelta
from django.urls import reverse
from django.utils import timezone
from hypothesis import strategies as st
from hypothesis.stateful import initialize, rule, run_state_machine_as_test

from contracts import selectors, services, views
from contracts.api import serializers as contract_serializers
from contracts.models import (
    RUNNING,
    Agreement,
    AgreementEvent,
    AgreementState,
    AgreementVersion,
    Measure,
    NoticeOfChange,
    RectificationNotice,
)
from core.models import Organisation, OrganisationType, Sector, ServiceArea
from core.roles import Role
from cycle.models import Outcome
from tests.core.factories import UserFactory
from scenarios.drivers import agree_exit_plan, complete_mobilisation
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

START_STATES = [AgreementState.DRAFT, AgreementState.MOBILISING, AgreementState.LIVE, AgreementState.UNDER_RECTIFICATION]
ACTORS = ["procurement", "manager", "other_manager", "commissioner", "oversight", "sro", "commissioner_in_bid_team", "bid_team", "nobody"]
ROLES = {  # who may make each move: the services' require_role (SPEC §1)
    "mobilise": services.MANAGERS, "go_live": services.MANAGERS, "terminate": (Role.PROCUREMENT,), "decommission": (Role.COMMISSIONER,),
    "start_rectification": services.MANAGERS, "end_rectification": services.MANAGERS,
}
SERVICES = {
    "mobilise": services.agreement_mobilise, "go_live": services.agreement_go_live,
    "terminate": services.agreement_terminate, "decommission": services.agreement_decommission,
}
NEEDS_REASON = {"terminate", "decommission"}
NAMES = [*SERVICES, "start_rectification", "end_rectification", "expire", "explode"]
CONDITIONS = ["dates", "measures", "kpis", "contract_manager", "no_contract_manager", "mobilisation", "exit_plan", "notice_of_change", "end_date_passed"]
ENDED = {AgreementState.TERMINATED, AgreementState.EXPIRED, AgreementState.DECOMMISSIONED}
HAS_BEEN_LIVE = {AgreementState.LIVE, AgreementState.UNDER_RECTIFICATION, *ENDED}
DEADLINES = ["in a month", "today", "last year", "31/02/2030", "", "9999-12-31", "10000-01-01"]
API_SERIALIZERS = {
    "agreement": contract_serializers.AgreementUpdateSerializer, "measures": contract_serializers.MeasureCreateSerializer,
    "returns": contract_serializers.ReturnSubmitSerializer, "notices-of-change": contract_serializers.NoticeOfChangeIssueSerializer,
    "rectification-notices": contract_serializers.RectificationNoticeIssueSerializer,
}


def shifted(day: datetime.date, **delta):
    """The day moved by a relativedelta, or None past the end of the calendar (where garbage input may have put it)."""
    try:
        return day + relativedelta(**delta)
    except (OverflowError, ValueError):
        return None


def deadline_value(choice: str):
    today = timezone.localdate()
    return {"in a month": today + datetime.timedelta(days=30), "today": today, "last year": today - datetime.timedelta(days=365)}.get(choice, choice)


class AgreementMachine(StateMachineProperties):
    event_model = AgreementEvent
    event_object_field = "agreement"

    def __init__(self):
        super().__init__()
        self.travellers = []

    @initialize(start=st.sampled_from(START_STATES), months=st.sampled_from([24, 13]))
    def build(self, start, months):
        self.users = {
            "procurement": UserFactory(roles=[Role.PROCUREMENT]), "manager": UserFactory(roles=[Role.CONTRACT_MANAGER]),
            "other_manager": UserFactory(roles=[Role.CONTRACT_MANAGER]), "commissioner": UserFactory(roles=[Role.COMMISSIONER]),
            "oversight": UserFactory(roles=[Role.OVERSIGHT]), "sro": UserFactory(roles=[Role.SRO]),
            "commissioner_in_bid_team": UserFactory(roles=[Role.COMMISSIONER, Role.BID_TEAM]),
            "bid_team": UserFactory(roles=[Role.BID_TEAM]), "nobody": UserFactory(roles=[]),
        }
        provider, _ = Organisation.objects.get_or_create(name="Nacro", defaults={"sector": Sector.VCSE, "organisation_type": OrganisationType.CHARITY})
        area, _ = ServiceArea.objects.get_or_create(name="Resettlement")
        starts = timezone.localdate().replace(day=1) - relativedelta(months=12)
        self.obj = services.agreement_create(
            actor=self.users["procurement"], reference="FW-001", title="Resettlement support", provider=provider, service_area=area,
            value=Decimal("1200000"), route="framework", start_date=starts, end_date=starts + relativedelta(months=months),
        )
        procurement, manager = self.users["procurement"], self.users["manager"]
        if start != AgreementState.DRAFT:
            services.agreement_mobilise(agreement=self.reload(), actor=procurement)
        if start in (AgreementState.LIVE, AgreementState.UNDER_RECTIFICATION):
            self.meet("contract_manager")
            self.meet("measures")
            self.meet("mobilisation")
            services.agreement_go_live(agreement=self.reload(), actor=procurement)
        if start == AgreementState.UNDER_RECTIFICATION:
            services.rectification_notice_issue(agreement=self.reload(), actor=manager, failings="Returns late", deadline=deadline_value("in a month"))

    def cleanup(self):
        for traveller in reversed(self.travellers):
            traveller.stop()

    def user(self, name):
        return fresh_user(self.users[name])

    def may(self, move, actor) -> bool:
        # The role, on the commissioning side of the wall: pages and the API do not even find the
        # agreement for anyone else, and the services refuse them.
        user = self.user(actor)
        return user.has_role(*ROLES[move]) and selectors.sees_agreements(user)

    # --- conditions ----------------------------------------------------------------------------------
    def meet(self, code):
        procurement = self.user("procurement")
        agreement = self.reload()
        outcome = Outcome.objects.filter(level=Outcome.Level.SERVICE).order_by("id").first()
        if code == "dates":
            start = agreement.start_date or timezone.localdate()
            if shifted(start, months=24):
                services.agreement_update(agreement=agreement, actor=procurement, start_date=start, end_date=shifted(start, months=24))
        elif code == "measures":
            services.measure_add(agreement=agreement, actor=procurement, name=f"Accommodation on release {Measure.objects.count()}",
                                 target=Decimal("90"), tolerance=Decimal("5"), outcome=outcome)
        elif code == "kpis":
            for n in range(3):
                services.measure_add(agreement=self.reload(), actor=procurement, name=f"KPI {n}", target=Decimal("80"), outcome=outcome, is_kpi=True)
        elif code == "contract_manager":
            services.agreement_update(agreement=agreement, actor=procurement, contract_manager=self.user("manager"))
        elif code == "no_contract_manager":
            services.agreement_update(agreement=agreement, actor=procurement, contract_manager=None)
        elif code == "mobilisation":
            complete_mobilisation(agreement, procurement)
        elif code == "exit_plan":
            agree_exit_plan(agreement, procurement, self.user("commissioner"))
        elif code == "notice_of_change" and shifted(agreement.end_date or timezone.localdate(), months=12):
            services.notice_of_change_issue(agreement=agreement, actor=procurement, summary="Extension for a year", material=False,
                                            changes={"end_date": shifted(agreement.end_date or timezone.localdate(), months=12)})
        elif code == "end_date_passed" and agreement.end_date is not None and timezone.localdate() <= agreement.end_date < datetime.date(2100, 1, 1):
            # Forward in time only, and not to the end of the calendar where garbage terms may have put the end date.
            day_after = datetime.datetime.combine(shifted(agreement.end_date, days=1), datetime.time(9), tzinfo=datetime.UTC)
            traveller = time_machine.travel(day_after, tick=True)
            traveller.start()
            self.travellers.append(traveller)

    # --- rules ------------------------------------------------------------------------------------
    @rule(data=st.data())
    def advance(self, data):
        """Meet a next move's conditions and take it as someone who may.

        Hypothesis orders rules by their number of arguments, then name: this one comes first.
        """
        agreement = self.reload()
        following = sorted({t.name for t in agreement.get_all_state_transitions() if t.source == agreement.state} & set(SERVICES),
                           key=list(SERVICES).index)
        if not following:
            return
        name = data.draw(st.sampled_from(following), label="move")
        for code in {"mobilise": ["dates"], "go_live": ["contract_manager", "measures", "mobilisation"]}.get(name, []):
            self.begin_step(f"meet {code}")
            self.service(self.meet, code)
            self.check_step()
        actor = data.draw(st.sampled_from([a for a in ACTORS if self.may(name, a)]), label="actor")
        self.attempt(name, data.draw(st.sampled_from(CHANNELS), label="channel"), actor, data.draw(versions, label="version"),
                     data.draw(reasons, label="reason"), False)

    @rule(name=st.sampled_from(NAMES), channel=st.sampled_from(CHANNELS), actor=st.sampled_from(ACTORS), version=versions,
          reason=reasons, stale_instance=st.booleans())
    def attempt_transition(self, name, channel, actor, version, reason, stale_instance):
        self.attempt(name, channel, actor, version, reason, stale_instance)

    def attempt(self, name, channel, actor, version, reason, stale_instance):
        if channel == "service" and (name not in SERVICES or isinstance(version, str) and version not in ("current", "previous", "absent")):
            channel = "api"  # services are called by code, with real names and integer versions
        current = self.reload()
        available = self.available_moves()
        permitted = {name: available[name]} if name in SERVICES and name in available and self.may(name, actor) else {}
        stale_instance = stale_instance and channel == "service" and self.stale is not None
        fresh = version_is_fresh(version, channel) and not (stale_instance and self.stale.state != current.state)
        valid = text_is_valid(reason) if name in NEEDS_REASON else True
        must_move = permitted.get(name) if (permitted and fresh and valid) else None
        step = self.begin_step(f"{name} via {channel}", channel=channel, actor=actor, permitted=permitted, must_move_to=must_move)
        sent = version_value(version, current.version)
        user = self.user(actor)
        extra = {"reason": reason} if name in NEEDS_REASON else {}
        if channel == "service":
            agreement = self.stale if stale_instance else current
            self.service(SERVICES[name], agreement=agreement, actor=user, expected_version=sent, **extra)
            return
        data = dict(extra)
        if sent is not None:
            data["version"] = sent if channel == "api" else str(sent)
        if channel == "page":
            self.page(user, "post", f"/contracts/{current.pk}/transitions/{name}/", data)
        else:
            response = self.api(user, "post", f"/api/v1/agreements/{current.pk}/{name.replace('_', '-')}/", data)
            if response is not None and 200 <= response.status_code < 300:
                step.succeeded_transition = True

    @rule(channel=st.sampled_from(CHANNELS), actor=st.sampled_from(ACTORS), failings=reasons, deadline=st.sampled_from(DEADLINES))
    def issue_a_rectification_notice(self, channel, actor, failings, deadline):
        """Issuing a notice puts a live agreement under rectification (a further one follows a failed one)."""
        agreement = self.reload()
        if channel == "service" and isinstance(deadline_value(deadline), str):
            channel = "api"
        permitted = {}
        if agreement.state == AgreementState.LIVE and self.may("start_rectification", actor):
            permitted = {"start_rectification": AgreementState.UNDER_RECTIFICATION}
        no_open = not agreement.rectification_notices.filter(status=RectificationNotice.Status.OPEN).exists()
        valid = text_is_valid(failings) and deadline == "in a month" and no_open
        self.begin_step(f"rectification notice via {channel}", channel=channel, actor=actor, permitted=permitted,
                        must_move_to=AgreementState.UNDER_RECTIFICATION if permitted and valid else None)
        user, when = self.user(actor), deadline_value(deadline)
        if channel == "service":
            self.service(services.rectification_notice_issue, agreement=agreement, actor=user, failings=failings, deadline=when)
        elif channel == "page":
            self.page(user, "post", f"/contracts/{agreement.pk}/records/rectification-notice/", {"failings": failings, "deadline": str(when)})
        else:
            self.api(user, "post", "/api/v1/rectification-notices/", {"agreement": agreement.pk, "failings": failings, "deadline": str(when)})

    @rule(channel=st.sampled_from(CHANNELS), actor=st.sampled_from(ACTORS), satisfied=st.sampled_from([True, False, "yes", "no", "maybe", None]),
          which=st.sampled_from(["open", "latest", "made up"]))
    def close_a_rectification_notice(self, channel, actor, satisfied, which):
        """Closing the open notice as satisfied returns the agreement to live."""
        agreement = self.reload()
        notices = RectificationNotice.objects.filter(agreement=agreement)
        notice = {"open": notices.filter(status=RectificationNotice.Status.OPEN).first(), "latest": notices.order_by("-id").first()}.get(which)
        if channel == "service" and (notice is None or not isinstance(satisfied, bool)):
            channel = "api"
        is_satisfied = satisfied is True or (channel != "service" and satisfied == "yes")  # DRF's BooleanField takes "yes" too
        permitted = {}
        if (agreement.state == AgreementState.UNDER_RECTIFICATION and notice is not None and notice.status == RectificationNotice.Status.OPEN
                and self.may("end_rectification", actor) and is_satisfied):
            permitted = {"end_rectification": AgreementState.LIVE}
        self.begin_step(f"close rectification notice ({which}, {satisfied!r}) via {channel}", channel=channel, actor=actor,
                        permitted=permitted, must_move_to=AgreementState.LIVE if permitted else None)
        user, pk = self.user(actor), notice.pk if notice else 999999999
        page_value = {True: "yes", False: "no", None: ""}.get(satisfied, satisfied) if not isinstance(satisfied, str) else satisfied
        if channel == "service":
            self.service(services.rectification_notice_close, notice=notice, actor=user, satisfied=satisfied)
        elif channel == "page":
            self.page(user, "post", f"/contracts/{agreement.pk}/records/close-rectification/{pk}/", {"satisfied": page_value})
        else:
            self.api(user, "post", f"/api/v1/rectification-notices/{pk}/close/", {"satisfied": satisfied})

    @rule(after_the_end=st.booleans())
    def run_the_nightly_expiry(self, after_the_end):
        """The nightly task expires every running agreement whose end date has passed."""
        agreement = self.reload()
        if after_the_end:
            self.meet("end_date_passed")
        permitted = {}
        if agreement.state in RUNNING and agreement.end_date is not None and agreement.end_date < timezone.localdate():
            permitted = {"expire": AgreementState.EXPIRED}
        self.begin_step("nightly expiry", actor="(task)", permitted=permitted, must_move_to=permitted.get("expire"))
        self.service(services.agreements_expire_due)

    @rule(code=st.sampled_from(CONDITIONS))
    def meet_a_condition(self, code):
        self.begin_step(f"meet {code}")
        self.service(self.meet, code)

    @rule(where=st.sampled_from(["record form", "api", "read"]), actor=st.sampled_from(ACTORS), data=st.data())
    def send_garbage(self, where, actor, data):
        agreement = self.reload()
        user = self.user(actor)
        ids = [*Measure.objects.filter(agreement=agreement).values_list("pk", flat=True), agreement.pk]
        if where == "record form":
            kind = data.draw(st.sampled_from([*views.RECORD_ACTIONS, "nonsense"]), label="kind")
            action = views.RECORD_ACTIONS.get(kind)
            url = f"/contracts/{agreement.pk}/records/{kind}/"
            if action and action.target:
                model = RectificationNotice if action.target == "rectification_notice" else NoticeOfChange
                targets = list(model.objects.filter(agreement=agreement).values_list("pk", flat=True)) + [999999999, 2**62, 2**64]
                url += f"{data.draw(st.sampled_from(targets), label='target')}/"
            form = form_data(action.form(agreement=agreement, user=user), data) if action else {"x": "y"}
            if kind == "terms" and data.draw(st.booleans(), label="current version"):
                form["version"] = str(agreement.version)
            self.begin_step(f"garbage to record form {kind}", channel="page", actor=actor)
            self.page(user, "post", url, form)
        elif where == "api":
            endpoint = data.draw(st.sampled_from(list(API_SERIALIZERS)), label="endpoint")
            body = api_body(API_SERIALIZERS[endpoint], [*ids, *(u.pk for u in self.users.values())], data)
            if endpoint != "agreement" and data.draw(st.booleans(), label="own agreement"):
                body["agreement"] = agreement.pk
            self.begin_step(f"garbage to API {endpoint}", channel="api", actor=actor)
            if endpoint == "agreement":
                self.api(user, "patch", f"/api/v1/agreements/{agreement.pk}/", body)
            else:
                self.api(user, "post", f"/api/v1/{endpoint}/", body)
        else:
            page = data.draw(st.sampled_from(["detail", "api", "compare", "list", "terms form"]), label="read")
            self.begin_step(f"read {page}", channel="api" if page == "api" else "page", actor=actor)
            url = {
                "detail": reverse("contracts:detail", args=[agreement.pk]), "api": f"/api/v1/agreements/{agreement.pk}/",
                "compare": reverse("contracts:compare", args=[agreement.pk]) + "?a=1&b=99", "list": reverse("contracts:index") + "?rag=purple&state=x",
                "terms form": reverse("contracts:record", args=[agreement.pk, "terms"]),
            }[page]
            (self.api if page == "api" else self.page)(user, "get", url)

    # --- the guards of the current state that nothing undoes -------------------------------------------
    def guard_problems(self, agreement: Agreement) -> list[str]:
        problems = []
        state = agreement.state
        if state in HAS_BEEN_LIVE:
            if agreement.contract_manager_id is None:
                problems.append(f"{state} without a contract manager")
            if not Measure.objects.filter(agreement=agreement, outcome__isnull=False).exists():
                problems.append(f"{state} without a measure linked to an outcome")
            if not AgreementVersion.objects.filter(agreement=agreement, number=1).exists():
                problems.append(f"{state} without version 1 (the terms as it went live)")
        latest = RectificationNotice.objects.filter(agreement=agreement).order_by("-issued_on", "-id").first()
        if state == AgreementState.UNDER_RECTIFICATION and (latest is None or latest.status == RectificationNotice.Status.SATISFIED):
            problems.append("under rectification without an open or failed rectification notice")
        if state == AgreementState.LIVE and RectificationNotice.objects.filter(agreement=agreement, status=RectificationNotice.Status.OPEN).exists():
            problems.append("live with a rectification notice open")
        if state in ENDED and agreement.ended_on is None:
            problems.append(f"{state} without the date it ended")
        if state in (AgreementState.TERMINATED, AgreementState.DECOMMISSIONED) and not agreement.ended_reason.strip():
            problems.append(f"{state} without a reason")
        return problems


@pytest.mark.django_db
def test_agreement_state_machine():
    run_state_machine_as_test(AgreementMachine, settings=MACHINE_SETTINGS)
