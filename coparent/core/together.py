"""Writes of one change sent to the database together. On PostgreSQL each round trip costs more
than the statement itself, so the inserts and updates gathered here go as one statement
(data-modifying WITH clauses): all of them or none, like any statement. Elsewhere (SQLite, where
a statement costs no round trip) they run one after another, in the order given.

Only writes that do not read each other's results belong together: within one PostgreSQL
statement every part sees the database as it was before the statement. Like bulk_create and
update(), no save() and no model signals."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.db.models import Model, QuerySet
from django.db.models.sql import InsertQuery, UpdateQuery


class Together:
    def __init__(self) -> None:
        self._inserts: list[Sequence[Model]] = []
        self._updates: list[tuple[QuerySet[Any], dict[str, Any]]] = []

    def insert(self, *objects: Model) -> None:
        """New rows of one model; each gets its primary key once the writes have run."""
        if objects:
            self._inserts.append(objects)

    def update(self, queryset: QuerySet[Any], **values: Any) -> None:
        """Like `queryset.update(**values)`."""
        self._updates.append((queryset, values))

    def run(self) -> None:
        connection = transaction.get_connection()
        with transaction.atomic(savepoint=False):
            if connection.vendor == "postgresql":
                self._run_as_one(connection)
                return
            for objects in self._inserts:
                objects[0].__class__._base_manager.bulk_create(objects)
            for queryset, values in self._updates:
                queryset.update(**values)

    def _run_as_one(self, connection: Any) -> None:
        parts: list[str] = []
        params: list[Any] = []
        returning: list[str] = []
        for number, objects in enumerate(self._inserts):
            model = objects[0].__class__
            meta = model._meta
            fields = [f for f in meta.local_concrete_fields if not f.primary_key]
            query = InsertQuery(model)
            query.insert_values(fields, list(objects))
            compiler = query.get_compiler(connection=connection)
            compiler.returning_fields = [meta.pk]
            ((sql, values),) = compiler.as_sql()
            parts.append(f"i{number} AS ({sql})")
            params.extend(values)
            pk = connection.ops.quote_name(meta.pk.column)
            returning.append(f"SELECT {number}, {pk} FROM i{number}")  # noqa: S608
        for number, (queryset, changes) in enumerate(self._updates):
            update = queryset.query.chain(UpdateQuery)
            assert isinstance(update, UpdateQuery)
            update.add_update_values(changes)
            update.annotations = {}
            sql, values = update.get_compiler(connection=connection).as_sql()
            parts.append(f"u{number} AS ({sql})")
            params.extend(values)
        if not parts:
            return
        # Every part runs, whether or not the final SELECT reads it.
        final = " UNION ALL ".join(returning) if returning else "SELECT NULL, NULL"
        with connection.cursor() as cursor:
            cursor.execute(f"WITH {', '.join(parts)} {final}", params)
            keys: dict[int, list[Any]] = {}
            for number, key in cursor.fetchall():
                if number is not None:
                    keys.setdefault(number, []).append(key)
        for number, objects in enumerate(self._inserts):
            # Rows come back in the order of the VALUES list (PostgreSQL's INSERT ... RETURNING).
            for obj, key in zip(objects, keys[number], strict=True):
                obj.pk = key
                obj._state.adding = False
                obj._state.db = connection.alias
