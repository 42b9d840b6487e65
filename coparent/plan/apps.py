from django.apps import AppConfig


class PlanConfig(AppConfig):
    name = "coparent.plan"
    label = "plan"

    def ready(self) -> None:
        # The calendar layer (call windows) registers itself on import.
        from coparent.plan import attention, calendar, disclosure  # noqa: F401
        from coparent.plan.subjects import register

        register()
