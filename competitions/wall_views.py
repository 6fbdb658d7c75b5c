"""Ethical wall pages (SPEC §4): parse input, call a selector or a service, render.

The pages of each competition's wall live with the competitions (the wall itself is the
layer below and knows no competition code). Reads go through `ethical_walls.selectors`
and `competitions.selectors`, writes through `ethical_walls.services`. A record the user may not see answers 404 and
the attempt is written to the audit log, as in every other channel.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from competitions import selectors as competition_selectors
from core.pagination import page_of
from core.csv_export import csv_response
from core.forms_utils import apply_service_errors
from core.roles import Role
from core.text import lowercase_first
from ethical_walls import audit, forms, selectors, services
from ethical_walls.models import ConflictDeclaration, Membership, Side, SideRole


PAGE_SIZE = 50
BREACH_READERS = (Role.OVERSIGHT, Role.SRO)
AUDIT_READERS = (Role.OVERSIGHT,)


# --- helpers -----------------------------------------------------------------------------------

def _refuse(request, *, object_type: str, object_id="", competition_id=None):
    """A refused attempt: logged (SPEC §4 rule 6) and answered like a missing page (rule 7)."""
    raise audit.refuse(
        actor=request.user, channel=audit.Channel.PAGE, object_type=object_type, object_id=object_id,
        competition_id=competition_id, path=request.path,
    )


def _require_role(request, roles, *, object_type: str):
    if not request.user.has_role(*roles):
        _refuse(request, object_type=object_type)


def _wall_competition(request, competition_pk):
    """The competition, if the user is on its commissioning side; anyone else gets 404 (and an audit row)."""
    competition = competition_selectors.competition_get(
        user=request.user, pk=competition_pk, channel=audit.Channel.PAGE, path=request.path,
    )
    if not selectors.sees_confidential(request.user, competition):
        _refuse(request, object_type="ethical_walls.wall", object_id=competition.pk, competition_id=competition.pk)
    return competition


def _apply(request, form, call, *, competition=None):
    """Run a service; its refusals (validation, or not being allowed to) show in the form's error summary.

    Not being allowed to is a refused attempt, logged under the competition (rule 6).
    """
    try:
        return apply_service_errors(form, call)
    except PermissionDenied as refusal:
        audit.refused(
            actor=request.user, channel=audit.Channel.PAGE, object_type="ethical_walls.wall", object_id=getattr(competition, "pk", ""),
            competition_id=getattr(competition, "pk", None), path=request.path, detail=f"Refused (403): {refusal}"[:300],
        )
        form.add_error(None, str(refusal) or "You cannot do this.")
        return None


def _page(request, items):
    """One page of a list, and the query string (without `page`) for the pagination links."""
    page = page_of(request, items, PAGE_SIZE)
    page.object_list = list(page.object_list)
    query = request.GET.copy()
    query.pop("page", None)
    return page, query.urlencode()


def _name_competitions(user, events) -> None:
    """Give each audit event on a page its competition (`event.competition`), where the user may see it.

    The audit log holds bare competition ids (it outlives the records): one query for the page.
    """
    ids = {event.competition_id for event in events if event.competition_id is not None}
    visible = {c.pk: c for c in competition_selectors.competition_list(user=user).filter(pk__in=ids)} if ids else {}
    for event in events:
        event.competition = visible.get(event.competition_id)


def _form_page(request, *, form, title, back, competition=None, **extra):
    return render(request, "ethical_walls/form.html", {"form": form, "title": title, "back": back, "competition": competition, **extra})


# --- index -------------------------------------------------------------------------------------

def _index(request, declare_form):
    user = request.user
    on_commissioning_side = selectors.confidential_competition_ids(user)
    return render(request, "ethical_walls/index.html", {
        "competitions": competition_selectors.competition_list(user=user).filter(pk__in=on_commissioning_side),
        "declarations": selectors.declaration_list(user=user).filter(user=user),
        "requests": selectors.open_requests(user=user),
        "form": declare_form,
        "can_read_register": user.has_role(*selectors.REGISTER_READERS),
        "can_read_breaches": user.has_role(*BREACH_READERS),
        "can_read_audit": user.has_role(*AUDIT_READERS),
    })


@require_GET
def index(request):
    return _index(request, forms.DeclareChoiceForm(competitions=competition_selectors.declarable_competitions(user=request.user)))


@require_GET
def declare_choose(request):
    """The index's "declare your interests" form: on to the chosen competition's declaration page."""
    # Opened without a choice (a link, the address typed): the form, not an error already shown.
    form = forms.DeclareChoiceForm(request.GET or None, competitions=competition_selectors.declarable_competitions(user=request.user))
    if not form.is_valid():
        return _index(request, form)
    return redirect("ethical_walls:declare", competition_pk=form.cleaned_data["competition"].pk)


# --- one competition's wall --------------------------------------------------------------------

@require_GET
def wall(request, competition_pk):
    user = request.user
    competition = _wall_competition(request, competition_pk)
    members = list(selectors.current_members(competition).select_related("added_by").order_by("joined_at", "pk"))
    bid_sides = {}
    for member in members:
        if member.side == Side.BID:
            bid_sides.setdefault(member.bid, []).append(member)
    crown_bids = [bid for bid in competition.bids.all() if bid.bidder.is_crown_body]
    return render(request, "ethical_walls/wall.html", {
        "competition": competition,
        "wall": getattr(competition, "wall", None),  # None for a competition created before walls existed
        "commissioning_side": [m for m in members if m.side == Side.COMMISSIONING],
        # Every crown-body bid has a bid side, even before anyone is on it.
        "bid_sides": [(bid, bid_sides.get(bid, [])) for bid in crown_bids]
        + [(bid, team) for bid, team in bid_sides.items() if bid not in crown_bids],
        "former_members": selectors.former_members(competition),
        "requests": selectors.open_requests(competition=competition),
        "can_manage_commissioning_side": user.pk in (competition.lead_commissioner_id, competition.sro_id),
        "can_add_bid_members": user.has_role(Role.PROCUREMENT) and bool(crown_bids),
        "can_remove_bid_members": user.has_role(Role.PROCUREMENT),
    })


@require_http_methods(["GET", "POST"])
def commissioning_member_add(request, competition_pk):
    competition = _wall_competition(request, competition_pk)
    form = forms.CommissioningMemberForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        placed = _apply(request, form, lambda: services.wall_invite(
            competition=competition, user=form.cleaned_data["user"], role=form.cleaned_data["role"], actor=request.user,
        ), competition=competition)
        if isinstance(placed, Membership):
            messages.success(request, f"{placed.user} joined the commissioning side as {placed.get_role_display().lower()}.")
            return redirect("ethical_walls:wall", competition_pk=competition.pk)
        if placed is not None:
            messages.success(request, f"{placed.user} has been asked to declare their interests in {competition.reference}. "
                                      f"They join as {placed.get_role_display().lower()} once they have declared (and the SRO has "
                                      "assessed any conflict).")
            return redirect("ethical_walls:wall", competition_pk=competition.pk)
    return _form_page(
        request, form=form, competition=competition, title="Add a person to the commissioning side",
        back=reverse("ethical_walls:wall", args=[competition.pk]),
        intro="Everyone declares their interests before they are given access. Someone who has not declared yet is asked "
              "to, and joins once they have (and the SRO has assessed any conflict). Nobody may be on both sides.",
    )


@require_http_methods(["GET", "POST"])
def request_withdraw(request, competition_pk, request_pk):
    competition = _wall_competition(request, competition_pk)
    asked = selectors.get_or_404(
        request.user, selectors.open_requests(competition=competition), pk=request_pk, channel=audit.Channel.PAGE,
        path=request.path, object_type="ethical_walls.declarationrequest", competition_id=competition.pk,
    )
    form = forms.WithdrawRequestForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        if _apply(request, form, lambda: services.wall_request_withdraw(request=asked, actor=request.user), competition=competition):
            messages.success(request, f"The request to {asked.user} is withdrawn.")
            return redirect("ethical_walls:wall", competition_pk=competition.pk)
    return _form_page(
        request, form=form, competition=competition, title=f"Withdraw the request to {asked.user}",
        back=reverse("ethical_walls:wall", args=[competition.pk]), submit="Withdraw",
        intro="They will no longer be able to declare their interests in this competition, nor join its commissioning side.",
    )


@require_http_methods(["GET", "POST"])
def bid_member_add(request, competition_pk):
    competition = _wall_competition(request, competition_pk)
    crown_bids = competition_selectors.bid_list(user=request.user, competition=competition).filter(bidder__is_crown_body=True)
    form = forms.BidMemberForm(request.POST if request.method == "POST" else None, crown_bids=crown_bids)
    if request.method == "POST" and form.is_valid():
        member = _apply(request, form, lambda: services.wall_join(
            competition=competition, user=form.cleaned_data["user"], side=Side.BID, role=SideRole.BID_TEAM,
            bid=form.cleaned_data["bid"], actor=request.user,
        ), competition=competition)
        if member is not None:
            messages.success(request, f"{member.user} joined the bid team of {member.bid.bidder}.")
            return redirect("ethical_walls:wall", competition_pk=competition.pk)
    return _form_page(
        request, form=form, competition=competition, title="Add a bid-team member to a crown-body bid",
        back=reverse("ethical_walls:wall", args=[competition.pk]),
        intro="Anyone who did commissioning-side work in this service area is in quarantine before they may join a bid team.",
    )


@require_http_methods(["GET", "POST"])
def member_remove(request, competition_pk, member_pk):
    competition = _wall_competition(request, competition_pk)
    member = selectors.get_or_404(
        request.user, selectors.current_members(competition), pk=member_pk, channel=audit.Channel.PAGE,
        path=request.path, object_type="ethical_walls.membership", competition_id=competition.pk,
    )
    form = forms.RemoveMemberForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        reason = {"reason": form.cleaned_data["reason"]} if form.cleaned_data["reason"] else {}
        left = _apply(request, form, lambda: services.wall_leave(member=member, actor=request.user, **reason), competition=competition)
        if left is not None:
            messages.success(request, f"{left.user} has left the {left.get_side_display().lower()}; their access is revoked.")
            return redirect("ethical_walls:wall", competition_pk=competition.pk)
    return _form_page(
        request, form=form, competition=competition, title=f"Remove {member.user} from the {member.get_side_display().lower()}",
        back=reverse("ethical_walls:wall", args=[competition.pk]), submit="Remove",
        intro="They lose access to the competition's protected records at once. The membership stays in the wall's history.",
    )


@require_http_methods(["GET", "POST"])
def arrangements(request, competition_pk):
    competition = _wall_competition(request, competition_pk)
    wall = getattr(competition, "wall", None)
    form = forms.ArrangementsForm(request.POST if request.method == "POST" else None, initial={"arrangements": wall.arrangements if wall else ""})
    if request.method == "POST" and form.is_valid():
        recorded = _apply(request, form, lambda: services.wall_establish(
            competition=competition, actor=request.user, arrangements=form.cleaned_data["arrangements"],
        ), competition=competition)
        if recorded is not None:
            messages.success(request, "The wall's arrangements are recorded.")
            return redirect("ethical_walls:wall", competition_pk=competition.pk)
    return _form_page(
        request, form=form, competition=competition, title="Record the wall's arrangements",
        back=reverse("ethical_walls:wall", args=[competition.pk]),
    )


# --- declarations and the register -------------------------------------------------------------

@require_http_methods(["GET", "POST"])
def declare(request, competition_pk):
    user = request.user
    competition = selectors.get_or_404(
        user, competition_selectors.declarable_competitions(user=user), pk=competition_pk, channel=audit.Channel.PAGE,
        path=request.path, object_type="competitions.competition",
    )
    current = selectors.declaration_list(user=user, competition=competition).filter(user=user).first()
    initial = {"nature": current.nature, "details": current.details} if current else {}
    form = forms.DeclarationForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        declaration = _apply(request, form, lambda: services.conflict_declare(competition=competition, actor=user, **form.cleaned_data),
                             competition=competition)
        if declaration is not None:
            messages.success(request, f"Your declaration for {competition.reference} is recorded: {lowercase_first(declaration.get_assessment_display())}.")
            return redirect("ethical_walls:index")
    return _form_page(
        request, form=form, competition=competition, title="Declare your interests", back=reverse("ethical_walls:index"),
        declaration=current,
        intro="Everyone given access to a competition declares their interests first: no declaration, no access. "
              "A declared interest is assessed by the competition's SRO, and until then you have no access to its protected records.",
    )


def _register_rows(request):
    """The register rows this user may read, narrowed by the filter form (and the form, for the page)."""
    user = request.user
    form = forms.RegisterFilterForm(request.GET or None, competitions=competition_selectors.competition_list(user=user))
    filters = form.cleaned_data if form.is_valid() else {}
    declarations = selectors.declaration_list(user=user, competition=filters.get("competition"))
    if filters.get("assessment"):
        declarations = declarations.filter(assessment=filters["assessment"])
    return form, declarations.order_by("competition__reference", "declared_at", "pk")


@require_GET
def register(request):
    _require_role(request, selectors.REGISTER_READERS, object_type="ethical_walls.conflictdeclaration")
    form, declarations = _register_rows(request)
    page, query = _page(request, declarations)
    return render(request, "ethical_walls/register.html", {
        "form": form, "page": page, "query": query, "pending": ConflictDeclaration.Assessment.PENDING,
    })


REGISTER_COLUMNS = [
    "Competition", "Competition title", "Person", "Nature", "Details", "Declared at",
    "Assessment", "Conditions", "Assessed by", "Assessed at",
]


@require_GET
def register_csv(request):
    _require_role(request, selectors.REGISTER_READERS, object_type="ethical_walls.conflictdeclaration")
    form, declarations = _register_rows(request)
    if form.is_bound and not form.is_valid():
        return HttpResponseBadRequest("The filters are not valid: " + "; ".join(e for errors in form.errors.values() for e in errors))
    rows = list(declarations)
    competition = form.cleaned_data.get("competition") if form.is_bound else None
    audit.record(
        action=audit.Action.EXPORT, channel=audit.Channel.EXPORT, actor=request.user,
        object_type="ethical_walls.conflictdeclaration", competition_id=competition.pk if competition else None,
        detail=f"Conflicts-of-interest register exported as CSV: {len(rows)} declaration{'s' if len(rows) != 1 else ''}",
        path=request.get_full_path(),
    )
    return csv_response(f"conflicts-register-{timezone.localdate():%Y-%m-%d}.csv", REGISTER_COLUMNS, (
        [
            d.competition.reference, d.competition.title, d.user, d.get_nature_display(), d.details,
            timezone.localtime(d.declared_at).isoformat(timespec="minutes"), d.get_assessment_display(), d.conditions,
            d.assessed_by or "", timezone.localtime(d.assessed_at).isoformat(timespec="minutes") if d.assessed_at else "",
        ]
        for d in rows
    ))


@require_http_methods(["GET", "POST"])
def assess(request, declaration_pk):
    declaration = selectors.get_or_404(
        request.user, selectors.declaration_list(user=request.user), pk=declaration_pk, channel=audit.Channel.PAGE,
        path=request.path, object_type="ethical_walls.conflictdeclaration",
    )
    if declaration.competition.sro_id != request.user.pk:
        # Only the competition's SRO assesses: nobody else, the person who declared above all, gets the form.
        _refuse(request, object_type="ethical_walls.conflictdeclaration", object_id=declaration.pk, competition_id=declaration.competition_id)
    form = forms.AssessmentForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        assessed = _apply(request, form, lambda: services.conflict_assess(declaration=declaration, actor=request.user, **form.cleaned_data),
                          competition=declaration.competition)
        if assessed is not None:
            messages.success(request, f"{assessed.user}'s conflict: {lowercase_first(assessed.get_assessment_display())}.")
            return redirect("ethical_walls:register")
    return _form_page(
        request, form=form, competition=declaration.competition, title=f"Assess {declaration.user}'s declared conflict",
        back=reverse("ethical_walls:register"), declaration=declaration,
    )


# --- refused attempts and the audit log --------------------------------------------------------

@require_GET
def breaches(request):
    _require_role(request, BREACH_READERS, object_type="ethical_walls.breaches")
    page, query = _page(request, selectors.breach_list(user=request.user))
    _name_competitions(request.user, page.object_list)
    return render(request, "ethical_walls/breaches.html", {"page": page, "query": query})


@require_GET
def _audit_events(request):
    form = forms.AuditFilterForm(request.GET or None, kinds=selectors.audit_kinds())
    filters = form.cleaned_data if form.is_valid() else {}
    events = selectors.audit_event_list(
        user=request.user, action=filters.get("action", ""), channel=filters.get("channel", ""), kind=filters.get("kind", ""),
        competition_id=filters.get("reference"), actor_id=filters["actor"].pk if filters.get("actor") else None,
        since=filters.get("since"), until=filters.get("until"),
    )
    return form, events


def _with_sentences(user, events) -> None:
    """Each event on a page as a sentence (ethical_walls.audit.sentence), naming its competition where the reader may see it."""
    _name_competitions(user, events)
    for event in events:
        event.sentence = audit.sentence(event, event.competition.reference if event.competition else "")


def audit_log(request):
    _require_role(request, AUDIT_READERS, object_type="ethical_walls.auditevent")
    form, events = _audit_events(request)
    page, query = _page(request, events)
    _with_sentences(request.user, page.object_list)
    return render(request, "ethical_walls/audit.html", {"form": form, "page": page, "query": query})


AUDIT_COLUMNS = ["when", "what happened", "who", "how", "kind of record", "record", "competition", "about", "detail", "path"]


def audit_csv(request):
    """The log as filtered, as CSV (formulas neutralised by core.csv_export); the export itself is logged."""
    _require_role(request, AUDIT_READERS, object_type="ethical_walls.auditevent")
    form, events = _audit_events(request)
    if form.is_bound and not form.is_valid():
        return HttpResponseBadRequest("The filters are not valid: " + "; ".join(e for errors in form.errors.values() for e in errors))
    rows = list(events[:AUDIT_CSV_LIMIT])
    _with_sentences(request.user, rows)
    audit.record(action=audit.Action.EXPORT, channel=audit.Channel.EXPORT, actor=request.user, object_type="ethical_walls.auditevent",
                 detail=f"Audit log exported as CSV: {len(rows)} event{'s' if len(rows) != 1 else ''}", path=request.get_full_path())
    return csv_response(f"audit-log-{timezone.localdate():%Y-%m-%d}.csv", AUDIT_COLUMNS, (
        [timezone.localtime(e.at).isoformat(timespec="seconds"), e.sentence, e.actor or "", e.get_channel_display(),
         audit.kind_label(e.object_type) if e.object_type else "", e.object_id, e.competition.reference if e.competition else "",
         e.subject or "", e.detail, e.path]
        for e in rows
    ))


AUDIT_CSV_LIMIT = 100_000  # one download; narrow the filters for more
