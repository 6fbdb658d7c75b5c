"""The boards' pages (issue #21): the bodies and their members, meetings with their papers, interests and decisions.

Everything is read through `boards.selectors`: someone on the bid side finds no body, meeting, paper
or decision (404, logged as a refused attempt); a paper or decision about a competition exists only
for that competition's commissioning side. Changes go through `boards.services`.
"""

import os

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode

from boards import selectors, services
from boards.models import MATTER_BODY, Matter
from core.forms_utils import apply_service_errors
from ethical_walls import audit
from ethical_walls.audit import Channel
from governance import board_forms as forms

RECORDERS = "Only commissioners, SROs and procurement officers record boards' business."


def _refuse(request, object_type: str, object_id=""):
    return audit.refuse(actor=request.user, channel=Channel.PAGE, object_type=object_type, object_id=str(object_id), path=request.path)


def _require_recorder(request) -> None:
    if not selectors.may_record(request.user):
        raise PermissionDenied(RECORDERS)


def _form(request, form, *, title: str, back: str, lede: str = ""):
    status = 400 if request.method == "POST" else 200
    return render(request, "governance/form.html", {"form": form, "title": title, "back": back, "lede": lede}, status=status)


def _carried(request) -> dict[str, str]:
    """The competition and matter a journey from a competition's checklist carries from page to page."""
    carried = {}
    if request.GET.get("competition", "").isdigit():
        carried["competition"] = request.GET["competition"]
    if request.GET.get("matter") in Matter.values:
        carried["matter"] = request.GET["matter"]
    return carried


def index(request):
    """The bodies, whose decision each matter is, and the decisions this user may read (`?matter=`, `?competition=`)."""
    if not selectors.sees_boards(request.user):
        raise _refuse(request, "boards.body")
    matter = request.GET.get("matter", "") if request.GET.get("matter") in Matter.values else ""
    competition = request.GET.get("competition", "")
    decisions = selectors.decision_list(request.user, matter=matter, competition_id=int(competition) if competition.isdigit() else None)
    return render(request, "governance/boards/index.html", {
        "bodies": list(selectors.bodies(request.user)), "decisions": list(decisions[:100]), "matters": Matter.choices, "matter": matter,
        "owners": [(Matter(m).label, kind.label) for m, kind in MATTER_BODY.items()],
    })


def body(request, pk):
    body = selectors.body_get(request.user, pk, path=request.path)
    return render(request, "governance/boards/body.html", {
        "body": body, "meetings": list(selectors.meeting_list(request.user, body=body)[:50]),
        "may_record": selectors.may_record(request.user), "carried": urlencode(_carried(request)),
    })


def member_add(request, pk):
    body = selectors.body_get(request.user, pk, path=request.path)
    _require_recorder(request)
    form = forms.MemberForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if apply_service_errors(form, lambda: services.member_add(actor=request.user, body=body, **form.cleaned_data)):
            messages.success(request, f"Member added to the {body.name}.")
            return redirect("boards:body", pk=body.pk)
    return _form(request, form, title=f"Add a member to the {body.name}", back=reverse("boards:body", args=[pk]))


def member_leave(request, pk, member_pk):
    body = selectors.body_get(request.user, pk, path=request.path)
    member = next((m for m in body.current_members if m.pk == int(member_pk)), None)
    if member is None:
        raise _refuse(request, "boards.bodymember", member_pk)
    _require_recorder(request)
    form = forms.MemberLeaveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if apply_service_errors(form, lambda: services.member_leave(actor=request.user, member=member, **form.cleaned_data)):
            messages.success(request, f"{member.person.get_full_name()} has left the {body.name}.")
            return redirect("boards:body", pk=body.pk)
    return _form(request, form, title=f"{member.person.get_full_name() or member.person.username} leaves the {body.name}",
                 back=reverse("boards:body", args=[pk]))


def meeting_add(request, pk):
    body = selectors.body_get(request.user, pk, path=request.path)
    _require_recorder(request)
    form = forms.MeetingForm(request.POST or None, body=body)
    if request.method == "POST" and form.is_valid():
        meeting = apply_service_errors(form, lambda: services.meeting_record(actor=request.user, body=body, **form.cleaned_data))
        if meeting:
            messages.success(request, f"Meeting of {meeting.held_on:%-d %B %Y} recorded.")
            carried = _carried(request)
            if carried:  # on the way from a competition's checklist: straight on to its decision
                return redirect(f"{reverse('boards:decide', args=[meeting.pk])}?{urlencode(carried)}")
            return redirect("boards:meeting", pk=meeting.pk)
    return _form(request, form, title=f"Record a meeting of the {body.name}", back=reverse("boards:body", args=[pk]))


def meeting(request, pk):
    meeting = selectors.meeting_get(request.user, pk, path=request.path)
    return render(request, "governance/boards/meeting.html", {"meeting": meeting, "may_record": selectors.may_record(request.user)})


def _meeting_form(request, pk, build, call, *, title: str):
    """A form about one meeting (a paper, an interest, a decision): `build(meeting)` makes it, `call(meeting, data)` saves it."""
    meeting = selectors.meeting_get(request.user, pk, path=request.path)
    _require_recorder(request)
    form = build(meeting)
    if request.method == "POST" and form.is_valid():
        if apply_service_errors(form, lambda: call(meeting, form.cleaned_data)):
            messages.success(request, f"{title}: saved.")
            return redirect("boards:meeting", pk=meeting.pk)
    return _form(request, form, title=f"{title}: {meeting}", back=reverse("boards:meeting", args=[pk]))


def paper_add(request, pk):
    return _meeting_form(
        request, pk, lambda meeting: forms.PaperForm(request.POST or None, request.FILES or None, user=request.user),
        lambda meeting, data: services.paper_add(actor=request.user, meeting=meeting, **data), title="Add a paper")


def interest_add(request, pk):
    return _meeting_form(
        request, pk, lambda meeting: forms.InterestForm(request.POST or None, user=request.user, meeting=meeting),
        lambda meeting, data: services.interest_declare(actor=request.user, meeting=meeting, **data), title="Record a declared interest")


def decide(request, pk):
    initial = _carried(request)
    return _meeting_form(
        request, pk, lambda meeting: forms.DecisionForm(request.POST or None, user=request.user, initial=initial),
        lambda meeting, data: services.decision_record(actor=request.user, meeting=meeting, **data), title="Record a decision")


def paper(request, pk):
    paper = selectors.paper_get(request.user, pk, path=request.path)
    return render(request, "governance/boards/paper.html", {"paper": paper})


def paper_file(request, pk):
    paper = selectors.paper_get(request.user, pk, path=request.path)
    if not paper.file:
        raise _refuse(request, "boards.paper (file)", pk)
    extension = os.path.splitext(paper.file.name)[1]
    return FileResponse(paper.file.open("rb"), as_attachment=True, filename=f"board-paper-{paper.pk}{extension}")


def decision(request, pk):
    decision = selectors.decision_get(request.user, pk, path=request.path)
    interests = [i for i in decision.meeting.interests.all() if i.competition_id == decision.competition_id]
    return render(request, "governance/boards/decision.html", {"decision": decision, "interests": interests})
