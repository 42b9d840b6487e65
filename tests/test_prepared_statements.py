"""On PostgreSQL a query a kept connection runs again is prepared, so its plan is not made anew
on every request; DATABASE_PREPARE_THRESHOLD=off turns that off for a pooler that cannot keep
prepared statements."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from coparent.families.models import Family
from tests.cast import Cast

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.postgres_only
def test_a_query_run_twice_keeps_its_plan(cast: Cast) -> None:
    for _ in range(3):
        assert Family.objects.filter(public_id=cast.family_a.public_id).exists()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s",
            ['%FROM "families_family"%'],
        )
        (prepared,) = cursor.fetchone()
    assert prepared >= 1


def _options(**env: str) -> dict[str, object]:
    code = (
        "import json, django; from django.conf import settings; django.setup(); "
        "print(json.dumps(settings.DATABASES['default'].get('OPTIONS', {})))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        env={
            **{k: v for k, v in os.environ.items() if not k.startswith("DATABASE_")},
            "DJANGO_SETTINGS_MODULE": "coparent.settings",
            **env,
        },
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_postgresql_binds_on_the_server_and_prepares_unless_told_not_to() -> None:
    url = "postgres://coparent@127.0.0.1:5432/coparent"
    default = _options(DATABASE_URL=url)
    assert default["server_side_binding"] is True and default["prepare_threshold"] == 2
    off = _options(DATABASE_URL=url, DATABASE_PREPARE_THRESHOLD="off")
    assert "server_side_binding" not in off and "prepare_threshold" not in off
    assert "server_side_binding" not in _options(DATABASE_URL="sqlite:////tmp/x.sqlite3")
