"""What messaging holds about a person, for their right-of-access zip: every conversation they
were in (what they wrote and what they received, both sides, in order), their read receipts
and the files attached to those messages. Conversations they were never in are left out."""

from __future__ import annotations

from functools import partial

from django.db.models import Exists, OuterRef

from coparent.accounts.models import User
from coparent.accounts.personal_data import File, Section, register_personal_data
from coparent.messaging import files
from coparent.messaging.models import Message, MessageView, Thread, ThreadParticipant


@register_personal_data("messaging")
def messaging_data(user: User) -> Section:
    threads = (
        Thread.objects.filter(
            Exists(ThreadParticipant.objects.filter(thread=OuterRef("pk"), membership__user=user))
        )
        .select_related("family")
        .order_by("created_at")
    )
    result = []
    attachments: list[File] = []
    for thread in threads:
        messages = []
        for message in (
            Message.objects.filter(thread=thread)
            .select_related("sender", "corrects")
            .prefetch_related("attachments")
            .order_by("created_at", "id")
        ):
            stored = []
            for attachment in message.attachments.all():
                entry = {
                    "name": attachment.original_name,
                    "type": attachment.media_type,
                    "size": attachment.size,
                }
                if not attachment.redacted:
                    path = f"{attachment.public_id}-{attachment.original_name}"
                    entry["file"] = f"files/messaging/{path}"
                    attachments.append(File(path, partial(files.read, attachment.stored_name)))
                stored.append(entry)
            messages.append(
                {
                    "id": message.public_id,
                    "from": message.sender.display_name,
                    "written_by_you": message.sender_id == user.pk,
                    "sent": message.created_at,
                    "body": None if message.redacted else message.body,
                    "redacted": message.redacted_at,
                    "corrects": message.corrects.public_id if message.corrects else None,
                    "attachments": stored,
                }
            )
        result.append(
            {
                "family": thread.family.name,
                "subject": thread.subject,
                "started": thread.created_at,
                "messages": messages,
            }
        )
    receipts = [
        {"message": v.message.public_id, "first_viewed": v.viewed_at}
        for v in MessageView.objects.filter(viewer=user).select_related("message")
    ]
    return Section({"conversations": result, "your_read_receipts": receipts}, attachments)
