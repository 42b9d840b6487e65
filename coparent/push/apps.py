from django.apps import AppConfig


class PushConfig(AppConfig):
    name = "coparent.push"
    label = "push"
