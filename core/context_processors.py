from django.urls import reverse

from core import inbox
from core.navigation import sections_for


def service_navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"service_navigation": []}
    items = []
    for section in sections_for(user.role_names):
        if section.url_name == "home":
            active = request.path == "/"
        else:
            active = request.path.startswith(section.path_prefix)
        # Home is the inbox: its count says how much is waiting.
        count = inbox.count_for_request(request) if section.url_name == "home" else 0
        items.append({"text": section.title, "href": reverse(section.url_name), "active": active, "count": count})
    return {"service_navigation": items}
