from django.apps import AppConfig


class ScheduleConfig(AppConfig):
    name = "coparent.schedule"
    label = "schedule"

    def ready(self) -> None:
        # Registers what this app holds about a person (accounts.personal_data).
        # Registers this app's section of court reports.
        from coparent.schedule import (
            personal_data,  # noqa: F401
            report,  # noqa: F401
        )
