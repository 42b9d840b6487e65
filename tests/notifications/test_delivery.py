"""Delivering notifications: neutral by default, details on request, quiet hours in the
person's own zone, the daily digest, and never twice."""

from __future__ import annotations

import datetime as dt
import json
import threading
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.db import connection

from coparent.notifications import services, timing
from coparent.notifications.models import Channel, Delivery, Kind
from coparent.notifications.services import Detail, notify
from coparent.push import services as push_services
from tests.cast import Cast
from tests.exchanges.helpers import daily_exchanges, next_exchange, sides
from tests.messaging.helpers import open_thread, send
from tests.notifications.helpers import choose, clock, told
from tests.push.fake_push_service import FakePushService, browser_keys

pytestmark = pytest.mark.django_db

# The suite's clock: 2026-06-17 15:00 UTC, 11:00 in New York (Bob), 10:00 in Chicago (Alice).
NOW = dt.datetime(2026, 6, 17, 15, 0, tzinfo=dt.UTC)
CHICAGO, NEW_YORK = ZoneInfo("America/Chicago"), ZoneInfo("America/New_York")


@pytest.fixture
def still(time_machine):
    time_machine.move_to(NOW, tick=False)
    return time_machine


def message_to_bob(cast: Cast, capture, body: str = "The secret plan for Saturday") -> None:
    thread = open_thread(cast, subject="School pickup")
    mail.outbox.clear()
    with capture(execute=True):
        send(cast, thread, cast.alice, body)


def test_emails_are_neutral_by_default(cast: Cast, django_capture_on_commit_callbacks) -> None:
    message_to_bob(cast, django_capture_on_commit_callbacks)
    (email,) = mail.outbox
    assert email.to == [cast.bob.email]
    assert email.subject == "You have a new message in coparent"
    text = email.subject + email.body
    for private in ("Alice", "Parent", "School pickup", "secret", "Family A", "Kit"):
        assert private not in text, private
    assert "http://testserver/notifications/" in email.body


def test_details_only_for_those_who_ask(cast: Cast, django_capture_on_commit_callbacks) -> None:
    choose(cast.bob, include_details=True)
    message_to_bob(cast, django_capture_on_commit_callbacks)
    (email,) = mail.outbox
    assert email.subject == "Alice Parent wrote in “School pickup”"
    assert f"/f/{cast.family_a.public_id}/messages/" in email.body
    assert "Anyone who can read your email can read them too" in email.body


def test_each_kind_follows_its_own_channel(cast: Cast, django_capture_on_commit_callbacks) -> None:
    choose(cast.bob, channels={Kind.MESSAGE: Channel.APP})
    message_to_bob(cast, django_capture_on_commit_callbacks)
    assert mail.outbox == []
    assert len(told(cast.bob, Kind.MESSAGE)) == 2, "still in the app"
    assert not Delivery.objects.filter(notification__recipient=cast.bob).exists()


def test_quiet_hours_hold_email_until_they_end_in_the_persons_zone(
    cast: Cast, still, django_capture_on_commit_callbacks
) -> None:
    # 10:00 to 12:00 in New York is 14:00 to 16:00 UTC: it is quiet now for Bob.
    choose(cast.bob, quiet_start=clock("10:00"), quiet_end=clock("12:00"))
    message_to_bob(cast, django_capture_on_commit_callbacks)
    assert mail.outbox == [], "held"
    assert len(told(cast.bob, Kind.MESSAGE)) == 2, "in the app at once"
    held = Delivery.objects.filter(notification__recipient=cast.bob, sent_at__isnull=True)
    assert {d.due_at for d in held} == {dt.datetime(2026, 6, 17, 16, 0, tzinfo=dt.UTC)}
    assert services.deliveries_release(NOW + dt.timedelta(minutes=59)) == 0
    assert mail.outbox == []
    assert services.deliveries_release(NOW + dt.timedelta(hours=1)) == 2
    assert [m.to for m in mail.outbox] == [[cast.bob.email]] * 2
    assert services.deliveries_release(NOW + dt.timedelta(hours=2)) == 0, "once"


def test_the_same_hours_are_not_quiet_in_another_zone(
    cast: Cast, still, django_capture_on_commit_callbacks
) -> None:
    # 12:00 to 13:00 is quiet in New York at 16:00 UTC, not now (11:00 there).
    choose(cast.bob, quiet_start=clock("12:00"), quiet_end=clock("13:00"))
    message_to_bob(cast, django_capture_on_commit_callbacks)
    assert [m.to for m in mail.outbox] == [[cast.bob.email]]


def test_exchange_reminders_get_through_quiet_hours(
    cast: Cast, django_capture_on_commit_callbacks
) -> None:
    plan = daily_exchanges(cast)
    at = next_exchange()
    giver, _taker = sides(plan, at)
    choose(giver, quiet_start=clock("00:00"), quiet_end=clock("23:59"))
    choose(cast.bob if giver == cast.alice else cast.alice)
    exchange_services = __import__("coparent.exchanges.services", fromlist=["x"])
    exchange_services.reminders_update(
        family=cast.family_a, actor=giver, minutes_before=[60], by_email=True
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert exchange_services.reminders_send(now=at - dt.timedelta(minutes=30)) == 1
    assert [m.to for m in mail.outbox] == [[giver.email]]


def test_the_daily_digest_sends_one_email_at_the_persons_hour(
    cast: Cast, still, django_capture_on_commit_callbacks
) -> None:
    choose(cast.bob, channels={Kind.MESSAGE: Channel.DIGEST}, digest_hour=18)
    thread = open_thread(cast, subject="School pickup")
    with django_capture_on_commit_callbacks(execute=True):
        send(cast, thread, cast.alice, "One more thing")
    mail.outbox.clear()
    six_pm_new_york = dt.datetime(2026, 6, 17, 22, 0, tzinfo=dt.UTC)
    assert services.send_due_digests(six_pm_new_york - dt.timedelta(minutes=1)) == 0
    assert services.send_due_digests(six_pm_new_york) == 1
    (email,) = mail.outbox
    assert email.to == [cast.bob.email]
    assert email.subject == "Your coparent summary: 2 notifications"
    assert email.body.count("You have a new message in coparent") == 2
    assert "Alice" not in email.body and "School" not in email.body
    assert services.send_due_digests(six_pm_new_york + dt.timedelta(hours=1)) == 0, "once"
    assert services.deliveries_release(six_pm_new_york) == 0, "digests are not sent one by one"


def test_changing_the_digest_hour_moves_what_is_waiting(cast: Cast, still) -> None:
    choose(cast.bob, channels={Kind.MESSAGE: Channel.DIGEST}, digest_hour=18)
    open_thread(cast)
    choose(cast.bob, digest_hour=12)
    waiting = Delivery.objects.get(notification__recipient=cast.bob)
    assert waiting.due_at == dt.datetime(2026, 6, 17, 16, 0, tzinfo=dt.UTC)  # noon in New York


def test_sending_twice_in_a_row_sends_once(cast: Cast) -> None:
    open_thread(cast, delivered=False)
    delivery = Delivery.objects.get(notification__recipient=cast.bob)
    mail.outbox.clear()
    assert services.delivery_send(delivery.pk) is True
    assert services.delivery_send(delivery.pk) is False
    assert services.deliveries_release() == 0
    assert len(mail.outbox) == 1


def test_a_failed_send_is_released_for_the_retry(cast: Cast, monkeypatch) -> None:
    open_thread(cast, delivered=False)
    delivery = Delivery.objects.get(notification__recipient=cast.bob)

    def down(_delivery: Delivery) -> None:
        raise OSError("mail server unreachable")

    monkeypatch.setitem(services.SENDERS, Channel.EMAIL, down)
    with pytest.raises(OSError):
        services.delivery_send(delivery.pk)
    delivery.refresh_from_db()
    assert delivery.claim is None and delivery.sent_at is None
    monkeypatch.undo()
    mail.outbox.clear()
    assert services.delivery_send(delivery.pk) is True
    assert len(mail.outbox) == 1


@pytest.mark.parametrize("details", [False, True])
def test_push_reaches_the_device_neutral_unless_details_were_asked_for(
    cast: Cast, push_service: FakePushService, details: bool
) -> None:
    browser = browser_keys()
    push_services.subscription_save(
        user=cast.bob,
        endpoint=push_service.endpoint("bob-phone"),
        p256dh=browser.p256dh,
        auth=browser.auth,
        user_agent="",
    )
    choose(cast.bob, channels={Kind.MESSAGE: Channel.PUSH}, include_details=details)
    open_thread(cast, delivered=False)
    delivery = Delivery.objects.select_related("notification").get(notification__recipient=cast.bob)
    assert delivery.channel == Channel.PUSH
    assert services.delivery_send(delivery.pk) is True
    assert services.delivery_send(delivery.pk) is False  # once, however often it is run
    [request] = push_service.received
    payload = json.loads(browser.decrypt(request.body))
    notification = delivery.notification
    assert payload["url"] == notification.link
    if details:
        assert payload["body"] == notification.detail_title
    else:
        assert payload["body"] == notification.title
        assert cast.alice.display_name not in json.dumps(payload)


def test_a_push_service_failing_for_now_leaves_the_delivery_to_retry(
    cast: Cast, push_service: FakePushService
) -> None:
    browser = browser_keys()
    push_services.subscription_save(
        user=cast.bob,
        endpoint=push_service.endpoint("bob-phone"),
        p256dh=browser.p256dh,
        auth=browser.auth,
        user_agent="",
    )
    choose(cast.bob, channels={Kind.MESSAGE: Channel.PUSH})
    open_thread(cast, delivered=False)
    delivery = Delivery.objects.get(notification__recipient=cast.bob)
    push_service.status["/push/bob-phone"] = 503
    with pytest.raises(push_services.PushUnavailable):
        services.delivery_send(delivery.pk)
    delivery.refresh_from_db()
    assert delivery.sent_at is None and delivery.claim is None


def test_an_unconfirmed_address_is_never_emailed(cast: Cast) -> None:
    cast.bob.email_verified = False
    cast.bob.save(update_fields=["email_verified"])
    open_thread(cast, delivered=False)
    delivery = Delivery.objects.get(notification__recipient=cast.bob)
    assert delivery.skipped and services.delivery_send(delivery.pk) is False


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_send_once(cast: Cast) -> None:
    (notification,) = notify(
        cast.family_a,
        [cast.bob],
        Kind.MESSAGE,
        link="/notifications/",
        detail=Detail("Alice Parent wrote"),
        actor=cast.alice,
    )
    delivery = Delivery.objects.get(notification=notification)
    mail.outbox.clear()
    rounds, workers = 20, 4
    results: list[bool] = []
    errors: list[BaseException] = []
    for _round in range(rounds):
        Delivery.objects.filter(pk=delivery.pk).update(sent_at=None, claim=None, claimed_at=None)
        barrier = threading.Barrier(workers)

        def work(barrier: threading.Barrier = barrier) -> None:
            try:
                barrier.wait()
                results.append(services.delivery_send(delivery.pk))
            except BaseException as error:
                errors.append(error)
            finally:
                connection.close()

        threads = [threading.Thread(target=work) for _ in range(workers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    assert not errors
    assert results.count(True) == rounds and len(results) == rounds * workers
    assert len(mail.outbox) == rounds


# ---- the clock arithmetic ---------------------------------------------------------------------


def test_quiet_hours_past_midnight() -> None:
    night = (clock("22:00"), clock("07:00"))
    late = dt.datetime(2026, 6, 18, 3, 30, tzinfo=dt.UTC)  # 22:30 in Chicago
    assert timing.quiet_until(late, CHICAGO, *night) == dt.datetime(
        2026, 6, 18, 12, 0, tzinfo=dt.UTC
    )
    early = dt.datetime(2026, 6, 18, 10, 0, tzinfo=dt.UTC)  # 05:00 in Chicago
    assert timing.quiet_until(early, CHICAGO, *night) == dt.datetime(
        2026, 6, 18, 12, 0, tzinfo=dt.UTC
    )
    assert timing.quiet_until(NOW, CHICAGO, *night) is None  # 10:00 in Chicago
    assert timing.quiet_until(NOW, CHICAGO, clock("09:00"), clock("09:00")) is None


def test_quiet_hours_across_a_dst_change() -> None:
    # The night clocks go back in Chicago: 22:00 CDT to 07:00 CST is ten hours.
    start = dt.datetime(2026, 10, 31, 22, 0, tzinfo=CHICAGO)
    end = timing.quiet_until(start, CHICAGO, clock("22:00"), clock("07:00"))
    assert end is not None and end - start == dt.timedelta(hours=10)


def test_the_next_digest_is_today_or_tomorrow_at_the_local_hour() -> None:
    assert timing.next_digest(NOW, NEW_YORK, 18) == dt.datetime(2026, 6, 17, 22, tzinfo=dt.UTC)
    assert timing.next_digest(NOW, NEW_YORK, 8) == dt.datetime(2026, 6, 18, 12, tzinfo=dt.UTC)
    assert timing.next_digest(NOW, NEW_YORK, 11) == NOW, "the hour now is still due"
