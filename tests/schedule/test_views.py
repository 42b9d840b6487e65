"""Schedule pages: who can see what, the builder's preview and inline errors, proposals and
answers through the forms, swaps, events, the report and its CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zoneinfo

import pytest
from django.test import Client
from django.utils import timezone

from coparent.families.models import Role
from coparent.schedule import selectors, services
from coparent.schedule.models import Event, ScheduleVersion, SwapRequest, SwapStatus, VersionStatus
from tests.cast import Cast, join, make_user
from tests.schedule.helpers import agreed, soon, swap


def url(cast: Cast, tail: str) -> str:
    return f"/f/{cast.family_a.public_id}/{tail}"


def builder_data(**extra: str) -> dict[str, str]:
    data = {
        "child": "all",
        "template": "2-2-3",
        "first": "A",
        "anchor": "2026-01-05",
        "exchange_time": "18:00",
        "timezone": "America/Chicago",
        "exchange_place": "School gate",
        "effective_date": "",
        "school_periods": "2026-12-19 2027-01-03 Winter break",
        "note": "",
    }
    from coparent.engine import COMMON_HOLIDAYS

    for index, holiday in enumerate(COMMON_HOLIDAYS):
        data[f"holiday_{index}_parent"] = "A"
        data[f"holiday_{index}_start_days"] = str(holiday.start["days"])
        data[f"holiday_{index}_start_time"] = holiday.start["time"]
        data[f"holiday_{index}_end_days"] = str(holiday.end["days"])
        data[f"holiday_{index}_end_time"] = holiday.end["time"]
    names = [h.name for h in COMMON_HOLIDAYS]
    data[f"holiday_{names.index('Thanksgiving')}"] = "on"
    data[f"holiday_{names.index('Christmas')}"] = "on"
    data.update(extra)
    return data


@pytest.mark.parametrize("who", ["alice", "bob", "gran", "mediator"])
def test_calendar_pages_render_for_every_member_with_names_not_letters(
    cast: Cast, client_for, who: str
) -> None:
    agreed(cast)
    member = getattr(cast, who)
    # Today at noon where the viewer is: inside this week, the next 30 days and this month as
    # the viewer sees them, whatever the day and hour.
    zone = zoneinfo.ZoneInfo(member.timezone)
    today = timezone.now().astimezone(zone).date()
    services.event_create(
        family=cast.family_a,
        actor=cast.alice,
        title="School play",
        kind="school",
        starts_at=dt.datetime.combine(today, dt.time(12), tzinfo=zone),
    )
    client: Client = client_for(member)
    month = today.strftime("%Y-%m")
    for tail in (f"calendar/?month={month}", "calendar/week/", "calendar/agenda/", ""):
        response = client.get(url(cast, tail))
        assert response.status_code == 200, tail
        html = response.content.decode()
        assert "Alice Parent" in html and "Bob Parent" in html, tail
        assert "School play" in html or tail == "", tail
        assert ">A<" not in html and ">B<" not in html


def test_the_home_page_says_who_has_the_children_and_the_next_exchange(
    cast: Cast, client_for
) -> None:
    agreed(cast)
    html = client_for(cast.gran).get(url(cast, "")).content.decode()
    assert "Right now" in html and "Next exchange" in html
    assert "Kit:</strong> with" in html
    assert "Open the calendar" in html


def test_the_calendar_notes_the_governing_zone_when_the_viewer_is_elsewhere(
    cast: Cast, client_for
) -> None:
    agreed(cast)
    bob = client_for(cast.bob).get(url(cast, "calendar/")).content.decode()
    alice = client_for(cast.alice).get(url(cast, "calendar/")).content.decode()
    assert "America/New_York" in bob and "governing time zone is America/Chicago" in bob
    assert "governing time zone" not in alice


def test_exchange_times_are_shown_in_the_viewers_zone(cast: Cast, client_for) -> None:
    agreed(cast)
    week = client_for(cast.bob).get(url(cast, "calendar/agenda/")).content.decode()
    assert "19:00" in week  # 18:00 in Chicago is 19:00 in New York
    week = client_for(cast.alice).get(url(cast, "calendar/agenda/")).content.decode()
    assert "18:00" in week


def test_the_builder_previews_eight_weeks_and_the_yearly_split_without_saving(
    cast: Cast, client_for
) -> None:
    alice = client_for(cast.alice)
    response = alice.post(url(cast, "schedule/new/"), builder_data(action="preview"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "The next 8 weeks" in html and "The coming year" in html
    assert html.count("preview-weeks") == 1 and "Alice Parent" in html
    assert not ScheduleVersion.objects.exists()
    partial = alice.post(url(cast, "schedule/new/"), builder_data(), headers={"HX-Request": "true"})
    assert partial.status_code == 200 and b"<html" not in partial.content
    assert b"The coming year" in partial.content


def test_the_builder_shows_errors_inline_and_saves_nothing(cast: Cast, client_for) -> None:
    alice = client_for(cast.alice)
    response = alice.post(
        url(cast, "schedule/new/"),
        builder_data(action="propose", anchor="", school_periods="19 December to 3 January"),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="id_anchor_error"' in html
    assert "Line 1: start with two dates" in html
    assert not ScheduleVersion.objects.exists()


def test_proposing_in_the_builder_and_accepting_on_the_overview(cast: Cast, client_for) -> None:
    response = client_for(cast.alice).post(
        url(cast, "schedule/new/"), builder_data(action="propose")
    )
    assert response.status_code == 302
    version = ScheduleVersion.objects.get()
    assert version.status == VersionStatus.PROPOSED
    assert {h["name"] for h in version.spec["holidays"]} == {
        "Thanksgiving",
        "Christmas",
        "Winter break",
    }
    assert version.spec["x-exchange-place"] == "School gate"
    bob = client_for(cast.bob)
    overview = bob.get(url(cast, "schedule/")).content.decode()
    assert "Accept" in overview and "Waiting for the other parent" in overview
    bob.post(url(cast, f"schedule/versions/{version.public_id}/accept/"))
    version.refresh_from_db()
    assert version.status == VersionStatus.ACCEPTED
    agenda = bob.get(url(cast, "calendar/agenda/")).content.decode()
    assert "School gate" in agenda


def test_a_change_needs_a_start_date_once_a_schedule_is_agreed(cast: Cast, client_for) -> None:
    agreed(cast)
    response = client_for(cast.alice).post(
        url(cast, "schedule/new/"), builder_data(action="propose", template="7-7")
    )
    assert response.status_code == 200
    assert 'id="id_effective_date_error"' in response.content.decode()
    assert ScheduleVersion.objects.count() == 1


def test_a_school_calendar_file_becomes_dated_periods(cast: Cast, client_for) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    ics = (
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//School//EN\r\n"
        b"BEGIN:VEVENT\r\nUID:1@school\r\nDTSTAMP:20260101T000000Z\r\nDTSTART;VALUE=DATE:20270322\r\n"
        b"DTEND;VALUE=DATE:20270327\r\nSUMMARY:Spring break\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    data = builder_data(action="propose", school_periods="")
    data["school_calendar"] = SimpleUploadedFile("school.ics", ics, content_type="text/calendar")
    response = client_for(cast.alice).post(url(cast, "schedule/new/"), data)
    assert response.status_code == 302
    rules = {h["name"]: h for h in ScheduleVersion.objects.get().spec["holidays"]}
    assert rules["Spring break"]["date"] == {
        "periods": [{"first": "2027-03-22", "last": "2027-03-26"}]
    }


def test_a_broken_school_calendar_file_is_an_inline_error(cast: Cast, client_for) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = builder_data(action="propose")
    data["school_calendar"] = SimpleUploadedFile("school.ics", b"not a calendar")
    response = client_for(cast.alice).post(url(cast, "schedule/new/"), data)
    assert response.status_code == 200
    assert "not an iCalendar" in response.content.decode()
    assert not ScheduleVersion.objects.exists()


def test_import_and_export_use_the_spec_format(cast: Cast, client_for) -> None:
    version = agreed(cast)
    alice = client_for(cast.alice)
    exported = alice.get(url(cast, f"schedule/{version.plan.public_id}/export.json"))
    assert exported.status_code == 200
    document = exported.json()
    assert document["versions"][0]["spec"]["rotation"]["template"] == "2-2-3"
    assert document["x-parent-names"] == {"A": "Alice Parent", "B": "Bob Parent"}
    from coparent.engine import parse_spec

    parse_spec(document)
    bad = alice.post(url(cast, "schedule/import/"), {"child": "all", "spec_text": "{nope"})
    assert "not valid JSON" in bad.content.decode()
    spec = dict(version.spec, rotation=dict(version.spec["rotation"], template="7-7"))
    import json

    ok = alice.post(
        url(cast, "schedule/import/"),
        {
            "child": "all",
            "spec_text": json.dumps(spec),
            "effective_date": (timezone.localdate() + dt.timedelta(days=3)).isoformat(),
        },
    )
    assert ok.status_code == 302
    assert ScheduleVersion.objects.filter(status=VersionStatus.PROPOSED).count() == 1


def test_caregivers_and_professionals_cannot_reach_parent_pages(cast: Cast, client_for) -> None:
    agreed(cast)
    gran = client_for(cast.gran)
    for tail in ("schedule/new/", "schedule/", "swaps/", "swaps/new/", "events/new/", "report/"):
        assert gran.get(url(cast, tail)).status_code == 404, tail
    mediator = client_for(cast.mediator)
    for tail in ("schedule/", "swaps/", "report/", "calendar/"):
        assert mediator.get(url(cast, tail)).status_code == 200, tail
    assert mediator.get(url(cast, "schedule/new/")).status_code == 404
    assert mediator.post(url(cast, "calendar/subscribe/")).status_code == 404


def test_swap_pages_request_accept_and_the_calendar_changes(cast: Cast, client_for) -> None:
    version = agreed(cast)
    alice, bob = client_for(cast.alice), client_for(cast.bob)
    local = timezone.localtime
    response = alice.post(
        url(cast, "swaps/new/"),
        {
            "plan": str(version.plan.public_id),
            "start_at": soon(10).strftime("%Y-%m-%dT%H:%M"),
            "end_at": soon(12).strftime("%Y-%m-%dT%H:%M"),
            "respond_by": soon(7).strftime("%Y-%m-%dT%H:%M"),
            "reason": "Family wedding",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    request = SwapRequest.objects.get()
    assert local(request.start_at)  # stored aware, in UTC
    detail = bob.get(url(cast, f"swaps/{request.public_id}/")).content.decode()
    assert "Family wedding" in detail and "Make a counter-offer" in detail
    bob.post(url(cast, f"swaps/{request.public_id}/accept/"), {"response": "Fine"})
    request.refresh_from_db()
    assert request.status == SwapStatus.ACCEPTED and request.response == "Fine"
    month = soon(10).strftime("%Y-%m")
    html = alice.get(url(cast, f"calendar/?month={month}")).content.decode()
    assert "special swap" in html


def test_a_swap_form_with_bad_times_shows_inline_errors(cast: Cast, client_for) -> None:
    version = agreed(cast)
    response = client_for(cast.alice).post(
        url(cast, "swaps/new/"),
        {
            "plan": str(version.plan.public_id),
            "start_at": soon(10).strftime("%Y-%m-%dT%H:%M"),
            "end_at": soon(9).strftime("%Y-%m-%dT%H:%M"),
            "respond_by": soon(7).strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert response.status_code == 200
    assert 'id="id_end_at_error"' in response.content.decode()
    assert not SwapRequest.objects.exists()


def test_a_counter_offer_through_the_pages(cast: Cast, client_for) -> None:
    version = agreed(cast)
    request = swap(cast, version)
    response = client_for(cast.bob).post(
        url(cast, f"swaps/{request.public_id}/counter/"),
        {
            "plan": str(version.plan.public_id),
            "start_at": soon(11).strftime("%Y-%m-%dT%H:%M"),
            "end_at": soon(12).strftime("%Y-%m-%dT%H:%M"),
            "respond_by": soon(6).strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == SwapStatus.COUNTERED
    assert SwapRequest.objects.get(counter_of=request).requested_by == cast.bob


def test_events_through_the_pages(cast: Cast, client_for) -> None:
    alice = client_for(cast.alice)
    form = alice.get(url(cast, "events/new/")).content.decode()
    assert "Which children" in form and "Kit" in form
    bad = alice.post(url(cast, "events/new/"), {"title": "", "kind": "school"})
    assert bad.status_code == 200 and 'id="id_title_error"' in bad.content.decode()
    assert not Event.objects.exists()
    response = alice.post(
        url(cast, "events/new/"),
        {
            "title": "Dentist",
            "kind": "medical",
            "starts_at": soon(2, 9).strftime("%Y-%m-%dT%H:%M"),
            "place": "Smile clinic",
            "children": [str(cast.kit.public_id)],
        },
    )
    assert response.status_code == 302
    event = Event.objects.get()
    gran = client_for(cast.gran).get(url(cast, f"events/{event.public_id}/")).content.decode()
    assert "Smile clinic" in gran and "Delete this event" not in gran
    assert (
        client_for(cast.gran).post(url(cast, f"events/{event.public_id}/delete/")).status_code
        == 404
    )
    alice.post(url(cast, f"events/{event.public_id}/delete/"))
    assert not Event.objects.exists()


def test_the_report_shows_the_split_and_scaled_thresholds_and_exports_csv(
    cast: Cast, client_for
) -> None:
    agreed(cast)
    alice = client_for(cast.alice)
    query = "?date_from=2027-01-01&date_to=2027-07-02&rule=arizona"
    html = alice.get(url(cast, "report/" + query)).content.decode()
    assert "182 nights in the period" in html
    assert "threshold \N{MULTIPLICATION SIGN} 182 \N{DIVISION SIGN} 365" in html
    assert "Download CSV" in html
    response = alice.get(url(cast, "report.csv" + query))
    assert response["Content-Type"].startswith("text/csv")
    assert response.content.startswith("\ufeff".encode()), "UTF-8 with a BOM, for spreadsheets"
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [r["parent"] for r in rows] == ["Alice Parent", "Bob Parent"]
    assert sum(int(r["overnights"]) for r in rows) == 182
    assert "days_arizona" in rows[0]
    assert abs(sum(float(r["hours"]) for r in rows) - 182 * 24) < 2
    bad = alice.get(url(cast, "report/?date_from=2027-01-01&date_to=2026-01-01&rule=arizona"))
    assert 'id="id_date_to_error"' in bad.content.decode()
    assert alice.get(url(cast, "report.csv?date_from=x&date_to=y&rule=z")).status_code == 400


def test_report_counts_match_the_engine_for_a_full_year(cast: Cast) -> None:
    agreed(cast)
    from coparent.families.models import Membership

    alice = Membership.objects.get(family=cast.family_a, user=cast.alice)
    [section] = selectors.report(
        cast.family_a, alice, dt.date(2027, 1, 1), dt.date(2028, 1, 1), "tennessee"
    )
    assert section.nights == 365
    assert sum(r.overnights for r in section.rows) == 365
    labels = [label for label, _scaled, _met in section.rows[0].thresholds]
    assert labels[0] == "90 overnights" and section.rows[0].thresholds[-1][1] == 183.0


def test_a_childs_account_sees_the_calendar_but_not_the_parents_pages(
    cast: Cast, client_for
) -> None:
    agreed(cast)
    kid = make_user("kit@example.test", "Kit Child")
    join(cast.family_a, cast.alice, kid, Role.CHILD, child=cast.kit)
    client = client_for(kid)
    assert client.get(url(cast, "calendar/")).status_code == 200
    for tail in ("schedule/", "swaps/", "report/"):
        assert client.get(url(cast, tail)).status_code == 404


@pytest.mark.parametrize("who", ["alice", "bob"])
def test_every_day_of_the_month_shows_whose_night_it_is_in_any_viewer_zone(
    cast: Cast, client_for, who: str
) -> None:
    agreed(cast)
    html = client_for(getattr(cast, who)).get(url(cast, "calendar/?month=2027-03")).content.decode()
    days = html.count('class="day-number"')
    assert days == 35
    assert html.count('class="night parent-') == days


def test_a_family_with_a_plan_per_child_shows_each_childs_nights(cast: Cast, client_for) -> None:
    from coparent.families import services as family_services
    from tests.schedule.helpers import week_on_week_off

    sam = family_services.child_add(
        family=cast.family_a, actor=cast.alice, first_name="Sam", date_of_birth=dt.date(2019, 3, 3)
    )
    agreed(cast)
    own = services.schedule_propose(
        family=cast.family_a, actor=cast.bob, spec=week_on_week_off("B"), child=sam
    )
    services.schedule_accept(family=cast.family_a, actor=cast.alice, version=own)
    html = client_for(cast.gran).get(url(cast, "calendar/?month=2027-03")).content.decode()
    assert html.count('class="night parent-') == 2 * 35
    assert "Kit: " in html and "Sam: " in html
    home = client_for(cast.gran).get(url(cast, "")).content.decode()
    assert "Kit:</strong>" in home and "Sam:</strong>" in home


def test_far_away_dates_fall_back_to_today_instead_of_failing(cast, client_for) -> None:
    agreed(cast)  # so the engine really runs for the pages below
    client = client_for(cast.alice)
    base = f"/f/{cast.family_a.public_id}/calendar"
    for path in (
        f"{base}/?month=9999-12",
        f"{base}/week/?date=9999-12-31",
        f"{base}/agenda/?date=9999-12-20",
        f"{base}/?month=0001-01",
        f"{base}/?month=2026-13",
    ):
        assert client.get(path).status_code == 200, path


def test_far_away_dates_in_forms_and_the_api_are_refused_clearly(cast, client_for) -> None:
    agreed(cast)
    client = client_for(cast.alice)
    family = cast.family_a.public_id
    for query in (
        "date_from=9999-12-01&date_to=9999-12-31",
        "date_from=0001-01-01&date_to=0001-02-01",
    ):
        page = client.get(f"/f/{family}/report/?{query}")
        assert page.status_code == 200 and "between 1970 and 2200" in page.content.decode()
    for path in ("schedule/timeline", "schedule/exchanges", "schedule/report"):
        response = client.get(f"/api/v1/families/{family}/{path}?date_from=9999-12-15")
        assert response.status_code == 422, path
        assert "between 1970 and 2200" in response.json()["error"]["fields"]["date_from"]
    leap = client.get(f"/api/v1/families/{family}/schedule/report?date_from=2024-02-29")
    assert leap.status_code == 200 and leap.json()["date_to"] == "2025-02-28"
