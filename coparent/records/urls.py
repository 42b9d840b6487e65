from django.urls import path

from coparent.records import views

app_name = "records"

urlpatterns = [
    path(".well-known/coparent-record-keys", views.verifier_keys, name="verifier_keys"),
    path("f/<str:family_id>/record/", views.record, name="record"),
    path("f/<str:family_id>/record/export.zip", views.export, name="export"),
]
