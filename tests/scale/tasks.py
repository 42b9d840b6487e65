"""A task the two-worker test enqueues many times: each run leaves one line in a file, so a task
run twice shows up as two lines."""

from __future__ import annotations

import os
import time

from django.tasks import task


@task()
def note_run(number: int, path: str) -> None:
    time.sleep(0.01)  # long enough that both workers are busy at once
    with open(path, "a") as out:  # one short O_APPEND write per run: lines never interleave
        out.write(f"{number} {os.environ.get('COPARENT_SCALE_WORKER', os.getpid())}\n")
