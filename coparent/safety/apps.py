from django.apps import AppConfig


class SafetyConfig(AppConfig):
    name = "coparent.safety"
    verbose_name = "Safety"

    def ready(self) -> None:
        # The record keeps the order's reference hashed and discloses none of this app's
        # entries: the protected parent knows the reference, and a held message's words are
        # the sender's and the moderator's alone.
        from coparent.safety import attention, checks, personal_data  # noqa: F401  (registers)
