"""Every link row now names its family (filled by the previous migration)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("documents", "0002_links_carry_the_family"),
        ("families", "0004_access_requests_and_deletion"),
    ]

    operations = [
        migrations.AlterField(
            model_name="documentchild",
            name="family",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="families.family",
            ),
        ),
    ]
