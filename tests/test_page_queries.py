"""Every main schedule page asks the database a fixed number of times, for a young family and for
the same family with years of history behind it (bench/pages.py measures the time)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import caches
from django.utils import timezone

from coparent.schedule import services
from coparent.schedule.models import Event, EventChild, ScheduleVersion, SwapRequest, VersionStatus
from tests.cast import Cast
from tests.schedule.helpers import agreed, soon, swap, two_two_three

# page: (path under the family, queries for a parent)
PAGES = {
    "family home": ("", 25),
    "month": ("calendar/", 12),
    "week": ("calendar/week/", 12),
    "agenda": ("calendar/agenda/", 12),
    "exchanges": ("exchanges/", 16),
    "passes": ("passes/", 5),
    "swaps": ("swaps/", 7),
}


def _young_family(cast: Cast) -> ScheduleVersion:
    """An agreed schedule, an accepted and a pending swap and an event near today."""
    version = agreed(cast, two_two_three())
    accepted = swap(cast, version, days=4, respond_by=soon(1))
    services.swap_accept(family=cast.family_a, actor=cast.bob, swap=accepted)
    swap(cast, version, by=cast.bob, days=8, respond_by=soon(2))
    services.event_create(
        family=cast.family_a,
        actor=cast.alice,
        title="Swimming",
        kind="activity",
        starts_at=soon(2, hour=16),
        ends_at=soon(2, hour=17),
        children=[cast.kit],
    )
    return version


def _years_behind(cast: Cast, version: ScheduleVersion, count: int) -> None:
    """`count` accepted (and as many declined) swaps, `count` events and a version every six
    months, one every 0.365 days before this month: rows as the services would have left them
    (services refuse to backdate)."""
    now = timezone.now()
    start = now - dt.timedelta(days=40) - dt.timedelta(days=0.365) * count
    old = [
        ScheduleVersion(
            family=cast.family_a,
            plan=version.plan,
            spec=version.spec,
            effective_at=start + dt.timedelta(days=182 * n),
            status=VersionStatus.ACCEPTED,
            proposed_by=cast.alice,
            decided_by=cast.bob,
            decided_at=start + dt.timedelta(days=182 * n - 5),
        )
        for n in range(1, int(count * 0.365) // 182)
    ]
    ScheduleVersion.objects.bulk_create(old)
    SwapRequest.objects.bulk_create(
        SwapRequest(
            family=cast.family_a,
            plan=version.plan,
            requested_by=cast.alice,
            start_at=start + dt.timedelta(days=0.365) * (n // 2),
            end_at=start + dt.timedelta(days=0.365) * (n // 2) + dt.timedelta(hours=20),
            respond_by=start,
            status="accepted" if n % 2 else "declined",
            requested_at=start,
            decided_by=cast.bob,
            decided_at=start,
        )
        for n in range(2 * count)
    )
    events = Event.objects.bulk_create(
        Event(
            family=cast.family_a,
            title=f"Event {n}",
            kind="activity",
            starts_at=start + dt.timedelta(days=0.365) * n,
            ends_at=start + dt.timedelta(days=0.365) * n + dt.timedelta(hours=2),
            created_by=cast.alice,
        )
        for n in range(count)
    )
    EventChild.objects.bulk_create(
        EventChild(event_id=e.pk, child_id=cast.kit.pk, family_id=e.family_id) for e in events
    )


@pytest.mark.parametrize("page", PAGES)
def test_a_main_page_asks_the_same_number_of_queries_at_any_age_of_the_family(
    cast: Cast, client_for, django_assert_num_queries, page: str
) -> None:
    version = _young_family(cast)
    alice = client_for(cast.alice)
    path, queries = PAGES[page]
    url = f"/f/{cast.family_a.public_id}/{path}"
    assert alice.get(url).status_code == 200  # the first view also saves the session
    caches["pages"].clear()  # counted as drawn afresh, not as kept (core/fragments.py)
    with django_assert_num_queries(queries):
        young = alice.get(url)
    _years_behind(cast, version, 1_000)
    # The writes grew the record: the next view counts the nav badge anew.
    alice.get(url)
    caches["pages"].clear()
    with django_assert_num_queries(queries):
        old = alice.get(url)
    assert young.status_code == old.status_code == 200


def test_the_swaps_page_shows_twenty_newest_first_and_pages_back(cast: Cast, client_for) -> None:
    version = _young_family(cast)
    _years_behind(cast, version, 20)  # 40 old requests behind the two recent ones
    alice = client_for(cast.alice)
    url = f"/f/{cast.family_a.public_id}/swaps/"
    first = alice.get(url).content.decode()
    assert first.count('class="badge') == 20
    assert f'href="/f/{cast.family_a.public_id}/swaps/?page=2"' in first and "Newer" not in first
    assert "1 request is waiting for your answer." in first  # Bob's, not Alice's own
    last = alice.get(url + "?page=3").content.decode()
    assert last.count('class="badge') == 2 and "?page=2" in last and "Older" not in last
    odd = alice.get(url + "?page=%C2%B2").content.decode()  # a superscript two: the first page
    assert odd.count('class="badge') == 20 and "?page=2" in odd and "Newer" not in odd


def test_the_passes_page_shows_twenty_latest_first_and_pages_back(cast: Cast, client_for) -> None:
    from tests.passes.test_passes import issue, window

    for n in range(22):
        start, end = window(hours_from_now=24 * n)
        issue(cast, person_name=f"Helper {n}", starts_at=start, ends_at=end)
    alice = client_for(cast.alice)
    url = f"/f/{cast.family_a.public_id}/passes/"
    first = alice.get(url).content.decode()
    assert "Helper 21<" in first and "Helper 2<" in first and "Helper 1<" not in first
    assert "?page=2" in first
    second = alice.get(url + "?page=2").content.decode()
    assert "Helper 1<" in second and "Helper 0<" in second and "Helper 2<" not in second
