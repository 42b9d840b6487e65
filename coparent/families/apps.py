from django.apps import AppConfig


class FamiliesConfig(AppConfig):
    name = "coparent.families"
    label = "families"
