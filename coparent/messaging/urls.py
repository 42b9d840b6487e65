from django.urls import path

from coparent.messaging import views

app_name = "messaging"

urlpatterns = [
    path("f/<str:family_id>/messages/", views.thread_list, name="threads"),
    path("f/<str:family_id>/messages/new/", views.thread_create, name="thread_create"),
    path("f/<str:family_id>/messages/search/", views.search, name="search"),
    path("f/<str:family_id>/messages/response-times/", views.response_times, name="response_times"),
    path("f/<str:family_id>/messages/settings/", views.preferences, name="settings"),
    path(
        "f/<str:family_id>/messages/files/<str:attachment_id>/",
        views.attachment_download,
        name="attachment",
    ),
    path("f/<str:family_id>/messages/<str:thread_id>/", views.thread_detail, name="thread"),
    path("f/<str:family_id>/messages/<str:thread_id>/poll/", views.thread_poll, name="poll"),
    path(
        "f/<str:family_id>/messages/<str:thread_id>/<str:message_id>/seen/",
        views.message_seen,
        name="message_seen",
    ),
    path(
        "f/<str:family_id>/messages/<str:thread_id>/<str:message_id>/redact/",
        views.message_redact,
        name="message_redact",
    ),
]
