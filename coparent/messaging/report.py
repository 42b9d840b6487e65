"""The messages section of a court report: the chosen conversations whole, both sides, in
order, each message with its sent time, each reader's first-viewed time, corrections linked to
what they correct, attachments listed by name, type, size and SHA-256 (photos and PDFs as
appendices), and the log index of every entry behind them."""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections.abc import Callable, Sequence
from typing import Any

from django.db.models import Prefetch
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from coparent.messaging import files
from coparent.messaging.models import Attachment, Message, MessageView, Thread, ThreadParticipant
from coparent.records.disclosure import visible_threads
from coparent.reports.sections import ReportOut, ReportScope, Section, register_section

APPENDIX_TYPES = ("image/jpeg", "image/png", "image/gif", "image/webp", "application/pdf")


def _size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / 1024 / 1024:.1f} MB"
    if size >= 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size} bytes"


def _threads(scope: ReportScope) -> list[Thread]:
    threads = Thread.objects.filter(family=scope.family).order_by("created_at", "id")
    if scope.thread_ids is not None:
        wanted = []
        for value in scope.thread_ids:
            try:
                wanted.append(uuid.UUID(str(value)))
            except ValueError:
                continue
        threads = threads.filter(public_id__in=wanted)
    found = list(threads)
    readable = visible_threads(scope.reader, {str(t.public_id) for t in found})
    return [t for t in found if str(t.public_id) in readable]


Indexes = dict[str, int]
Viewed = dict[tuple[str, int | None], int]


def _indexes(scope: ReportScope, thread_ids: set[str]) -> tuple[Indexes, Indexes, Viewed, Indexes]:
    """Log indexes of the entries behind what is printed: thread.created by thread, message.sent
    by message, message.viewed by (message, viewer), attachment.added by attachment."""
    created: dict[str, int] = {}
    sent: dict[str, int] = {}
    viewed: dict[tuple[str, int | None], int] = {}
    attached: dict[str, int] = {}
    for row, entry in scope.entries(["thread.created"], since=scope.family.created_at):
        if entry.fields.get("thread") in thread_ids:
            created[str(entry.fields["thread"])] = row.index
    for row, entry in scope.entries(["message.sent", "attachment.added"]):
        if entry.kind == "message.sent" and entry.fields.get("thread") in thread_ids:
            sent[str(entry.fields["message"])] = row.index
        elif entry.kind == "attachment.added":
            attached[str(entry.fields["attachment"])] = row.index
    far = scope.end.replace(year=min(scope.end.year + 200, 9999))
    for row, entry in scope.entries(["message.viewed"], until=far):
        message = str(entry.fields.get("message"))
        if message in sent:
            viewed[(message, row.actor_id)] = row.index
    return created, sent, viewed, attached


def write(scope: ReportScope, out: ReportOut) -> None:
    threads = _threads(scope)
    out.paragraph(
        str(
            _(
                "Each conversation is printed whole for the period, both sides, in the order the "
                "server received the messages. A message is never edited: a correction is a new "
                "message that names the one it corrects. Redacted content is said to be redacted."
            )
        )
    )
    if not threads:
        out.note(gettext("No conversations to show."))
        return
    thread_ids = {str(t.public_id) for t in threads}
    created, sent, viewed, attached = _indexes(scope, thread_ids)
    messages_csv = out.csv(
        "messages",
        [
            "conversation",
            "log_index",
            "sent_at",
            "sender",
            "body",
            "corrects_log_index",
            "first_viewed",
            "attachments",
        ],
    )
    total = (
        Message.objects.filter(
            family=scope.family,
            thread__in=threads,
            created_at__gte=scope.start,
            created_at__lt=scope.end,
        ).count()
        or 1
    )
    done = 0
    for thread in threads:
        seats = (
            ThreadParticipant.objects.filter(family=scope.family, thread=thread)
            .select_related("membership__user")
            .order_by("added_at")
        )
        people = ", ".join(seat.membership.user.display_name for seat in seats)
        out.heading(gettext("Conversation: %(subject)s") % {"subject": thread.subject}, level=2)
        details = [
            gettext("Started by %(who)s, %(when)s")
            % {
                "who": scope.name(thread.created_by_id),
                "when": scope.when(thread.created_at),
            },
            gettext("Participants: %(people)s") % {"people": people},
        ]
        mark = out.entry(created.get(str(thread.public_id)))
        if mark:
            details.append(mark)
        out.note(" · ".join(details))
        rows = (
            Message.objects.filter(
                family=scope.family,
                thread=thread,
                created_at__gte=scope.start,
                created_at__lt=scope.end,
            )
            .select_related("corrects")
            .prefetch_related(
                # Plain lists (to_attr): `.all()` on a prefetched manager still builds a
                # queryset per message, a tenth of a 20,000-message report.
                Prefetch(
                    "views",
                    queryset=MessageView.objects.order_by("viewed_at"),
                    to_attr="report_views",
                ),
                Prefetch(
                    "attachments",
                    queryset=Attachment.objects.order_by("created_at", "id"),
                    to_attr="report_attachments",
                ),
            )
            .order_by("created_at", "id")
        )
        empty = True
        for message in rows.iterator(chunk_size=500):
            empty = False
            _message(scope, out, thread, message, sent, viewed, attached, messages_csv)
            done += 1
            if done % 200 == 0:
                out.progress(done / total)
        if empty:
            out.note(gettext("No messages in this period."))


def _message(
    scope: ReportScope,
    out: ReportOut,
    thread: Thread,
    message: Message,
    sent: Indexes,
    viewed: Viewed,
    attached: Indexes,
    messages_csv: Callable[[Sequence[Any]], None],
) -> None:
    key = str(message.public_id)
    sender = scope.name(message.sender_id)
    mark = out.entry(sent.get(key))
    # The local time a reader expects, and the server's UTC time to the second, unambiguous.
    utc = message.created_at.astimezone(dt.UTC)
    title = f"{sender} · {scope.when(message.created_at)} ({utc:%Y-%m-%d %H:%M:%S} UTC)"
    if mark:
        title += f" · {mark}"
    details = []
    corrects_index = None
    if message.corrects is not None:
        corrects_index = sent.get(str(message.corrects.public_id))
        target = out.entry(corrects_index)
        details.append(
            gettext("Correction of the message sent %(when)s%(mark)s")
            % {
                "when": scope.when(message.corrects.created_at),
                "mark": f" ({target})" if target else "",
            }
        )
    if message.redacted:
        body = gettext("[Content redacted %(when)s: %(reason)s]") % {
            "when": scope.when(message.redacted_at),
            "reason": message.redaction_reason,
        }
    else:
        body = message.body
    first_views = []
    for view in message.report_views:  # type: ignore[attr-defined]
        if view.viewer_id == message.sender_id:
            continue
        # Seen under a protective order: shown to nobody but the reader (coparent/safety).
        if view.withheld and view.viewer_id != getattr(scope.reader, "user_id", None):
            continue
        view_mark = out.entry(viewed.get((key, view.viewer_id)))
        text = gettext("First viewed by %(who)s: %(when)s") % {
            "who": scope.name(view.viewer_id),
            "when": scope.when(view.viewed_at),
        }
        details.append(f"{text} ({view_mark})" if view_mark else text)
        first_views.append(f"{scope.name(view.viewer_id)} {scope.when(view.viewed_at)}")
    if not first_views:
        details.append(gettext("Not viewed by anyone else yet."))
    names = []
    for attachment in message.report_attachments:  # type: ignore[attr-defined]
        names.append(attachment.original_name)
        details.append(_attachment(scope, out, attachment, attached))
    out.item(title, body, details)
    messages_csv(
        [
            thread.subject,
            sent.get(key, ""),
            scope.when(message.created_at),
            sender,
            body,
            corrects_index if corrects_index is not None else "",
            "; ".join(first_views),
            "; ".join(names),
        ]
    )


def _attachment(
    scope: ReportScope, out: ReportOut, attachment: Attachment, attached: Indexes
) -> str:
    mark = out.entry(attached.get(str(attachment.public_id)))
    text = gettext("Attachment: %(name)s, %(type)s, %(size)s") % {
        "name": attachment.original_name,
        "type": attachment.media_type,
        "size": _size(attachment.size),
    }
    content = None
    if attachment.stored_name:
        try:
            content = files.read(attachment.stored_name)
        except OSError:
            content = None
    if content is None:
        text += gettext(", file no longer held (redacted or removed)")
    else:
        text += f", SHA-256 {hashlib.sha256(content).hexdigest()}"
        if attachment.media_type in APPENDIX_TYPES:
            text += f", {out.appendix(attachment.original_name, content, attachment.media_type)}"
    return f"{text} ({mark})" if mark else text


register_section(Section(key="messages", title=_("Messages"), write=write, order=10))
