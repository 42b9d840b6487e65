from django.urls import path

from coparent.families import views

app_name = "families"

urlpatterns = [
    path("families/", views.family_list, name="list"),
    path("invite/", views.invitation_held, name="invitation_held"),
    path("invite/<str:token>/", views.invitation, name="invitation"),
    path("f/<str:family_id>/", views.family_detail, name="detail"),
    path("f/<str:family_id>/people/", views.members, name="members"),
    path("f/<str:family_id>/people/invite/", views.invitation_create, name="invitation_create"),
    path(
        "f/<str:family_id>/people/invitations/<str:invitation_id>/withdraw/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
    path(
        "f/<str:family_id>/people/invitations/<str:invitation_id>/resend/",
        views.invitation_resend,
        name="invitation_resend",
    ),
    path(
        "f/<str:family_id>/people/<str:membership_id>/end-access/",
        views.membership_revoke,
        name="membership_revoke",
    ),
    path("f/<str:family_id>/children/add/", views.child_add, name="child_add"),
    path("f/<str:family_id>/children/<str:child_id>/", views.child_edit, name="child_edit"),
    path("f/<str:family_id>/access-log/", views.access_log, name="access_log"),
    path("f/<str:family_id>/settings/", views.settings_view, name="settings"),
    path(
        "f/<str:family_id>/access-log/<str:membership_id>/",
        views.access_log_member,
        name="access_log_member",
    ),
    path(
        "f/<str:family_id>/access-requests/<str:request_id>/",
        views.access_request_review,
        name="access_request_review",
    ),
    path("workspace/", views.workspace, name="workspace"),
    path("workspace/ask/", views.access_request_create, name="access_request_create"),
    path(
        "workspace/requests/<str:request_id>/withdraw/",
        views.access_request_withdraw,
        name="access_request_withdraw",
    ),
    path("access-requests/<str:request_id>/", views.access_request, name="access_request"),
]
