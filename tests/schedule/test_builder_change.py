"""Proposing a change starts from the agreed plan (every field, holidays and place included)
and shows what it changes before sending; an unchanged plan is not sent."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from coparent.engine import COMMON_HOLIDAYS
from coparent.schedule import services
from coparent.schedule.models import ScheduleVersion, VersionStatus
from tests.cast import Cast
from tests.schedule.helpers import agreed, two_two_three

pytestmark = pytest.mark.django_db

CHRISTMAS = next(i for i, h in enumerate(COMMON_HOLIDAYS) if h.name == "Christmas")
WINTER_BREAK = {
    "name": "Winter break",
    "date": {"periods": [{"first": "2026-12-19", "last": "2027-01-03"}]},
    "start": {"days": 0, "time": "18:00"},
    "end": {"days": 1, "time": "18:00"},
    "parent": {"even": "A", "odd": "B"},
}
# A rule the builder has no fields for: it must survive a change made in the builder.
GRADUATION = {
    "name": "Graduation day",
    "date": {"dates": ["2027-06-05"]},
    "start": {"days": 0, "time": "10:00"},
    "end": {"days": 0, "time": "16:00"},
    "parent": "B",
}


def rich_spec(**extra: Any) -> dict[str, Any]:
    return two_two_three(
        holidays=[COMMON_HOLIDAYS[CHRISTMAS].as_rule("B", "A"), WINTER_BREAK, GRADUATION],
        **{"x-exchange-place": "Riverside School"},
        **extra,
    )


def builder_url(cast: Cast, query: str = "") -> str:
    return f"/f/{cast.family_a.public_id}/schedule/new/{query}"


def posted(form) -> dict[str, str]:
    """The form as the browser would send it untouched."""
    data = {}
    for bound in form:
        value = bound.value()
        if isinstance(value, bool):
            if value:
                data[bound.name] = "on"
            continue
        if isinstance(value, dt.time):
            value = value.strftime("%H:%M")
        elif isinstance(value, dt.date):
            value = value.isoformat()
        data[bound.name] = "" if value is None else str(value)
    data.pop("school_calendar", None)
    return data


def test_the_builder_opens_on_the_agreed_plan_with_nothing_changed(cast: Cast, client_for) -> None:
    agreed(cast, rich_spec())
    page = client_for(cast.alice).get(builder_url(cast))
    form = page.context["form"]
    values = posted(form)
    assert values["exchange_place"] == "Riverside School"
    assert values["timezone"] == "America/Chicago"
    assert values[f"holiday_{CHRISTMAS}"] == "on" and values[f"holiday_{CHRISTMAS}_parent"] == "B"
    assert values["school_periods"] == "2026-12-19 2027-01-03 Winter break"
    html = page.content.decode()
    assert "No change yet: this is the agreed plan as it stands." in html
    assert "Also kept as agreed" in html and "Graduation day" in html


def test_an_unchanged_plan_is_not_sent(cast: Cast, client_for) -> None:
    agreed(cast, rich_spec())
    client = client_for(cast.alice)
    data = posted(client.get(builder_url(cast)).context["form"])
    data["action"] = "propose"
    response = client.post(builder_url(cast), data)
    assert response.status_code == 200
    assert "No change: this is the agreed plan as it stands." in response.content.decode()
    assert not ScheduleVersion.objects.filter(status=VersionStatus.PROPOSED).exists()


def test_a_small_change_keeps_everything_else_and_says_what_changes(cast: Cast, client_for) -> None:
    version = agreed(cast, rich_spec())
    client = client_for(cast.alice)
    data = posted(client.get(builder_url(cast)).context["form"])
    data["exchange_place"] = "Library car park"
    data[f"holiday_{CHRISTMAS}_parent"] = "A"
    preview = client.post(builder_url(cast), dict(data, action="preview")).content.decode()
    assert "Exchange place: Riverside School → Library car park" in preview
    assert "Christmas: split; first half: Bob Parent in even years" in preview
    assert "Winter break" not in preview.split("What changes")[1].split("</div>")[0]
    data["effective_date"] = (timezone.localdate() + dt.timedelta(days=7)).isoformat()
    sent = client.post(builder_url(cast), dict(data, action="propose"))
    assert sent.status_code == 302
    proposed = ScheduleVersion.objects.get(status=VersionStatus.PROPOSED)
    assert proposed.spec["x-exchange-place"] == "Library car park"
    by_name = {rule["name"]: rule for rule in proposed.spec["holidays"]}
    assert by_name["Winter break"] == WINTER_BREAK
    assert by_name["Graduation day"] == GRADUATION
    assert proposed.spec["rotation"] == version.spec["rotation"]


def test_a_custom_pattern_is_kept_as_the_agreed_pattern(cast: Cast, client_for) -> None:
    spec = rich_spec()
    spec["rotation"] = {
        "pattern": "AABBBAA",
        "anchor": "2026-01-05",
        "first": "A",
        "exchange_time": "17:00",
    }
    agreed(cast, spec)
    client = client_for(cast.alice)
    page = client.get(builder_url(cast))
    data = posted(page.context["form"])
    assert data["template"] == "agreed" and "The agreed pattern (AABBBAA)" in page.content.decode()
    data["exchange_place"] = "Town library"
    data["effective_date"] = (timezone.localdate() + dt.timedelta(days=7)).isoformat()
    assert client.post(builder_url(cast), dict(data, action="propose")).status_code == 302
    proposed = ScheduleVersion.objects.get(status=VersionStatus.PROPOSED)
    assert proposed.spec["rotation"]["pattern"] == "AABBBAA"


def test_a_childs_own_plan_is_the_starting_point_when_that_child_is_chosen(
    cast: Cast, client_for
) -> None:
    agreed(cast, rich_spec())
    own = services.schedule_propose(
        family=cast.family_a,
        actor=cast.alice,
        spec=two_two_three(**{"x-exchange-place": "Kit's swimming pool"}),
        child=cast.kit,
        effective_at=timezone.now() + dt.timedelta(days=2),
    )
    services.schedule_accept(family=cast.family_a, actor=cast.bob, version=own)
    client = client_for(cast.alice)
    shared = posted(client.get(builder_url(cast)).context["form"])
    kits = posted(client.get(builder_url(cast, f"?child={cast.kit.public_id}")).context["form"])
    assert shared["exchange_place"] == "Riverside School"
    assert kits["exchange_place"] == "Kit's swimming pool"
    assert kits["child"] == str(cast.kit.public_id)
    assert kits.get(f"holiday_{CHRISTMAS}") != "on"


def test_the_preview_lists_only_exchanges_still_to_come(cast: Cast, client_for) -> None:
    agreed(cast, rich_spec())
    page = client_for(cast.alice).get(builder_url(cast))
    upcoming = page.context["preview"]["exchanges"]
    assert upcoming and all(at >= timezone.now() for at, _a, _b in upcoming)


def test_the_builder_takes_a_fixed_number_of_queries_whatever_the_history(
    cast: Cast, client_for
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    agreed(cast, rich_spec())
    client = client_for(cast.alice)

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(builder_url(cast)).status_code == 200
        return len(captured)

    count()  # a session's first request does its own bookkeeping
    before = count()
    for days in (5, 9, 13):
        version = services.schedule_propose(
            family=cast.family_a,
            actor=cast.alice,
            spec={**rich_spec(), "x-exchange-place": f"Place {days}"},
            effective_at=timezone.now() + dt.timedelta(days=days),
        )
        services.schedule_accept(family=cast.family_a, actor=cast.bob, version=version)
    # The writes grew the record: the next view counts the nav badge anew.
    count()
    assert count() == before
    assert before <= 25
