from django.urls import path

from coparent.decisions import views

app_name = "decisions"

urlpatterns = [
    path("f/<str:family_id>/decisions/", views.decision_list, name="list"),
    path("f/<str:family_id>/decisions/new/", views.decision_new, name="new"),
    path("f/<str:family_id>/decisions/<str:decision_id>/", views.decision_detail, name="detail"),
    path(
        "f/<str:family_id>/decisions/<str:decision_id>/accept/",
        views.decision_accept,
        name="accept",
    ),
    path(
        "f/<str:family_id>/decisions/<str:decision_id>/decline/",
        views.decision_decline,
        name="decline",
    ),
    path(
        "f/<str:family_id>/decisions/<str:decision_id>/counter/",
        views.decision_counter,
        name="counter",
    ),
    path(
        "f/<str:family_id>/decisions/<str:decision_id>/withdraw/",
        views.decision_withdraw,
        name="withdraw",
    ),
    path(
        "f/<str:family_id>/decisions/<str:decision_id>/comment/",
        views.decision_comment,
        name="comment",
    ),
    path("f/<str:family_id>/agreements/", views.agreement_list, name="agreements"),
    path(
        "f/<str:family_id>/agreements/<str:agreement_id>/share/",
        views.agreement_share,
        name="agreement_share",
    ),
]
