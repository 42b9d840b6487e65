from django.apps import AppConfig


class ScheduleConfig(AppConfig):
    name = "coparent.schedule"
    label = "schedule"

    def ready(self) -> None:
        # Registers what this app holds about a person (accounts.personal_data).
        from coparent.schedule import personal_data  # noqa: F401
