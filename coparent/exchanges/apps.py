from django.apps import AppConfig


class ExchangesConfig(AppConfig):
    name = "coparent.exchanges"
    label = "exchanges"

    def ready(self) -> None:
        # Registers what this app holds about a person (accounts.personal_data).
        # Registers this app's section of court reports.
        from coparent.exchanges import (
            personal_data,  # noqa: F401
            report,  # noqa: F401
        )
