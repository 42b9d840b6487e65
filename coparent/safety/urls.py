from django.urls import path

from coparent.safety import views

app_name = "safety"

urlpatterns = [
    path("safety/", views.safety, name="safety"),
    path("safety/exit/", views.quick_exit, name="exit"),
    path("f/<str:family_id>/protection/", views.protection, name="protection"),
    path(
        "f/<str:family_id>/protection/<str:order_id>/end/",
        views.protection_end,
        name="protection_end",
    ),
    path(
        "f/<str:family_id>/protection/<str:order_id>/moderator/",
        views.moderator_change,
        name="moderator",
    ),
    path(
        "f/<str:family_id>/protection/<str:order_id>/document/",
        views.order_document,
        name="order_document",
    ),
    path(
        "f/<str:family_id>/messages/<str:thread_id>/form/<str:topic>/",
        views.structured_message,
        name="structured",
    ),
    path("f/<str:family_id>/messages/<str:thread_id>/moderated/", views.hold, name="hold"),
    path("f/<str:family_id>/people/contact/", views.contact, name="contact"),
    path("f/<str:family_id>/moderation/", views.moderation, name="moderation"),
    path("f/<str:family_id>/moderation/<str:held_id>/", views.moderate, name="moderate"),
]
