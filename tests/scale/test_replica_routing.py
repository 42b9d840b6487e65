"""The read-replica router and its middleware, in process: which alias each kind of query gets.
No replica is connected here (the alias is only named); tests/scale/test_replica_servers.py
runs real servers against a real second database."""

from __future__ import annotations

import pytest
from django.contrib.sessions.models import Session
from django.core.checks.registry import registry
from django.db import router, transaction
from django.http import HttpResponse
from django.test import RequestFactory, override_settings
from django_tasks_db.models import DBTaskResult

from coparent.accounts.models import User
from coparent.core import replicas
from coparent.core.checks import read_replicas_configured
from coparent.families.models import Family
from coparent.messaging.models import Message
from coparent.records.models import FamilyLog, LogEntry

REPLICAS = ["replica_1", "replica_2"]


@pytest.fixture
def with_replicas():
    with override_settings(DATABASE_REPLICAS=REPLICAS):
        yield


def test_it_reads_from_the_primary_when_no_replica_is_configured():
    with replicas.replica_reads(allowed=True):
        assert router.db_for_read(Family) == "default"
        assert Family.objects.all().db == "default"


def test_it_reads_from_the_primary_outside_a_request(with_replicas):
    """The worker and management commands never read a replica."""
    assert router.db_for_read(Family) == "default"
    assert Message.objects.all().db == "default"


def test_a_get_request_reads_one_replica_for_the_whole_request(with_replicas):
    with replicas.replica_reads(allowed=True):
        chosen = router.db_for_read(Family)
        assert chosen in REPLICAS
        assert {Family.objects.all().db, Message.objects.all().db, LogEntry.objects.all().db} == {
            chosen
        }


def test_locked_reads_and_writes_go_to_the_primary(with_replicas):
    with replicas.replica_reads(allowed=True):
        assert Family.objects.select_for_update().db == "default"
        assert FamilyLog.objects.select_for_update(no_key=True).db == "default"
        family = Family(name="Read from a replica")
        family._state.db = "replica_1"
        # Django's own fallback would write a row back where it was read from.
        assert router.db_for_write(Family, instance=family) == "default"


@pytest.mark.django_db(transaction=True)
def test_after_a_write_the_rest_of_the_request_reads_the_primary(with_replicas):
    with replicas.replica_reads(allowed=True):
        assert Message.objects.all().db in REPLICAS
        Family.objects.filter(pk=0).update(name="A GET that writes")
        assert Message.objects.all().db == "default"


def test_making_an_unsaved_row_is_not_a_write(with_replicas):
    """Django asks the router for a write alias when a relation is set on a new row."""
    with replicas.replica_reads(allowed=True):
        Message(family=Family(name="Never saved"))
        assert Message.objects.all().db in REPLICAS


@pytest.mark.parametrize("model", [Session, User, DBTaskResult])
def test_sign_in_sessions_and_the_task_queue_are_always_read_from_the_primary(with_replicas, model):
    with replicas.replica_reads(allowed=True):
        assert router.db_for_read(model) == "default"


@pytest.mark.django_db(transaction=True)
def test_reads_inside_a_transaction_go_to_the_primary(with_replicas):
    with replicas.replica_reads(allowed=True):
        assert Family.objects.all().db in REPLICAS
        with transaction.atomic():
            assert Family.objects.all().db == "default"
        assert Family.objects.all().db in REPLICAS


def test_only_the_primary_is_migrated():
    assert router.allow_migrate("default", "families")
    assert not router.allow_migrate("replica_1", "families")


def _routing_seen(request) -> tuple[HttpResponse, list[str | None]]:
    seen: list[str | None] = []

    def view(request):
        seen.append(replicas.read_alias())
        return HttpResponse("ok")

    return replicas.ReplicaReadMiddleware(view)(request), seen


@override_settings(DATABASE_REPLICAS=REPLICAS, DATABASE_REPLICA_STICKY_SECONDS=5)
def test_the_middleware_keeps_a_person_who_has_just_written_on_the_primary(time_machine):
    factory = RequestFactory()
    response, seen = _routing_seen(factory.get("/"))
    assert seen[0] in REPLICAS
    assert "coparent-primary" not in response.cookies

    response, seen = _routing_seen(factory.post("/"))
    assert seen == [None]
    cookie = response.cookies["coparent-primary"]
    assert cookie["max-age"] == 5
    assert cookie["httponly"]

    pinned = factory.get("/")
    pinned.COOKIES["coparent-primary"] = cookie.value
    _response, seen = _routing_seen(pinned)
    assert seen == [None]

    time_machine.shift(6)  # the replicas have caught up by now
    _response, seen = _routing_seen(pinned)
    assert seen[0] in REPLICAS

    forged = factory.get("/")
    forged.COOKIES["coparent-primary"] = "1"  # unsigned: ignored, not trusted
    _response, seen = _routing_seen(forged)
    assert seen[0] in REPLICAS


def test_the_middleware_does_nothing_without_replicas():
    response, seen = _routing_seen(RequestFactory().post("/"))
    assert seen == [None]
    assert "coparent-primary" not in response.cookies


def _check_ids() -> set[str]:
    """The ids of what the read-replica check reports (coparent.E030-E034, W030)."""
    return {message.id for message in read_replicas_configured() if message.id}


def test_the_replica_check_is_a_system_check():
    assert read_replicas_configured in registry.get_checks()


def test_the_system_check_is_quiet_without_replicas():
    assert _check_ids() == set()


@pytest.mark.filterwarnings("ignore:Overriding setting DATABASES")
def test_the_system_check_explains_a_misconfiguration(settings):
    primary = settings.DATABASES["default"]
    databases = {
        **settings.DATABASES,
        "replica_1": {**primary},
        "replica_2": {"ENGINE": "django.db.backends.sqlite3", "NAME": "x"},
    }
    with override_settings(
        DATABASES=databases,
        DATABASE_REPLICAS=REPLICAS,
        DATABASE_ROUTERS=[],
        DATABASE_REPLICA_STICKY_SECONDS=0,
        MIDDLEWARE=[m for m in settings.MIDDLEWARE if "replicas" not in m],
    ):
        found = _check_ids()
    expected = {"coparent.E030", "coparent.E032", "coparent.W030", "coparent.E033", "coparent.E034"}
    if "postgresql" not in primary["ENGINE"]:
        expected.add("coparent.E031")
    assert found == expected
