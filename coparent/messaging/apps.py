from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "coparent.messaging"
    label = "messaging"

    def ready(self) -> None:
        # Registers what exports may show of messaging entries, what this app holds about a
        # person (accounts.personal_data) and the messages section of court reports.
        from coparent.messaging import disclosure, personal_data, report  # noqa: F401
