from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "coparent.demo"
    label = "demo"
