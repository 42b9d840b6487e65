from django.apps import AppConfig


class DecisionsConfig(AppConfig):
    name = "coparent.decisions"
    label = "decisions"
    verbose_name = "Decisions and agreements"

    def ready(self) -> None:
        from coparent.decisions import attention, disclosure, subjects  # noqa: F401  (registers)
