from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "coparent.documents"
    label = "documents"

    def ready(self) -> None:
        # The attention provider and the export's disclosers register themselves on import.
        from coparent.documents import attention, disclosure  # noqa: F401
