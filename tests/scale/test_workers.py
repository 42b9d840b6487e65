"""Two `coparent worker` processes on one queue: every task runs exactly once, and both workers
take their share (the claim is a row lock with SKIP LOCKED, coparent/worker/runner.py)."""

from __future__ import annotations

import time
from collections import Counter

import pytest
from django.tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from tests.scale.processes import workers
from tests.scale.tasks import note_run

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]

TASKS = 300


def wait_for(condition, seconds: float, what: str, processes) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        for process in processes:
            assert process.popen.poll() is None, f"{process.name} stopped\n{process.tail()}"
        time.sleep(0.1)
    raise AssertionError(
        f"{what} within {seconds:.0f} s\n" + "\n".join(p.tail() for p in processes)
    )


def test_two_workers_on_one_queue_run_each_task_exactly_once(tmp_path):
    runs = tmp_path / "runs.txt"
    runs.touch()
    with workers(2, tmp_path) as processes:
        wait_for(
            lambda: all("started" in p.log.read_text() for p in processes),
            60,
            "both workers started",
            processes,
        )
        for number in range(TASKS):
            note_run.enqueue(number, str(runs))
        ours = DBTaskResult.objects.filter(task_path__endswith="tests.scale.tasks.note_run")
        wait_for(
            lambda: ours.filter(status=TaskResultStatus.SUCCESSFUL).count() == TASKS,
            180,
            f"{TASKS} tasks done",
            processes,
        )
    lines = [line.split() for line in runs.read_text().splitlines()]
    numbers = Counter(int(number) for number, _worker in lines)
    assert sorted(numbers) == list(range(TASKS))
    assert set(numbers.values()) == {1}, "a task ran more than once"
    assert len({worker for _number, worker in lines}) == 2, "one worker did all the work"
    claims = Counter(worker for result in ours for worker in result.worker_ids)
    assert set(claims) == {"worker-0", "worker-1"}
    assert all(len(result.worker_ids) == 1 for result in ours)  # claimed once, never retried
