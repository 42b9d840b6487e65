from django.urls import path

from coparent.childinfo import views

app_name = "childinfo"

urlpatterns = [
    path("f/<str:family_id>/children/", views.children, name="children"),
    path("f/<str:family_id>/children/<str:child_id>/info/", views.child, name="child"),
    path("f/<str:family_id>/children/<str:child_id>/info/history/", views.history, name="history"),
    path(
        "f/<str:family_id>/children/<str:child_id>/info/new/<str:info_kind>/",
        views.item_new,
        name="item_new",
    ),
    path(
        "f/<str:family_id>/children/<str:child_id>/info/<str:item_id>/edit/",
        views.item_edit,
        name="item_edit",
    ),
    path(
        "f/<str:family_id>/children/<str:child_id>/info/<str:item_id>/remove/",
        views.item_remove,
        name="item_remove",
    ),
    path(
        "f/<str:family_id>/children/<str:child_id>/info/<str:item_id>/calendar/",
        views.activity_calendar,
        name="activity_calendar",
    ),
]
