from django.apps import AppConfig


class FamiliesConfig(AppConfig):
    name = "coparent.families"
    label = "families"

    def ready(self) -> None:
        # Registers what this app holds about a person (accounts.personal_data).
        from coparent.families import personal_data  # noqa: F401
