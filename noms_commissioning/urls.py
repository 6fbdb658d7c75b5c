from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from noms_commissioning.api import router

api_urlpatterns = [
    path("v1/", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its start-up script as a file: no inline script (Content Security Policy).
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
]

urlpatterns = [
    path("", include("core.urls")),
    path("cycles/", include("cycle.urls")),
    path("competitions/", include("competitions.urls")),
    path("contracts/", include("contracts.urls")),
    path("reports/", include("evaluations.urls")),
    path("risks/", include("governance.urls")),
    path("boards/", include("governance.board_urls")),
    path("walls/", include("competitions.wall_urls")),
    path("suppliers/", include("suppliers.urls")),
    path("admin/", admin.site.urls),
    path("api/", include(api_urlpatterns)),
]

handler400 = "core.views.bad_request"
handler403 = "core.views.permission_denied"
handler404 = "core.views.page_not_found"
handler500 = "core.views.server_error"
