from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "coparent.records"
    label = "records"
