"""Protective-order mode (coparent/safety) marks messages a form wrote or the moderator
delivered, and read receipts kept from the other parent.

On SQLite, Django adds these columns by rebuilding the table, which drops the triggers that keep
the search index (0002) in step; they are made again here, and the index rebuilt."""

from django.db import migrations, models

SEARCH_TRIGGERS = [
    "CREATE TRIGGER IF NOT EXISTS messaging_message_fts_insert AFTER INSERT ON messaging_message "
    "BEGIN INSERT INTO messaging_message_fts(rowid, body) VALUES (new.id, new.body); END",
    "CREATE TRIGGER IF NOT EXISTS messaging_message_fts_delete AFTER DELETE ON messaging_message "
    "BEGIN INSERT INTO messaging_message_fts(messaging_message_fts, rowid, body) "
    "VALUES ('delete', old.id, old.body); END",
    "CREATE TRIGGER IF NOT EXISTS messaging_message_fts_update AFTER UPDATE OF body "
    "ON messaging_message BEGIN "
    "INSERT INTO messaging_message_fts(messaging_message_fts, rowid, body) "
    "VALUES ('delete', old.id, old.body); "
    "INSERT INTO messaging_message_fts(rowid, body) VALUES (new.id, new.body); END",
    "INSERT INTO messaging_message_fts(messaging_message_fts) VALUES ('rebuild')",
]


def restore_search_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    with schema_editor.connection.cursor() as cursor:
        for sql in SEARCH_TRIGGERS:
            cursor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("messaging", "0003_email_choices_moved_to_notifications"),
    ]

    operations = [
        migrations.AddField(
            model_name="message",
            name="form",
            field=models.CharField(blank=True, max_length=16),
        ),
        migrations.AddField(
            model_name="message",
            name="moderation",
            field=models.CharField(blank=True, max_length=10),
        ),
        migrations.AddField(
            model_name="messageview",
            name="withheld",
            field=models.BooleanField(default=False),
        ),
        migrations.RunPython(restore_search_triggers, migrations.RunPython.noop),
    ]
