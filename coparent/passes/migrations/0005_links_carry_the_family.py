"""The many-to-many rows of PickupPass carry the family key, like every other table of a
family's data (core.models.FamilyLink): the tables Django made stay as they are, now named by
models, and gain a family column filled from the row each link belongs to. The column becomes
required in the next migration: on PostgreSQL, a table whose rows were just updated cannot be
altered in the same transaction while its deferred foreign-key checks are pending."""

import django.db.models.deletion
from django.db import migrations, models

from coparent.core.migrations_support import link_families

# (link model, owner model, the link's key to its owner)
LINKS = [
    ("PickupPassChild", "PickupPass", "pickuppass"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("passes", "0004_lists_newest_first"),
        ("families", "0004_access_requests_and_deletion"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="PickupPassChild",
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
                            "pickuppass",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="passes.pickuppass",
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
                        "db_table": "passes_pickuppass_children",
                        "unique_together": {("pickuppass", "child")},
                    },
                ),
                migrations.AlterField(
                    model_name="pickuppass",
                    name="children",
                    field=models.ManyToManyField(
                        related_name="+", through="passes.PickupPassChild", to="families.child"
                    ),
                ),
            ],
        ),
        migrations.AddField(
            model_name="pickuppasschild",
            name="family",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="families.family",
            ),
        ),
        migrations.RunPython(link_families("passes", LINKS), migrations.RunPython.noop),
    ]
