from django.apps import AppConfig


class FamiliesConfig(AppConfig):
    name = "coparent.families"
    label = "families"

    def ready(self) -> None:
        # Registers what this app holds about a person (accounts.personal_data), and what
        # waits for a parent's answer (attention).
        # Registers this app's section of court reports.
        from coparent.families import (  # noqa: F401
            attention,
            personal_data,
            report,
        )
