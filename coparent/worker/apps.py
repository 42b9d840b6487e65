from django.apps import AppConfig


class WorkerConfig(AppConfig):
    name = "coparent.worker"
    label = "worker"

    def ready(self) -> None:
        from coparent.worker import checks  # noqa: F401  (registers the check)
