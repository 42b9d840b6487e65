from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "coparent.messaging"
    label = "messaging"

    def ready(self) -> None:
        # Registers what exports may show of messaging entries.
        # Registers the messages section of court reports.
        from coparent.messaging import (
            disclosure,  # noqa: F401
            report,  # noqa: F401
        )
