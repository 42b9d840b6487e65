"""Each seat keeps its member's unread count, so the badge no longer scans every message of
every thread on every page. Existing seats start at their exact count: the messages of the
thread not sent by the member that they hold no receipt for."""

from django.db import migrations, models
from django.db.models import Count, Exists, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce

BATCH = 1000


def fill(apps, schema_editor):
    participant = apps.get_model("messaging", "ThreadParticipant")
    message = apps.get_model("messaging", "Message")
    view = apps.get_model("messaging", "MessageView")
    unread = (
        message.objects.filter(thread=OuterRef("thread"))
        .exclude(sender=OuterRef("membership__user"))
        .exclude(
            Exists(
                view.objects.filter(
                    message=OuterRef("pk"), viewer=OuterRef(OuterRef("membership__user"))
                )
            )
        )
        .order_by()
        .values("thread")
        .annotate(n=Count("pk"))
        .values("n")
    )
    seats = participant.objects.annotate(
        exact=Coalesce(Subquery(unread, output_field=IntegerField()), 0)
    ).order_by("pk")
    changed = []
    for seat in seats.iterator(chunk_size=BATCH):
        if seat.exact != seat.unread:
            seat.unread = seat.exact
            changed.append(seat)
        if len(changed) >= BATCH:
            participant.objects.bulk_update(changed, ["unread"])
            changed = []
    participant.objects.bulk_update(changed, ["unread"])


class Migration(migrations.Migration):
    dependencies = [("messaging", "0004_protective_order")]

    operations = [
        migrations.AddField(
            model_name="threadparticipant",
            name="unread",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddIndex(
            model_name="threadparticipant",
            index=models.Index(
                condition=models.Q(unread__gt=0), fields=["membership"], name="seat_unread"
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
