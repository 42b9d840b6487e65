"""Statements compiled once (core/statements.py) run exactly the SQL the ORM would write for the
same values, and return what the ORM would. Run before upgrading Django: they lean on its
compiler."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.db import connection, transaction
from django.db.transaction import TransactionManagementError
from django.http import Http404
from django.utils import timezone

from coparent.core import tenancy
from coparent.core.statements import Statement, StatementError
from coparent.families.models import Family, Membership
from coparent.messaging import selectors
from coparent.messaging.models import ThreadParticipant
from coparent.safety.selectors import restricting_order
from tests.cast import Cast
from tests.messaging.helpers import open_thread, send


def _orm(queryset) -> tuple[str, list]:
    sql, params = queryset.query.get_compiler(using="default").as_sql()
    return sql, list(params)


def test_the_tenancy_statement_is_the_orms_query(cast: Cast) -> None:
    now = timezone.now()
    for user in (cast.alice, cast.mediator, cast.charlie):
        orm = tenancy._active_memberships(now).filter(user_id=user.pk)
        expected = _orm(orm.order_by("family__name", "pk"))
        assert tenancy._MEMBERSHIPS_OF.sql("default", user=user.pk, now=now) == expected
        found = tenancy.memberships_of(user)
        assert [(m.pk, m.family.name, m.record_size) for m in found] == [
            (m.pk, m.family.name, m.record_size) for m in orm.order_by("family__name", "pk")
        ]


def test_memberships_end_when_access_does(cast: Cast, time_machine) -> None:
    mediator = Membership.objects.get(family=cast.family_a, user=cast.mediator)
    assert mediator in tenancy.memberships_of(cast.mediator)
    time_machine.move_to(mediator.access_until + dt.timedelta(seconds=1))
    assert mediator not in tenancy.memberships_of(cast.mediator)


def test_the_poll_statement_is_the_orms_query(cast: Cast) -> None:
    thread = open_thread(cast)
    send(cast, thread, cast.bob, "On my way.")
    bob = Membership.objects.get(family=cast.family_a, user=cast.bob)
    after = timezone.now() - dt.timedelta(hours=1)
    values = {
        "family": bob.family_id,
        "member": bob.pk,
        "user": bob.user_id,
        "thread": thread.public_id,
        "after": after,
    }
    expected = _orm(selectors._poll_threads(bob, thread.public_id, after))
    assert selectors._POLL.sql("default", **values) == expected
    found = selectors.thread_poll_get(bob, str(thread.public_id), after=after)
    assert found == thread and found.newer is True and found.created_by == cast.alice
    quiet = selectors.thread_poll_get(bob, thread.public_id, after=timezone.now())
    assert quiet.newer is False


def test_a_poll_outside_the_thread_or_the_family_is_404(cast: Cast) -> None:
    thread = open_thread(cast)
    gran = Membership.objects.get(family=cast.family_a, user=cast.gran)
    outsider = Membership.objects.get(user=cast.charlie)
    now = timezone.now()
    for member, thread_id in (
        (gran, thread.public_id),  # in the family, not in the conversation
        (outsider, thread.public_id),
        (gran, "not-an-id"),
        (gran, uuid.uuid4()),
    ):
        with pytest.raises(Http404):
            selectors.thread_poll_get(member, thread_id, after=now)


def test_a_value_the_orm_writes_into_the_sql_is_refused(cast: Cast) -> None:
    inlined = Statement(lambda n: Family.objects.all()[:n], n=int)
    with pytest.raises(StatementError):
        inlined(n=1)


def test_each_call_uses_its_own_threads_connection(cast: Cast) -> None:
    """Compiled on one thread, called on another: Django refuses a connection object used
    outside the thread that opened it, so a statement must take the caller's."""
    import threading

    tenancy.memberships_of(cast.alice)  # compiled here, on this thread's connection
    failures: list[BaseException] = []

    def read() -> None:
        try:
            tenancy.memberships_of(cast.alice)
        except BaseException as problem:
            failures.append(problem)
        finally:
            connection.close()

    worker = threading.Thread(target=read)
    worker.start()
    worker.join()
    assert failures == []


def test_the_unread_count_statement_counts_what_the_orm_counts(cast: Cast) -> None:
    from coparent.notifications.models import Notification
    from coparent.notifications.selectors import unread_count

    Notification.objects.filter(recipient=cast.bob).delete()
    assert unread_count(cast.bob) == 0
    thread = open_thread(cast)
    send(cast, thread, cast.alice, "See you at six.")
    unread = Notification.objects.filter(recipient=cast.bob, read_at__isnull=True).count()
    assert unread >= 1 and unread_count(cast.bob) == unread
    Notification.objects.filter(recipient=cast.bob).update(read_at=timezone.now())
    assert unread_count(cast.bob) == 0


def test_the_family_lock_statement_is_the_orms_locked_read(cast: Cast) -> None:
    from coparent.records.models import FamilyLog
    from coparent.records.services import _LOCK, family_lock

    orm = FamilyLog.objects.select_for_update(no_key=True).filter(family_id=cast.family_a.pk)[:1]
    assert _LOCK.sql("default", family=cast.family_a.pk) == _orm(orm)
    if connection.features.has_select_for_update:
        assert "FOR NO KEY UPDATE" in _LOCK.sql("default", family=cast.family_a.pk)[0]
    with transaction.atomic():
        locked = family_lock(cast.family_a)
    # Rows of one model come back without the queryset machinery: the same instance all the same.
    expected = FamilyLog.objects.get(family=cast.family_a)
    fields = [f.attname for f in FamilyLog._meta.concrete_fields]
    assert [getattr(locked, f) for f in fields] == [getattr(expected, f) for f in fields]
    assert type(locked.updated_at) is dt.datetime and locked.updated_at.tzinfo is not None
    assert (locked._state.db, locked._state.adding) == ("default", False)
    # A family without a log yet gets one, created and then locked like any other.
    FamilyLog.objects.filter(family=cast.family_b).delete()
    with transaction.atomic():
        assert family_lock(cast.family_b).family_id == cast.family_b.pk


@pytest.mark.django_db(transaction=True)  # in autocommit, as a request outside a write is
def test_a_locked_statement_is_a_write(cast: Cast, settings) -> None:
    """Routed to the primary even where reads may go to a replica, and refused outside a
    transaction where the database locks (the lock would end with its own statement), as the
    ORM refuses it."""
    from coparent.core import replicas
    from coparent.records.services import _LOCK

    settings.DATABASE_REPLICAS = ["replica_1"]  # named only: a read sent there would fail
    with replicas.replica_reads(allowed=True):
        if connection.features.has_select_for_update:
            with pytest.raises(TransactionManagementError):
                _LOCK(family=cast.family_a.pk)
        else:
            assert len(_LOCK(family=cast.family_a.pk)) == 1


def test_the_seats_statement_is_the_orms_query(cast: Cast) -> None:
    from coparent.messaging import services

    thread = open_thread(cast)
    orm = (
        ThreadParticipant.objects.filter(thread_id=thread.pk, family_id=cast.family_a.pk)
        .select_related("membership__user")
        .annotate(order_in_force=restricting_order("membership"))
        .order_by("pk")
    )
    values = {"family": cast.family_a.pk, "thread": thread.pk}
    assert services._SEATS.sql("default", **values) == _orm(orm)
    assert [(s.pk, s.membership.user.pk, s.order_in_force) for s in services._SEATS(**values)] == [
        (s.pk, s.membership.user.pk, s.order_in_force) for s in orm
    ]


def test_converters_are_asked_once_per_connection_and_still_convert(
    cast: Cast, monkeypatch
) -> None:
    """Which converters a column needs depends only on the backend and the field: a statement
    asks once per connection (both ways of reading rows), and the rows come back converted."""
    from django.db.models.sql.compiler import SQLCompiler

    asked: list[int] = []
    original = SQLCompiler.get_converters

    def counting(self: SQLCompiler, expressions: list) -> dict:
        asked.append(len(expressions))
        return original(self, expressions)

    monkeypatch.setattr(SQLCompiler, "get_converters", counting)
    plain = Statement(lambda family: Family.objects.filter(pk=family), family=int)
    for read in (
        lambda: tenancy.memberships_of(cast.alice),  # memberships with families: ModelIterable
        lambda: plain(family=cast.family_a.pk),  # one model's rows, read directly
    ):
        first = read()
        del asked[:]
        again = read()
        assert asked == []
        assert [row.pk for row in again] == [row.pk for row in first]
        assert all(isinstance(row.created_at, dt.datetime) for row in again)
        assert all(row.created_at.tzinfo is not None for row in again)
    assert (
        plain(family=cast.family_a.pk)[0].created_at
        == Family.objects.get(pk=cast.family_a.pk).created_at
    )
