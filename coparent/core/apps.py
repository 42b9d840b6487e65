from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "coparent.core"
    label = "core"

    def ready(self) -> None:
        from coparent.core import checks  # noqa: F401  (registers the system checks)
