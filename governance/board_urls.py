from django.urls import path

from governance import board_views as views

app_name = "boards"

urlpatterns = [
    path("", views.index, name="index"),
    path("<int:pk>/", views.body, name="body"),
    path("<int:pk>/members/add/", views.member_add, name="member-add"),
    path("<int:pk>/members/<int:member_pk>/leave/", views.member_leave, name="member-leave"),
    path("<int:pk>/meetings/add/", views.meeting_add, name="meeting-add"),
    path("meetings/<int:pk>/", views.meeting, name="meeting"),
    path("meetings/<int:pk>/papers/add/", views.paper_add, name="paper-add"),
    path("meetings/<int:pk>/interests/add/", views.interest_add, name="interest-add"),
    path("meetings/<int:pk>/decide/", views.decide, name="decide"),
    path("papers/<int:pk>/", views.paper, name="paper"),
    path("papers/<int:pk>/file/", views.paper_file, name="paper-file"),
    path("decisions/<int:pk>/", views.decision, name="decision"),
]
