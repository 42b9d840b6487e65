from django.apps import AppConfig


class ExchangesConfig(AppConfig):
    name = "coparent.exchanges"
    label = "exchanges"

    def ready(self) -> None:
        # Registers this app's section of court reports.
        from coparent.exchanges import report  # noqa: F401
