from django.urls import path

from governance import views

app_name = "governance"

urlpatterns = [
    path("", views.portfolio, name="portfolio"),
    path("<str:subject>/<int:pk>/", views.register, name="register"),
    path("<str:subject>/<int:pk>/raise/", views.raise_risk, name="raise"),
    path("<int:pk>/", views.risk_detail, name="risk"),
    path("<int:pk>/mitigations/<int:mitigation_pk>/done/", views.mitigation_done, name="mitigation-done"),
    path("<int:pk>/<str:action>/", views.change, name="change"),
]
