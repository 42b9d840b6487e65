from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "coparent.notifications"
    label = "notifications"

    def ready(self) -> None:
        # Registers what this app holds about a person (accounts.personal_data).
        from coparent.notifications import personal_data  # noqa: F401
