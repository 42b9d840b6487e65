from django.apps import AppConfig


class JournalConfig(AppConfig):
    name = "coparent.journal"
    label = "journal"
