from django.urls import path

from suppliers import views

app_name = "suppliers"
urlpatterns = [
    path("register/", views.register, name="register"),
    path("invitations/<str:token>/", views.accept, name="accept"),
    path("organisation/", views.organisation, name="organisation"),
    path("organisation/invite/", views.invite, name="invite"),
    path("organisation/invitations/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("organisation/people/<int:pk>/remove/", views.remove, name="remove"),
    path("organisation/people/<int:pk>/token/", views.token, name="token"),
    path("requests/", views.requests, name="requests"),
    path("requests/<int:pk>/", views.decide, name="decide"),
]
