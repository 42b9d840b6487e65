from django.urls import path

from coparent.exchanges import views

app_name = "exchanges"

urlpatterns = [
    path("f/<str:family_id>/exchanges/", views.exchange_list, name="list"),
    path("f/<str:family_id>/exchanges/report/", views.report, name="report"),
    path("f/<str:family_id>/exchanges/reminders/", views.reminders, name="reminders"),
    path("f/<str:family_id>/exchanges/terms/<str:plan_id>/", views.terms, name="terms"),
    path(
        "f/<str:family_id>/exchanges/terms/decide/<str:terms_id>/",
        views.terms_decide,
        name="terms_decide",
    ),
    path(
        "f/<str:family_id>/exchanges/<str:plan_id>/<int:at>/", views.exchange_detail, name="detail"
    ),
    path(
        "f/<str:family_id>/exchanges/<str:plan_id>/<int:at>/check-in/",
        views.check_in,
        name="check_in",
    ),
    path(
        "f/<str:family_id>/exchanges/<str:plan_id>/<int:at>/missed/",
        views.report_missed,
        name="missed",
    ),
]
