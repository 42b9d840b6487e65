from django.apps import AppConfig


class ExpensesConfig(AppConfig):
    name = "coparent.expenses"
    label = "expenses"

    def ready(self) -> None:
        # Registers disclosures, attention providers and this app's section of court reports.
        from coparent.expenses import disclosure, providers, report  # noqa: F401
