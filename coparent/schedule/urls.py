from django.urls import path

from coparent.schedule.views import (
    builder,
    calendar,
    events,
    feed,
    reports,
    schedules,
    swaps,
)

app_name = "schedule"

urlpatterns = [
    path("f/<str:family_id>/calendar/", calendar.calendar_month, name="month"),
    path("f/<str:family_id>/calendar/week/", calendar.calendar_week, name="week"),
    path("f/<str:family_id>/calendar/agenda/", calendar.calendar_agenda, name="agenda"),
    path("f/<str:family_id>/calendar/subscribe/", feed.feed_settings, name="feed_settings"),
    path("f/<str:family_id>/schedule/", schedules.schedule_overview, name="overview"),
    path("f/<str:family_id>/schedule/new/", builder.schedule_builder, name="builder"),
    path("f/<str:family_id>/schedule/import/", builder.schedule_import, name="import"),
    path(
        "f/<str:family_id>/schedule/<str:plan_id>/export.json",
        schedules.schedule_export,
        name="export",
    ),
    path(
        "f/<str:family_id>/schedule/versions/<str:version_id>/accept/",
        schedules.version_accept,
        name="version_accept",
    ),
    path(
        "f/<str:family_id>/schedule/versions/<str:version_id>/decline/",
        schedules.version_decline,
        name="version_decline",
    ),
    path(
        "f/<str:family_id>/schedule/versions/<str:version_id>/withdraw/",
        schedules.version_withdraw,
        name="version_withdraw",
    ),
    path("f/<str:family_id>/swaps/", swaps.swap_list, name="swaps"),
    path("f/<str:family_id>/swaps/new/", swaps.swap_create, name="swap_create"),
    path("f/<str:family_id>/swaps/<str:swap_id>/", swaps.swap_detail, name="swap_detail"),
    path("f/<str:family_id>/swaps/<str:swap_id>/counter/", swaps.swap_counter, name="swap_counter"),
    path("f/<str:family_id>/swaps/<str:swap_id>/accept/", swaps.swap_accept, name="swap_accept"),
    path("f/<str:family_id>/swaps/<str:swap_id>/decline/", swaps.swap_decline, name="swap_decline"),
    path(
        "f/<str:family_id>/swaps/<str:swap_id>/withdraw/", swaps.swap_withdraw, name="swap_withdraw"
    ),
    path("f/<str:family_id>/events/new/", events.event_create, name="event_create"),
    path("f/<str:family_id>/events/<str:event_id>/", events.event_detail, name="event_detail"),
    path(
        "f/<str:family_id>/events/<str:event_id>/delete/", events.event_delete, name="event_delete"
    ),
    path("f/<str:family_id>/report/", reports.report, name="report"),
    path("f/<str:family_id>/report.csv", reports.report_csv, name="report_csv"),
    path("calendar/<str:token>.ics", feed.feed, name="feed"),
]
