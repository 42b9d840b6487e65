"""The many-to-many rows of Event carry the family key, like every other table of a
family's data (core.models.FamilyLink): the tables Django made stay as they are, now named by
models, and gain a family column filled from the row each link belongs to. The column becomes
required in the next migration: on PostgreSQL, a table whose rows were just updated cannot be
altered in the same transaction while its deferred foreign-key checks are pending."""

import django.db.models.deletion
from django.db import migrations, models

from coparent.core.migrations_support import link_families

# (link model, owner model, the link's key to its owner)
LINKS = [
    ("EventChild", "Event", "event"),
    ("EventAttendee", "Event", "event"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("schedule", "0006_lists_newest_first"),
        ("families", "0004_access_requests_and_deletion"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="EventChild",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "event",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="schedule.event",
                            ),
                        ),
                        (
                            "child",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="families.child",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "schedule_event_children",
                        "unique_together": {("event", "child")},
                    },
                ),
                migrations.AlterField(
                    model_name="event",
                    name="children",
                    field=models.ManyToManyField(
                        blank=True,
                        related_name="+",
                        through="schedule.EventChild",
                        to="families.child",
                    ),
                ),
                migrations.CreateModel(
                    name="EventAttendee",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "event",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="schedule.event",
                            ),
                        ),
                        (
                            "membership",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="families.membership",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "schedule_event_attendees",
                        "unique_together": {("event", "membership")},
                    },
                ),
                migrations.AlterField(
                    model_name="event",
                    name="attendees",
                    field=models.ManyToManyField(
                        blank=True,
                        related_name="+",
                        through="schedule.EventAttendee",
                        to="families.membership",
                    ),
                ),
            ],
        ),
        migrations.AddField(
            model_name="eventchild",
            name="family",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="families.family",
            ),
        ),
        migrations.AddField(
            model_name="eventattendee",
            name="family",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="families.family",
            ),
        ),
        migrations.RunPython(link_families("schedule", LINKS), migrations.RunPython.noop),
    ]
