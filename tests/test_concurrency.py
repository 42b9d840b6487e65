"""Every kind of family write at once, from real threads with their own connections: no deadlock,
no lock error, and a record with no gap or fork afterwards."""

from __future__ import annotations

import datetime as dt
import itertools
import tempfile
import threading
import time
import traceback
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
import time_machine
from django.db import connection, transaction
from django.test import override_settings

from coparent.childinfo import services as childinfo_services
from coparent.decisions import services as decision_services
from coparent.decisions.selectors import current_proposal, decision_get
from coparent.documents import services as document_services
from coparent.exchanges import services as exchange_services
from coparent.expenses import services as expense_services
from coparent.families import services as family_services
from coparent.families.models import Family, Membership, Role
from coparent.journal import services as journal_services
from coparent.messaging import selectors as messaging_selectors
from coparent.messaging import services as messaging_services
from coparent.messaging.models import Message, ThreadParticipant
from coparent.messaging.services import Upload
from coparent.passes import services as pass_services
from coparent.plan import services as plan_services
from coparent.records import keys, selectors
from coparent.records.models import FamilyLog, LogEntry
from coparent.schedule import services as schedule_services
from coparent.schedule.models import ScheduleVersion, SwapRequest
from coparent.schedule.selectors import plan_schedule
from coparent.tlog import (
    decode,
    leaf_hash,
    open_note,
    parse_checkpoint,
    root_from_leaf_hashes,
    verifier_from_string,
    verify_consistency,
)
from tests.cast import build_cast, make_user
from tests.exchanges.helpers import daily_exchanges, sides
from tests.messaging.helpers import assert_exact, png_bytes

# A Tuesday evening in Chicago; the exchanges of the plan below are at 18:00 UTC every day.
INSTANT = dt.datetime(2026, 3, 10, 19, 0, tzinfo=dt.UTC)
DAY = dt.timedelta(days=1)


def assert_record_whole(family: Family, seen: list[tuple[int, str]]) -> None:
    """Leaves 0..n-1 with no gap, the stored checkpoint signs their root, and every checkpoint
    observed while the writers ran is a prefix of the final tree (no fork)."""
    rows = list(
        LogEntry.objects.filter(family=family).order_by("index").values_list("index", "leaf")
    )
    assert [index for index, _leaf in rows] == list(range(len(rows)))
    assert [decode(bytes(leaf)).index for _index, leaf in rows] == list(range(len(rows)))
    hashes = [leaf_hash(bytes(leaf)) for _index, leaf in rows]
    verifier = verifier_from_string(keys.verifier_key())
    final = selectors.checkpoint_get(family)
    checkpoints = [parse_checkpoint(open_note(note, [verifier])) for _size, note in seen]
    checkpoints.append(parse_checkpoint(open_note(final.note, [verifier])))
    assert checkpoints[-1].size == len(rows)
    for earlier, later in itertools.pairwise(checkpoints):
        assert earlier.size <= later.size
        assert earlier.root == root_from_leaf_hashes(hashes[: earlier.size])
        _size, proof = selectors.consistency_proof(family, earlier.size, later.size)
        verify_consistency(earlier.size, later.size, earlier.root, later.root, proof)
    assert checkpoints[-1].root == root_from_leaf_hashes(hashes)


def run_writers(
    family: Family, jobs: dict[str, Callable[[int], None]], rounds: int
) -> tuple[list[str], list[tuple[int, str]]]:
    """Runs each job `rounds` times in its own thread, all released at once, while a watcher
    reads the family's checkpoint as a parent's browser would. Returns errors and checkpoints."""
    errors: list[str] = []
    seen: list[tuple[int, str]] = []
    barrier = threading.Barrier(len(jobs) + 1)
    done = threading.Event()

    def work(name: str, job: Callable[[int], None]) -> None:
        try:
            barrier.wait()
            for n in range(rounds):
                job(n)
        except BaseException:
            errors.append(f"{name}: {traceback.format_exc()}")
        finally:
            connection.close()

    def watch() -> None:
        try:
            barrier.wait()
            while not done.is_set():
                log = FamilyLog.objects.filter(family=family).values("size", "checkpoint").get()
                if not seen or seen[-1][0] != log["size"]:
                    seen.append((log["size"], log["checkpoint"]))
                done.wait(0.02)
        except BaseException:
            errors.append(f"watcher: {traceback.format_exc()}")
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=item) for item in jobs.items()]
    watcher = threading.Thread(target=watch)
    for thread in [*threads, watcher]:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    done.set()
    watcher.join(timeout=10)
    assert not any(t.is_alive() for t in threads), "a writer is still waiting for a lock"
    return errors, seen


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
@override_settings(
    MESSAGING_ATTACHMENT_DIR=str(Path(tempfile.gettempdir()) / "coparent-concurrency-files")
)
def test_every_kind_of_family_write_at_once_neither_deadlocks_nor_forks_the_record() -> None:
    rounds = 5
    with time_machine.travel(INSTANT, tick=False):
        cast = build_cast()
        family = cast.family_a
        plan = daily_exchanges(cast)
        conversation = messaging_services.thread_create(
            family=family, actor=cast.alice, subject="Week plans", body="Starting a thread."
        )
        shared_item = childinfo_services.item_create(
            family=family,
            actor=cast.alice,
            child=cast.kit,
            kind="allergy",
            values={"allergen": "Dust"},
        )
        newcomers = [make_user(f"helper{n}@example.test", f"Helper {n}") for n in range(rounds)]
        # Requests whose answer deadline passes (the worker's expiry job runs beside the rest).
        unanswered = [
            schedule_services.swap_request(
                family=family,
                actor=cast.alice,
                plan=plan,
                start_at=INSTANT + (150 + 2 * n) * DAY,
                end_at=INSTANT + (151 + 2 * n) * DAY,
                respond_by=INSTANT + DAY,
            )
            for n in range(3)
        ]
        schedule_services.schedule_propose(
            family=family,
            actor=cast.bob,
            spec={
                "timezone": "UTC",
                "parents": ["A", "B"],
                "rotation": {"template": "2-2-3", "anchor": "2026-02-02", "first": "A"},
            },
            effective_at=INSTANT + 300 * DAY,
            respond_by=INSTANT + DAY,
        )
        # The parenting plan: a right of first refusal, and alice's own stretches to be away in.
        refusal = plan_services.provision_propose(
            family=family,
            actor=cast.alice,
            kind="first_refusal",
            terms={"hours": 4},
            respond_by=INSTANT + DAY,
        )
        decision_services.decision_accept(
            family=family, actor=cast.bob, proposal=refusal.proposals.get()
        )
        side = "A" if plan.parent_a.user_id == cast.alice.pk else "B"
        schedule = plan_schedule(plan)
        assert schedule is not None
        alices = [
            segment.start
            for segment in schedule.timeline(INSTANT + 40 * DAY, INSTANT + 90 * DAY).segments
            if segment.parent == side and segment.duration >= dt.timedelta(hours=20)
        ]
        start = len(LogEntry.objects.filter(family=family))

        def deadlines(n: int) -> None:
            schedule_services.deadlines_expire(now=INSTANT + 2 * DAY)

        def alice_writes(n: int) -> None:
            sent = messaging_services.message_send(
                family=family, actor=cast.alice, thread=conversation, body=f"Note {n} from Alice"
            )
            if n % 2:
                messaging_services.message_redact(
                    family=family, actor=cast.alice, message=sent, reason="Sent too early"
                )
            else:
                messaging_services.thread_create(
                    family=family, actor=cast.alice, subject=f"Topic {n}", body="A new topic."
                )

        def bob_writes_and_reads(n: int) -> None:
            messaging_services.message_send(
                family=family, actor=cast.bob, thread=conversation, body=f"Note {n} from Bob"
            )
            messaging_services.message_view(
                family=family,
                actor=cast.bob,
                messages=Message.objects.filter(thread=conversation).order_by("-pk")[:5],
            )

        def schedule_changes(n: int) -> None:
            spec = {
                "timezone": "UTC",
                "parents": ["A", "B"],
                "rotation": {"template": "7-7", "anchor": "2026-02-02", "first": "A"},
            }
            version = schedule_services.schedule_propose(
                family=family, actor=cast.alice, spec=spec, effective_at=INSTANT + (200 + n) * DAY
            )
            decide = (
                schedule_services.schedule_accept if n % 2 else schedule_services.schedule_decline
            )
            decide(family=family, actor=cast.bob, version=version)

        def swaps_and_events(n: int) -> None:
            at = INSTANT + (30 + 3 * n) * DAY
            asked = schedule_services.swap_request(
                family=family,
                actor=cast.alice,
                plan=plan,
                start_at=at,
                end_at=at + DAY,
                respond_by=at - DAY,
            )
            if n % 2:
                schedule_services.swap_accept(family=family, actor=cast.bob, swap=asked)
            else:
                schedule_services.swap_counter(
                    family=family,
                    actor=cast.bob,
                    swap=asked,
                    start_at=at + DAY,
                    end_at=at + 2 * DAY,
                    respond_by=at - DAY,
                )
            event = schedule_services.event_create(
                family=family, actor=cast.bob, title=f"Game {n}", kind="activity", starts_at=at
            )
            schedule_services.event_update(
                family=family,
                actor=cast.alice,
                event=event,
                title=f"Match {n}",
                kind="activity",
                starts_at=at,
            )
            schedule_services.event_delete(family=family, actor=cast.bob, event=event)

        def people_and_passes(n: int) -> None:
            _invitation, token = family_services.invitation_create(
                family=family, actor=cast.alice, role=Role.CAREGIVER
            )
            member = family_services.invitation_accept(token=token, user=newcomers[n])
            spare, _token = family_services.invitation_create(
                family=family, actor=cast.bob, role=Role.CAREGIVER
            )
            family_services.invitation_revoke(family=family, actor=cast.alice, invitation=spare)
            family_services.membership_revoke(family=family, actor=cast.bob, membership=member)
            gate, _token = pass_services.gate_create(
                family=family, actor=cast.alice, name=f"Gate {n}"
            )
            issued = pass_services.pass_issue(
                family=family,
                actor=cast.alice,
                person_name="Jamie Cousin",
                children=[cast.kit],
                gate=gate,
                starts_at=INSTANT + DAY,
                ends_at=INSTANT + 2 * DAY,
            )
            pass_services.pass_revoke(family=family, actor=cast.alice, pickup_pass=issued)
            pass_services.gate_revoke(family=family, actor=cast.alice, gate=gate)

        def child_information(n: int) -> None:
            item = childinfo_services.item_create(
                family=family,
                actor=cast.alice,
                child=cast.kit,
                kind="allergy",
                values={"allergen": f"Pollen {n}"},
            )
            childinfo_services.item_update(
                family=family,
                actor=cast.bob,
                item=item,
                values={"allergen": f"Pollen {n}", "severity": "mild"},
            )
            childinfo_services.item_update(
                family=family, actor=cast.bob, item=shared_item, values={"allergen": f"Dust {n}"}
            )
            childinfo_services.item_remove(family=family, actor=cast.alice, item=item)

        def exchanges_and_links(n: int) -> None:
            at = INSTANT.replace(hour=18) + n * DAY
            giver, taker = sides(plan, at)
            for actor, kind in [(giver, "arrived"), (taker, "arrived"), (giver, "handed_over")]:
                exchange_services.checkin_record(
                    family=family,
                    actor=actor,
                    plan=plan,
                    exchange_at=at,
                    kind=kind,
                    now=at - dt.timedelta(hours=1),
                )
            exchange_services.checkin_record(
                family=family, actor=taker, plan=plan, exchange_at=at, kind="received", now=at
            )
            terms = exchange_services.terms_propose(
                family=family,
                actor=cast.bob,
                plan=plan,
                place_kind="school",
                place_name=f"Riverside School, door {n}",
                grace_minutes=10,
            )
            exchange_services.terms_decide(
                family=family, actor=cast.alice, terms=terms, accept=True
            )
            schedule_services.feed_token_regenerate(family=family, actor=cast.gran)
            family_services.child_update(
                family=family,
                actor=cast.bob,
                child=cast.kit,
                first_name="Kit",
                last_name=f"Round {n}",
                date_of_birth=cast.kit.date_of_birth,
            )

        def documents_and_journal(n: int) -> None:
            document = document_services.document_create(
                family=family,
                actor=cast.alice,
                title=f"Report {n}",
                category="school_report",
                visibility="caregivers",
                expires_on=(INSTANT + 20 * DAY).date(),
                upload=Upload("report.png", png_bytes()),
            )
            document_services.document_version_add(
                family=family,
                actor=cast.bob,
                document=document,
                upload=Upload("r.png", png_bytes()),
            )
            entry = journal_services.entry_write(family=family, actor=cast.bob, body=f"Day {n}")
            share = journal_services.share_create(
                family=family, actor=cast.bob, professional=mediator, entry=entry
            )
            journal_services.share_revoke(family=family, actor=cast.bob, share=share)
            document_services.expiry_reminders_send(now=INSTANT)

        mediator = Membership.objects.get(family=family, user=cast.mediator)

        def decisions(n: int) -> None:
            decision = decision_services.decision_propose(
                family=family,
                actor=cast.alice,
                title=f"Decision {n}",
                category="activities",
                respond_by=INSTANT + (3 if n % 2 else 1) * DAY,
            )
            decision_services.decision_comment(
                family=family, actor=cast.bob, decision=decision, body="Let me think"
            )
            proposal = current_proposal(decision_get(family, decision))
            if n % 2:
                counter = decision_services.decision_counter(
                    family=family,
                    actor=cast.bob,
                    proposal=proposal,
                    title=f"Decision {n}, changed",
                    respond_by=INSTANT + 3 * DAY,
                )
                agreement = decision_services.decision_accept(
                    family=family, actor=cast.alice, proposal=counter
                )
                decision_services.agreement_share(
                    family=family,
                    actor=cast.bob,
                    agreement=agreement,
                    caregivers=True,
                    children=False,
                )
            decision_services.decisions_expire(now=INSTANT + 2 * DAY)

        def parenting_plan(n: int) -> None:
            decision = plan_services.provision_propose(
                family=family,
                actor=cast.bob if n % 2 else cast.alice,
                kind="relocation",
                terms={"notice_days": 30 + n},
                respond_by=INSTANT + 5 * DAY,  # after the deadlines the expiry jobs pass
            )
            decision_services.decision_accept(
                family=family,
                actor=cast.alice if n % 2 else cast.bob,
                proposal=decision.proposals.get(),
            )
            away = plan_services.time_away_create(
                family=family,
                actor=cast.alice,
                plan=plan,
                starts_at=alices[n] + dt.timedelta(hours=1),
                ends_at=alices[n] + dt.timedelta(hours=10),
            )
            answer = plan_services.time_away_accept if n % 2 else plan_services.time_away_decline
            answer(family=family, actor=cast.bob, away=away)

        def expenses(n: int) -> None:
            spent = expense_services.expense_create(
                family=family,
                actor=cast.alice,
                description=f"Shoes {n}",
                category="clothing",
                amount=Decimal("40.00"),
                currency="USD",
                date=INSTANT.date(),
            )
            expense_services.expense_approve(family=family, actor=cast.bob, expense=spent)
            paid = expense_services.payment_record(
                family=family,
                actor=cast.bob,
                payee=spent.paid_by,
                amount=Decimal("20.00"),
                currency="USD",
                date=INSTANT.date(),
                method="cash",
            )
            expense_services.payment_confirm(family=family, actor=cast.alice, payment=paid)
            expense_services.deadlines_mark(now=INSTANT + 30 * DAY)

        jobs = {
            "documents and journal": documents_and_journal,
            "parenting plan": parenting_plan,
            "decisions": decisions,
            "expenses": expenses,
            "alice messages": alice_writes,
            "bob messages and receipts": bob_writes_and_reads,
            "schedule changes": schedule_changes,
            "swaps and events": swaps_and_events,
            "people and passes": people_and_passes,
            "exchanges and links": exchanges_and_links,
            "children's information": child_information,
            "deadlines": deadlines,
        }
        errors, seen = run_writers(family, jobs, rounds)
        assert not errors, "\n".join(errors)
        assert len(seen) > 2
        assert_record_whole(family, seen)
        written = LogEntry.objects.filter(family=family).count() - start
        assert written >= rounds * 25
        assert not Membership.objects.active().filter(family=family, user__in=newcomers).exists()
        assert {
            s.status for s in SwapRequest.objects.filter(pk__in=[u.pk for u in unanswered])
        } == {"expired"}
        assert ScheduleVersion.objects.filter(family=family, status="expired").count() == 1


@pytest.mark.django_db(transaction=True)
def test_many_writers_sending_messages_at_once_all_succeed() -> None:
    """SQLite's one writer at a time: writers queue for the lock (BEGIN IMMEDIATE, busy
    timeout) rather than fail; on PostgreSQL they queue on the family lock."""
    writers, messages = 8, 10
    with time_machine.travel(INSTANT, tick=False):
        cast = build_cast()
        family = cast.family_a
        conversation = messaging_services.thread_create(
            family=family, actor=cast.alice, subject="Holidays", body="Dates for the summer?"
        )
        start = LogEntry.objects.filter(family=family).count()

        def writer(n: int) -> Callable[[int], None]:
            sender = cast.alice if n % 2 else cast.bob

            def send(m: int) -> None:
                messaging_services.message_send(
                    family=family, actor=sender, thread=conversation, body=f"Writer {n}, note {m}"
                )

            return send

        errors, seen = run_writers(
            family, {f"writer {n}": writer(n) for n in range(writers)}, messages
        )
        assert not errors, "\n".join(errors)
        assert Message.objects.filter(thread=conversation).count() == 1 + writers * messages
        assert LogEntry.objects.filter(family=family).count() == start + writers * messages
        assert_record_whole(family, seen)


@pytest.mark.django_db(transaction=True)
def test_a_writer_that_waits_goes_next_even_while_another_writes_without_pause() -> None:
    """SQLite's own waiting is a poll, and a writer that has just committed begins again before
    a polling one wakes: under sustained writes some writers waited past the timeout. Writers
    queue first come, first served instead."""
    with time_machine.travel(INSTANT, tick=False):
        cast = build_cast()
        family = cast.family_a
        conversation = messaging_services.thread_create(
            family=family, actor=cast.alice, subject="Pickups", body="Who drives on Friday?"
        )
    inside = threading.Event()
    errors: list[str] = []

    def busy_parent() -> None:
        try:
            for n in range(8):
                with transaction.atomic():
                    messaging_services.message_send(
                        family=family, actor=cast.alice, thread=conversation, body=f"Busy {n}"
                    )
                    inside.set()
                    time.sleep(0.05)
        except BaseException:
            errors.append(traceback.format_exc())
        finally:
            connection.close()

    def waiting_parent() -> None:
        try:
            inside.wait(5)
            messaging_services.message_send(
                family=family, actor=cast.bob, thread=conversation, body="Waiting"
            )
        except BaseException:
            errors.append(traceback.format_exc())
        finally:
            connection.close()

    threads = [threading.Thread(target=busy_parent), threading.Thread(target=waiting_parent)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, "\n".join(errors)
    order = list(
        Message.objects.filter(thread=conversation)
        .exclude(sender=cast.alice, body="Who drives on Friday?")
        .order_by("created_at", "pk")
        .values_list("body", flat=True)
    )
    assert order.index("Waiting") <= 2, order


@pytest.mark.django_db(transaction=True)
def test_unread_counts_stay_exact_while_people_send_and_read_at_once() -> None:
    """Sends and receipts from several threads and tabs at once: every seat's unread count ends
    equal to the messages it has no receipt for, whatever order the writers took."""
    rounds = 8
    with time_machine.travel(INSTANT, tick=False):
        cast = build_cast()
        family = cast.family_a
        gran = Membership.objects.get(family=family, user=cast.gran)
        conversation = messaging_services.thread_create(
            family=family, actor=cast.alice, subject="Holidays", body="Summer?", others=[gran]
        )

        def sender(user) -> Callable[[int], None]:
            def send(n: int) -> None:
                messaging_services.message_send(
                    family=family, actor=user, thread=conversation, body=f"Note {n}"
                )

            return send

        def reader(user) -> Callable[[int], None]:
            def read(n: int) -> None:
                page = messaging_selectors.message_page(conversation)
                shown = page if n % 2 else page[len(page) // 2 :]  # sometimes half a page
                messaging_services.message_view(family=family, actor=user, messages=shown)

            return read

        jobs = {
            "alice sends": sender(cast.alice),
            "bob sends": sender(cast.bob),
            "gran sends": sender(cast.gran),
            "alice reads": reader(cast.alice),
            "bob reads, tab 1": reader(cast.bob),
            "bob reads, tab 2": reader(cast.bob),
            "gran reads": reader(cast.gran),
        }
        errors, seen = run_writers(family, jobs, rounds)
        assert not errors, "\n".join(errors)
        assert Message.objects.filter(thread=conversation).count() == 1 + 3 * rounds
        assert ThreadParticipant.objects.filter(thread=conversation).count() == 3
        assert_exact(family)
        assert_record_whole(family, seen)
