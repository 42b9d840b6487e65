from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "coparent.core"
    label = "core"
