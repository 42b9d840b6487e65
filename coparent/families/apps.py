from django.apps import AppConfig


class FamiliesConfig(AppConfig):
    name = "coparent.families"
    label = "families"

    def ready(self) -> None:
        # Registers what this app holds about a person (accounts.personal_data), and what
        # waits for a parent's answer (attention).
        from coparent.families import attention, personal_data  # noqa: F401
