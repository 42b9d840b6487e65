from django.urls import path

from coparent.safety import views

app_name = "safety"

urlpatterns = [
    path("safety/", views.safety, name="safety"),
    path("safety/exit/", views.quick_exit, name="exit"),
]
