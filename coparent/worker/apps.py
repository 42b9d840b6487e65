from django.apps import AppConfig


class WorkerConfig(AppConfig):
    name = "coparent.worker"
    label = "worker"
