from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "coparent.records"
    label = "records"

    def ready(self) -> None:
        # Registers what this app holds about a person (accounts.personal_data).
        from coparent.records import personal_data  # noqa: F401
