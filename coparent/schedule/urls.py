from django.urls import path

from coparent.schedule import views

app_name = "schedule"

urlpatterns = [
    path("f/<str:family_id>/calendar/", views.calendar_month, name="month"),
    path("f/<str:family_id>/calendar/week/", views.calendar_week, name="week"),
    path("f/<str:family_id>/calendar/agenda/", views.calendar_agenda, name="agenda"),
    path("f/<str:family_id>/calendar/subscribe/", views.feed_settings, name="feed_settings"),
    path("f/<str:family_id>/schedule/", views.schedule_overview, name="overview"),
    path("f/<str:family_id>/schedule/new/", views.schedule_builder, name="builder"),
    path("f/<str:family_id>/schedule/import/", views.schedule_import, name="import"),
    path(
        "f/<str:family_id>/schedule/<str:plan_id>/export.json",
        views.schedule_export,
        name="export",
    ),
    path(
        "f/<str:family_id>/schedule/versions/<str:version_id>/accept/",
        views.version_accept,
        name="version_accept",
    ),
    path(
        "f/<str:family_id>/schedule/versions/<str:version_id>/decline/",
        views.version_decline,
        name="version_decline",
    ),
    path(
        "f/<str:family_id>/schedule/versions/<str:version_id>/withdraw/",
        views.version_withdraw,
        name="version_withdraw",
    ),
    path("f/<str:family_id>/swaps/", views.swap_list, name="swaps"),
    path("f/<str:family_id>/swaps/new/", views.swap_create, name="swap_create"),
    path("f/<str:family_id>/swaps/<str:swap_id>/", views.swap_detail, name="swap_detail"),
    path("f/<str:family_id>/swaps/<str:swap_id>/counter/", views.swap_counter, name="swap_counter"),
    path("f/<str:family_id>/swaps/<str:swap_id>/accept/", views.swap_accept, name="swap_accept"),
    path("f/<str:family_id>/swaps/<str:swap_id>/decline/", views.swap_decline, name="swap_decline"),
    path(
        "f/<str:family_id>/swaps/<str:swap_id>/withdraw/", views.swap_withdraw, name="swap_withdraw"
    ),
    path("f/<str:family_id>/events/new/", views.event_create, name="event_create"),
    path("f/<str:family_id>/events/<str:event_id>/", views.event_detail, name="event_detail"),
    path(
        "f/<str:family_id>/events/<str:event_id>/delete/", views.event_delete, name="event_delete"
    ),
    path("f/<str:family_id>/report/", views.report, name="report"),
    path("f/<str:family_id>/report.csv", views.report_csv, name="report_csv"),
    path("calendar/<str:token>.ics", views.feed, name="feed"),
]
