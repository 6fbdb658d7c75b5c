from django.urls import path

from competitions import opportunity_views, views

app_name = "competitions"

urlpatterns = [
    path("", views.index, name="index"),
    # Bidders' pages (issue #18).
    path("opportunities/", opportunity_views.index, name="opportunities"),
    path("opportunities/<int:pk>/", opportunity_views.detail, name="opportunity"),
    path("opportunities/<int:pk>/interest/", opportunity_views.express_interest, name="opportunity-interest"),
    path("opportunities/<int:pk>/share/", opportunity_views.share, name="opportunity-share"),
    path("opportunities/<int:pk>/participation/", opportunity_views.answers, name="opportunity-answers"),
    path("opportunities/<int:pk>/questions/", opportunity_views.ask, name="opportunity-ask"),
    path("opportunities/<int:pk>/challenge/", opportunity_views.challenge, name="opportunity-challenge"),
    path("opportunities/<int:pk>/tender/", opportunity_views.tender, name="opportunity-tender"),
    path("opportunities/<int:pk>/tender/withdraw/", opportunity_views.tender_withdraw, name="opportunity-tender-withdraw"),
    path("opportunities/<int:pk>/tender/receipt/", opportunity_views.receipt, name="opportunity-receipt"),
    path("portfolio/", views.portfolio, name="portfolio"),
    path("export.csv", views.export_csv, name="export"),
    path("new/", views.create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/transitions/<slug:name>/", views.transition, name="transition"),
    path("<int:pk>/records/<slug:kind>/", views.record, name="record"),
    path("<int:pk>/records/<slug:kind>/<int:target_pk>/", views.record, name="record-target"),
    path("<int:pk>/notices/<int:notice_pk>.json", views.notice_download, name="notice"),
    path("<int:pk>/debriefs/<int:bid_pk>.pdf", views.debrief_download, name="debrief"),
    path("<int:pk>/documents/<int:document_pk>/", views.bid_document_download, name="bid-document"),
]
