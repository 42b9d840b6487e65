"""Writes sent together (core.together): one statement on PostgreSQL, one after another on SQLite,
and the same rows either way."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Value
from django.db.models.functions import Concat
from django.db.models.sql import UpdateQuery
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

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


def _comparable(values: list) -> list:
    """Parameters as values: psycopg's Binary wrapper has no equality of its own."""
    return [_comparable(v) if isinstance(v, list) else getattr(v, "obj", v) for v in values]


def test_the_kept_sql_and_values_are_the_orms(cast: Cast) -> None:
    """Each shape is compiled by the ORM once; later runs fill the kept SQL with values prepared
    as the ORM's compiler prepares them, and must send exactly what it would."""
    from coparent.core import together
    from coparent.notifications.models import Kind, Notification
    from coparent.records.models import FamilyLog, LogNode

    thread = open_thread(cast)
    now = timezone.now()
    together._INSERTS.clear()
    together._ROW_UPDATES.clear()
    shapes = [
        [_message(cast, thread, "first")],
        [LogNode(family=cast.family_a, level=n, index=7, hash=bytes([n]) * 32) for n in (0, 1)],
        [  # no binary column: several rows go by column (UNNEST) on PostgreSQL
            Notification(
                family=cast.family_a,
                recipient=user,
                kind=Kind.MESSAGE,
                title="t",
                detail_title="d",
                link="/",
                created_at=now,
            )
            for user in (cast.alice, cast.bob)
        ],
    ]
    for objects in shapes:
        first = together.insert_sql(connection, objects)
        assert (connection.alias, type(objects[0]), len(objects)) in together._INSERTS
        # The same shape with other values: from what was kept, as the ORM would compile it.
        for obj in objects:
            if isinstance(obj, Message):
                obj.body, obj.salt = "other", b"t" * 16
            if isinstance(obj, LogNode):
                obj.index, obj.hash = 8, b"\x01" * 32
        kept = together.insert_sql(connection, objects)
        fresh = together._compile_insert(connection, objects)
        assert kept[0] == fresh[0] == first[0]
        assert _comparable(kept[1]) == _comparable(fresh[1])

    log = FamilyLog.objects.get(family=cast.family_a)
    for values in ({"size": 5, "root": b"r" * 32, "updated_at": now}, {"size": 6, "root": b""}):
        for _ in range(2):  # compiled, then kept
            got = together.row_update_sql(connection, FamilyLog, log.pk, values)
            update = FamilyLog.objects.filter(pk=log.pk).query.chain(UpdateQuery)
            update.add_update_values(values)
            orm = update.get_compiler(connection=connection).as_sql()
            assert got[0] == orm[0]
            assert _comparable(list(got[1])) == _comparable(list(orm[1]))


def test_an_expression_is_compiled_afresh(cast: Cast) -> None:
    from coparent.core import together

    thread = open_thread(cast)
    writes = Together()
    writes.update_row(Thread, thread.pk, subject="Plain")
    writes.run()
    writes = Together()
    writes.update_row(Thread, thread.pk, subject=Concat(F("subject"), Value("!")))
    writes.run()
    assert Thread.objects.get(pk=thread.pk).subject == "Plain!"
    sql, params = together.row_update_sql(
        connection, Thread, thread.pk, {"subject": Concat(F("subject"), Value("?"))}
    )
    assert "?" in params or "?" in sql


def test_an_insert_with_an_expression_is_not_kept_as_its_shape(cast: Cast) -> None:
    """The first insert of a shape holding an expression compiles it into the SQL: the next
    plain insert of that shape must not run through it."""
    from django.db.models.functions import Upper

    from coparent.core import together

    thread = open_thread(cast)
    together._INSERTS.clear()
    shouted = _message(cast, thread, "first")
    shouted.body = Upper(Value("quiet please"))
    writes = Together()
    writes.insert(shouted)
    writes.run()
    plain = _message(cast, thread, "stays as typed")
    writes = Together()
    writes.insert(plain)
    writes.run()
    assert Message.objects.get(pk=shouted.pk).body == "QUIET PLEASE"
    assert Message.objects.get(pk=plain.pk).body == "stays as typed"


def test_a_key_made_in_python_is_sent_and_kept(cast: Cast) -> None:
    """A queue row's key is a UUID made in Python: it goes with the other rows as it is."""
    from django_tasks_db.models import DBTaskResult

    from coparent.worker.services import queued
    from tests.worker.sample_tasks import note

    thread = open_thread(cast)
    message, row = _message(cast, thread, "one"), queued(note, "x")
    key = row.pk
    writes = Together()
    writes.insert(message)
    writes.insert(row)
    writes.run()
    assert row.pk == key and not row._state.adding
    assert message.pk is not None and Message.objects.get(pk=message.pk).body == "one"
    assert DBTaskResult.objects.get(pk=key).args_kwargs == {"args": ["x"], "kwargs": {}}
