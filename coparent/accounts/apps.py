from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "coparent.accounts"
    label = "accounts"

    def ready(self) -> None:
        from coparent.accounts import personal_data, signals  # noqa: F401
