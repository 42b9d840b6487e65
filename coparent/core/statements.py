"""Queries the ORM builds and compiles once per process, then runs with each request's values.

Building and compiling a queryset costs the ORM 0.5-2 ms of Python every time, several times
what the database takes to answer a small query; the queries nearly every request asks (the
tenancy gate's, a conversation's poll) and every write asks (the family's lock, a message's
seats) pay it once here. A locking statement is routed and checked as the ORM would (the
primary, inside a transaction). A `Statement` builds its queryset with
stand-in values, compiles it, and notes where each stand-in landed among the parameters (and
how the field adapted it: a UUID as hex on SQLite, a moment as text); a call puts its own
values there and lets Django's iterables read the rows, so select_related, annotations and
converters work as they do for any queryset.

Django has no public API for this: it relies on the compiler (`as_sql`, `get_compiler`), as
`core.together` does. tests/test_statements.py checks every statement against the ORM's own
compilation of the same values on both databases; run it before upgrading Django.
"""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from collections.abc import Callable
from functools import partial
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, router
from django.db.models import Model, QuerySet
from django.db.models.query import ModelIterable
from django.db.transaction import TransactionManagementError

# Values no real row holds and each field adapts in its own way, so a stand-in is recognised
# wherever it lands. Integers stay inside a 32-bit column's range.
_STAND_INS: dict[type, Callable[[int], Any]] = {
    int: lambda n: 2_140_000_000 + n,
    uuid.UUID: lambda n: uuid.UUID(int=0x5A17_0000_0000_0000_0000_0000_0000_0000 + n),
    dt.datetime: lambda n: dt.datetime(1901, 2, 3, 4, 5, 6, 100_000 + n, tzinfo=dt.UTC),
    str: lambda n: f"\x1fstand-in {n}\x1f",
}


class StatementError(RuntimeError):
    """The ORM compiled the statement in a way a stand-in cannot follow (a value written into
    the SQL itself, or a list whose length shapes it)."""


def _adapters(alias: str) -> list[Callable[[Any], Any]]:
    ops = connections[alias].ops
    return [
        lambda value: value,
        lambda value: value.hex,  # a UUID where the database has no uuid type
        str,
        ops.adapt_datetimefield_value,
    ]


class _Compiled:
    __slots__ = ("compiler", "plain", "queryset", "slots")

    def __init__(
        self, queryset: QuerySet[Any], compiler: Any, slots: list[tuple[str | None, Any]]
    ) -> None:
        self.queryset = queryset
        self.compiler = compiler
        # Per parameter: (argument, adapter) to fill in, or (None, the constant the ORM put).
        self.slots = slots
        self.plain = _Plain.of(queryset, compiler)


class _Plain:
    """How to turn rows into instances when the queryset is rows of one model and nothing more
    (no related objects, annotations, values() or prefetching): what ModelIterable does, less
    the queryset machinery around it, which costs more than the small query it runs."""

    __slots__ = ("converts", "expressions", "from_db", "init_list")

    def __init__(
        self,
        from_db: Callable[..., Any],
        init_list: list[str],
        expressions: list[Any],
        converts: bool,
    ) -> None:
        self.from_db = from_db
        self.init_list = init_list
        self.expressions = expressions
        # Whether the backend converts any column (SQLite's times, say); the converters are
        # asked of the calling thread's connection, as ModelIterable asks them.
        self.converts = converts

    @classmethod
    def of(cls, built: QuerySet[Any], compiler: Any) -> _Plain | None:
        queryset: Any = built
        klass_info = compiler.klass_info
        if (
            queryset._iterable_class is not ModelIterable
            or queryset._prefetch_related_lookups
            or queryset._known_related_objects
            or klass_info is None
            or klass_info.get("related_klass_infos")
            or compiler.annotation_col_map
            or getattr(queryset._fetch_mode, "track_peers", False)
            or queryset.model.from_db.__func__ is not Model.from_db.__func__  # type: ignore[attr-defined]
        ):
            return None
        select = compiler.select
        fields = klass_info["select_fields"]
        if fields != list(range(len(select))):
            return None
        expressions = [column[0] for column in select]
        if compiler.has_composite_fields(expressions):
            return None
        init_list = [expression.target.attname for expression in expressions]
        return cls(
            partial(queryset.model.from_db, fetch_mode=queryset._fetch_mode),
            init_list,
            expressions,
            bool(compiler.get_converters(expressions)),
        )


class Statement:
    """`Statement(build, family=int, thread=uuid.UUID)`: `build(**values)` returns the
    queryset (ordered and sliced as it will run); calling the statement with real values
    returns its rows as a list. Arguments are ints, UUIDs, aware datetimes or strings; anything
    else (a boolean, a list) that changes the query belongs inside `build`."""

    def __init__(self, build: Callable[..., QuerySet[Any]], /, **arguments: type) -> None:
        unknown = {name for name, kind in arguments.items() if kind not in _STAND_INS}
        if unknown:
            raise StatementError(f"arguments of a kind with no stand-in: {sorted(unknown)}")
        self._build = build
        self._arguments = arguments
        self._compiled: dict[str, _Compiled] = {}
        self._lock = threading.Lock()

    def _stand_ins(self) -> dict[str, Any]:
        return {
            name: _STAND_INS[kind](number)
            for number, (name, kind) in enumerate(self._arguments.items())
        }

    def _compile(self, alias: str) -> _Compiled:
        stand_ins = self._stand_ins()
        queryset = self._build(**stand_ins)
        compiler = queryset.query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        adapters = _adapters(alias)
        slots: list[tuple[str | None, Any]] = []
        found: set[str] = set()
        for param in params:
            slot: tuple[str | None, Any] = (None, param)
            for name, stand_in in stand_ins.items():
                adapter = next((a for a in adapters if _same(_adapted(a, stand_in), param)), None)
                if adapter is not None:
                    slot = (name, adapter)
                    found.add(name)
                    break
            slots.append(slot)
        missing = set(stand_ins) - found
        if missing:
            raise StatementError(f"not among the parameters of {sql!r}: {sorted(missing)}")
        compiler.as_sql = lambda *args, **kwargs: (sql, params)
        return _Compiled(queryset, compiler, slots)

    def compiled(self, alias: str) -> _Compiled:
        found = self._compiled.get(alias)
        if found is None:
            with self._lock:
                found = self._compiled.get(alias) or self._compile(alias)
                self._compiled[alias] = found
        return found

    def sql(self, alias: str, **values: Any) -> tuple[str, list[Any]]:
        """The SQL and parameters a call with `values` runs (for tests)."""
        compiled = self.compiled(alias)
        sql, _params = compiled.compiler.as_sql()
        return sql, [
            adapter(values[name]) if name is not None else adapter
            for name, adapter in compiled.slots
        ]

    def __call__(self, **values: Any) -> list[Any]:
        if values.keys() != self._arguments.keys():
            raise TypeError(f"expected {sorted(self._arguments)}, got {sorted(values)}")
        model_queryset = self.compiled(DEFAULT_DB_ALIAS).queryset
        # A locked read is routed as a write (to the primary), as the ORM routes it.
        locked = getattr(model_queryset, "_for_write", False)
        route = router.db_for_write if locked else router.db_for_read
        alias = route(model_queryset.model)
        compiled = self.compiled(alias)
        connection = connections[alias]
        if (
            compiled.queryset.query.select_for_update
            and connection.features.has_select_for_update
            and connection.get_autocommit()
        ):  # the ORM's own check, which the compiled SQL skips: a lock ends with its statement
            raise TransactionManagementError("a locking statement outside of a transaction")
        sql, params = self.sql(alias, **values)
        if (plain := compiled.plain) is not None:
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                rows: Any = cursor.fetchall()
            if plain.converts:
                compiler = _shallow(compiled.compiler)
                compiler.connection = connection
                converters = _converters(compiler, plain.expressions)
                rows = compiler.apply_converters(rows, converters)
            return [plain.from_db(alias, plain.init_list, row) for row in rows]
        compiler = _shallow(compiled.compiler)
        compiler.connection = connection  # connections belong to their thread
        compiler.as_sql = lambda *args, **kwargs: (sql, params)
        compiler.get_converters = partial(_converters, compiler)
        query = _shallow(compiled.queryset.query)
        query.get_compiler = lambda *args, **kwargs: compiler  # type: ignore[method-assign]
        queryset: Any = _shallow(compiled.queryset)
        queryset.query, queryset._db, queryset._result_cache = query, alias, None
        return list(queryset)


def _converters(compiler: Any, expressions: list[Any]) -> dict[int, Any]:
    """`compiler.get_converters`, asked once per connection and columns: the answer depends
    only on the backend and the fields, and asking again costs calls per column on every run
    (a third of a small query's Python on SQLite). Kept on the connection, which belongs to
    one thread and takes its converters with it when it goes."""
    kept: dict[tuple[int, ...], dict[int, Any]] = compiler.connection.__dict__.setdefault(
        "_statement_converters", {}
    )
    key = tuple(map(id, expressions))
    found = kept.get(key)
    if found is None:
        found = kept[key] = type(compiler).get_converters(compiler, expressions)
    return found


def _shallow[T](thing: T) -> T:
    """A copy sharing every attribute. Not copy.copy: a QuerySet pickles (so copies) by
    running itself."""
    twin = object.__new__(type(thing))
    twin.__dict__.update(thing.__dict__)
    return twin


def _adapted(adapter: Callable[[Any], Any], value: Any) -> Any:
    try:
        return adapter(value)
    except (AttributeError, TypeError, ValueError):
        return None


def _same(adapted: Any, param: Any) -> bool:
    return adapted is not None and type(adapted) is type(param) and adapted == param
