from django.urls import path

from contracts import provider_views, views

app_name = "contracts"

urlpatterns = [
    path("", views.index, name="index"),
    path("finance/", views.finance, name="finance"),
    path("finance/payments.csv", views.payments_csv, name="payments-csv"),
    # The provider's own agreements (issue #18).
    path("provider/", provider_views.index, name="provider-index"),
    path("provider/<int:pk>/", provider_views.detail, name="provider-detail"),
    path("provider/<int:pk>/returns/", provider_views.submit_return, name="provider-return"),
    path("provider/<int:pk>/returns/<int:return_pk>/", provider_views.correct_return, name="provider-correct-return"),
    path("provider/<int:pk>/returns/upload/", provider_views.upload_returns, name="provider-upload-returns"),
    path("provider/<int:pk>/returns/template.xlsx", provider_views.returns_template, name="provider-returns-template"),
    path("provider/<int:pk>/remedial-plans/", provider_views.propose_plan, name="provider-propose-plan"),
    path("provider/<int:pk>/claims/", provider_views.raise_claim, name="provider-raise-claim"),
    path("provider/<int:pk>/notices-of-change/<int:notice_pk>/acknowledge/", provider_views.acknowledge, name="provider-acknowledge"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/transitions/<slug:name>/", views.transition, name="transition"),
    path("<int:pk>/records/<slug:kind>/", views.record, name="record"),
    path("<int:pk>/records/<slug:kind>/<int:target_pk>/", views.record, name="record-target"),
    path("<int:pk>/returns/<int:return_pk>/evidence/", views.evidence_download, name="evidence"),
    path("<int:pk>/versions/compare/", views.compare, name="compare"),
    path("<int:pk>/versions/<int:number>/", views.version, name="version"),
]
