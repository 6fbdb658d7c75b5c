from django.urls import path

from ethical_walls import views

app_name = "ethical_walls"

urlpatterns = [
    path("", views.index, name="index"),
]
