"""Reads for messaging. Every query starts from the reader's membership and keeps to the threads
that membership is in: a thread one is not in answers 404, exactly like a missing one."""

from __future__ import annotations

import datetime as dt
import re
import statistics
import uuid
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Exists, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.expressions import RawSQL
from django.http import Http404
from django.utils import timezone

from coparent.core.statements import Statement
from coparent.core.tenancy import get_for_family, public_id_or_404
from coparent.families.models import Membership, Role
from coparent.messaging.models import (
    Attachment,
    Message,
    MessageView,
    Thread,
    ThreadParticipant,
)

PAGE = 50
SEARCH_LIMIT = 50
_WORD = re.compile(r"\w+", re.UNICODE)


def thread_list(membership: Membership) -> QuerySet[Thread]:
    return (
        Thread.objects.filter(family_id=membership.family_id)
        .filter(
            Exists(ThreadParticipant.objects.filter(thread=OuterRef("pk"), membership=membership))
        )
        .select_related("created_by")
        .order_by("-last_message_at")
    )


def with_participants(threads: QuerySet[Thread]) -> QuerySet[Thread]:
    """Threads with their participants (and users) loaded in one more query, for lists."""
    return threads.prefetch_related(
        Prefetch(
            "participants",
            queryset=ThreadParticipant.objects.select_related("membership__user").order_by(
                "membership__created_at"
            ),
        )
    )


def thread_get(membership: Membership, thread_id: object) -> Thread:
    return get_for_family(thread_list(membership), membership.family, public_id=thread_id)


def _poll_threads(
    membership: Membership, thread: uuid.UUID, after: dt.datetime
) -> QuerySet[Thread]:
    latest = Message.objects.filter(thread=OuterRef(OuterRef("pk"))).order_by("-created_at")
    marks = MessageView.objects.filter(
        message__in=latest.values("pk")[:PAGE], message__sender_id=membership.user_id
    ).order_by("-pk")
    return (
        thread_list(membership)
        .annotate(
            newer=Exists(Message.objects.filter(thread=OuterRef("pk"), created_at__gt=after)),
            receipts_mark=Subquery(marks.values("pk")[:1]),
        )
        .filter(family_id=membership.family_id, public_id=thread)
    )


# A conversation asks every few seconds: compiled once (core/statements.py).
_POLL = Statement(
    lambda family, member, user, thread, after: _poll_threads(
        Membership(pk=member, family_id=family, user_id=user), thread, after
    ),
    family=int,
    member=int,
    user=int,
    thread=uuid.UUID,
    after=dt.datetime,
)


def thread_poll_get(membership: Membership, thread_id: object, *, after: dt.datetime) -> Thread:
    """The thread, with what a poll needs to tell "nothing new" in the same query: whether a
    message came after `after` (`newer`), and the newest receipt on the reader's own messages
    among the latest PAGE (`receipts_mark`, see `receipts_mark`). Both are index lookups,
    whatever the thread's length."""
    found = _POLL(
        family=membership.family_id,
        member=membership.pk,
        user=membership.user_id,
        thread=public_id_or_404(thread_id),
        after=after,
    )
    if not found:
        raise Http404
    thread: Thread = found[0]
    return thread


def receipts_mark(latest: list[Message], viewer_id: int) -> int:
    """The newest receipt (by id: receipts are written under the family lock, so ids grow in
    commit order) on the viewer's own messages among `latest`, the thread's latest PAGE
    messages with their views loaded; 0 when there is none. A poll that brings back the same
    mark has no receipt to update."""
    return max((v.pk for m in latest if m.sender_id == viewer_id for v in views_of(m)), default=0)


def participant_list(thread: Thread) -> list[Membership]:
    return [
        p.membership
        for p in ThreadParticipant.objects.filter(thread=thread)
        .select_related("membership__user")
        .order_by("membership__created_at")
    ]


def with_details(queryset: QuerySet[Message]) -> QuerySet[Message]:
    """Messages with their receipts and files loaded as plain lists (`view_list`,
    `attachment_list`): a page of 50 reads them without building 100 querysets."""
    return queryset.select_related("sender", "corrects").prefetch_related(
        Prefetch(
            "views", queryset=MessageView.objects.select_related("viewer"), to_attr="view_list"
        ),
        Prefetch(
            "attachments",
            queryset=Attachment.objects.order_by("created_at", "id"),
            to_attr="attachment_list",
        ),
    )


def views_of(message: Message) -> list[MessageView]:
    found: list[MessageView] | None = getattr(message, "view_list", None)
    return found if found is not None else list(message.views.select_related("viewer"))


def attachments_of(message: Message) -> list[Attachment]:
    found: list[Attachment] | None = getattr(message, "attachment_list", None)
    return found if found is not None else list(message.attachments.order_by("created_at", "id"))


def message_page(
    thread: Thread, *, before: dt.datetime | None = None, after: dt.datetime | None = None
) -> list[Message]:
    """The latest PAGE messages of a thread (or those before / after a moment), oldest first."""
    queryset = Message.objects.filter(thread=thread)
    if after is not None:
        return list(
            with_details(queryset.filter(created_at__gt=after)).order_by("created_at")[:PAGE]
        )
    if before is not None:
        queryset = queryset.filter(created_at__lt=before)
    latest = list(with_details(queryset).order_by("-created_at")[:PAGE])
    return latest[::-1]


def message_get(membership: Membership, thread: Thread, message_id: object) -> Message:
    return get_for_family(
        Message.objects.filter(thread=thread).select_related("thread", "sender"),
        membership.family,
        public_id=message_id,
    )


def attachment_get(membership: Membership, attachment_id: object) -> Attachment:
    visible = Attachment.objects.filter(
        Exists(
            ThreadParticipant.objects.filter(
                thread=OuterRef("message__thread"), membership=membership
            )
        )
    ).select_related("message__thread")
    return get_for_family(visible, membership.family, public_id=attachment_id)


def search_terms(query: str) -> list[str]:
    """Words only: quotes, operators and punctuation are dropped, so no input breaks the query
    syntax of either database."""
    return _WORD.findall(query.lower())[:12]


def message_search(membership: Membership, query: str) -> list[Message]:
    """Messages containing every word (prefix match on each), only in the reader's threads,
    newest first. Redacted messages have no body left to match."""
    terms = search_terms(query)
    if not terms:
        return []
    queryset = Message.objects.filter(
        family_id=membership.family_id,
        thread__in=ThreadParticipant.objects.filter(membership=membership).values("thread"),
        redacted_at__isnull=True,
    )
    if connection.vendor == "postgresql":
        tsquery = " & ".join(f"{t}:*" for t in terms)
        queryset = queryset.filter(
            id__in=RawSQL(
                "SELECT id FROM messaging_message WHERE family_id = %s AND "
                "to_tsvector('english'::regconfig, body) @@ to_tsquery('english'::regconfig, %s)",
                [membership.family_id, tsquery],
            )
        )
    else:
        match = " ".join(f'"{t}"*' for t in terms)
        queryset = queryset.filter(
            id__in=RawSQL(
                "SELECT rowid FROM messaging_message_fts WHERE messaging_message_fts MATCH %s",
                [match],
            )
        )
    found = with_details(queryset.select_related("thread")).order_by("-created_at")
    return list(found[:SEARCH_LIMIT])


@dataclass(frozen=True)
class Wait:
    thread: Thread
    asked_at: dt.datetime
    answered_at: dt.datetime | None
    asked_by: str

    @property
    def seconds(self) -> float:
        end = self.answered_at or timezone.now()
        return (end - self.asked_at).total_seconds()


@dataclass
class ParentTimes:
    membership: Membership
    waits: list[Wait] = field(default_factory=list)

    @property
    def answered(self) -> list[Wait]:
        return [w for w in self.waits if w.answered_at is not None]

    @property
    def unanswered(self) -> list[Wait]:
        return [w for w in self.waits if w.answered_at is None]

    @property
    def median_seconds(self) -> float | None:
        answered = self.answered
        return statistics.median(w.seconds for w in answered) if answered else None

    @property
    def slowest(self) -> list[Wait]:
        return sorted(self.answered, key=lambda w: w.seconds, reverse=True)[:5]


def response_times(membership: Membership) -> list[ParentTimes]:
    """For each parent: how long messages waited for their reply, over the threads the viewer
    can see. A wait starts with the first message from someone else that the parent has not
    answered yet and ends with the parent's next message in that thread."""
    threads = {t.pk: t for t in thread_list(membership)}
    parents = list(
        Membership.objects.filter(family_id=membership.family_id, role=Role.PARENT)
        .active()
        .select_related("user")
    )
    seats: dict[int, set[int]] = {}
    for thread_id, member_id in ThreadParticipant.objects.filter(thread_id__in=threads).values_list(
        "thread_id", "membership_id"
    ):
        seats.setdefault(thread_id, set()).add(member_id)
    names = dict(
        Membership.objects.filter(family_id=membership.family_id).values_list(
            "user_id", "user__display_name"
        )
    )
    result = {p.pk: ParentTimes(p) for p in parents}
    pending: dict[tuple[int, int], tuple[dt.datetime, int]] = {}
    rows = (
        Message.objects.filter(thread_id__in=threads)
        .order_by("thread_id", "created_at", "id")
        .values_list("thread_id", "sender_id", "created_at")
    )
    for thread_id, sender_id, created_at in rows.iterator(chunk_size=5000):
        for parent in parents:
            if parent.pk not in seats.get(thread_id, ()):
                continue
            key = (parent.pk, thread_id)
            if sender_id == parent.user_id:
                if key in pending:
                    asked_at, asker = pending.pop(key)
                    result[parent.pk].waits.append(
                        Wait(threads[thread_id], asked_at, created_at, names.get(asker, ""))
                    )
            elif key not in pending:
                pending[key] = (created_at, sender_id)
    for (parent_pk, thread_id), (asked_at, asker) in pending.items():
        result[parent_pk].waits.append(
            Wait(threads[thread_id], asked_at, None, names.get(asker, ""))
        )
    return list(result.values())
