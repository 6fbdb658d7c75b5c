from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from noms_commissioning.api import router

api_urlpatterns = [
    path("v1/", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
]

urlpatterns = [
    path("", include("core.urls")),
    path("cycles/", include("cycle.urls")),
    path("competitions/", include("competitions.urls")),
    path("contracts/", include("contracts.urls")),
    path("walls/", include("ethical_walls.urls")),
    path("admin/", admin.site.urls),
    path("api/", include(api_urlpatterns)),
]
