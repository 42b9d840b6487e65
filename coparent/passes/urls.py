from django.urls import path

from coparent.passes import views

app_name = "passes"

urlpatterns = [
    path("f/<str:family_id>/passes/", views.pass_list, name="list"),
    path("f/<str:family_id>/passes/new/", views.pass_new, name="new"),
    path("f/<str:family_id>/passes/places/", views.gate_list, name="gates"),
    path("f/<str:family_id>/passes/mine/", views.pass_mine, name="mine"),
    path("f/<str:family_id>/passes/places/<str:gate_id>/", views.gate_detail, name="gate_detail"),
    path(
        "f/<str:family_id>/passes/places/<str:gate_id>/new-link/",
        views.gate_link_replace,
        name="gate_link_replace",
    ),
    path(
        "f/<str:family_id>/passes/places/<str:gate_id>/turn-off/",
        views.gate_revoke,
        name="gate_revoke",
    ),
    path("f/<str:family_id>/passes/<str:pass_id>/", views.pass_detail, name="detail"),
    path("f/<str:family_id>/passes/<str:pass_id>/photo.jpg", views.pass_photo, name="photo"),
    path("f/<str:family_id>/passes/<str:pass_id>/revoke/", views.pass_revoke, name="revoke"),
    path("f/<str:family_id>/passes/<str:pass_id>/co-sign/", views.pass_cosign, name="cosign"),
    path(".well-known/coparent-pass-key.pem", views.public_key, name="public_key"),
    path("pass/", views.check_code, name="check_code"),
    path("pass/<str:token>/", views.verify, name="verify"),
    path("pass/<str:token>/photo.jpg", views.verify_photo, name="verify_photo"),
    path("gate/<str:token>/", views.gate, name="gate"),
]
