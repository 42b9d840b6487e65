"""What an export shows of messaging entries: subjects, bodies and files with their salts
(nothing once redacted), and the thread each entry belongs to, so one conversation can be
exported on its own."""

from __future__ import annotations

import uuid

from coparent.families.models import Membership
from coparent.messaging import files
from coparent.messaging.models import Attachment, Message, Thread, ThreadParticipant
from coparent.records.disclosure import Disclosure, register_disclosure, register_thread_visibility
from coparent.records.models import LogEntry
from coparent.tlog import decode


def _ids(entries: list[LogEntry], name: str) -> dict[int, uuid.UUID]:
    found = {}
    for entry in entries:
        value = decode(bytes(entry.leaf)).fields.get(name)
        try:
            found[entry.index] = uuid.UUID(str(value))
        except ValueError:
            continue
    return found


def _family(entries: list[LogEntry]) -> int:
    return entries[0].family_id


@register_disclosure("thread.created")
def _threads(entries: list[LogEntry]) -> dict[int, Disclosure]:
    ids = _ids(entries, "thread")
    threads = {
        t.public_id: t
        for t in Thread.objects.filter(family_id=_family(entries), public_id__in=ids.values())
    }
    found = {}
    for index, public_id in ids.items():
        thread = threads.get(public_id)
        if thread is None:
            continue
        salt = bytes(thread.subject_salt)
        found[index] = Disclosure(
            content=thread.subject.encode("utf-8") if salt else None,
            salt=salt or None,
            thread_id=str(thread.public_id),
        )
    return found


def _messages(entries: list[LogEntry]) -> tuple[dict[int, uuid.UUID], dict[uuid.UUID, Message]]:
    ids = _ids(entries, "message")
    messages = {
        m.public_id: m
        for m in Message.objects.filter(
            family_id=_family(entries), public_id__in=ids.values()
        ).select_related("thread")
    }
    return ids, messages


@register_disclosure("message.sent")
def _sent(entries: list[LogEntry]) -> dict[int, Disclosure]:
    ids, messages = _messages(entries)
    found = {}
    for index, public_id in ids.items():
        message = messages.get(public_id)
        if message is None:
            continue
        salt = bytes(message.salt)
        readable = not message.redacted and bool(salt)
        found[index] = Disclosure(
            content=message.body.encode("utf-8") if readable else None,
            salt=salt if readable else None,
            thread_subject=message.thread.subject,
            thread_id=str(message.thread.public_id),
        )
    return found


@register_disclosure("message.viewed")
@register_disclosure("redaction")
def _about_message(entries: list[LogEntry]) -> dict[int, Disclosure]:
    ids, messages = _messages(entries)
    return {
        index: Disclosure(thread_id=str(messages[public_id].thread.public_id))
        for index, public_id in ids.items()
        if public_id in messages
    }


@register_disclosure("attachment.added")
def _attachments(entries: list[LogEntry]) -> dict[int, Disclosure]:
    ids = _ids(entries, "attachment")
    attachments = {
        a.public_id: a
        for a in Attachment.objects.filter(
            family_id=_family(entries), public_id__in=ids.values()
        ).select_related("message__thread")
    }
    found = {}
    for index, public_id in ids.items():
        attachment = attachments.get(public_id)
        if attachment is None:
            continue
        thread_id = str(attachment.message.thread.public_id)
        salt = bytes(attachment.salt)
        content = None
        if attachment.stored_name and salt:
            try:
                content = files.read(attachment.stored_name)
            except OSError:
                content = None  # the file is gone: export the entry without it
        found[index] = Disclosure(
            content=content,
            salt=salt if content is not None else None,
            thread_id=thread_id,
        )
    return found


@register_thread_visibility
def _participants_only(reader: Membership, thread_ids: set[str]) -> set[str]:
    """A member's export shows only the conversations they are in, as the pages do."""
    return {
        str(public_id)
        for public_id in ThreadParticipant.objects.filter(
            family_id=reader.family_id, membership=reader, thread__public_id__in=list(thread_ids)
        ).values_list("thread__public_id", flat=True)
    }
