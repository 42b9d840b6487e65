from django.apps import AppConfig


class PushConfig(AppConfig):
    name = "coparent.push"
    label = "push"

    def ready(self) -> None:
        from coparent.push import checks  # noqa: F401  (registers the system checks)
