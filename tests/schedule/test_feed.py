"""The private iCalendar feed, read back with vobject (an independent parser)."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo

import icalendar
import time_machine
import vobject
from django.test import Client

from coparent.schedule import ical, services
from tests.cast import Cast
from tests.schedule.helpers import agreed, soon, week_on_week_off


def feed_path(cast: Cast, user) -> str:
    return f"/calendar/{services.feed_token_regenerate(family=cast.family_a, actor=user)}.ics"


def parsed(response) -> vobject.base.Component:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    return vobject.readOne(response.content.decode())


def test_the_feed_is_valid_icalendar_with_custody_exchanges_and_events(cast: Cast) -> None:
    agreed(cast, None)
    services.event_create(
        family=cast.family_a,
        actor=cast.alice,
        title="Dentist",
        kind="medical",
        starts_at=soon(3, 9),
        place="Smile clinic",
        children=[cast.kit],
    )
    path = feed_path(cast, cast.bob)
    calendar = parsed(Client().get(path))
    assert calendar.prodid.value and calendar.version.value == "2.0"
    events = calendar.vevent_list
    summaries = [e.summary.value for e in events]
    assert any(s.startswith("With Alice Parent") for s in summaries)
    assert any(s.startswith("With Bob Parent") for s in summaries)
    assert any(s.startswith("Exchange: ") for s in summaries)
    assert "Dentist" in summaries
    for event in events:
        for stamp in (event.dtstart.value, event.dtend.value):
            assert isinstance(stamp, dt.datetime)
            assert stamp.utcoffset() == dt.timedelta(0)  # UTC ("Z")
        assert event.dtend.value > event.dtstart.value
    dentist = next(e for e in events if e.summary.value == "Dentist")
    assert dentist.location.value == "Smile clinic"
    uids = [e.uid.value for e in events]
    assert len(uids) == len(set(uids))
    window = min(e.dtstart.value for e in events), max(e.dtend.value for e in events)
    now = dt.datetime.now(dt.UTC)
    assert window[0] <= now - dt.timedelta(days=85) and window[1] >= now + dt.timedelta(days=360)


def test_feed_uids_are_stable_between_downloads(cast: Cast) -> None:
    agreed(cast)
    path = feed_path(cast, cast.alice)
    first = [e.uid.value for e in parsed(Client().get(path)).vevent_list]
    second = [e.uid.value for e in parsed(Client().get(path)).vevent_list]
    assert first == second


def test_home_addresses_never_reach_the_feed(cast: Cast) -> None:
    spec = {
        "timezone": "America/Chicago",
        "parents": ["A", "B"],
        "rotation": {"template": "7-7", "anchor": "2026-01-02", "first": "A"},
        "x-exchange-place": "12 Elm Street (Bob's house)",
    }
    agreed(cast, spec)
    services.event_create(
        family=cast.family_a,
        actor=cast.alice,
        title="Birthday party",
        kind="other",
        starts_at=soon(4),
        place="7 Oak Avenue",
        place_is_home=True,
    )
    body = Client().get(feed_path(cast, cast.gran)).content.decode()
    assert "Elm Street" not in body and "Oak Avenue" not in body
    assert "Birthday party" in body


def test_wrong_revoked_and_regenerated_tokens_are_404(cast: Cast) -> None:
    agreed(cast)
    assert Client().get("/calendar/not-a-real-token.ics").status_code == 404
    old = feed_path(cast, cast.alice)
    new = feed_path(cast, cast.alice)
    assert Client().get(old).status_code == 404
    assert Client().get(new).status_code == 200
    services.feed_token_revoke(family=cast.family_a, actor=cast.alice)
    assert Client().get(new).status_code == 404


def test_the_feed_page_shows_the_link_once(cast: Cast, client_for) -> None:
    gran = client_for(cast.gran)
    page = f"/f/{cast.family_a.public_id}/calendar/subscribe/"
    assert "You have no active link" in gran.get(page).content.decode()
    made = gran.post(page, {"action": "regenerate"}).content.decode()
    assert "/calendar/" in made and ".ics" in made
    again = gran.get(page).content.decode()
    assert ".ics" not in again and "You have an active link" in again
    gran.post(page, {"action": "revoke"})
    assert "You have no active link" in gran.get(page).content.decode()


def _custody(body: bytes) -> dict[str, tuple[dt.datetime, dt.datetime, str]]:
    calendar = icalendar.Calendar.from_ical(body)
    return {
        str(event["UID"]): (
            event.decoded("DTSTART"),
            event.decoded("DTEND"),
            str(event["SUMMARY"]),
        )
        for event in calendar.walk("VEVENT")
        if str(event["UID"]).startswith("custody-")
    }


def _fetch_at(path: str, instant: dt.datetime) -> bytes:
    with time_machine.travel(instant, tick=False):
        response = Client().get(path)
    assert response.status_code == 200
    return response.content


def test_custody_periods_are_whole_with_the_same_uid_and_start_in_every_window(cast: Cast) -> None:
    # Week on, week off from Friday 2 January 2026 at 18:00 Chicago (00:00 UTC on Saturday).
    agreed(cast, week_on_week_off())
    path = feed_path(cast, cast.alice)
    may = _custody(_fetch_at(path, dt.datetime(2026, 5, 14, 12, tzinfo=dt.UTC)))
    june = _custody(_fetch_at(path, dt.datetime(2026, 6, 14, 12, tzinfo=dt.UTC)))
    # May's feed starts on 1 February; the period running then began at an exchange on Friday
    # 30 January, not at the window's edge.
    first = min(may.values())
    assert first[0] == dt.datetime(2026, 1, 31, 0, tzinfo=dt.UTC)
    assert first[1] == dt.datetime(2026, 2, 7, 0, tzinfo=dt.UTC)
    chicago = zoneinfo.ZoneInfo("America/Chicago")
    for start, end, _ in [*may.values(), *june.values()]:
        start, end = start.astimezone(chicago), end.astimezone(chicago)
        assert (start.weekday(), start.hour, end.weekday(), end.hour) == (4, 18, 4, 18)
        assert end.date() - start.date() == dt.timedelta(days=7)
    # June's feed starts on 1 March, inside the period from 27 February: same UID, same times.
    shared = may.keys() & june.keys()
    assert min(june.values())[0] == dt.datetime(2026, 2, 28, 0, tzinfo=dt.UTC)
    assert min(june, key=june.__getitem__) in shared
    assert len(shared) > 40
    assert all(may[uid] == june[uid] for uid in shared)


def test_a_period_with_no_change_in_sight_is_one_event_with_a_stable_uid(cast: Cast) -> None:
    agreed(cast, {"timezone": "America/Chicago", "parents": ["A", "B"], "default": "A"})
    path = feed_path(cast, cast.bob)
    spring = _custody(_fetch_at(path, dt.datetime(2026, 4, 2, tzinfo=dt.UTC)))
    autumn = _custody(_fetch_at(path, dt.datetime(2026, 10, 2, tzinfo=dt.UTC)))
    assert spring == autumn and len(spring) == 1


def test_the_feed_says_how_often_to_refresh(cast: Cast) -> None:
    agreed(cast)
    calendar = icalendar.Calendar.from_ical(Client().get(feed_path(cast, cast.alice)).content)
    assert calendar.decoded("REFRESH-INTERVAL") == ical.FEED_REFRESH
    assert calendar["REFRESH-INTERVAL"].params["VALUE"] == "DURATION"
    assert str(calendar["X-PUBLISHED-TTL"].to_ical().decode()) == "PT3H"


def test_the_feed_link_is_offered_as_webcal_too(cast: Cast, client_for) -> None:
    gran = client_for(cast.gran)
    page = gran.post(
        f"/f/{cast.family_a.public_id}/calendar/subscribe/", {"action": "regenerate"}
    ).content.decode()
    https = re.search(r'data-testid="feed-link">([^<]+)<', page).group(1)
    webcal = re.search(
        r'data-testid="feed-webcal" href="([^"]+)"|href="([^"]+)"[^>]*data-testid="feed-webcal"',
        page,
    )
    assert webcal is not None
    assert (webcal.group(1) or webcal.group(2)) == "webcal://" + https.split("://", 1)[1]
