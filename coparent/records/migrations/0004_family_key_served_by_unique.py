"""Drop the family_id indexes of the log's two append-only tables: the unique constraints on
(family, index) and (family, level, index) lead with the family and serve every lookup by it.

Written by hand: AlterField(db_index=False) makes SQLite rebuild each table, which would drop
the append-only triggers of 0002, and is a no-op on PostgreSQL. The index names are the ones
Django gave them in 0001, the same on both databases."""

import django.db.models.deletion
from django.db import migrations, models

INDEXES = {
    "records_logentry": "records_logentry_family_id_018268c0",
    "records_lognode": "records_lognode_family_id_68a5bd93",
}


class Migration(migrations.Migration):
    dependencies = [
        ("families", "0004_access_requests_and_deletion"),
        ("records", "0003_familylog_origin"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="logentry",
                    name="family",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="families.family",
                    ),
                ),
                migrations.AlterField(
                    model_name="lognode",
                    name="family",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="families.family",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{name}"',
                    f'CREATE INDEX "{name}" ON "{table}" ("family_id")',
                )
                for table, name in INDEXES.items()
            ],
        )
    ]
