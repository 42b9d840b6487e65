"""Running the task queue inside a test, the way `coparent worker` does: tasks are real rows in
the database backend, claimed and run by coparent.worker.runner."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.core import mail
from django.core.mail import EmailMessage
from django.db import DEFAULT_DB_ALIAS, connections

from coparent.worker.runner import run_due_tasks


def _run_on_commit_from(start: int, using: str = DEFAULT_DB_ALIAS) -> None:
    """Run, and take off the list, the on-commit callbacks registered from position `start` on,
    and those they register in turn. A test's transaction never commits; this is its commit."""
    connection = connections[using]
    while len(connection.run_on_commit) > start:
        pending = connection.run_on_commit[start:]
        del connection.run_on_commit[start:]
        for _savepoints, callback, _robust in pending:
            callback()


@contextmanager
def committing(using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """What the block queues for after its commit runs when it ends, once."""
    start = len(connections[using].run_on_commit)
    yield
    _run_on_commit_from(start, using)


def run_tasks() -> int:
    """Run every task due now, and the tasks they queue, as a worker would; the number run. What
    a request or service queued for after its commit must have run already (`committing`, or
    django_capture_on_commit_callbacks(execute=True))."""
    total = 0
    while True:
        with committing():
            ran = run_due_tasks(worker_id="test")
        if ran == 0:
            return total
        total += ran


def sent_mail() -> list[EmailMessage]:
    """The emails sent so far, once the worker has sent those that were queued."""
    run_tasks()
    return mail.outbox
