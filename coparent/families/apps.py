from django.apps import AppConfig


class FamiliesConfig(AppConfig):
    name = "coparent.families"
    label = "families"

    def ready(self) -> None:
        # Registers this app's section of court reports.
        from coparent.families import report  # noqa: F401
