from django.apps import AppConfig


class ScheduleConfig(AppConfig):
    name = "coparent.schedule"
    label = "schedule"
