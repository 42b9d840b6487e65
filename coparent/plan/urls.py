from django.urls import path

from coparent.plan import views

app_name = "plan"

urlpatterns = [
    path("f/<str:family_id>/plan/", views.plan_page, name="plan"),
    path("f/<str:family_id>/plan/print/", views.plan_print, name="print"),
    path("f/<str:family_id>/plan/propose/<str:kind>/", views.provision_propose, name="propose"),
    path(
        "f/<str:family_id>/plan/proposals/<str:proposal_id>/counter/",
        views.provision_counter,
        name="counter",
    ),
    path(
        "f/<str:family_id>/plan/proposals/<str:proposal_id>/answer/",
        views.provision_answer,
        name="answer",
    ),
    path(
        "f/<str:family_id>/plan/agreements/<str:plan_agreement_id>/share/",
        views.provision_share,
        name="share",
    ),
    path("f/<str:family_id>/plan/time-away/new/", views.time_away_new, name="time_away_new"),
    path("f/<str:family_id>/plan/time-away/<str:away_id>/", views.time_away, name="time_away"),
    path(
        "f/<str:family_id>/plan/time-away/<str:away_id>/answer/",
        views.time_away_answer,
        name="time_away_answer",
    ),
]
