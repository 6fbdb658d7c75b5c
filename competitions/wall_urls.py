"""The ethical wall pages, under /walls/ (namespace `ethical_walls`): competition walls, declarations, the register, breaches."""

from django.urls import path

from competitions import wall_views as views

app_name = "ethical_walls"

urlpatterns = [
    path("", views.index, name="index"),
    path("declare/", views.declare_choose, name="declare-choose"),
    path("register/", views.register, name="register"),
    path("register.csv", views.register_csv, name="register-csv"),
    path("declarations/<int:declaration_pk>/assess/", views.assess, name="assess"),
    path("breaches/", views.breaches, name="breaches"),
    path("audit/", views.audit_log, name="audit"),
    path("audit.csv", views.audit_csv, name="audit-csv"),
    path("<int:competition_pk>/", views.wall, name="wall"),
    path("<int:competition_pk>/declare/", views.declare, name="declare"),
    path("<int:competition_pk>/arrangements/", views.arrangements, name="arrangements"),
    path("<int:competition_pk>/commissioning-side/add/", views.commissioning_member_add, name="add-commissioning-member"),
    path("<int:competition_pk>/bid-side/add/", views.bid_member_add, name="add-bid-member"),
    path("<int:competition_pk>/members/<int:member_pk>/remove/", views.member_remove, name="remove-member"),
    path("<int:competition_pk>/requests/<int:request_pk>/withdraw/", views.request_withdraw, name="withdraw-request"),
]
