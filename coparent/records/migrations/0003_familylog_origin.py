"""Store each family log's checkpoint origin instead of recomputing it from SITE_URL.

A log that has signed a checkpoint keeps exactly the origin it signed (the note's first line);
a log with none yet gets the origin the old code would have computed from today's SITE_URL.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.db import migrations, models


def old_origin(public_id) -> str:
    host = urlsplit(settings.SITE_URL).netloc or "coparent.localhost"
    return f"{host}/family/{public_id}"


def forwards(apps, schema_editor):
    FamilyLog = apps.get_model("records", "FamilyLog")
    for log in FamilyLog.objects.filter(origin="").select_related("family").iterator():
        signed = log.checkpoint.split("\n", 1)[0] if log.checkpoint else ""
        log.origin = signed or old_origin(log.family.public_id)
        log.save(update_fields=["origin"])


class Migration(migrations.Migration):
    dependencies = [("records", "0002_append_only")]
    operations = [
        migrations.AddField(
            model_name="familylog",
            name="origin",
            field=models.CharField(blank=True, max_length=300),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
