from django.apps import AppConfig


class ScheduleConfig(AppConfig):
    name = "coparent.schedule"
    label = "schedule"

    def ready(self) -> None:
        # Registers this app's section of court reports.
        from coparent.schedule import report  # noqa: F401
