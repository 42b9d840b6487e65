from django.apps import AppConfig


class ExpensesConfig(AppConfig):
    name = "coparent.expenses"
    label = "expenses"

    def ready(self) -> None:
        from coparent.expenses import disclosure, providers  # noqa: F401  (registers them)
