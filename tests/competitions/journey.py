"""Walk a competition through its lifecycle with the services, as its users would.

Each guard condition has a way to be met (`SATISFY`), and a few conditions that
hold by default have a way to be broken (`BREAK`), so a test can bring a
competition to any state with every condition met except the one it names.
"""

import datetime
from decimal import Decimal

import time_machine
from django.utils import timezone

from boards.models import Matter
from competitions.machine import LIFECYCLE
from competitions import guards, services
from competitions.evaluation import rank_bids, tied_for_first
from competitions.models import Bid, BusinessCase, Competition, CostAdjustment, EvaluationCriterion, ModeratedScore
from core.models import Organisation, OrganisationType, Sector, ServiceArea
from core.roles import Role
from ethical_walls import services as wall_services
from scenarios import drivers
from tests.core.factories import UserFactory

# The happy path, in order, and where each step leaves from on it (tenders are invited after dialogue):
# the lifecycle's own declaration.
PATH = drivers.FORWARD
SOURCE_STATE = {name: source if isinstance(source := LIFECYCLE.step(name).source, str) else source[-1] for name in PATH}


class Journey:
    def __init__(self, *, regime="2023", procedure="competitive_flexible", major=True, public_bid=True, award_basis="meat"):
        self.commissioner = UserFactory(roles=[Role.COMMISSIONER])
        self.sro = UserFactory(roles=[Role.SRO])
        self.procurement = UserFactory(roles=[Role.PROCUREMENT])
        self.second_evaluator = UserFactory(roles=[Role.COMMISSIONER])
        self.reviewer = UserFactory(roles=[Role.GATEWAY_REVIEWER])
        self.service_area, _ = ServiceArea.objects.get_or_create(name="Prison operation")
        self.private_bidder, _ = Organisation.objects.get_or_create(
            name="Serco Justice Services", defaults={"sector": Sector.PRIVATE, "organisation_type": OrganisationType.COMPANY}
        )
        self.public_bidder, _ = Organisation.objects.get_or_create(
            name="HMPS Business Development Group",
            defaults={"sector": Sector.PUBLIC, "organisation_type": OrganisationType.BUSINESS_UNIT, "is_crown_body": True},
        )
        self.competition = services.competition_create(
            actor=self.commissioner, title="HMP Birmingham operation", service_area=self.service_area,
            estimated_value=Decimal("250000000"), regime=regime, procedure=procedure, award_basis=award_basis,
            is_major_project=major, public_sector_bid_possible=public_bid,
        )
        # The commissioning side: each declares, then the lead commissioner adds them.
        for user, role in [(self.procurement, "procurement"), (self.second_evaluator, "evaluator"), (self.reviewer, "gateway_reviewer")]:
            self.join(user, role)
        self.satisfied: set[str] = set()

    def join(self, user, role, *, side="commissioning", bid=None, actor=None):
        return drivers.join(self.refresh(), user, role, side=side, bid=bid,
                            actor=actor or (self.commissioner if side == "commissioning" else self.procurement))

    # --- helpers ------------------------------------------------------------------------------
    def refresh(self) -> Competition:
        self.competition = Competition.objects.get(pk=self.competition.pk)
        return self.competition

    def bids(self):
        return list(Bid.objects.filter(competition=self.competition).order_by("bidder__name"))

    def review(self, gate, confidence="amber", review_type="gateway"):
        return services.gateway_review_record(
            actor=self.reviewer, competition=self.refresh(), gate=gate, held_on=timezone.localdate(),
            review_team="A. Reviewer\nB. Reviewer", delivery_confidence=confidence, review_type=review_type,
        )

    def update(self, **changes):
        return services.competition_update(competition=self.refresh(), actor=self.commissioner, **changes)

    def run(self, transition, **kwargs):
        actor = {
            "start_pre_procurement": self.commissioner, "start_mobilisation": self.commissioner,
            "go_live": self.commissioner, "close": self.sro, "abandon": self.commissioner,
        }.get(transition, self.procurement)
        return drivers.move(self.competition, transition, actor, **kwargs)

    # --- meeting each condition ---------------------------------------------------------------
    def satisfy(self, code):
        getattr(self, f"_satisfy_{code}", lambda: None)()
        self.satisfied.add(code)

    def board_members(self, matter):
        return [self.reviewer] if matter == Matter.STARTING_GATE else [self.commissioner, self.procurement, self.second_evaluator]

    def board_meeting(self, matter):
        """Today's meeting of the body that owns `matter` (scenarios.drivers.board_meeting)."""
        return drivers.board_meeting(matter, self.commissioner, members=self.board_members(matter))

    def decide(self, matter, outcome="approved", **kwargs):
        """The body that owns `matter` decides on the competition at a meeting today (scenarios.drivers.board_decide)."""
        return drivers.board_decide(self.refresh(), matter, self.commissioner, members=self.board_members(matter), outcome=outcome, **kwargs)

    def _satisfy_mandate(self):
        self.update(mandate="Compete the operation of HMP Birmingham (competition strategy 2011).")
        self.decide(Matter.MANDATE)

    def _satisfy_starting_gate(self):
        self.decide(Matter.STARTING_GATE)

    def _satisfy_decision_to_compete(self):
        self.decide(Matter.COMPETE)

    def _satisfy_award_approval(self):
        self.decide(Matter.AWARD)

    def _satisfy_sro(self):
        wall_services.conflict_declare(competition=self.refresh(), actor=self.sro, nature="nil")
        self.update(sro=self.sro, sro_appointed_on=timezone.localdate())

    def _satisfy_outline_business_case(self):
        case = services.business_case_record(competition=self.refresh(), actor=self.sro, kind=BusinessCase.Kind.OUTLINE, summary="Outcomes, benefits, costs.")
        services.business_case_approve(business_case=case, actor=self.sro)

    def _satisfy_procurement_strategy(self):
        services.procurement_strategy_record(competition=self.refresh(), actor=self.procurement, route="Competitive flexible procedure", lots="Lot 1: HMP Birmingham")

    def _satisfy_gate_2(self):
        self.review(2)

    def _satisfy_tap_outline(self):
        services.treasury_approval_record(competition=self.refresh(), actor=self.sro, stage="outline", reference="TAP-OBC-1", approved_on=timezone.localdate())

    def _satisfy_criteria(self):
        if self.competition.award_basis == "lowest_price":
            return
        services.criterion_add(competition=self.refresh(), actor=self.procurement, name="Quality of delivery", kind="quality", weight=Decimal(40))
        services.criterion_add(competition=self.refresh(), actor=self.procurement, name="Rehabilitation outcomes", kind="quality", weight=Decimal(20))
        services.criterion_add(competition=self.refresh(), actor=self.procurement, name="Price", kind="price", weight=Decimal(40))
        self.decide(Matter.CRITERIA)

    def _satisfy_principles_of_competition(self):
        self.update(principles_of_competition_published_on=timezone.localdate())

    def _satisfy_ethical_wall(self):
        wall_services.wall_establish(competition=self.refresh(), actor=self.sro, arrangements="Separate teams, buildings and systems.")

    def _satisfy_conflicts_assessment(self):
        wall_services.conflicts_assessment_complete(competition=self.refresh(), actor=self.sro, summary="All declarations assessed.")

    def _satisfy_prequalified_bidder(self):
        for bidder in (self.private_bidder, self.public_bidder):
            bid = services.bid_register(competition=self.refresh(), actor=self.procurement, bidder=bidder)
            services.bid_prequalify(bid=bid, actor=self.procurement, passed=True, reasons="Meets the minimum criteria.")

    def _satisfy_bid_deadline(self):
        # Clear of every minimum period (s.54; PCR 2006 regs 16 and 18) and after requests to participate close.
        self.update(bid_deadline=timezone.now() + datetime.timedelta(days=80))

    def _satisfy_tendering_period(self):
        if self.refresh().bid_deadline is None and self.competition.procedure == "open":
            self._satisfy_bid_deadline()  # the open procedure's deadline is set before launch

    def _satisfy_participation_period(self):
        self.update(participation_deadline=timezone.now() + datetime.timedelta(days=36))

    def _satisfy_tenders(self):
        for bid, price in zip(self.bids(), [Decimal("240000000"), Decimal("230000000")]):
            services.bid_submit_tender(bid=bid, actor=self.procurement, price=price)

    def _satisfy_deadline_passed(self):
        self.travel_to(timezone.localtime(self.refresh().bid_deadline).date() + datetime.timedelta(days=1))

    def _satisfy_tender_box(self):
        """Two different procurement officers open the box of the round now closing, when tenders were sealed in it."""
        round = "bafo" if self.refresh().state == "bafo" else "tender"
        if not self.competition.sealed_tenders.filter(round=round, opened_at__isnull=True).exists():
            return  # nothing sealed: the condition holds
        if not hasattr(self, "second_officer"):
            self.second_officer = UserFactory(roles=[Role.PROCUREMENT])
            self.join(self.second_officer, "procurement")
        for officer in (self.procurement, self.second_officer):
            services.tender_box_open(competition=self.refresh(), actor=officer, round=round)

    def _satisfy_compliance(self):
        for bid in self.bids():
            services.bid_submit_bafo(bid=bid, actor=self.procurement, price=bid.tender_price - Decimal("5000000"))
            services.bid_record_compliance(bid=bid, actor=self.procurement, compliant=True)

    def _satisfy_scoring(self):
        quality = EvaluationCriterion.objects.filter(competition=self.competition, kind="quality")
        for bid, marks in zip(self.bids(), [(7, 6), (8, 5)]):
            services.cost_adjustment_record(bid=bid, actor=self.procurement, heading="pensions", amount=Decimal("3000000"), rationale="Employer pension contributions.") if bid.is_public_sector else None
            for criterion, mark in zip(quality, marks):
                for evaluator in (self.procurement, self.second_evaluator):
                    services.score_record(bid=bid, criterion=criterion, actor=evaluator, score=mark, rationale="Evidence in section 3.")
                services.score_moderate(bid=bid, criterion=criterion, actor=self.procurement, score=mark, notes="Consensus.")

    def tie_for_first(self):
        """Make the two bids' totals exactly equal: the same marks and the same adjusted price."""
        ModeratedScore.objects.filter(bid__competition=self.competition).update(score=7)
        CostAdjustment.objects.filter(bid__competition=self.competition).delete()
        Bid.objects.filter(competition=self.competition).update(bafo_price=Decimal("230000000"))

    def _satisfy_tie_broken(self):
        tied = tied_for_first(rank_bids(self.refresh()))
        if tied:
            services.tie_break_record(competition=self.refresh(), actor=self.procurement, bid=tied[-1].bid,
                                      method="Highest score on quality of delivery", reason="Equal on every criterion; chosen for the test.")

    def _satisfy_full_business_case(self):
        case = services.business_case_record(competition=self.refresh(), actor=self.sro, kind=BusinessCase.Kind.FULL, summary="As determined by the winning bid.")
        services.business_case_approve(business_case=case, actor=self.sro)

    def _satisfy_gate_3(self):
        self.review(3)

    def _satisfy_tap_full(self):
        services.treasury_approval_record(competition=self.refresh(), actor=self.sro, stage="full", reference="TAP-FBC-1", approved_on=timezone.localdate())

    def _satisfy_debriefs(self):
        services.debrief_letters_issue(competition=self.refresh(), actor=self.procurement)

    def _satisfy_standstill_elapsed(self):
        self.travel_to(self.refresh().standstill_ends_on + datetime.timedelta(days=1))

    def _satisfy_gate_4(self):
        self.review(4, "green")

    def _agreement(self):
        from contracts.models import Agreement

        return Agreement.objects.filter(competition=self.competition).first()  # none before award: nothing to mobilise yet

    def _satisfy_mobilisation_plan(self):
        from contracts import mobilisation

        if self._agreement() is not None and not self._agreement().milestones.exists():
            mobilisation.mobilisation_plan_draw_up(agreement=self._agreement(), actor=self.procurement)

    def _satisfy_mobilisation(self):
        if self._agreement() is not None:
            drivers.complete_mobilisation(self._agreement(), self.procurement)

    def _satisfy_gate_5(self):
        self.review(5, "green")

    def _satisfy_benefits_report(self):
        services.benefits_report_submit(competition=self.refresh(), actor=self.sro, summary="Savings of 12% and improved outcomes.")

    def travel_to(self, day: datetime.date):
        traveller = time_machine.travel(datetime.datetime.combine(day, datetime.time(10, 0), tzinfo=datetime.UTC), tick=True)
        traveller.start()
        self._travellers = getattr(self, "_travellers", []) + [traveller]

    def stop_travel(self):
        for traveller in reversed(getattr(self, "_travellers", [])):
            traveller.stop()
        self._travellers = []

    # --- getting somewhere ----------------------------------------------------------------------
    def codes(self, transition):
        return [c.code for c in guards.GUARDS[transition] if c.applies(self.refresh())]

    def prepare(self, transition, *, leave_out=None):
        for code in self.codes(transition):
            if code != leave_out and code not in self.satisfied:
                self.satisfy(code)

    def advance_to(self, state):
        """Take the competition along the happy path until it is in `state`."""
        for transition in PATH:
            current = self.refresh().state
            if current == state:
                return self.competition
            if transition == "open_dialogue" and self.competition.procedure not in ("competitive_dialogue", "competitive_flexible"):
                continue  # straight to tender where the procedure has no dialogue
            if not drivers.leaves(transition, current):
                continue  # already past this move
            self.prepare(transition)
            self.run(transition)
        assert self.refresh().state == state
        return self.competition
