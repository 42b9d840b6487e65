from django.apps import AppConfig


class ExchangesConfig(AppConfig):
    name = "coparent.exchanges"
    label = "exchanges"
