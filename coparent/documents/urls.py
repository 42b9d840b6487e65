from django.urls import path

from coparent.documents import views

app_name = "documents"

urlpatterns = [
    path("f/<str:family_id>/documents/", views.document_list, name="list"),
    path("f/<str:family_id>/documents/new/", views.document_new, name="new"),
    path("f/<str:family_id>/documents/<str:document_id>/", views.document_detail, name="detail"),
    path("f/<str:family_id>/documents/<str:document_id>/edit/", views.document_edit, name="edit"),
    path(
        "f/<str:family_id>/documents/<str:document_id>/versions/",
        views.version_new,
        name="version_new",
    ),
    path(
        "f/<str:family_id>/documents/<str:document_id>/versions/<str:version_id>/view",
        views.version_preview,
        name="preview",
    ),
    path(
        "f/<str:family_id>/documents/<str:document_id>/versions/<str:version_id>/download",
        views.version_download,
        name="download",
    ),
]
