from django.apps import AppConfig


class AttentionConfig(AppConfig):
    name = "coparent.attention"
    label = "attention"

    def ready(self) -> None:
        # The built-in providers register themselves on import.
        from coparent.attention import providers  # noqa: F401
