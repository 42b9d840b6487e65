"""Professional access now runs from acceptance: invitations keep a number of days instead of
an end date. Pending invitations keep the length they were given."""

import math

from django.db import migrations, models


def end_dates_to_days(apps, schema_editor):
    Invitation = apps.get_model("families", "Invitation")
    for invitation in Invitation.objects.filter(access_until__isnull=False):
        seconds = (invitation.access_until - invitation.created_at).total_seconds()
        invitation.access_days = max(1, math.ceil(seconds / 86400))
        invitation.save(update_fields=["access_days"])


class Migration(migrations.Migration):
    dependencies = [
        ("families", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="invitation",
            name="access_days",
            field=models.PositiveSmallIntegerField(
                blank=True,
                help_text="professionals: access lasts this long from acceptance",
                null=True,
            ),
        ),
        migrations.RunPython(end_dates_to_days, migrations.RunPython.noop),
        migrations.RemoveField(
            model_name="invitation",
            name="access_until",
        ),
    ]
