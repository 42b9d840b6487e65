"""When the worker told a message's other participants, so that a task run again tells nobody
twice. Nullable with no default: SQLite adds the column in place (its search triggers stay), and
messages sent before the worker did the telling keep it empty."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("messaging", "0005_seat_unread"),
    ]

    operations = [
        migrations.AddField(
            model_name="message",
            name="notified_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
    ]
