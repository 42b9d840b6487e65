"""API operations for messaging: threads, messages (with corrections), read receipts,
attachments, search and response times. Same rules as the pages: a thread one is not in is 404."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated

from django.http import Http404, HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema, Status
from pydantic import StrictBool

from coparent.api.base import actor, family_membership
from coparent.api.multipart import FILE, Multipart
from coparent.core.inputs import Instant, Text
from coparent.core.tenancy import get_for_family
from coparent.families.models import Membership
from coparent.messaging import files, selectors, services
from coparent.messaging.models import Message, Thread
from coparent.messaging.services import MAX_BODY, MAX_REASON, MAX_SUBJECT, Upload
from coparent.messaging.views import attachment_response

router = Router(tags=["messages"])


class ThreadOut(Schema):
    id: uuid.UUID
    subject: str
    created_at: dt.datetime
    last_message_at: dt.datetime
    participants: list[str]


class ThreadIn(Schema):
    subject: Annotated[str, Text(MAX_SUBJECT, required=True)]
    body: Annotated[str, Text(MAX_BODY, required=True)]
    participant_ids: list[uuid.UUID] = []
    confirm_tone: StrictBool = False


class ReceiptOut(Schema):
    viewer: str
    viewed_at: dt.datetime


class AttachmentOut(Schema):
    id: uuid.UUID
    name: str
    media_type: str
    size: int


class MessageOut(Schema):
    id: uuid.UUID
    thread_id: uuid.UUID
    sender: str
    body: str | None
    created_at: dt.datetime
    corrects_id: uuid.UUID | None
    redacted: bool
    hostile: bool
    seen_by: list[ReceiptOut]
    attachments: list[AttachmentOut]
    form: str = Field(
        "", description="Under a protective order: the structured form's topic that composed it."
    )
    moderation: str = Field(
        "", description='Delivered by the moderator: "approved" as written, or "edited".'
    )


class MessageIn(Schema):
    body: Annotated[str, Text(MAX_BODY, required=True)]
    corrects_id: uuid.UUID | None = None
    confirm_tone: StrictBool = False


class RedactIn(Schema):
    reason: Annotated[str, Text(MAX_REASON, required=True)]
    court_order: Annotated[str, Text(90)] = ""


class ViewedOut(Schema):
    recorded: int


class SearchQuery(Schema):
    q: Annotated[str, Text(200)]


class PageQuery(Schema):
    after: Instant | None = None
    before: Instant | None = None


class WaitOut(Schema):
    thread_id: uuid.UUID
    subject: str
    asked_at: dt.datetime
    answered_at: dt.datetime | None
    seconds: float


class ParentTimesOut(Schema):
    parent: str
    median_seconds: float | None
    replies: int
    unanswered: int
    slowest: list[WaitOut]


def _thread_out(thread: Thread) -> ThreadOut:
    return ThreadOut(
        id=thread.public_id,
        subject=thread.subject,
        created_at=thread.created_at,
        last_message_at=thread.last_message_at,
        participants=[p.membership.user.display_name for p in thread.participants.all()],
    )


def _message_out(message: Message, viewer_id: int) -> MessageOut:
    return MessageOut(
        id=message.public_id,
        thread_id=message.thread.public_id,
        sender=message.sender.display_name,
        body=None if message.redacted else message.body,
        created_at=message.created_at,
        corrects_id=message.corrects.public_id if message.corrects else None,
        redacted=message.redacted,
        hostile=message.hostile,
        seen_by=[
            ReceiptOut(viewer=v.viewer.display_name, viewed_at=v.viewed_at)
            for v in selectors.views_of(message)
            if v.viewer_id != message.sender_id and (not v.withheld or v.viewer_id == viewer_id)
        ],
        form=message.form,
        moderation=message.moderation,
        attachments=[
            AttachmentOut(
                id=a.public_id, name=a.original_name, media_type=a.media_type, size=a.size
            )
            for a in selectors.attachments_of(message)
            if not a.redacted
        ],
    )


def _fresh(message: Message) -> Message:
    """A message with the related rows _message_out reads."""
    return (
        Message.objects.filter(pk=message.pk)
        .select_related("thread", "sender", "corrects")
        .prefetch_related("views__viewer", "attachments")
        .get()
    )


@router.get(
    "/families/{family_id}/threads", response=list[ThreadOut], summary="Conversations you are in"
)
def thread_list(request: HttpRequest, family_id: str) -> list[ThreadOut]:
    membership = family_membership(request, family_id)
    threads = selectors.with_participants(selectors.thread_list(membership))[:200]
    return [_thread_out(t) for t in threads]


@router.post(
    "/families/{family_id}/threads",
    response={201: ThreadOut},
    summary="Start a conversation (parents); the other parent is always in it",
)
def thread_create(request: HttpRequest, family_id: str, payload: ThreadIn) -> Status[ThreadOut]:
    membership = family_membership(request, family_id)
    others = [
        get_for_family(Membership.objects.active(), membership.family, public_id=member_id)
        for member_id in payload.participant_ids
    ]
    thread = services.thread_create(
        family=membership.family,
        actor=actor(request),
        subject=payload.subject,
        body=payload.body,
        others=others,
        confirm_tone=payload.confirm_tone,
    )
    fresh = selectors.with_participants(Thread.objects.filter(pk=thread.pk)).get()
    return Status(201, _thread_out(fresh))


@router.get(
    "/families/{family_id}/threads/{thread_id}/messages",
    response=list[MessageOut],
    summary="Messages of a conversation (the latest 50, or after / before a time)",
)
def message_list(
    request: HttpRequest, family_id: str, thread_id: str, page: Query[PageQuery]
) -> list[MessageOut]:
    membership = family_membership(request, family_id)
    thread = selectors.thread_get(membership, thread_id)
    messages = selectors.message_page(thread, before=page.before, after=page.after)
    for message in messages:
        message.thread = thread
    return [_message_out(m, actor(request).pk) for m in messages]


@router.post(
    "/families/{family_id}/threads/{thread_id}/messages",
    response={201: MessageOut},
    summary="Send a message, or a correction of one of yours (corrects_id)",
)
def message_send(
    request: HttpRequest, family_id: str, thread_id: str, payload: MessageIn
) -> Status[MessageOut]:
    membership = family_membership(request, family_id)
    thread = selectors.thread_get(membership, thread_id)
    corrects = (
        selectors.message_get(membership, thread, payload.corrects_id)
        if payload.corrects_id
        else None
    )
    message = services.message_send(
        family=membership.family,
        actor=actor(request),
        thread=thread,
        body=payload.body,
        corrects=corrects,
        confirm_tone=payload.confirm_tone,
    )
    return Status(201, _message_out(_fresh(message), actor(request).pk))


@router.post(
    "/families/{family_id}/threads/{thread_id}/messages/{message_id}/viewed",
    response=ViewedOut,
    summary="Record that you have been shown a message (the first time only)",
)
def message_viewed(
    request: HttpRequest, family_id: str, thread_id: str, message_id: str
) -> ViewedOut:
    membership = family_membership(request, family_id)
    thread = selectors.thread_get(membership, thread_id)
    message = selectors.message_get(membership, thread, message_id)
    created = services.message_view(
        family=membership.family, actor=actor(request), messages=[message]
    )
    return ViewedOut(recorded=len(created))


@router.post(
    "/families/{family_id}/threads/{thread_id}/messages/{message_id}/redact",
    response=MessageOut,
    summary="Redact a message for good (parents; another's message only under a court order)",
)
def message_redact(
    request: HttpRequest, family_id: str, thread_id: str, message_id: str, payload: RedactIn
) -> MessageOut:
    membership = family_membership(request, family_id)
    thread = selectors.thread_get(membership, thread_id)
    message = selectors.message_get(membership, thread, message_id)
    services.message_redact(
        family=membership.family,
        actor=actor(request),
        message=message,
        reason=payload.reason,
        court_order=payload.court_order,
    )
    return _message_out(_fresh(message), actor(request).pk)


ATTACHMENT = Multipart(
    {
        "file": FILE,
        "body": {"type": "string", "maxLength": MAX_BODY},
        "confirm_tone": {
            "type": "string",
            "enum": ["true", "false"],
            "description": "true: send although the tone check warned.",
        },
    },
    required=["file"],
)


@router.post(
    "/families/{family_id}/threads/{thread_id}/attachments",
    response={201: MessageOut},
    summary="Send a file (multipart: `file`, optional `body`) as a new message",
    openapi_extra=ATTACHMENT.openapi(),
)
def attachment_send(request: HttpRequest, family_id: str, thread_id: str) -> Status[MessageOut]:
    # Read the multipart body by hand, after tenancy: an outsider learns nothing from validation.
    membership = family_membership(request, family_id)
    thread = selectors.thread_get(membership, thread_id)
    parts = ATTACHMENT.read(request)
    upload = parts.files["file"][0]
    limit = files.max_bytes()
    message = services.message_send(
        family=membership.family,
        actor=actor(request),
        thread=thread,
        body=parts.text.get("body", ""),
        confirm_tone=parts.text.get("confirm_tone") == "true",
        uploads=[Upload(upload.name or "attachment", upload.read(limit + 1))],
    )
    return Status(201, _message_out(_fresh(message), actor(request).pk))


@router.get(
    "/families/{family_id}/attachments/{attachment_id}",
    summary="Download an attachment (always as a file, never shown inline)",
)
def attachment_download(request: HttpRequest, family_id: str, attachment_id: str) -> HttpResponse:
    membership = family_membership(request, family_id)
    attachment = selectors.attachment_get(membership, attachment_id)
    if attachment.redacted:
        raise Http404
    return attachment_response(
        attachment.stored_name, attachment.original_name, attachment.media_type
    )


@router.get(
    "/families/{family_id}/messages/search",
    response=list[MessageOut],
    summary="Search the messages of the conversations you are in",
)
def message_search(
    request: HttpRequest, family_id: str, query: Query[SearchQuery]
) -> list[MessageOut]:
    membership = family_membership(request, family_id)
    return [
        _message_out(m, actor(request).pk) for m in selectors.message_search(membership, query.q)
    ]


@router.get(
    "/families/{family_id}/messages/response-times",
    response=list[ParentTimesOut],
    summary="How long messages wait for each parent's reply",
)
def response_times(request: HttpRequest, family_id: str) -> list[ParentTimesOut]:
    membership = family_membership(request, family_id)
    return [
        ParentTimesOut(
            parent=p.membership.user.display_name,
            median_seconds=p.median_seconds,
            replies=len(p.answered),
            unanswered=len(p.unanswered),
            slowest=[
                WaitOut(
                    thread_id=w.thread.public_id,
                    subject=w.thread.subject,
                    asked_at=w.asked_at,
                    answered_at=w.answered_at,
                    seconds=w.seconds,
                )
                for w in p.slowest
            ],
        )
        for p in selectors.response_times(membership)
    ]
