from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "coparent.reports"
    label = "reports"
