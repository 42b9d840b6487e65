from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "coparent.messaging"
    label = "messaging"

    def ready(self) -> None:
        # Registers what exports may show of messaging entries.
        from coparent.messaging import disclosure, personal_data  # noqa: F401
