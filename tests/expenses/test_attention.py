"""What waits for a parent in expenses (home, the badge), the notifications each step sends,
the balance's fixed cost, and the record's readable export of expense entries."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.formats import date_format

from coparent.attention.selectors import answer_count, badge_count, items_for
from coparent.expenses import selectors, services
from coparent.notifications.models import Kind, Notification
from coparent.records.disclosure import disclose
from coparent.records.models import LogEntry
from tests.cast import Cast
from tests.expenses.helpers import DAY, expense, member
from tests.messaging.helpers import png_bytes


def kinds_for(cast: Cast, user) -> list[str]:
    return [i.kind for i in items_for(cast.family_a, member(cast.family_a, user))]


def test_requests_payments_and_rules_wait_for_the_other_parent(cast: Cast) -> None:
    e = expense(cast)
    assert kinds_for(cast, cast.bob) == ["expense"] and kinds_for(cast, cast.alice) == []
    [item] = items_for(cast.family_a, member(cast.family_a, cast.bob))
    assert "Alice Parent" in item.title and "50.00 USD" in item.detail and item.deadline
    services.expense_approve(family=cast.family_a, actor=cast.bob, expense=e)
    services.payment_record(
        family=cast.family_a,
        actor=cast.bob,
        payee=member(cast.family_a, cast.alice),
        amount=Decimal(50),
        currency="USD",
        date=DAY,
        method="cash",
    )
    a, b = member(cast.family_a, cast.alice), member(cast.family_a, cast.bob)
    services.agreement_propose(
        family=cast.family_a,
        actor=cast.bob,
        effective_from=DAY,
        rules=[services.RuleSpec({a: Decimal(50), b: Decimal(50)})],
    )
    assert sorted(kinds_for(cast, cast.alice)) == ["expense_rules", "payment"]
    details = {i.kind: i.detail for i in items_for(cast.family_a, a)}
    assert "on Wed 10 Jun 2026." in details["payment"]  # the reader's date, not 2026-06-10
    assert "In force from Wed 10 Jun 2026 once you accept." in details["expense_rules"]
    assert kinds_for(cast, cast.bob) == []
    assert kinds_for(cast, cast.gran) == [] and kinds_for(cast, cast.mediator) == []


def test_overdue_requests_stay_in_attention_and_the_badge_is_one_query(
    cast: Cast, time_machine, django_assert_num_queries
) -> None:
    expense(cast)
    expense(cast)
    time_machine.move_to(timezone.now() + dt.timedelta(days=20))
    services.deadlines_mark()
    bob = member(cast.family_a, cast.bob)
    assert all("Overdue" in i.title for i in items_for(cast.family_a, bob))
    with django_assert_num_queries(1):
        assert badge_count(cast.family_a, bob, timezone.now()) == 2
    alice_items = items_for(cast.family_a, member(cast.family_a, cast.alice))
    assert len(alice_items) == 2 and not any(i.answer for i in alice_items)
    assert badge_count(cast.family_a, member(cast.family_a, cast.alice)) == 0


def test_each_step_notifies_the_other_parent_only(cast: Cast) -> None:
    e = expense(cast)
    services.expense_dispute(family=cast.family_a, actor=cast.bob, expense=e, reason="Too much")
    sent = list(
        Notification.objects.filter(kind__startswith="expense").values_list(
            "recipient__email", "kind"
        )
    )
    assert ("bob@example.test", Kind.EXPENSE_REQUEST) in sent
    assert ("alice@example.test", Kind.EXPENSE_ANSWER) in sent
    assert not any(email.startswith(("gran", "mediator")) for email, _k in sent)
    titles = set(
        Notification.objects.filter(kind__startswith="expense").values_list("title", flat=True)
    )
    assert titles == {"There is news about shared expenses in coparent"}  # neutral


def test_the_balance_costs_the_same_with_more_history(
    cast: Cast, django_assert_num_queries
) -> None:
    def grow() -> None:
        for _n in range(3):
            services.expense_approve(family=cast.family_a, actor=cast.bob, expense=expense(cast))
            services.expense_approve(
                family=cast.family_a, actor=cast.alice, expense=expense(cast, cast.bob, "7.00")
            )

    grow()
    with django_assert_num_queries(3):
        first = selectors.balance_list(cast.family_a)
    grow()
    grow()
    with django_assert_num_queries(3):
        assert selectors.balance_list(cast.family_a)[0].amount_minor == 3 * first[0].amount_minor


def test_the_export_discloses_reasons_and_receipts(cast: Cast) -> None:
    e = expense(cast, receipts=[services.Upload("r.png", png_bytes())])
    services.expense_dispute(family=cast.family_a, actor=cast.bob, expense=e, reason="Not agreed")
    entries = list(
        LogEntry.objects.filter(
            family=cast.family_a, kind__in=["expense.disputed", "expense.receipt_added"]
        )
    )
    found = disclose(entries)
    contents = {entry.kind: found[entry.index].content for entry in entries}
    assert contents["expense.disputed"] == b"Not agreed"
    assert contents["expense.receipt_added"] and contents["expense.receipt_added"][:4] == b"\x89PNG"


def test_home_lists_five_requests_and_sums_up_the_rest(cast: Cast, client_for) -> None:
    """A parent asked for their share again and again is shown five requests, soonest answer
    date first, and one line for the rest that still counts every one of them; the home page
    costs the same queries with seven requests waiting or thirty."""
    for n in range(7):
        expense(cast, description=f"Lesson {n}")
    bob = member(cast.family_a, cast.bob)
    items = items_for(cast.family_a, bob)
    assert [i.stands_for for i in items] == [1, 1, 1, 1, 1, 2]
    assert items[-1].title == "2 more requests for your share of an expense"
    assert items[-1].link == f"/f/{cast.family_a.public_id}/expenses/"
    assert answer_count(items) == 7 == badge_count(cast.family_a, bob, timezone.now())
    client = client_for(cast.bob)
    home = f"/f/{cast.family_a.public_id}/"
    page = client.get(home).content.decode()
    assert page.count("asks for your share of an expense") == 5
    assert "2 more requests for your share of an expense" in page
    with CaptureQueriesContext(connection) as seven:
        client.get(home)
    for n in range(23):
        expense(cast, description=f"Lesson {n + 7}")
    client.get(home)  # the record grew: the navigation counts again once
    with CaptureQueriesContext(connection) as thirty:
        page = client.get(home).content.decode()
    assert len(thirty) == len(seven)
    assert "25 more requests for your share of an expense" in page


def test_alice_sees_five_of_her_overdue_requests_and_how_many_more(
    cast: Cast, time_machine
) -> None:
    for n in range(6):
        expense(cast, description=f"Lesson {n}")
    time_machine.move_to(timezone.now() + dt.timedelta(days=20))
    services.deadlines_mark()
    items = items_for(cast.family_a, member(cast.family_a, cast.alice))
    assert len(items) == 6 and not any(i.answer for i in items)
    assert items[-1].title == "1 more of your requests is overdue"


def test_notified_dates_are_written_the_reader_s_way_in_their_own_zone(
    cast: Cast, time_machine
) -> None:
    # 03:00 UTC on 2 June is still 1 June in Chicago, where Bob reads.
    time_machine.move_to(dt.datetime(2026, 6, 2, 3, tzinfo=dt.UTC), tick=False)
    made = expense(cast)
    assert made.respond_by is not None
    due = timezone.localtime(made.respond_by, zoneinfo.ZoneInfo("America/Chicago")).date()
    asked = Notification.objects.get(recipient=cast.bob, kind=Kind.EXPENSE_REQUEST)
    assert f"Answer by {date_format(due, 'DATE_FORMAT')}." in asked.detail_body
    assert made.respond_by.date().isoformat() not in asked.detail_body
