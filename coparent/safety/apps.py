from django.apps import AppConfig


class SafetyConfig(AppConfig):
    name = "coparent.safety"
    verbose_name = "Safety"

    def ready(self) -> None:
        from coparent.safety import attention, checks, disclosure  # noqa: F401  (registers them)
