"""Deadlines: a swap request or schedule proposal nobody answers expires by itself (the worker's
periodic job), the record says so, and both parents are told."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.formats import date_format
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from coparent.core.errors import Conflict, ServiceError
from coparent.notifications.models import Notification
from coparent.records.models import LogEntry
from coparent.schedule import services
from coparent.schedule.models import ScheduleVersion, SwapStatus, VersionStatus
from coparent.worker import scheduler
from tests.cast import Cast
from tests.schedule.helpers import agreed, soon, swap, two_two_three, week_on_week_off
from tests.tasks import run_tasks

pytestmark = pytest.mark.django_db

EXPIRE_ONLY = {"schedule.expire": ("coparent.schedule.tasks.deadlines_expire_task", 300)}


@pytest.fixture(autouse=True)
def _only_the_expiry_job(settings) -> None:
    settings.COPARENT_PERIODIC_TASKS = EXPIRE_ONLY


def worker_round() -> None:
    """What a running worker does within five minutes: enqueue the job, run it, send its mail."""
    scheduler.enqueue_due()
    run_tasks()


def kinds(cast: Cast, suffix: str) -> list[tuple[str, object]]:
    return list(
        LogEntry.objects.filter(family=cast.family_a, kind__endswith=suffix)
        .order_by("index")
        .values_list("kind", "actor")
    )


def test_an_unanswered_swap_expires_by_itself_and_both_parents_are_told(
    cast: Cast, time_machine
) -> None:
    request = swap(cast, agreed(cast))
    mail.outbox.clear()
    worker_round()
    request.refresh_from_db()
    assert request.status == SwapStatus.PENDING, "not before its deadline"

    time_machine.move_to(request.respond_by + dt.timedelta(minutes=1))
    worker_round()
    request.refresh_from_db()
    assert request.status == SwapStatus.EXPIRED and request.decided_by is None
    assert kinds(cast, ".expired") == [("swap.expired", None)], "nobody did it: no actor"
    assert sorted(m.to[0] for m in mail.outbox) == sorted([cast.alice.email, cast.bob.email])
    assert {m.subject for m in mail.outbox} == {"A request or proposal in coparent expired"}
    told = Notification.objects.filter(kind="deadline_expired")
    assert sorted(n.recipient.email for n in told) == sorted([cast.alice.email, cast.bob.email])
    assert all(n.link.endswith(f"/swaps/{request.public_id}/") for n in told)
    assert {n.detail_title for n in told} == {"A swap request expired without an answer"}
    assert "Grandma" not in mail.outbox[0].body, "no content of the request in the email"

    time_machine.shift(dt.timedelta(minutes=5))
    worker_round()
    assert len(mail.outbox) == 2 and len(kinds(cast, ".expired")) == 1, "expired once"
    with pytest.raises(Conflict):
        services.swap_accept(family=cast.family_a, actor=cast.bob, swap=request)


def test_an_answered_or_withdrawn_swap_never_expires(cast: Cast, time_machine) -> None:
    version = agreed(cast)
    accepted = swap(cast, version)
    services.swap_accept(family=cast.family_a, actor=cast.bob, swap=accepted)
    withdrawn = swap(cast, version, days=20)
    services.swap_withdraw(family=cast.family_a, actor=cast.alice, swap=withdrawn)
    time_machine.shift(dt.timedelta(days=30))
    assert services.deadlines_expire() == 0
    accepted.refresh_from_db()
    withdrawn.refresh_from_db()
    assert (accepted.status, withdrawn.status) == (SwapStatus.ACCEPTED, SwapStatus.WITHDRAWN)


def test_a_proposal_has_fourteen_days_to_be_answered_then_expires(cast: Cast, time_machine) -> None:
    version = services.schedule_propose(
        family=cast.family_a, actor=cast.alice, spec=two_two_three()
    )
    assert version.respond_by == version.proposed_at + dt.timedelta(days=14)
    mail.outbox.clear()
    time_machine.shift(dt.timedelta(days=13))
    worker_round()
    version.refresh_from_db()
    assert version.status == VersionStatus.PROPOSED

    time_machine.shift(dt.timedelta(days=1, minutes=1))
    with pytest.raises(Conflict, match="expired"):
        services.schedule_accept(family=cast.family_a, actor=cast.bob, version=version)
    worker_round()
    version.refresh_from_db()
    assert version.status == VersionStatus.EXPIRED and version.decided_at is not None
    assert kinds(cast, ".expired") == [("schedule.expired", None)]
    assert sorted(m.to[0] for m in mail.outbox) == sorted([cast.alice.email, cast.bob.email])
    assert {m.subject for m in mail.outbox} == {"A request or proposal in coparent expired"}
    assert set(
        Notification.objects.filter(kind="deadline_expired").values_list("detail_title", flat=True)
    ) == {"A schedule proposal expired without an answer"}
    # The family can propose again, and the expired one stays in the history as it was.
    services.schedule_propose(family=cast.family_a, actor=cast.alice, spec=week_on_week_off())
    assert ScheduleVersion.objects.filter(status=VersionStatus.EXPIRED).count() == 1


def test_a_change_proposed_to_an_agreed_schedule_expires_and_the_agreed_one_stays(
    cast: Cast, time_machine
) -> None:
    first = agreed(cast)
    change = services.schedule_propose(
        family=cast.family_a,
        actor=cast.bob,
        spec=week_on_week_off(),
        effective_at=soon(30),
        respond_by=soon(3),
    )
    time_machine.move_to(change.respond_by + dt.timedelta(minutes=1))
    assert services.deadlines_expire() == 1
    first.refresh_from_db()
    change.refresh_from_db()
    assert (first.status, change.status) == (VersionStatus.ACCEPTED, VersionStatus.EXPIRED)


@pytest.mark.parametrize(
    ("respond_by", "message"),
    [
        (lambda: timezone.now() - dt.timedelta(minutes=1), "in the future"),
        (lambda: timezone.now() + dt.timedelta(days=91), "at most 90 days"),
        (lambda: dt.datetime(2026, 7, 1, 12, 0), "time zone"),
    ],
)
def test_a_proposal_deadline_must_be_a_sensible_future_time(
    cast: Cast, respond_by, message: str
) -> None:
    with pytest.raises(ServiceError, match=message):
        services.schedule_propose(
            family=cast.family_a, actor=cast.alice, spec=two_two_three(), respond_by=respond_by()
        )
    assert not ScheduleVersion.objects.exists()
    assert kinds(cast, "schedule.proposed") == []


def test_the_overview_shows_the_deadline_and_its_queries_do_not_grow_with_history(
    cast: Cast, client_for, time_machine
) -> None:
    for _ in range(3):  # proposals that expired unanswered
        services.schedule_propose(family=cast.family_a, actor=cast.alice, spec=two_two_three())
        time_machine.shift(dt.timedelta(days=15))
        services.deadlines_expire()
    pending = services.schedule_propose(
        family=cast.family_a, actor=cast.alice, spec=two_two_three()
    )
    bob = client_for(cast.bob)
    bob.get(f"/f/{cast.family_a.public_id}/schedule/")  # the session's first request writes more
    with CaptureQueriesContext(connection) as many:
        page = bob.get(f"/f/{cast.family_a.public_id}/schedule/").content.decode()
    assert page.count("expired unanswered on") == 3
    deadline = pending.respond_by.astimezone(ZoneInfo(cast.bob.timezone))
    assert f"Answer by {date_format(deadline, 'DATETIME_FORMAT')}" in page

    ScheduleVersion.objects.filter(status=VersionStatus.EXPIRED).delete()
    with CaptureQueriesContext(connection) as few:
        bob.get(f"/f/{cast.family_a.public_id}/schedule/")
    assert len(many.captured_queries) == len(few.captured_queries)


@hypothesis_settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    respond_by=st.one_of(
        st.datetimes(
            min_value=dt.datetime(1970, 1, 1),
            max_value=dt.datetime(2200, 1, 1),
            timezones=st.sampled_from(
                [dt.UTC, ZoneInfo("Pacific/Kiritimati"), ZoneInfo("Etc/GMT+12")]
            ),
        ).map(lambda moment: moment.isoformat()),
        st.text(max_size=40),
        st.sampled_from(["2026-06-18T12:00:00", "2026-06-18", "\x00", "\ud800", "9" * 5000]),
        # Around the window that counts: from a day ago to 95 days on (not within seconds of an
        # edge, where the ticking clock could decide either way).
        st.timedeltas(min_value=dt.timedelta(days=-1), max_value=dt.timedelta(days=95)).filter(
            lambda offset: all(
                abs(offset - edge) > dt.timedelta(seconds=5)
                for edge in (dt.timedelta(0), dt.timedelta(days=90))
            )
        ),
    )
)
def test_the_api_answer_deadline_is_accepted_only_in_the_next_ninety_days(
    cast: Cast, client_for, respond_by: str | dt.timedelta
) -> None:
    alice = client_for(cast.alice)
    now = timezone.now()
    if isinstance(respond_by, dt.timedelta):
        respond_by = (now + respond_by).isoformat()
    before = LogEntry.objects.filter(family=cast.family_a).count()
    response = alice.post(
        f"/api/v1/families/{cast.family_a.public_id}/schedule/versions",
        {"spec": two_two_three(), "respond_by": respond_by},
        content_type="application/json",
    )
    try:
        moment = dt.datetime.fromisoformat(respond_by)
    except ValueError:
        moment = None
    fine = (
        moment is not None
        and moment.utcoffset() is not None
        and "T" in respond_by
        and now < moment <= now + dt.timedelta(days=90)
    )
    if fine:
        assert response.status_code == 201, (respond_by, response.content)
        created = ScheduleVersion.objects.get(public_id=response.json()["id"])
        assert created.respond_by == moment
        created.delete()
        return
    assert 400 <= response.status_code < 500, (respond_by, response.content)
    assert set(response.json()["error"]) == {"code", "message", "fields"}
    assert not ScheduleVersion.objects.exists()
    assert LogEntry.objects.filter(family=cast.family_a).count() == before
