"""The suite's clock: every test starts at one instant, never at the real date."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.utils import timezone
from time_machine import TimeMachineFixture

from tests.conftest import suite_now


def test_every_clock_a_test_can_read_starts_at_the_suite_instant() -> None:
    start = suite_now()
    for now in (
        timezone.now(),
        dt.datetime.now(dt.UTC),
        dt.datetime.fromtimestamp(time.time(), dt.UTC),
    ):
        assert start <= now < start + dt.timedelta(minutes=1)
    assert timezone.get_current_timezone_name() == "UTC"  # the settings' zone, not a viewer's


def test_the_clock_ticks_so_waits_and_timeouts_still_work() -> None:
    before = time.time()
    deadline = time.monotonic() + 0.05
    while time.monotonic() < deadline:
        pass
    assert time.time() > before


def test_a_test_can_stop_or_move_the_clock(time_machine: TimeMachineFixture) -> None:
    moment = dt.datetime(2028, 2, 29, 23, 59, 59, tzinfo=dt.UTC)
    time_machine.move_to(moment, tick=False)
    assert timezone.now() == moment
    time_machine.shift(dt.timedelta(seconds=1))
    assert timezone.localdate() == dt.date(2028, 3, 1)


@pytest.mark.parametrize("text", ["2026-11-29T19:30", "Sunday evening", "2026-02-30T10:00Z"])
def test_an_instant_that_is_not_one_is_refused(monkeypatch, text: str) -> None:
    monkeypatch.setenv("COPARENT_TEST_NOW", text)
    with pytest.raises(pytest.UsageError, match="COPARENT_TEST_NOW"):
        suite_now()


def test_an_instant_is_read_with_its_offset(monkeypatch) -> None:
    monkeypatch.setenv("COPARENT_TEST_NOW", "2026-11-29T19:30:00-06:00")
    assert suite_now() == dt.datetime(2026, 11, 30, 1, 30, tzinfo=dt.UTC)


def test_a_viewers_zone_ends_with_their_request(cast, client_for) -> None:
    """The middleware shows a page in the viewer's zone, and the thread goes back to the
    settings' zone afterwards, so a later request or test on it never inherits that zone."""
    cast.alice.timezone = "Pacific/Kiritimati"
    cast.alice.save(update_fields=["timezone"])
    response = client_for(cast.alice).get("/")
    assert response.status_code in (200, 302)
    assert timezone.get_current_timezone_name() == "UTC"
