"""Writes for messaging: opening threads, sending (and correcting), read receipts, attachments
and redactions. Each action is one transaction that also appends its entry to the family
record; notifications go out only after it commits."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F
from django.db.models.functions import Greatest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coparent.accounts.models import User
from coparent.core.errors import ServiceError
from coparent.core.statements import Statement
from coparent.core.together import Together
from coparent.families.models import Family, Membership, Role
from coparent.families.services import require_member
from coparent.messaging import files, tasks
from coparent.messaging.models import (
    Attachment,
    Message,
    MessageView,
    MessagingPreference,
    Thread,
    ThreadParticipant,
)
from coparent.messaging.tone import ToneResult, tone_check
from coparent.notifications.models import Kind
from coparent.notifications.services import Detail, Phrase, notify
from coparent.records.models import FamilyLog
from coparent.records.services import family_lock, record_append
from coparent.safety import selectors as safety_selectors
from coparent.tlog import content_hash, new_salt
from coparent.worker.services import queued

MAX_SUBJECT = 200
MAX_BODY = 10_000
MAX_REASON = 300
MAX_ATTACHMENTS = 5
# Who may be added to a thread besides the parents (who are always in it).
ADDABLE_ROLES = frozenset({Role.CAREGIVER, Role.CHILD, Role.PROFESSIONAL})


class ToneWarning(ServiceError):
    """The draft reads as hostile. Nothing was sent; the sender may rephrase or confirm."""

    code = "tone"

    def __init__(self, result: ToneResult, field: str = "body") -> None:
        listed = ", ".join(f"“{p}”" for p in result.phrases)
        message = (
            _("This may read as hostile: %(phrases)s. Rephrase it, or send it anyway.")
            % {"phrases": listed}
            if listed
            else _("The overall tone may read as hostile. Rephrase it, or send it anyway.")
        )
        super().__init__(message, field=field)
        self.result = result


@dataclass(frozen=True)
class Upload:
    name: str
    data: bytes


# Every message asks it: compiled once (core/statements.py).
_SEATS = Statement(
    lambda family, thread: (
        ThreadParticipant.objects.filter(thread_id=thread, family_id=family)
        .select_related("membership__user")
        .annotate(order_in_force=safety_selectors.restricting_order("membership"))
        .order_by("pk")
    ),
    family=int,
    thread=int,
)


def _writer_in_thread(family: Family, actor: User, thread: Thread) -> tuple[list[Membership], bool]:
    """Every seat's membership (with its user), once the actor's seat is checked, and whether a
    protective order restricts the actor, from one query: the send needs both, the seats again
    for the others' unread counts."""
    seats, orders = [], {}
    for row in _SEATS(family=family.pk, thread=thread.pk):
        seats.append(row.membership)
        orders[row.membership_id] = row.order_in_force
    membership = next((m for m in seats if m.user_id == actor.pk and m.is_active()), None)
    if membership is None:
        require_member(family, actor)  # a non-member gets the family's own answer
        raise ServiceError(_("You are not in this conversation."), code="forbidden")
    if membership.read_only:
        raise ServiceError(
            _("Your access is read-only: you can read this conversation but not write in it."),
            code="forbidden",
        )
    restricted = safety_selectors.restricted(membership, order_in_force=orders[membership.pk])
    return seats, restricted


def clean_body(body: str, *, allow_empty: bool = False) -> str:
    body = body.strip()
    if not body and not allow_empty:
        raise ServiceError(_("Write a message first."), field="body")
    if len(body) > MAX_BODY:
        raise ServiceError(
            _("A message can be at most %(n)d characters.") % {"n": MAX_BODY}, field="body"
        )
    return body


def preference_get(membership: Membership) -> MessagingPreference:
    found = MessagingPreference.objects.filter(membership=membership).first()
    return found or MessagingPreference(family_id=membership.family_id, membership=membership)


@transaction.atomic
def preference_update(*, family: Family, actor: User, shield: bool) -> MessagingPreference:
    membership = require_member(family, actor)
    preference, _created = MessagingPreference.objects.get_or_create(
        family=family, membership=membership
    )
    preference.shield = shield
    preference.save()
    return preference


@transaction.atomic
def thread_create(
    *,
    family: Family,
    actor: User,
    subject: str,
    body: str,
    others: Iterable[Membership] = (),
    confirm_tone: bool = False,
    uploads: Sequence[Upload] = (),
) -> Thread:
    """A new conversation between the parents, with anyone else a parent adds, and its first
    message. Only parents open threads."""
    creator = require_member(family, actor)
    if creator.role != Role.PARENT:
        raise ServiceError(_("Only a parent can start a conversation."), code="forbidden")
    subject = " ".join(subject.split())
    if not subject:
        raise ServiceError(_("Give the conversation a subject."), field="subject")
    if len(subject) > MAX_SUBJECT:
        raise ServiceError(
            _("A subject can be at most %(n)d characters.") % {"n": MAX_SUBJECT}, field="subject"
        )
    if not confirm_tone:
        # The subject is read first, in every list and email preview: it is checked like a body.
        subject_tone = tone_check(subject)
        if subject_tone.hostile:
            body_tone = tone_check(body)
            seen = {p.lower() for p in subject_tone.phrases}
            phrases = subject_tone.phrases + [p for p in body_tone.phrases if p.lower() not in seen]
            raise ToneWarning(
                ToneResult(
                    hostile=True,
                    score=min(subject_tone.score, body_tone.score),
                    phrases=phrases,
                    shouting=subject_tone.shouting or body_tone.shouting,
                ),
                field="subject",
            )
    parents = list(Membership.objects.active().filter(family=family, role=Role.PARENT))
    members = {m.pk: m for m in parents}
    for other in others:
        if other.family_id != family.pk or not other.is_active():
            raise ServiceError(_("That person is not in this family."), field="others")
        if other.role not in ADDABLE_ROLES and other.pk not in members:
            raise ServiceError(_("That person cannot be added."), field="others")
        members[other.pk] = other
    if len(members) < 2:
        raise ServiceError(
            _("There is nobody to write to yet: invite the other parent first."),
            field="others",
        )
    salt = new_salt()
    now = timezone.now()
    thread = Thread.objects.create(
        family=family,
        subject=subject,
        subject_salt=salt,
        created_by=actor,
        created_at=now,
        last_message_at=now,
    )
    chosen = sorted(members.values(), key=lambda m: m.created_at)
    ThreadParticipant.objects.bulk_create(
        [
            ThreadParticipant(family=family, thread=thread, membership=m, added_by=actor)
            for m in chosen
        ]
    )
    users = User.objects.filter(pk__in=[m.user_id for m in chosen]).values_list(
        "public_id", flat=True
    )
    record_append(
        family=family,
        actor=actor,
        kind="thread.created",
        fields={
            "thread": str(thread.public_id),
            "subject": content_hash(salt, subject.encode("utf-8")),
            "participants": tuple(sorted(str(u) for u in users)),
        },
    )
    message_send(
        family=family,
        actor=actor,
        thread=thread,
        body=body,
        confirm_tone=confirm_tone,
        uploads=uploads,
    )
    return thread


def _check_message(
    body: str, confirm_tone: bool, uploads: Sequence[Upload]
) -> tuple[ToneResult, list[files.CleanFile]]:
    """Everything that can refuse a message, before anything is written: the body, the files
    (cleaned once here, stored as cleaned) and the tone."""
    body = clean_body(body, allow_empty=bool(uploads))
    if len(uploads) > MAX_ATTACHMENTS:
        raise ServiceError(
            _("Attach at most %(n)d files to one message.") % {"n": MAX_ATTACHMENTS},
            field="file",
        )
    cleaned = [files.clean_upload(upload.data) for upload in uploads]
    result = tone_check(body)
    if result.hostile and not confirm_tone:
        raise ToneWarning(result)
    return result, cleaned


@transaction.atomic
def message_send(
    *,
    family: Family,
    actor: User,
    thread: Thread,
    body: str,
    corrects: Message | None = None,
    confirm_tone: bool = False,
    uploads: Sequence[Upload] = (),
    form: str = "",
    moderated: str = "",
) -> Message:
    """Send a message. A correction is a new message that names the one it corrects (one's
    own, in the same thread); the original stays as it was.

    Under a protective order the other parent's free text goes to the moderator instead
    (safety.services.message_hold); only a structured form (`form`, its topic) or the
    moderator's delivery (`moderated`: "approved" or "edited") reaches the family directly."""
    seats, restricted = _writer_in_thread(family, actor, thread)
    if not form and not moderated and restricted:
        raise ServiceError(
            _("A protective order applies: send this through a message form or the moderator."),
            code="restricted",
            field="body",
        )
    if corrects is not None and (corrects.thread_id != thread.pk or corrects.sender_id != actor.pk):
        raise ServiceError(
            _("You can only correct your own messages in this conversation."), field="corrects"
        )
    result, cleaned = _check_message(body, confirm_tone, uploads)
    body = body.strip()
    salt = new_salt()
    log = family_lock(family)
    now = timezone.now()
    stored: list[str] = []
    writes = Together()
    try:
        message = Message(
            family=family,
            thread=thread,
            sender=actor,
            body=body,
            salt=salt,
            corrects=corrects,
            created_at=now,
            hostile=result.hostile,
            tone_phrases=result.phrases,
            form=form,
            moderation=moderated,
        )
        writes.insert(message)
        writes.update_row(Thread, thread.pk, last_message_at=now)
        _count_unread(writes, thread, actor, seats)
        fields: dict[str, str] = {
            "thread": str(thread.public_id),
            "message": str(message.public_id),
            "content": content_hash(salt, body.encode("utf-8")),
        }
        if corrects is not None:
            fields["corrects"] = str(corrects.public_id)
        if form:
            fields["form"] = form
        if moderated:
            fields["moderated"] = moderated
        # Telling the others reads everyone's choices and writes a row per person and channel:
        # the worker does it once this commits, queued in the same statement as the message.
        writes.insert(queued(tasks.message_notify_task, str(message.public_id)))
        # The message, the thread's time and the unread counts go with the entry: on
        # PostgreSQL one statement.
        record_append(
            family=family,
            actor=actor,
            kind="message.sent",
            fields=fields,
            locked=log,
            writes=writes,
        )
        for upload, clean in zip(uploads, cleaned, strict=True):
            _attachment_store(family, actor, message, upload.name, clean, stored, log)
    except BaseException:
        for name in stored:  # the rows roll back; leave no orphan file behind
            files.remove(name)
        raise
    return message


def _count_unread(writes: Together, thread: Thread, sender: User, seats: list[Membership]) -> None:
    """One more unread message on every other seat of the thread. Written under the family's
    log lock, like every change to the counts, so they move one family write at a time."""
    others = [m.pk for m in seats if m.user_id != sender.pk]
    if others:
        writes.update(
            ThreadParticipant.objects.filter(thread=thread, membership_id__in=others),
            unread=F("unread") + 1,
        )


def _attachment_store(
    family: Family,
    actor: User,
    message: Message,
    name: str,
    clean: files.CleanFile,
    stored: list[str],
    log: FamilyLog,
) -> Attachment:
    """Store one already-cleaned file with its message; the caller removes `stored` files if
    the send fails."""
    salt = new_salt()
    stored.append(files.store(str(family.public_id), clean.data))
    attachment = Attachment.objects.create(
        family=family,
        message=message,
        stored_name=stored[-1],
        original_name=files.safe_name(name, clean.media_type),
        media_type=clean.media_type,
        size=len(clean.data),
        salt=salt,
    )
    record_append(
        family=family,
        actor=actor,
        kind="attachment.added",
        fields={
            "message": str(message.public_id),
            "attachment": str(attachment.public_id),
            "content": content_hash(salt, clean.data),
            "media_type": clean.media_type,
        },
        locked=log,
    )
    return attachment


@transaction.atomic
def message_view(*, family: Family, actor: User, messages: Iterable[Message]) -> list[MessageView]:
    """Read receipts: the first time the actor was shown each message (sent by someone else,
    in a thread the actor is in). Later views change nothing. Read-only members leave no
    receipts: their visits are in the access log instead."""
    membership = require_member(family, actor)
    if membership.read_only:
        return []
    wanted = [m for m in messages if m.family_id == family.pk and m.sender_id != actor.pk]
    if not wanted:
        return []
    family_lock(family)  # the page and its poll at once must leave one receipt, not fail
    allowed = dict(
        ThreadParticipant.objects.filter(
            membership=membership, thread_id__in={m.thread_id for m in wanted}
        ).values_list("thread_id", "pk")
    )
    seen = set(
        MessageView.objects.filter(message__in=wanted, viewer=actor).values_list(
            "message_id", flat=True
        )
    )
    created = []
    now = timezone.now()
    withheld = safety_selectors.order_protecting(membership) is not None
    for message in wanted:
        if message.thread_id not in allowed or message.pk in seen:
            continue
        seen.add(message.pk)
        view = MessageView.objects.create(
            family=family, message=message, viewer=actor, viewed_at=now, withheld=withheld
        )
        if not withheld:
            record_append(
                family=family,
                actor=actor,
                kind="message.viewed",
                fields={"message": str(message.public_id), "viewer": str(actor.public_id)},
            )
        created.append(view)
    read = Counter(view.message.thread_id for view in created)
    for thread_id, n in read.items():
        # Exactly the receipts made now, each for a message that lacked one; never below 0.
        ThreadParticipant.objects.filter(pk=allowed[thread_id]).update(
            unread=Greatest(F("unread") - n, 0)
        )
    return created


@transaction.atomic
def message_redact(
    *, family: Family, actor: User, message: Message, reason: str, court_order: str = ""
) -> Message:
    """Blank a message's body and salt (and its files) for good, keeping the record whole: the
    leaf only ever held the salted hash. A parent redacts their own message on request; anyone
    else's only under a court order, whose reference is logged."""
    membership = require_member(family, actor)
    if membership.role != Role.PARENT:
        raise ServiceError(_("Only a parent can redact a message."), code="forbidden")
    family_lock(family)
    locked = (
        Message.objects.select_for_update(no_key=True).filter(pk=message.pk, family=family).first()
    )
    if (
        locked is None
        or not ThreadParticipant.objects.filter(
            thread_id=locked.thread_id, membership=membership
        ).exists()
    ):
        raise ServiceError(_("You are not in this conversation."), code="forbidden")
    if locked.redacted:
        raise ServiceError(_("This message has already been redacted."), code="conflict")
    reason = " ".join(reason.split())
    court_order = " ".join(court_order.split())
    if not reason:
        raise ServiceError(_("Say why the message is being redacted."), field="reason")
    if locked.sender_id != actor.pk and not court_order:
        raise ServiceError(
            _(
                "Another person's message can be redacted only under a court order: "
                "give its reference."
            ),
            field="court_order",
        )
    logged = f"{reason} (court order {court_order})" if court_order else reason
    if len(logged) > MAX_REASON:
        raise ServiceError(
            _("Keep the reason under %(n)d characters.") % {"n": MAX_REASON}, field="reason"
        )
    locked.body = ""
    locked.salt = b""
    locked.redacted_at = timezone.now()
    locked.redaction_reason = logged
    locked.save(update_fields=["body", "salt", "redacted_at", "redaction_reason"])
    stored = [a.stored_name for a in locked.attachments.all() if a.stored_name]
    locked.attachments.update(stored_name="", salt=b"")
    record_append(
        family=family,
        actor=actor,
        kind="redaction",
        fields={"message": str(locked.public_id), "reason": logged},
    )

    def remove_files() -> None:
        for name in stored:
            files.remove(name)

    transaction.on_commit(remove_files)
    return locked


@transaction.atomic
def message_notify(message_id: str) -> int:
    """Tell a sent message's other participants (the worker runs it after the send commits); the
    number told, 0 if they were told already. The words of the message never leave the app (a
    redaction could not reach them there), the subject only for people who asked for details.
    Under the family's lock, like the write it follows: a membership revoked or an account
    erased in between is seen, and such a person is not told."""
    message = (
        Message.objects.select_related("family", "thread", "sender")
        .filter(public_id=message_id)
        .first()
    )
    if message is None:
        return 0  # the family was deleted before the worker came to it
    family_lock(message.family)
    # Once, however often the task runs: a retry after this commits, or `coparent tasks retry`
    # of a task whose worker was killed.
    first = Message.objects.filter(pk=message.pk, notified_at__isnull=True).update(
        notified_at=timezone.now()
    )
    if not first:
        return 0
    thread = message.thread
    seats = _SEATS(family=message.family_id, thread=thread.pk)
    told = notify(
        message.family,
        [s.membership.user for s in seats if s.membership.is_active()],
        Kind.MESSAGE,
        link=reverse("messaging:thread", args=[message.family.public_id, thread.public_id]),
        detail=Detail(
            Phrase(
                gettext_lazy("%(sender)s wrote in “%(subject)s”"),
                {"sender": message.sender.display_name, "subject": thread.subject},
            )
        ),
        actor=message.sender,
    )
    return len(told)
