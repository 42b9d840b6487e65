"""Periodic jobs: each period of each job is enqueued once, however many workers run."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django_tasks_db.models import DBTaskResult

from coparent.exchanges import services as exchange_services
from coparent.worker import scheduler
from coparent.worker.models import PeriodicRun
from coparent.worker.runner import Worker
from tests.cast import Cast
from tests.exchanges.helpers import daily_exchanges, next_exchange, sides
from tests.worker.test_worker import two_workers

REMIND_ONLY = {"exchanges.remind": ("coparent.exchanges.tasks.reminders_send_task", 300)}


def test_periods_are_aligned_to_the_epoch_so_every_worker_agrees() -> None:
    at = dt.datetime(2026, 6, 17, 15, 7, 31, tzinfo=dt.UTC)
    assert scheduler.period_start(at, 300) == dt.datetime(2026, 6, 17, 15, 5, tzinfo=dt.UTC)
    assert scheduler.period_start(at, 86400) == dt.datetime(2026, 6, 17, tzinfo=dt.UTC)


@pytest.mark.django_db
def test_every_registered_job_is_a_task_and_a_job_is_enqueued_once_per_period(
    settings, time_machine
) -> None:
    jobs = settings.COPARENT_PERIODIC_TASKS
    assert {"exchanges.remind", "schedule.expire", "worker.prune"} <= set(jobs)
    for path, every in jobs.values():
        assert scheduler.periodic_task(path) is not None and every >= 60
    time_machine.move_to(dt.datetime(2026, 6, 17, 15, 1, tzinfo=dt.UTC), tick=False)
    assert sorted(scheduler.enqueue_due()) == sorted(jobs)
    assert scheduler.enqueue_due() == []
    time_machine.move_to(dt.datetime(2026, 6, 17, 15, 5, tzinfo=dt.UTC), tick=False)
    every_five_minutes = sorted(name for name, (_path, every) in jobs.items() if every == 300)
    assert "exchanges.remind" in every_five_minutes and "schedule.expire" in every_five_minutes
    assert sorted(scheduler.enqueue_due()) == every_five_minutes
    assert DBTaskResult.objects.count() == len(jobs) + len(every_five_minutes)


@pytest.mark.django_db(transaction=True)
def test_two_schedulers_at_the_same_instant_enqueue_each_period_once(
    settings, time_machine
) -> None:
    time_machine.move_to(dt.datetime(2026, 6, 17, 15, 2, tzinfo=dt.UTC), tick=False)
    enqueued: list[str] = []
    for _round in range(3):
        assert two_workers(lambda _name: enqueued.extend(scheduler.enqueue_due())) == []
    assert sorted(enqueued) == sorted(settings.COPARENT_PERIODIC_TASKS)
    assert PeriodicRun.objects.count() == DBTaskResult.objects.count() == len(enqueued)


def reminders() -> list[list[str]]:
    return [m.to for m in mail.outbox if m.subject == "You have a reminder from coparent"]


@pytest.mark.django_db(transaction=True)
def test_two_workers_send_an_exchange_reminder_once(cast: Cast, settings, time_machine) -> None:
    settings.COPARENT_PERIODIC_TASKS = REMIND_ONLY
    plan = daily_exchanges(cast)
    at = next_exchange()
    giver, _taker = sides(plan, at)
    exchange_services.reminders_update(
        family=cast.family_a, actor=giver, minutes_before=[60], by_email=True
    )

    def both_workers_run() -> None:
        assert two_workers(lambda name: Worker(worker_id=name).run(until_idle=True)) == []

    time_machine.move_to(at - dt.timedelta(minutes=59), tick=False)
    both_workers_run()
    both_workers_run()  # the same period: nothing enqueued again
    assert reminders() == [[giver.email]]
    assert DBTaskResult.objects.filter(task_path__endswith="reminders_send_task").count() == 1

    time_machine.move_to(at - dt.timedelta(minutes=54), tick=False)
    both_workers_run()  # the next period runs again, and the reminder is not sent twice
    assert DBTaskResult.objects.filter(task_path__endswith="reminders_send_task").count() == 2
    assert reminders() == [[giver.email]]
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {"SUCCESSFUL"}


def test_a_periodic_job_that_names_no_task_is_a_check_error(settings) -> None:
    from coparent.worker.checks import periodic_tasks_check

    assert periodic_tasks_check() == []
    settings.COPARENT_PERIODIC_TASKS = {
        "missing": ("coparent.nowhere.task", 300),
        "not a task": ("coparent.schedule.services.deadlines_expire", 300),
        "never": ("coparent.schedule.tasks.deadlines_expire_task", 0),
        "shapeless": "coparent.schedule.tasks.deadlines_expire_task",
    }
    assert [p.id for p in periodic_tasks_check()] == [
        "coparent.worker.E001",
        "coparent.worker.E001",
        "coparent.worker.E002",
        "coparent.worker.E001",
    ]
