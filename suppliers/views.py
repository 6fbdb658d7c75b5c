"""Supplier account pages (issue #18): parse, call a selector or a service, render.

Asking for an account and accepting an invitation need no sign-in. An organisation's page is its
own people's; MoJ Procurement's page of account requests is theirs. Anyone else gets the 404 the
wall gives, logged as a refused attempt.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from core.forms_utils import apply_service_errors
from core.models import Organisation, User
from core.roles import SUPPLIER_ROLES, Role
from ethical_walls import audit
from ethical_walls.audit import Channel
from ethical_walls.selectors import get_or_404, sees_commissioning_material
from suppliers import forms, selectors, services
from suppliers.models import AccountRequest


def _own_organisation(request: HttpRequest, *, administrator: bool = False) -> Organisation:
    """The organisation the signed-in supplier user acts for (as its administrator, if asked); 404 and logged otherwise."""
    user = request.user
    organisation = getattr(user, "organisation", None)
    roles = {Role.SUPPLIER_ADMINISTRATOR} if administrator else SUPPLIER_ROLES
    if organisation is None or not user.has_role(*roles):
        raise audit.refuse(actor=user, channel=Channel.PAGE, object_type="core.organisation", path=request.path)
    return organisation


def _require_procurement(request: HttpRequest) -> None:
    if not (request.user.has_role(Role.PROCUREMENT) and sees_commissioning_material(request.user)):
        raise audit.refuse(actor=request.user, channel=Channel.PAGE, object_type="suppliers.accountrequest", path=request.path)


# --- without signing in ---------------------------------------------------------------------------------

@login_not_required
@require_http_methods(["GET", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    form = forms.AccountRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        made = apply_service_errors(form, lambda: services.account_request(
            first_name=data["first_name"], last_name=data["last_name"], email=data["email"], password=data["password"],
            organisation=data["organisation"], new_organisation_name=data["new_organisation_name"], sector=data["sector"],
            organisation_type=data["organisation_type"], job_title=data["job_title"],
        ))
        if made:
            return render(request, "suppliers/requested.html", {"account_request": made})
    return render(request, "suppliers/form.html", {
        "form": form, "title": "Ask for an account for your organisation", "back": reverse("login"),
        "lede": "The first person from an organisation becomes its administrator once MoJ Procurement approves the account; "
                "they then invite their colleagues. If your organisation already uses the service, ask its administrator to invite you.",
    })


@login_not_required
@require_http_methods(["GET", "POST"])
def accept(request: HttpRequest, token: str) -> HttpResponse:
    try:
        invitation = services.invitation_from_token(token)
    except ValidationError as unusable:
        return render(request, "suppliers/invitation_unusable.html", {"problem": " ".join(unusable.messages)}, status=400)
    form = forms.NewPersonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        user = apply_service_errors(form, lambda: services.invitation_accept(
            token=token, first_name=data["first_name"], last_name=data["last_name"], password=data["password"],
        ))
        if user:
            messages.success(request, f"Your account is ready: sign in as {user.username}.")
            return redirect("login")
    return render(request, "suppliers/form.html", {
        "form": form, "title": f"Join {invitation.organisation}", "back": reverse("login"),
        "lede": f"You will sign in as {invitation.email}. Choose your password.",
    })


# --- an organisation's own people -------------------------------------------------------------------------

def organisation(request: HttpRequest) -> HttpResponse:
    own = _own_organisation(request)
    administrator = request.user.has_role(Role.SUPPLIER_ADMINISTRATOR)
    return render(request, "suppliers/organisation.html", {
        "organisation": own, "administrator": administrator, "colleagues": selectors.colleagues(own),
        "invitations": selectors.open_invitations(own) if administrator else [],
        "form": forms.InvitationForm() if administrator else None,
    })


@require_http_methods(["GET", "POST"])
def invite(request: HttpRequest) -> HttpResponse:
    own = _own_organisation(request, administrator=True)
    form = forms.InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        accept_url = request.build_absolute_uri(reverse("suppliers:accept", args=["TOKEN"])).removesuffix("TOKEN/")
        sent = apply_service_errors(form, lambda: services.invitation_send(
            actor=request.user, email=form.cleaned_data["email"], roles=form.cleaned_data["roles"], accept_url=accept_url,
        ))
        if sent:
            messages.success(request, f"Invitation sent to {sent.email}.")
            return redirect("suppliers:organisation")
    return render(request, "suppliers/form.html", {
        "form": form, "title": f"Invite a colleague to {own}", "back": reverse("suppliers:organisation"),
    })


@require_POST
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    own = _own_organisation(request, administrator=True)
    invitation = get_or_404(request.user, selectors.open_invitations(own), pk=pk, channel=Channel.PAGE, path=request.path)
    services.invitation_withdraw(invitation=invitation, actor=request.user)
    messages.success(request, f"The invitation to {invitation.email} is withdrawn.")
    return redirect("suppliers:organisation")


@require_POST
def remove(request: HttpRequest, pk: int) -> HttpResponse:
    own = _own_organisation(request, administrator=True)
    colleague: User = get_or_404(request.user, selectors.colleagues(own), pk=pk, channel=Channel.PAGE, path=request.path)
    try:
        services.colleague_remove(user=colleague, actor=request.user)
    except ValidationError as refused:
        messages.error(request, " ".join(refused.messages))
    else:
        messages.success(request, f"{colleague.get_full_name()} can no longer sign in for {own}.")
    return redirect("suppliers:organisation")


@require_POST
def token(request: HttpRequest, pk: int) -> HttpResponse:
    """Issue (or, with `revoke`, revoke) a colleague's API token; a new key is shown once, on this page."""
    own = _own_organisation(request, administrator=True)
    colleague: User = get_or_404(request.user, selectors.colleagues(own), pk=pk, channel=Channel.PAGE, path=request.path)
    if request.POST.get("revoke"):
        revoked = services.colleague_token_revoke(user=colleague, actor=request.user)
        messages.success(request, f"{colleague.get_full_name()}'s API token is revoked." if revoked else f"{colleague.get_full_name()} had no API token.")
        return redirect("suppliers:organisation")
    try:
        key = services.colleague_token_issue(user=colleague, actor=request.user)
    except ValidationError as refused:
        messages.error(request, " ".join(refused.messages))
        return redirect("suppliers:organisation")
    return render(request, "suppliers/token.html", {"organisation": own, "colleague": colleague, "key": key})


# --- MoJ Procurement ---------------------------------------------------------------------------------------------

def requests(request: HttpRequest) -> HttpResponse:
    _require_procurement(request)
    return render(request, "suppliers/requests.html", {
        "pending": selectors.pending_account_requests(), "decided": selectors.decided_account_requests()[:25],
    })


@require_http_methods(["GET", "POST"])
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    _require_procurement(request)
    account_request: AccountRequest = get_or_404(request.user, selectors.pending_account_requests(), pk=pk,
                                                 channel=Channel.PAGE, path=request.path)
    form = forms.DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        decided = apply_service_errors(form, lambda: services.account_request_decide(
            request=account_request, actor=request.user, approve=form.cleaned_data["approve"], reason=form.cleaned_data["reason"],
        ))
        if decided:
            messages.success(request, f"{decided.user.get_full_name()} for {decided.organisation}: {decided.get_status_display().lower()}.")
            return redirect("suppliers:requests")
    return render(request, "suppliers/form.html", {
        "form": form, "title": "Decide on a supplier account", "back": reverse("suppliers:requests"),
        "target": f"{account_request.user.get_full_name()} ({account_request.user.email}), {account_request.job_title or 'no job title given'}, "
                  f"for {account_request.organisation}",
    })
