import sys

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.views import defaults
from django.views.decorators.http import require_http_methods

from core import inbox, notifications, search
from core.api.exceptions import is_api, problem_response
from core.forms import NotificationPreferenceForm, OrganisationFilterForm
from core.navigation import sections_for
from core.selectors import organisation_list


def home(request):
    """Each person's home is their inbox: decisions awaiting them, deadlines near them (core.inbox), then the sections."""
    work = inbox.for_request(request)
    sections = [s for s in sections_for(request.user.role_names) if s.url_name != "home"]
    return render(request, "core/home.html", {"sections": sections, "roles": sorted(request.user.role_names), "inbox": work})


@require_http_methods(["GET", "POST"])
def notification_settings(request):
    """How the person hears of new work, and what was sent lately (core.notifications)."""
    form = NotificationPreferenceForm(request.POST or None, initial={"delivery": notifications.delivery_of(request.user)})
    if request.method == "POST" and form.is_valid():
        notifications.preference_set(user=request.user, delivery=form.cleaned_data["delivery"])
        messages.success(request, "Your notification settings are saved.")
        return redirect("notifications")
    return render(request, "core/notifications.html", {"form": form, "recent": notifications.recent_for(request.user),
                                                       "horizon_days": inbox.horizon_days()})


def search_page(request):
    """One search across the service (core.search): every result through the wall's selectors."""
    query = search.clean(request.GET.get("q", ""))
    groups = search.search(request.user, query) if query else []
    return render(request, "core/search.html", {"query": query, "groups": groups, "total": sum(len(r) for _, r in groups)})


def organisations(request):
    form = OrganisationFilterForm(request.GET or None)
    sector = form.cleaned_data["sector"] if form.is_valid() else None
    return render(
        request,
        "core/organisations.html",
        {"form": form, "organisations": organisation_list(sector=sector)},
    )


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def form_invalid(self, form):
        """A failed sign-in warns before the last attempts that lock the username out (django-axes counts them)."""
        from axes.handlers.proxy import AxesProxyHandler

        response = super().form_invalid(form)
        username = self.request.POST.get("username", "")
        if username:
            failures = AxesProxyHandler.get_failures(self.request, {"username": username})
            left = settings.AXES_FAILURE_LIMIT - failures
            if 0 < left <= 2:
                response.context_data.update(attempts_left=left, cooloff_minutes=round(settings.AXES_COOLOFF_TIME * 60))
        return response


# --- error pages: GOV.UK pages for people, problem details for the API (core.api.exceptions) ------------------

def page_not_found(request, exception=None):
    if is_api(request):
        return problem_response(404, "Not found.")
    return defaults.page_not_found(request, exception)


def server_error(request):
    """500 — or 503 when the database could not be reached (a lost connection): nothing was saved, try again."""
    error = sys.exc_info()[1]
    if isinstance(error, (OperationalError, InterfaceError)):
        if is_api(request):
            response = problem_response(503, "The service could not reach its database. Nothing was saved: try again in a moment.")
        else:
            # No context processors: they would ask the database that has just gone.
            response = HttpResponse(loader.render_to_string("503.html"), status=503)
        response["Retry-After"] = "30"
        return response
    if is_api(request):
        return problem_response(500, "Something went wrong on our side. Try again later.")
    return defaults.server_error(request)


def bad_request(request, exception=None):
    if is_api(request):
        return problem_response(400, "The request could not be read.")
    return defaults.bad_request(request, exception)


def permission_denied(request, exception=None):
    if is_api(request):
        return problem_response(403, str(exception or "") or "You may not do this.")
    return defaults.permission_denied(request, exception)
