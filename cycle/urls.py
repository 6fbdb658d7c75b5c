from django.urls import path

from cycle import views

app_name = "cycle"

urlpatterns = [
    path("", views.index, name="index"),
]
