"""Each seat's unread count against its definition: the messages of the thread, not sent by the
member, that they hold no receipt for. A Hypothesis state machine drives the real services
(sends, corrections, redactions, views of whole and partial pages, the same page seen by two
tabs, people who join later and threads opened after history, withheld receipts under a
protective order) and compares the count with the anti-join after every step."""

from __future__ import annotations

import importlib
import itertools

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from coparent.attention.selectors import answer_count, badge_count, items_for
from coparent.families.models import Membership, ProfessionalKind, Role
from coparent.messaging import selectors, services
from coparent.messaging.models import Message, Thread, ThreadParticipant
from coparent.safety import services as safety_services
from tests.cast import join, make_user
from tests.messaging.helpers import assert_exact, exact_unread, open_thread, send

_families = itertools.count()
WORDS = st.text(alphabet="abcdefghij klmnop", min_size=1, max_size=24).filter(str.strip)


class UnreadMachine(RuleBasedStateMachine):
    @initialize()
    def family(self) -> None:
        from coparent.families import services as family_services

        n = next(_families)
        self.alice = make_user(f"alice{n}@unread.test", "Alice")
        self.bob = make_user(f"bob{n}@unread.test", "Bob")
        self.family = family_services.family_create(actor=self.alice, name=f"Unread {n}")
        join(self.family, self.alice, self.bob, Role.PARENT)
        self.others: list[Membership] = []
        self.protected = False
        self.threads: list[Thread] = [self._open([])]

    def _open(self, others: list[Membership]) -> Thread:
        return services.thread_create(
            family=self.family, actor=self.alice, subject="Plans", body="First", others=others
        )

    def _writers(self, thread: Thread) -> list:
        return [
            seat.membership.user
            for seat in ThreadParticipant.objects.filter(thread=thread).select_related(
                "membership__user"
            )
            if not seat.membership.read_only
        ]

    def _readers(self, thread: Thread) -> list:
        return [
            seat.membership.user
            for seat in ThreadParticipant.objects.filter(thread=thread).select_related(
                "membership__user"
            )
        ]

    @rule(pick=st.integers(min_value=0), who=st.integers(min_value=0), body=WORDS)
    def send(self, pick: int, who: int, body: str) -> None:
        thread = self.threads[pick % len(self.threads)]
        writers = self._writers(thread)
        actor = writers[who % len(writers)]
        # Under the order the other parent writes through a form; the count does not care.
        form = "schedule" if self.protected and actor == self.bob else ""
        services.message_send(
            family=self.family,
            actor=actor,
            thread=thread,
            body=body,
            confirm_tone=True,
            form=form,
        )

    @rule(pick=st.integers(min_value=0), body=WORDS)
    def correct(self, pick: int, body: str) -> None:
        thread = self.threads[pick % len(self.threads)]
        own = Message.objects.filter(thread=thread, sender=self.alice).last()
        if own is not None:
            services.message_send(
                family=self.family,
                actor=self.alice,
                thread=thread,
                body=body,
                confirm_tone=True,
                corrects=own,
            )

    @rule(pick=st.integers(min_value=0))
    def redact(self, pick: int) -> None:
        thread = self.threads[pick % len(self.threads)]
        message = Message.objects.filter(thread=thread, redacted_at__isnull=True).last()
        if message is not None:
            services.message_redact(
                family=self.family, actor=message.sender, message=message, reason="test"
            )

    @rule(
        pick=st.integers(min_value=0),
        who=st.integers(min_value=0),
        chosen=st.sets(st.integers(min_value=0, max_value=30), max_size=6),
        tabs=st.integers(min_value=1, max_value=2),
    )
    def view_some(self, pick: int, who: int, chosen: set[int], tabs: int) -> None:
        """Part of a page, as the browser reports what scrolled into view; with two tabs the
        same messages are reported twice."""
        thread = self.threads[pick % len(self.threads)]
        readers = self._readers(thread)
        actor = readers[who % len(readers)]
        page = selectors.message_page(thread)
        shown = [page[i % len(page)] for i in sorted(chosen)]
        for _tab in range(tabs):
            services.message_view(family=self.family, actor=actor, messages=shown)

    @rule(pick=st.integers(min_value=0), who=st.integers(min_value=0))
    def view_page(self, pick: int, who: int) -> None:
        thread = self.threads[pick % len(self.threads)]
        readers = self._readers(thread)
        actor = readers[who % len(readers)]
        services.message_view(
            family=self.family, actor=actor, messages=selectors.message_page(thread)
        )

    @precondition(lambda self: len(self.others) < 2)
    @rule(professional=st.booleans())
    def someone_joins(self, professional: bool) -> None:
        """Someone joins the family after its history, and a thread is opened with them."""
        n = len(self.others)
        user = make_user(f"late{n}-{self.family.pk}@unread.test", "Late")
        extra = (
            {"professional_kind": ProfessionalKind.MEDIATOR, "access_days": 30}
            if professional
            else {"relationship": "Grandmother"}
        )
        role = Role.PROFESSIONAL if professional else Role.CAREGIVER
        self.others.append(join(self.family, self.alice, user, role, **extra))
        self.threads.append(self._open(list(self.others)))

    @precondition(lambda self: not self.protected)
    @rule()
    def protect(self) -> None:
        safety_services.protection_start(family=self.family, actor=self.alice, reference="PO-1")
        self.protected = True

    @invariant()
    def counts_are_exact(self) -> None:
        assert_exact(self.family)

    @invariant()
    def attention_agrees(self) -> None:
        for membership in Membership.objects.filter(family=self.family, role=Role.PARENT):
            seats = ThreadParticipant.objects.filter(membership=membership).select_related(
                "membership"
            )
            expected = {seat.thread_id: exact_unread(seat) for seat in seats}
            listed = items_for(self.family, membership)
            items = [i for i in listed if i.kind == "messages"]
            assert sorted(i.count for i in items) == sorted(n for n in expected.values() if n)
            assert badge_count(self.family, membership) == answer_count(listed)


@pytest.mark.django_db
def test_unread_counts_stay_exact() -> None:
    run_state_machine_as_test(
        UnreadMachine,
        settings=settings(
            max_examples=25,
            stateful_step_count=12,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )


@pytest.mark.django_db
def test_migration_fills_exact_counts(cast) -> None:
    """The data migration gives seats made before the counts their exact value."""
    thread = open_thread(cast, others=[cast.gran])
    for i in range(3):
        send(cast, thread, cast.bob, f"Reply {i}")
    services.message_view(
        family=cast.family_a, actor=cast.alice, messages=list(thread.messages.all()[:2])
    )
    ThreadParticipant.objects.update(unread=7)
    migration = importlib.import_module("coparent.messaging.migrations.0005_seat_unread")
    migration.fill(apps, None)
    assert_exact(cast.family_a)
    counts = dict(
        ThreadParticipant.objects.filter(thread=thread).values_list("membership__user", "unread")
    )
    assert counts == {cast.alice.pk: 2, cast.bob.pk: 1, cast.gran.pk: 4}


@pytest.mark.django_db
def test_reading_clears_only_what_was_shown(cast) -> None:
    thread = open_thread(cast)
    replies = [send(cast, thread, cast.bob, f"Reply {i}") for i in range(4)]
    seat = ThreadParticipant.objects.get(thread=thread, membership__user=cast.alice)
    assert seat.unread == 4
    services.message_view(family=cast.family_a, actor=cast.alice, messages=replies[:3])
    services.message_view(family=cast.family_a, actor=cast.alice, messages=replies[1:3])
    seat.refresh_from_db()
    assert seat.unread == 1


@pytest.mark.django_db
def test_badge_and_items_read_seats_not_messages(cast) -> None:
    """The history no longer enters the badge: its query reads no message or receipt table."""
    thread = open_thread(cast)
    send(cast, thread, cast.bob, "Reply")
    alice = Membership.objects.get(family=cast.family_a, user=cast.alice)
    with CaptureQueriesContext(connection) as captured:
        assert badge_count(cast.family_a, alice) >= 1
        items = [i for i in items_for(cast.family_a, alice) if i.kind == "messages"]
    assert [i.count for i in items] == [1]
    sql = " ".join(q["sql"] for q in captured.captured_queries)
    assert "messaging_message" not in sql.replace("messaging_messagingpreference", "")
