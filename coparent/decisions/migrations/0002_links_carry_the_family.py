"""The many-to-many rows of Decision carry the family key, like every other table of a
family's data (core.models.FamilyLink): the tables Django made stay as they are, now named by
models, and gain a family column filled from the row each link belongs to. The column becomes
required in the next migration: on PostgreSQL, a table whose rows were just updated cannot be
altered in the same transaction while its deferred foreign-key checks are pending."""

import django.db.models.deletion
from django.db import migrations, models

from coparent.core.migrations_support import link_families

# (link model, owner model, the link's key to its owner)
LINKS = [
    ("DecisionChild", "Decision", "decision"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("decisions", "0001_initial"),
        ("families", "0004_access_requests_and_deletion"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="DecisionChild",
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
                            "decision",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="decisions.decision",
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
                        "db_table": "decisions_decision_children",
                        "unique_together": {("decision", "child")},
                    },
                ),
                migrations.AlterField(
                    model_name="decision",
                    name="children",
                    field=models.ManyToManyField(
                        blank=True,
                        related_name="+",
                        through="decisions.DecisionChild",
                        to="families.child",
                    ),
                ),
            ],
        ),
        migrations.AddField(
            model_name="decisionchild",
            name="family",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="families.family",
            ),
        ),
        migrations.RunPython(link_families("decisions", LINKS), migrations.RunPython.noop),
    ]
