"""Writes sent together (core.together): one statement on PostgreSQL, one after another on SQLite,
and the same rows either way."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from coparent.core.together import Together
from coparent.messaging.models import Message, Thread, ThreadParticipant
from tests.cast import Cast
from tests.messaging.helpers import open_thread

pytestmark = pytest.mark.django_db


def _message(cast: Cast, thread: Thread, body: str) -> Message:
    return Message(
        family=cast.family_a, thread=thread, sender=cast.alice, body=body, salt=b"s" * 16
    )


def test_inserts_get_their_keys_and_updates_apply(cast: Cast) -> None:
    thread = open_thread(cast)
    first, second = _message(cast, thread, "one"), _message(cast, thread, "two")
    seats = ThreadParticipant.objects.filter(thread=thread)
    before = dict(seats.values_list("pk", "unread"))
    writes = Together()
    writes.insert(first, second)
    writes.update(Thread.objects.filter(pk=thread.pk), subject="Changed")
    writes.update(seats, unread=F("unread") + 2)
    with CaptureQueriesContext(connection) as queries:
        writes.run()
    if connection.vendor == "postgresql":
        assert len(queries) == 1, "one round trip"
    assert first.pk is not None and second.pk is not None and first.pk != second.pk
    assert Message.objects.get(pk=first.pk).body == "one"
    assert Message.objects.get(pk=second.pk).body == "two"
    assert not first._state.adding
    assert Thread.objects.get(pk=thread.pk).subject == "Changed"
    assert dict(seats.values_list("pk", "unread")) == {pk: n + 2 for pk, n in before.items()}


def test_a_failing_part_writes_nothing(cast: Cast) -> None:
    thread = open_thread(cast)
    count = Message.objects.count()
    clash = _message(cast, thread, "clash")
    clash.public_id = Message.objects.first().public_id  # unique: the insert must fail
    writes = Together()
    writes.insert(_message(cast, thread, "fine"), clash)
    writes.update(Thread.objects.filter(pk=thread.pk), subject="Changed")
    with pytest.raises(IntegrityError), transaction.atomic():
        writes.run()
    assert Message.objects.count() == count
    assert Thread.objects.get(pk=thread.pk).subject != "Changed"
