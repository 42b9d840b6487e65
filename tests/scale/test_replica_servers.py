"""Read replicas for real: two gunicorn servers with DATABASE_REPLICA_URLS, and a second
PostgreSQL database standing in for the replica. The test copies the primary into it, then makes
the two differ (the family's name, the record's head) and makes the copy read-only, as a hot
standby is. Every page then tells which database it was read from: a GET read from the primary
when it should be the replica fails, a read from the replica when it should be the primary
fails, and a write sent to the replica fails outright."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
import pytest
from django.db import connection, connections

from coparent.records.models import FamilyLog
from tests.cast import PASSWORD, build_cast
from tests.messaging.helpers import open_thread
from tests.scale.processes import Browser, app_servers, database_url
from tests.test_concurrency import assert_record_whole

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]

STICKY_SECONDS = 2
REPLICA_NAME = "Family A as the replica has it"


@contextmanager
def stand_in_replica(family_id: int) -> Iterator[str]:
    """A copy of the test database as it is now, with the family renamed and its record's head
    moved on by three entries, read-only; dropped afterwards. Its postgres:// URL."""
    primary = connection.settings_dict["NAME"]
    name = f"{primary}_replica"
    # CREATE DATABASE ... TEMPLATE needs the template free of sessions: ours, and any an
    # earlier test's threads or servers left behind before PostgreSQL noticed they were gone.
    connections.close_all()
    with psycopg.connect(database_url(name="postgres"), autocommit=True) as admin:
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = %s AND pid <> pg_backend_pid()",
            [primary],
        )
        for _ in range(50):
            others = admin.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = %s", [primary]
            ).fetchone()
            if not others or not others[0]:
                break
            time.sleep(0.1)
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{primary}"')
    try:
        with psycopg.connect(database_url(name=name), autocommit=True) as replica:
            replica.execute(
                "UPDATE families_family SET name = %s WHERE id = %s", [REPLICA_NAME, family_id]
            )
            # An append that read the head here would leave a gap of three in the primary's log.
            replica.execute(
                "UPDATE records_familylog SET size = size + 3 WHERE family_id = %s", [family_id]
            )
            replica.execute(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on')
        yield database_url(name=name)
    finally:
        with psycopg.connect(database_url(name="postgres"), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_get_requests_read_the_replica_and_a_person_who_wrote_reads_the_primary(tmp_path):
    cast = build_cast()
    thread = open_thread(cast, subject="Pickup", body="Written before the copy")
    family = cast.family_a
    log_size = FamilyLog.objects.get(family=family).size
    home = f"/f/{family.public_id}/"
    conversation = f"/f/{family.public_id}/messages/{thread.public_id}/"
    with (
        stand_in_replica(family.pk) as replica_url,
        app_servers(
            2,
            tmp_path,
            DATABASE_REPLICA_URLS=replica_url,
            DATABASE_REPLICA_STICKY_SECONDS=str(STICKY_SECONDS),
        ) as servers,
    ):
        browser = Browser(servers)
        # Signed in after the copy: the session exists on the primary only.
        browser.sign_in("alice@example.test", PASSWORD)
        assert browser.cookie("coparent-primary")
        just_written = browser.get(home)
        assert just_written.status == 200
        assert "Family A" in just_written.body
        assert REPLICA_NAME not in just_written.body  # the primary, right after a write

        time.sleep(STICKY_SECONDS + 0.5)
        for _ in servers:
            page = browser.get(home)
            assert page.status == 200, page.server  # still signed in: sessions are primary-only
            assert REPLICA_NAME in page.body, page.server  # a GET reads the replica
        page = browser.get(conversation)
        assert "Written before the copy" in page.body

        sent = browser.post(
            conversation,
            {"csrfmiddlewaretoken": page.csrf_token(), "body": "Written after the copy"},
        )
        assert sent.status == 302, sent.body[:500]  # written to the primary: the copy is read-only
        for _ in servers:
            page = browser.get(conversation)
            assert "Written after the copy" in page.body, page.server  # reads its own write

        time.sleep(STICKY_SECONDS + 0.5)
        page = browser.get(conversation)
        assert page.status == 200
        assert "Written before the copy" in page.body
        assert "Written after the copy" not in page.body  # the replica again, which lags

    # The append read the log's head on the primary: one more entry, no gap, checkpoint signed.
    assert FamilyLog.objects.get(family=family).size > log_size
    assert_record_whole(family, [])
