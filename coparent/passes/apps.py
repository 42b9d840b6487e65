from django.apps import AppConfig


class PassesConfig(AppConfig):
    name = "coparent.passes"
    label = "passes"
