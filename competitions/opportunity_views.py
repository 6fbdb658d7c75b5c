"""Bidders' pages (issue #18): opportunities, registering interest and asking questions, for suppliers' bid managers.

A bidder sees what every bidder may see of a launched competition (the tender notice's content,
the criteria as published, published answers), and of its own: its bid and its questions. Staff
have the competition pages; anyone but a bid manager gets the wall's 404 here, logged.
"""

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from competitions import forms, selectors, services, tender_box
from competitions.protected import BIDDER_ROLES
from competitions.states import State
from core.forms_utils import apply_service_errors
from ethical_walls import audit
from ethical_walls.audit import Channel
from ethical_walls.selectors import acting_organisation_id, bid_team_bid_ids, get_or_404


def _require_bid_manager(request: HttpRequest) -> None:
    """A supplier's bid manager, or a member of a crown bid's team (HMPS's bid team uses the same pages, the wall applied)."""
    if acting_organisation_id(request.user, BIDDER_ROLES) is None and not bid_team_bid_ids(request.user):
        raise audit.refuse(actor=request.user, channel=Channel.PAGE, object_type="competitions.competition", path=request.path)


def _opportunity(request: HttpRequest, pk: int):
    return get_or_404(request.user, selectors.bidder_competitions(request.user), pk=pk, channel=Channel.PAGE, path=request.path,
                      object_type="competitions.competition", competition_id=lambda: selectors.existing_competition_id(pk))


def index(request: HttpRequest) -> HttpResponse:
    _require_bid_manager(request)
    form = forms.OpportunityFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    return render(request, "competitions/opportunities.html", {
        "form": form, "opportunities": selectors.opportunity_list(user=request.user, search=filters.get("search", ""),
                                                                  service_area=filters.get("service_area")),
        "bid_in": selectors.bidder_competitions(request.user).filter(pk__in=selectors.bids_of(request.user).values("competition_id")).order_by("reference"),
    })


def _next_steps(competition, bid, now) -> list[str]:
    """What the bidder can do now, in its own words."""
    steps = []
    participation_open = competition.state == State.PRE_QUALIFICATION and (
        competition.participation_deadline is None or now <= competition.participation_deadline)
    if bid is None:
        steps.append("Register your interest to take part." if participation_open
                     else "Requests to participate have closed: this competition is no longer open to new bidders.")
    elif bid.pre_qualification == "pending" and services.unanswered_questions(bid):
        closes = f" before {tender_box.when(competition.participation_deadline)}" if competition.participation_deadline else ""
        steps.append(f"Answer the conditions-of-participation questions{closes}: MoJ Procurement decides your request on your answers.")
    elif bid.pre_qualification == "pending":
        steps.append("Your request to participate is with MoJ Procurement: you will see the outcome here.")
    elif bid.pre_qualification == "failed":
        steps.append("Your request to participate was not successful.")
    elif competition.state == State.STANDSTILL:
        ends = f" until {competition.standstill_ends_on:%d %B %Y}" if competition.standstill_ends_on else ""
        steps.append(f"The award decision is in standstill{ends}: read your debrief letter, and challenge the decision if you have grounds.")
    elif competition.state in (State.AWARDED, State.MOBILISATION, State.LIVE, State.CLOSED):
        steps.append("The contract has been awarded.")
    elif competition.state in tender_box.ROUND_OF_STATE:
        round = tender_box.ROUND_OF_STATE[competition.state]
        deadline = tender_box.deadline_of(competition, round)
        name = tender_box.DEADLINE_NAME[round]
        if deadline is None:
            steps.append(f"MoJ Procurement will set the {name}: you can submit once it is set.")
        elif now < deadline:
            steps.append(f"Submit your sealed {round.label.lower()} before {tender_box.when(deadline)}: you may replace or withdraw it until then.")
        else:
            steps.append(f"The {name} has passed: two procurement officers open the tender box together, then evaluation begins.")
    elif competition.state == State.EVALUATION:
        steps.append("Tenders are being evaluated: you will hear the outcome here and by e-mail.")
    else:
        steps.append("You passed pre-qualification: you will be invited to tender.")
    if competition.state in selectors.OPEN_TO_BIDDERS:
        steps.append("Ask MoJ Procurement a question at any time while the competition runs.")
    return steps


def detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require_bid_manager(request)
    competition = _opportunity(request, pk)
    bid = selectors.own_bid(request.user, competition)
    return render(request, "competitions/opportunity.html", {
        "competition": competition, "bid": bid, "steps": _next_steps(competition, bid, timezone.now()),
        "criteria": selectors.published_criteria(competition),
        "clarifications": selectors.clarification_queryset(request.user, confidential=False).filter(competition=competition),
        "can_register": bid is None and competition.state == State.PRE_QUALIFICATION and acting_organisation_id(request.user, BIDDER_ROLES) is not None,
        "can_ask": competition.state in selectors.OPEN_TO_BIDDERS,
        "can_challenge": bid is not None and competition.state == State.STANDSTILL,
        "challenges": selectors.own_challenges(request.user, competition),
        "receipts": tender_box.own_receipts(request.user, competition),
        "questions": list(competition.participation_questions.all()),
        "members": _members(bid, request.user),
        "shared": selectors.shared_bids(request.user).filter(competition=competition).prefetch_related("documents").first(),
        "answers": {a.question_id: a for a in bid.participation_answers.all()} if bid else {},
        "can_answer": bid is not None and bid.pre_qualification == "pending" and competition.state == State.PRE_QUALIFICATION,
        "tender_open": _tender_round_open(competition, bid),
    })


def _members(bid, user) -> list[tuple[object, bool]]:
    """The consortium's other organisations and whether the bid is shared with each, for the lead's bid managers."""
    if bid is None or acting_organisation_id(user, BIDDER_ROLES) != bid.bidder_id:
        return []
    shared = set(bid.shares.values_list("organisation_id", flat=True))
    return [(p.organisation, p.organisation_id in shared)
            for p in bid.participants.select_related("organisation").exclude(organisation_id=bid.bidder_id)]


def _tender_round_open(competition, bid) -> bool:
    round = tender_box.ROUND_OF_STATE.get(competition.state)
    deadline = tender_box.deadline_of(competition, round) if round else None
    return bid is not None and deadline is not None and timezone.now() < deadline


def _bidder_button(request: HttpRequest, pk: int, *, service: Callable[..., object], done: str) -> HttpResponse:
    """A bidder's one-button action on an opportunity: the service decides; its refusal, or `done`, is the page's message."""
    _require_bid_manager(request)
    competition = _opportunity(request, pk)
    try:
        service(competition=competition, actor=request.user)
    except ValidationError as refused:
        messages.error(request, " ".join(refused.messages))
    else:
        messages.success(request, done)
    return redirect("competitions:opportunity", pk=pk)


@require_POST
def express_interest(request: HttpRequest, pk: int) -> HttpResponse:
    return _bidder_button(request, pk, service=services.bid_express_interest,
                          done="Your interest is registered: MoJ Procurement will assess your request to participate.")


def _bidder_form(request: HttpRequest, pk: int, *, form_class: type, service: Callable[..., object], title: str, done: str) -> HttpResponse:
    """A bidder's one-form action on an opportunity (a question, a challenge): the service decides, its errors on the form."""
    _require_bid_manager(request)
    competition = _opportunity(request, pk)
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if apply_service_errors(form, lambda: service(competition=competition, actor=request.user, **form.cleaned_data)):
            messages.success(request, done)
            return redirect("competitions:opportunity", pk=pk)
    return render(request, "competitions/form.html", {
        "form": form, "title": title, "competition": competition, "back": reverse("competitions:opportunity", args=[pk]),
    })


@require_http_methods(["GET", "POST"])
def ask(request: HttpRequest, pk: int) -> HttpResponse:
    return _bidder_form(request, pk, form_class=forms.BidderQuestionForm, service=services.clarification_ask, title="Ask a question",
                        done="Your question is with MoJ Procurement.")


@require_http_methods(["GET", "POST"])
def challenge(request: HttpRequest, pk: int) -> HttpResponse:
    return _bidder_form(request, pk, form_class=forms.ChallengeGroundsForm, service=services.challenge_lodge,
                        title="Challenge the award decision", done="Your challenge is lodged: the contract will not be awarded while it is open.")


@require_http_methods(["GET", "POST"])
def tender(request: HttpRequest, pk: int) -> HttpResponse:
    """Seal a tender in the box (or replace the one sealed): the receipt follows."""
    _require_bid_manager(request)
    competition = _opportunity(request, pk)
    form = forms.SealedTenderForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        if apply_service_errors(form, lambda: services.tender_seal(competition=competition, actor=request.user, **form.cleaned_data)):
            messages.success(request, "Your tender is sealed in the tender box: keep your receipt.")
            return redirect("competitions:opportunity-receipt", pk=pk)
    round = tender_box.ROUND_OF_STATE.get(competition.state)
    return render(request, "competitions/form.html", {
        "form": form, "title": f"Submit your sealed {round.label.lower() if round else 'tender'}", "competition": competition,
        "back": reverse("competitions:opportunity", args=[pk]), "submit_label": "Seal and submit",
        "intro": "Nobody at the agency can read your tender, or see that it is yours, until the deadline has passed and two "
                 "procurement officers open the box together. Submitting again replaces everything you sent before.",
    })


@require_POST
def tender_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    return _bidder_button(request, pk, service=services.tender_withdraw,
                          done="Your tender is withdrawn: its documents are destroyed. You may submit again before the deadline.")


def receipt(request: HttpRequest, pk: int) -> HttpResponse:
    _require_bid_manager(request)
    competition = _opportunity(request, pk)
    return render(request, "competitions/tender_receipt.html", {
        "competition": competition, "receipts": tender_box.own_receipts(request.user, competition),
    })


@require_http_methods(["GET", "POST"])
def answers(request: HttpRequest, pk: int) -> HttpResponse:
    """The bidder answers the conditions-of-participation questions the competition published (and may revise them)."""
    _require_bid_manager(request)
    competition = _opportunity(request, pk)
    bid = selectors.own_bid(request.user, competition)
    questions = list(competition.participation_questions.all())
    given = {a.question_id: a.answer for a in bid.participation_answers.all()} if bid else {}
    form = forms.ParticipationAnswersForm(request.POST or None, questions=questions, answers=given)
    if request.method == "POST" and form.is_valid():
        if apply_service_errors(form, lambda: services.participation_answers_submit(competition=competition, actor=request.user, **form.cleaned_data)):
            messages.success(request, "Your answers are with MoJ Procurement: you may change them until requests to participate close.")
            return redirect("competitions:opportunity", pk=pk)
    return render(request, "competitions/form.html", {
        "form": form, "title": "Conditions of participation", "competition": competition,
        "back": reverse("competitions:opportunity", args=[pk]), "submit_label": "Send your answers",
    })


@require_POST
def share(request: HttpRequest, pk: int) -> HttpResponse:
    """The consortium's lead shares its bid with a member, or stops sharing it."""
    _require_bid_manager(request)
    competition = _opportunity(request, pk)
    bid = selectors.own_bid(request.user, competition)
    member = selectors.bid_member(bid, request.POST.get("organisation", "")) if bid else None
    if member is None:
        raise audit.refuse(actor=request.user, channel=Channel.PAGE, object_type="competitions.bidshare", path=request.path, competition_id=pk)
    stop = bool(request.POST.get("stop"))
    try:
        (services.bid_unshare if stop else services.bid_share)(bid=bid, actor=request.user, organisation=member)
    except (ValidationError, PermissionDenied) as refused:
        messages.error(request, " ".join(getattr(refused, "messages", [str(refused)])))
    else:
        messages.success(request, f"{member} can no longer read your bid." if stop else f"{member}'s bid managers can now read your bid.")
    return redirect("competitions:opportunity", pk=pk)
