from django.apps import AppConfig


class ChildinfoConfig(AppConfig):
    name = "coparent.childinfo"
    label = "childinfo"

    def ready(self) -> None:
        from coparent.childinfo import disclosure  # noqa: F401  (registers the disclosers)
