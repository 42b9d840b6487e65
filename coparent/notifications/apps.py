from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "coparent.notifications"
    label = "notifications"
