from django.urls import path

from coparent.core.tenancy import not_family_scoped
from coparent.notifications import views

app_name = "notifications"

# One's own notifications, from every family one is in; someone else's are a 404.
urlpatterns = [
    path("notifications/", views.notification_list, name="list"),
    path("notifications/read-all/", views.notifications_read_all, name="read_all"),
    path("notifications/<str:notification_id>/open/", views.notification_open, name="open"),
    path("account/notifications/", views.notification_settings, name="settings"),
]
for _pattern in urlpatterns:
    _pattern.callback = not_family_scoped(_pattern.callback)
