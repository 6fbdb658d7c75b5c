from django.urls import path

from cycle import views

app_name = "cycle"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.create, name="create"),
    path("outcomes/", views.outcomes, name="outcomes"),
    path("pipeline/", views.pipeline, name="pipeline"),
    path("pipeline/uk1.json", views.pipeline_notice, name="pipeline-notice"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/move-on/<slug:name>/", views.move_on, name="move-on"),
    path("<int:pk>/step-back/", views.step_back, name="step-back"),
    path("<int:pk>/records/<slug:kind>/", views.record, name="record"),
    path("<int:pk>/records/<slug:kind>/<int:target_pk>/", views.record, name="record-target"),
    path("<int:pk>/evidence/<int:assessment_pk>/", views.evidence_download, name="evidence"),
    path("<int:pk>/plan/", views.plan, name="plan"),
    path("<int:pk>/plan.pdf", views.plan_pdf, name="plan-pdf"),
]
