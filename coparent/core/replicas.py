"""Read replicas: the reads of GET requests go to a PostgreSQL replica, everything else to the
primary. The one place that decides where a query goes (settings.DATABASE_ROUTERS names it).

A read goes to a replica only when all of these hold: replicas are configured
(DATABASE_REPLICA_URLS), it is made while serving a GET or HEAD request (never in the worker or a
management command), the person has not written in the last DATABASE_REPLICA_STICKY_SECONDS (a
signed cookie set on every POST, PUT, PATCH or DELETE), this request has not written yet, no
transaction is open on the primary, it is not a locked read (select_for_update is routed as a
write by Django itself), and its model is not one that must never be stale (sign-in, sessions,
the cache, the task queue).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.http import HttpRequest, HttpResponse

# Replica aliases in DATABASES are "replica_1", "replica_2", ... (coparent/settings.py).
REPLICA_ALIAS_PREFIX = "replica_"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
PRIMARY_COOKIE_SALT = "coparent.core.replicas"

# Apps whose reads are always on the primary: who is signed in (a revoked session, token or
# second factor must not be honoured from a lagging copy), the cache's table (throttle counters),
# and the task queue. The family record needs no entry: its appends lock the log's head
# (select_for_update, which Django routes as a write) inside a transaction.
PRIMARY_ONLY_APPS = frozenset(
    {
        "sessions",
        "django_cache",
        "accounts",
        "otp_totp",
        "otp_static",
        "django_otp",
        "auth",
        "django_tasks_database",
        "worker",
    }
)


@dataclass
class _Reads:
    """Where this request's reads may go: one replica for the whole request (so two reads of one
    page see the same moment), or None for the primary."""

    replica: str | None = None
    wrote: bool = False


_current: ContextVar[_Reads | None] = ContextVar("coparent_replica_reads", default=None)


def replica_aliases() -> list[str]:
    return list(getattr(settings, "DATABASE_REPLICAS", []))


def primary_cookie_name() -> str:
    return "__Host-coparent-primary" if settings.SESSION_COOKIE_SECURE else "coparent-primary"


_WRITES = frozenset({"INSERT", "UPDATE", "DELETE"})


def _note_write(
    execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
) -> Any:
    """Wraps the primary's queries during a request: once it has written (an UPDATE of a
    last-seen time, a row a GET creates), the rest of the request reads its own writes there.
    The router cannot tell: Django asks it for a write alias whenever a relation is set, even on
    a row that is never saved."""
    reads = _current.get()
    if reads is not None and not reads.wrote and sql.lstrip()[:6].upper() in _WRITES:
        reads.wrote = True
    return execute(sql, params, many, context)


@contextmanager
def replica_reads(*, allowed: bool) -> Iterator[None]:
    """Inside the block, plain reads may go to one of the replicas (when `allowed`) until the
    primary is written to."""
    aliases = replica_aliases()
    chosen = random.choice(aliases) if allowed and aliases else None  # noqa: S311 - load spreading
    token = _current.set(_Reads(replica=chosen))
    try:
        if chosen is None:
            yield
        else:
            with connections[DEFAULT_DB_ALIAS].execute_wrapper(_note_write):
                yield
    finally:
        _current.reset(token)


def read_alias() -> str | None:
    """The replica this request reads from now, or None (the primary)."""
    reads = _current.get()
    if reads is None or reads.replica is None or reads.wrote:
        return None
    if connections[DEFAULT_DB_ALIAS].in_atomic_block:
        return None  # a write transaction reads what it is about to change on the primary
    return reads.replica


class ReplicaRouter:
    """Reads as described above; every write, and every migration, on the primary. Answers with
    an alias every time: Django's fallback would send the save of a row read from a replica back
    to that replica."""

    def db_for_read(self, model: type[Any], **hints: Any) -> str:
        if model._meta.app_label in PRIMARY_ONLY_APPS:
            return DEFAULT_DB_ALIAS
        return read_alias() or DEFAULT_DB_ALIAS

    def db_for_write(self, model: type[Any], **hints: Any) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True  # replicas are copies of the primary: their rows are the same rows

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == DEFAULT_DB_ALIAS


class ReplicaReadMiddleware:
    """Opens each request's routing: a GET or HEAD from someone who has not written lately may
    read from a replica. Any other method marks the browser with a signed cookie that keeps its
    reads on the primary for DATABASE_REPLICA_STICKY_SECONDS, so a person always sees what they
    have just done, whatever the replicas' lag."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not replica_aliases():
            return self.get_response(request)
        sticky = settings.DATABASE_REPLICA_STICKY_SECONDS
        safe = request.method in SAFE_METHODS
        pinned = (
            request.get_signed_cookie(
                primary_cookie_name(), default=None, salt=PRIMARY_COOKIE_SALT, max_age=sticky
            )
            is not None
        )
        with replica_reads(allowed=safe and not pinned):
            response = self.get_response(request)
        if not safe:
            response.set_signed_cookie(
                primary_cookie_name(),
                "1",
                salt=PRIMARY_COOKIE_SALT,
                max_age=sticky,
                path="/",
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response
