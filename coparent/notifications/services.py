"""Writes for notifications: `notify` (called by every other app's services inside their
transaction; for a message, by the worker's task that the send queued), marking as read, a
person's choices, and delivering email (now, after quiet hours, or in the daily digest). Push
plugs into `SENDERS`.

Delivery, step by step:
1. `notify` writes one Notification per recipient and, for each channel other than the app, one
   Delivery whose `due_at` is now, the end of the recipient's quiet hours, or their next digest.
2. After the commit, each delivery due now is enqueued as the `deliver` task; a held one is
   enqueued to run at its `due_at` when the task backend can defer.
3. `deliveries_release(now)` (a periodic job) sends every email or push delivery that is due and
   still unsent: the held ones when the backend cannot defer, and any whose task was lost.
   `send_due_digests(now)` (a periodic job) sends each person one email of their due digest rows.
4. Whoever sends claims the row first, with one UPDATE that only an unclaimed row (or one whose
   worker died CLAIM_TIMEOUT ago) matches: two workers never send the same delivery twice.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.functional import Promise, lazy
from django.utils.translation import gettext as _

from coparent.accounts.models import User
from coparent.core.emails import send_templated_email_now
from coparent.core.errors import ServiceError
from coparent.core.http import absolute_url
from coparent.core.together import Together
from coparent.families.models import Family
from coparent.notifications import kinds, timing
from coparent.notifications.models import (
    Channel,
    ChannelPreference,
    Delivery,
    Kind,
    Notification,
    NotificationSettings,
)
from coparent.push import services as push

logger = logging.getLogger("coparent.notifications")

MAX_DETAIL_BODY = 2000
# A worker that claimed a delivery and has not finished in this long is taken to have died.
CLAIM_TIMEOUT = dt.timedelta(minutes=10)

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


@dataclass(frozen=True)
class Phrase:
    """A translatable template and its parameters, rendered in each recipient's language: the
    template is lazy (`gettext_lazy`/`ngettext_lazy`), and a parameter may be lazy or a Phrase too.
    Plain strings (names, what someone wrote) pass through untouched."""

    template: StrOrPromise
    params: Mapping[str, object] = field(default_factory=dict)

    def render(self) -> str:
        """The text in the language active now."""
        if not self.params:
            return str(self.template)
        return str(self.template % {k: _rendered(v) for k, v in self.params.items()})


def _rendered(value: object) -> object:
    if isinstance(value, Phrase):
        return value.render()
    if isinstance(value, Promise):
        return str(value)
    return value


type Text = StrOrPromise | Promise | Phrase


def lowercase(text: StrOrPromise | Promise) -> StrOrPromise:
    """A label in lower case, in the language active when it is read."""
    return lazy(lambda: str(text).lower(), str)()


def formatted(value: dt.date | dt.datetime, format_name: str) -> StrOrPromise:
    """A date or time in the format of the language active when it is read."""
    return lazy(lambda: date_format(value, format_name), str)()


@dataclass(frozen=True)
class Detail:
    """What happened, with names and content: shown in the app, and in emails and pushes only to
    people who asked for details. Translatable parts are lazy or a Phrase, so that each recipient
    reads them in their own language whoever caused them."""

    title: Text
    body: Text = ""


def settings_get(user: User) -> NotificationSettings:
    found = NotificationSettings.objects.filter(user=user).first()
    return found or NotificationSettings(user=user)


def _zone(user: User) -> ZoneInfo:
    try:
        return ZoneInfo(user.timezone or "UTC")
    except (ValueError, KeyError):
        return ZoneInfo("UTC")


def _due_at(
    kind: str, channel: str, user: User, found: NotificationSettings, now: dt.datetime
) -> dt.datetime:
    zone = _zone(user)
    due = timing.next_digest(now, zone, found.digest_hour) if channel == Channel.DIGEST else now
    quiet = found.quiet_times()
    if quiet is not None and kind not in kinds.THROUGH_QUIET_HOURS:
        due = timing.quiet_until(due, zone, *quiet) or due
    return due


def notify(
    family: Family | None,
    recipients: Iterable[User],
    kind: Kind,
    *,
    link: str,
    detail: Detail,
    actor: User | None = None,
) -> list[Notification]:
    """Tell each recipient (never the actor) that `kind` happened. Call it inside the write's
    transaction (for a message, the worker's task the send queued: messaging.message_notify):
    the rows commit with the caller's transaction, and deliveries start only after it commits.
    `link` is the path of the page where it is answered."""
    now = timezone.now()
    people: dict[int, User] = {}
    for user in recipients:
        if user.is_active and (actor is None or user.pk != actor.pk):
            people.setdefault(user.pk, user)
    if not people:
        return []
    chosen = dict(
        ChannelPreference.objects.filter(user_id__in=people, kind=kind).values_list(
            "user_id", "channel"
        )
    )
    found_settings = {s.user_id: s for s in NotificationSettings.objects.filter(user_id__in=people)}
    notifications = [
        Notification(
            family=family,
            recipient=user,
            kind=kind,
            title=_in_language(user.language, kinds.NEUTRAL_TITLES[kind]),
            detail_title=_in_language(user.language, detail.title)[:300],
            detail_body=_in_language(user.language, detail.body)[:MAX_DETAIL_BODY],
            link=link,
            created_at=now,
        )
        for user in people.values()
    ]
    _insert(notifications)
    deliveries = []
    for notification in notifications:
        user = people[notification.recipient_id]
        channel = chosen.get(user.pk) or kinds.DEFAULT_CHANNELS[kind]
        if channel == Channel.APP:
            continue
        user_settings = found_settings.get(user.pk) or NotificationSettings(user=user)
        skipped = ""
        if channel in (Channel.EMAIL, Channel.DIGEST) and not user.email_verified:
            skipped = "no verified email address"
        deliveries.append(
            Delivery(
                family=family,
                notification=notification,
                channel=channel,
                due_at=_due_at(kind, channel, user, user_settings, now),
                skipped=skipped,
            )
        )
    if deliveries:
        _insert(deliveries)
        immediate = [d for d in deliveries if d.channel != Channel.DIGEST and not d.skipped]
        if immediate:
            transaction.on_commit(lambda: _enqueue(immediate))
    return notifications


def _insert(rows: Sequence[Notification] | Sequence[Delivery]) -> None:
    """Like bulk_create, through Together: every message tells someone, and the SQL of each
    shape is compiled once."""
    writes = Together()
    writes.insert(*rows)
    writes.run()


def _in_language(language: str, text: Text) -> str:
    """A stored text in its recipient's language: a notification is read in the recipient's
    language whoever caused it."""
    with translation.override(language):
        return text.render() if isinstance(text, Phrase) else str(text)


def _enqueue(deliveries: Sequence[Delivery]) -> None:
    from coparent.notifications import tasks

    backend = tasks.deliver.get_backend()
    for delivery in deliveries:
        if delivery.due_at <= timezone.now():
            tasks.deliver.enqueue(delivery.pk)
        elif backend.supports_defer:
            tasks.deliver.using(run_after=delivery.due_at).enqueue(delivery.pk)
        # Otherwise deliveries_release() sends it once its quiet hours are over.


# ---- delivering ----------------------------------------------------------------------------


def _send_email(delivery: Delivery) -> None:
    notification = delivery.notification
    user = notification.recipient
    detailed = settings_get(user).include_details
    send_templated_email_now(
        user.notification_email,
        "notification",
        {
            "user": user,
            "notification": notification,
            "detailed": detailed,
            "link": absolute_url(notification.link if detailed else reverse("notifications:list")),
            "settings_link": absolute_url(reverse("notifications:settings")),
        },
        language=user.language,
    )


def _send_push(delivery: Delivery) -> None:
    """Lock screens are public: the neutral title unless the person asked for details. A tap
    opens the page where it is answered (a path; signing in comes first if needed)."""
    notification = delivery.notification
    user = notification.recipient
    detailed = settings_get(user).include_details
    link = notification.link
    push.send_to_user(
        user,
        title=push.NEUTRAL_TITLE,
        body=notification.detail_title if detailed else notification.title,
        url=link if link.startswith("/") else reverse("notifications:list"),
        tag=f"n-{notification.public_id}",
    )


# How each channel is sent; a channel missing here is offered but skipped when due.
SENDERS: dict[str, Callable[[Delivery], None]] = {
    Channel.EMAIL: _send_email,
    Channel.PUSH: _send_push,
}


def _claimable(now: dt.datetime) -> Q:
    return Q(sent_at__isnull=True, skipped="", due_at__lte=now) & (
        Q(claim__isnull=True) | Q(claimed_at__lt=now - CLAIM_TIMEOUT)
    )


def delivery_send(delivery_id: int, *, now: dt.datetime | None = None) -> bool:
    """Send one email or push delivery if it is due and nobody else has it. True if this call
    sent it. A transient failure releases the claim and raises, so the task can retry."""
    now = now or timezone.now()
    token = uuid.uuid4()
    claimed = (
        Delivery.objects.filter(_claimable(now), pk=delivery_id)
        .exclude(channel=Channel.DIGEST)
        .update(claim=token, claimed_at=now)
    )
    if not claimed:
        return False
    delivery = Delivery.objects.select_related("notification__recipient").get(pk=delivery_id)
    sender = SENDERS.get(delivery.channel)
    if sender is None:
        Delivery.objects.filter(pk=delivery_id, claim=token).update(skipped="channel not available")
        return False
    try:
        sender(delivery)
    except Exception:
        Delivery.objects.filter(pk=delivery_id, claim=token).update(claim=None, claimed_at=None)
        raise
    Delivery.objects.filter(pk=delivery_id, claim=token).update(sent_at=timezone.now())
    return True


def deliveries_release(now: dt.datetime | None = None) -> int:
    """Send every email or push delivery that is due and unsent (held by quiet hours, or whose
    task was lost). Run it every few minutes; it is safe beside the tasks and itself."""
    now = now or timezone.now()
    due = list(
        Delivery.objects.filter(_claimable(now))
        .exclude(channel=Channel.DIGEST)
        .order_by("due_at")
        .values_list("pk", flat=True)[:500]
    )
    sent = 0
    failed: Exception | None = None
    for delivery_id in due:
        try:
            sent += delivery_send(delivery_id, now=now)
        except Exception as error:  # one bad address must not hold back everyone else
            failed = error
    if failed is not None:
        raise failed
    return sent


def send_due_digests(now: dt.datetime | None = None) -> int:
    """Email each person one summary of their digest deliveries that are due (their digest hour
    has come, out of quiet hours). Run it every few minutes or hourly; each row goes once."""
    now = now or timezone.now()
    users = set(
        Delivery.objects.filter(_claimable(now), channel=Channel.DIGEST).values_list(
            "notification__recipient_id", flat=True
        )
    )
    sent = 0
    failed: Exception | None = None
    for user_id in sorted(users):
        try:
            sent += _digest_send(user_id, now)
        except Exception as error:
            failed = error
    if failed is not None:
        raise failed
    return sent


def _digest_send(user_id: int, now: dt.datetime) -> int:
    token = uuid.uuid4()
    claimed = Delivery.objects.filter(
        _claimable(now), channel=Channel.DIGEST, notification__recipient_id=user_id
    ).update(claim=token, claimed_at=now)
    if not claimed:
        return 0
    rows = list(
        Delivery.objects.filter(claim=token)
        .select_related("notification")
        .order_by("notification__created_at")
    )
    user = User.objects.get(pk=user_id)
    try:
        send_templated_email_now(
            user.notification_email,
            "notification_digest",
            {
                "user": user,
                "notifications": [row.notification for row in rows],
                "detailed": settings_get(user).include_details,
                "link": absolute_url(reverse("notifications:list")),
                "settings_link": absolute_url(reverse("notifications:settings")),
            },
            language=user.language,
        )
    except Exception:
        Delivery.objects.filter(claim=token).update(claim=None, claimed_at=None)
        raise
    Delivery.objects.filter(claim=token).update(sent_at=timezone.now())
    return 1


# ---- the person's own side -----------------------------------------------------------------


def notification_read(*, user: User, notification: Notification) -> None:
    Notification.objects.filter(pk=notification.pk, recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def notifications_read_all(*, user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


@transaction.atomic
def settings_update(
    *,
    user: User,
    channels: dict[str, str],
    quiet_start: dt.time | None,
    quiet_end: dt.time | None,
    include_details: bool,
    digest_hour: int,
) -> NotificationSettings:
    """Save a person's choices. Kinds left out of `channels` keep theirs. Digest rows still
    waiting move to the new digest hour."""
    for kind, channel in channels.items():
        if kind not in Kind.values:
            raise ServiceError(_("That is not a kind of notification."), field="channels")
        if channel not in Channel.values:
            raise ServiceError(
                _("Choose in the app, email right away, a daily email or push."), field=kind
            )
    if (quiet_start is None) != (quiet_end is None):
        raise ServiceError(
            _("Give both the start and the end of your quiet hours, or neither."),
            field="quiet_end" if quiet_end is None else "quiet_start",
        )
    if quiet_start is not None and quiet_start == quiet_end:
        raise ServiceError(
            _("Quiet hours must start and end at different times."), field="quiet_end"
        )
    if not 0 <= digest_hour <= 23:
        raise ServiceError(_("Choose an hour from 0 to 23."), field="digest_hour")
    found, _created = NotificationSettings.objects.select_for_update().get_or_create(user=user)
    found.quiet_start = quiet_start
    found.quiet_end = quiet_end
    found.include_details = include_details
    found.digest_hour = digest_hour
    found.save()
    for kind, channel in channels.items():
        ChannelPreference.objects.update_or_create(
            user=user, kind=kind, defaults={"channel": channel}
        )
    now = timezone.now()
    waiting = Delivery.objects.filter(
        channel=Channel.DIGEST,
        notification__recipient=user,
        sent_at__isnull=True,
        claim__isnull=True,
        skipped="",
    ).select_related("notification")
    for delivery in waiting:
        due = _due_at(delivery.notification.kind, Channel.DIGEST, user, found, now)
        if due != delivery.due_at:
            Delivery.objects.filter(pk=delivery.pk, claim__isnull=True).update(due_at=due)
    return found
