from django.apps import AppConfig


class JournalConfig(AppConfig):
    name = "coparent.journal"
    label = "journal"

    def ready(self) -> None:
        # Registers this app's section of court reports (the author's own chosen entries).
        from coparent.journal import report  # noqa: F401
