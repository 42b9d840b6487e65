"""The worker: retries with backoff, the operator's view of failed tasks, and no task (so no
email) run twice by two workers."""

from __future__ import annotations

import datetime as dt
import socket
import threading
import time
from io import StringIO

import pytest
from django.core import mail
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import connection
from django.tasks.base import TaskResultStatus
from django.test import Client
from django_tasks_db.models import DBTaskResult

from coparent.core.emails import send_templated_email
from coparent.core.together import Together
from coparent.worker.runner import Worker, retry_delay, run_due_tasks
from coparent.worker.services import queued
from tests.tasks import committing, run_tasks
from tests.worker import sample_tasks


@pytest.fixture(autouse=True)
def _fresh_calls() -> None:
    sample_tasks.calls.clear()


def tasks_output(*args: str) -> str:
    out = StringIO()
    call_command("tasks", *args, stdout=out)
    return out.getvalue()


def test_backoff_doubles_from_thirty_seconds_up_to_an_hour(settings) -> None:
    assert settings.COPARENT_TASK_RETRY_SECONDS == 30
    assert [retry_delay(n).total_seconds() for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert retry_delay(20) == dt.timedelta(hours=1)


@pytest.mark.django_db
def test_a_task_that_raises_is_retried_with_backoff_then_succeeds(time_machine) -> None:
    result = sample_tasks.fails_twice.enqueue("flaky")
    assert run_tasks() == 1
    row = DBTaskResult.objects.get(id=result.id)
    assert row.status == TaskResultStatus.READY, "queued again, not failed"
    assert row.exception_class_path == "builtins.ConnectionError"
    assert run_tasks() == 0, "not before its backoff"
    time_machine.shift(dt.timedelta(seconds=31))
    assert run_tasks() == 1
    assert run_tasks() == 0, "the second wait is longer (60 s)"
    time_machine.shift(dt.timedelta(seconds=61))
    assert run_tasks() == 1
    row.refresh_from_db()
    assert row.status == TaskResultStatus.SUCCESSFUL and row.return_value == "flaky"
    assert len(row.worker_ids) == 3 and sample_tasks.calls == ["flaky"] * 3
    assert "No failed tasks." in tasks_output("list", "--failed")


@pytest.mark.django_db
def test_a_task_that_keeps_failing_stays_failed_and_an_operator_sees_it(
    settings, time_machine
) -> None:
    settings.COPARENT_TASK_MAX_ATTEMPTS = 3
    result = sample_tasks.always_refused.enqueue("refused")
    for _ in range(5):
        run_tasks()
        time_machine.shift(dt.timedelta(hours=1))
    assert sample_tasks.calls == ["refused"] * 3, "three attempts, then no more"
    row = DBTaskResult.objects.get(id=result.id)
    assert row.status == TaskResultStatus.FAILED

    listing = tasks_output("list", "--failed")
    assert str(result.id) in listing and "always_refused" in listing
    assert "attempts=3" in listing and "SMTPRecipientsRefused" in listing
    # No personal data: the address and the number in the error are blanked, no argument shown.
    assert "kit.parent@example.test" not in listing and "5551234567" not in listing
    assert "[address]" in listing

    assert f"Task {result.id} is queued again." in tasks_output("retry", str(result.id))
    row.refresh_from_db()
    assert row.status == TaskResultStatus.READY and row.worker_ids == []
    run_tasks()
    assert sample_tasks.calls == ["refused"] * 4


@pytest.mark.django_db
def test_retry_refuses_what_is_not_a_failed_task() -> None:
    waiting = sample_tasks.note.enqueue("waiting")
    for task_id in (str(waiting.id), "00000000-0000-0000-0000-000000000000", "nonsense"):
        with pytest.raises(SystemExit):
            call_command("tasks", "retry", task_id, stderr=StringIO())
    assert "note" in tasks_output("list")


@pytest.mark.django_db
def test_an_unreachable_mail_server_retries_the_email_and_the_list_names_the_template(
    cast, settings, time_machine
) -> None:
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": 1, "timeout": 2},
        }
    }
    with committing():
        send_templated_email(cast.alice.email, "signup_existing", {"user": cast.alice})
    assert run_tasks() == 1
    row = DBTaskResult.objects.get()
    assert row.status == TaskResultStatus.READY and "ConnectionRefusedError" in row.traceback
    listing = tasks_output("list")
    assert "RETRYING" in listing and "email_send_task (signup_existing)" in listing
    assert cast.alice.email not in listing

    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    time_machine.shift(dt.timedelta(seconds=31))
    assert run_tasks() == 1
    assert [m.to for m in mail.outbox] == [[cast.alice.email]]


def two_workers(target) -> list[BaseException]:
    """Run `target` in two threads started together; the errors they raised."""
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def run(name: str) -> None:
        try:
            start.wait()
            target(name)
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(f"worker-{n}",)) for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return errors


@pytest.mark.django_db(transaction=True)
def test_two_workers_on_one_queue_never_send_the_same_email_twice(cast) -> None:
    count = 40
    DBTaskResult.objects.all().delete()  # what building the cast queued is not this test's
    for n in range(count):
        send_templated_email(f"person{n}@example.test", "signup_existing", {"user": cast.alice})
    assert DBTaskResult.objects.count() == count
    ran: dict[str, int] = {}

    def work(name: str) -> None:
        ran[name] = Worker(worker_id=name, scheduler_enabled=False).run(until_idle=True)

    assert two_workers(work) == []
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        f"person{n}@example.test" for n in range(count)
    ), "every email once, none twice"
    assert sum(ran.values()) == count
    assert all(len(row.worker_ids) == 1 for row in DBTaskResult.objects.all())
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {"SUCCESSFUL"}


@pytest.mark.django_db(transaction=True)
def test_two_workers_share_the_work_of_plain_tasks() -> None:
    for n in range(30):
        sample_tasks.note.enqueue(f"job-{n}")

    def work(name: str) -> None:
        run_due_tasks(worker_id=name)

    assert two_workers(work) == []
    assert sorted(sample_tasks.calls) == sorted(f"job-{n}" for n in range(30))


@pytest.mark.django_db
def test_no_email_is_sent_inside_a_request_and_a_silent_mail_server_times_out(
    cast, settings
) -> None:
    """A mail server that accepts the connection and never answers: the request does not wait
    for it (nothing connects until the worker runs), and the worker gives up after the timeout
    and retries later."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(5)

    def silent_server(timeout: float) -> None:
        settings.MAILERS = {
            "default": {
                "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "OPTIONS": {
                    "host": "127.0.0.1",
                    "port": server.getsockname()[1],
                    "timeout": timeout,
                },
            }
        }

    try:
        silent_server(timeout=20)
        started = time.monotonic()
        with committing():
            response = Client().post("/accounts/password-reset/", {"email": cast.alice.email})
        assert response.status_code == 302 and time.monotonic() - started < 20
        server.settimeout(0.2)
        with pytest.raises(TimeoutError):
            server.accept()  # the request opened no connection to the mail server
        assert DBTaskResult.objects.get().task_path == "coparent.core.emails.email_send_task"

        silent_server(timeout=1)
        started = time.monotonic()
        assert run_tasks() == 1
        assert 0.9 < time.monotonic() - started < 10, "the worker waited EMAIL_TIMEOUT, no more"
        row = DBTaskResult.objects.get()
        assert row.status == TaskResultStatus.READY, "it will be retried"
        assert row.exception_class_path.rsplit(".", 1)[-1] in {
            "TimeoutError",
            "SMTPServerDisconnected",
        }
    finally:
        server.close()
    assert mail.outbox == []


@pytest.mark.django_db(transaction=True)  # the worker closes stale connections between tasks
def test_the_worker_command_in_batch_mode_runs_what_is_due_and_the_periodic_jobs(
    settings,
) -> None:
    settings.COPARENT_PERIODIC_TASKS = {
        "test.note": ("tests.worker.sample_tasks.periodic_note", 300)
    }
    sample_tasks.note.enqueue("queued")
    out = StringIO()
    call_command("worker", "--batch", "--worker-id", "batch", stdout=out)
    assert "Ran 2 task(s)." in out.getvalue()
    assert sorted(sample_tasks.calls) == ["periodic", "queued"]


@pytest.mark.django_db
def test_a_task_a_killed_worker_left_running_can_be_retried_after_an_hour(time_machine) -> None:
    from coparent.worker.runner import claim_next

    result = sample_tasks.note.enqueue("interrupted")
    claim_next("killed-worker")  # claimed, then the worker died before finishing
    with pytest.raises(SystemExit):
        call_command("tasks", "retry", str(result.id), stderr=StringIO())
    assert "RUNNING" in tasks_output("list")
    time_machine.shift(dt.timedelta(hours=1, minutes=1))
    assert "queued again" in tasks_output("retry", str(result.id))
    assert run_tasks() == 1 and sample_tasks.calls == ["interrupted"]


@pytest.mark.django_db
def test_a_task_queued_with_a_write_is_the_row_enqueue_writes_and_runs() -> None:
    enqueued = sample_tasks.note.enqueue("by enqueue").db_result
    row = queued(sample_tasks.note, "with the write")
    writes = Together()
    writes.insert(row)
    writes.run()
    stored = DBTaskResult.objects.get(pk=row.pk)
    compared = ("status", "priority", "task_path", "queue_name", "backend_name", "run_after")
    assert [getattr(stored, f) for f in compared] == [getattr(enqueued, f) for f in compared]
    assert stored.args_kwargs == {"args": ["with the write"], "kwargs": {}}
    assert run_tasks() == 2
    assert sorted(sample_tasks.calls) == ["by enqueue", "with the write"]


def test_queueing_with_a_write_needs_the_database_backend(settings) -> None:
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    with pytest.raises(ImproperlyConfigured):
        queued(sample_tasks.note, "nowhere")
