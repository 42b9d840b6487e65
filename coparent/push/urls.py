from django.urls import path

from coparent.core.tenancy import not_family_scoped
from coparent.push import views

app_name = "push"

# The app's own files and one's own devices: nothing here belongs to a family.
urlpatterns = [
    path("manifest.webmanifest", views.manifest, name="manifest"),
    path("sw.js", views.service_worker, name="service_worker"),
    path("offline/", views.offline, name="offline"),
    path("account/devices/", views.devices, name="devices"),
]
for _pattern in urlpatterns:
    _pattern.callback = not_family_scoped(_pattern.callback)
