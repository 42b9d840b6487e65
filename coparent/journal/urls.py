from django.urls import path

from coparent.journal import views

app_name = "journal"

urlpatterns = [
    path("f/<str:family_id>/journal/", views.entry_list, name="list"),
    path("f/<str:family_id>/journal/new/", views.entry_new, name="new"),
    path("f/<str:family_id>/journal/shares/", views.share_list, name="shares"),
    path(
        "f/<str:family_id>/journal/shares/<str:share_id>/stop/",
        views.share_revoke,
        name="share_revoke",
    ),
    path("f/<str:family_id>/journal/shared/", views.shared, name="shared"),
    path("f/<str:family_id>/journal/<str:entry_id>/", views.entry_detail, name="detail"),
    path("f/<str:family_id>/journal/<str:entry_id>/correct/", views.entry_correct, name="correct"),
    path(
        "f/<str:family_id>/journal/<str:entry_id>/photos/<str:photo_id>",
        views.photo,
        name="photo",
    ),
]
