from django.urls import path

from coparent.reports import views

app_name = "reports"

urlpatterns = [
    path("f/<str:family_id>/reports/", views.report_list, name="list"),
    path("f/<str:family_id>/reports/<str:report_id>/", views.report_status, name="status"),
    path(
        "f/<str:family_id>/reports/<str:report_id>/report.pdf",
        views.report_download,
        name="download",
    ),
    path(
        "f/<str:family_id>/reports/<str:report_id>/tables.zip",
        views.report_tables,
        name="tables",
    ),
]
