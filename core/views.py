from django.contrib.auth import views as auth_views
from django.shortcuts import render

from core.forms import OrganisationFilterForm
from core.navigation import sections_for
from core.selectors import organisation_list


def home(request):
    sections = [s for s in sections_for(request.user.role_names) if s.url_name != "home"]
    return render(request, "core/home.html", {"sections": sections, "roles": sorted(request.user.role_names)})


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
