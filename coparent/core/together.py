"""Writes of one change sent to the database together. On PostgreSQL each round trip costs more
than the statement itself, so the inserts and updates gathered here go as one statement
(data-modifying WITH clauses): all of them or none, like any statement. Elsewhere (SQLite, where
a statement costs no round trip) they run one after another, in the order given.

Only writes that do not read each other's results belong together: within one PostgreSQL
statement every part sees the database as it was before the statement. Like bulk_create and
update(), no save() and no model signals.

Every write of every family goes through here with its log entry (records/services.py), so the
SQL of each part is compiled by the ORM once per shape (a model and a number of rows, or a model
and the fields a row update sets) and kept: compiling costs the ORM more Python than the
database takes to run the statement. The values are prepared on every run as the ORM's compiler
prepares them (`pre_save`, `get_db_prep_save`); a value the SQL would have to carry (an
expression) is compiled afresh. tests/test_together.py checks the kept SQL and values against
the ORM's own compilation on both databases: run it before upgrading Django.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.db.models import Field, Model, QuerySet
from django.db.models.sql import InsertQuery, UpdateQuery

# (alias, model, rows) -> (SQL, fields, whether the ORM sent the values by column: UNNEST)
_INSERTS: dict[tuple[str, type[Model], int], tuple[str, list[Field[Any, Any]], bool]] = {}
# (alias, model, field names) -> (SQL, fields set)
_ROW_UPDATES: dict[tuple[str, type[Model], tuple[str, ...]], tuple[str, list[Field[Any, Any]]]] = {}


class Together:
    def __init__(self) -> None:
        self._inserts: list[Sequence[Model]] = []
        self._updates: list[tuple[QuerySet[Any], dict[str, Any]]] = []
        self._row_updates: list[tuple[type[Model], Any, dict[str, Any]]] = []

    def insert(self, *objects: Model) -> None:
        """New rows of one model; each gets its primary key once the writes have run."""
        if objects:
            self._inserts.append(objects)

    def update(self, queryset: QuerySet[Any], **values: Any) -> None:
        """Like `queryset.update(**values)`."""
        self._updates.append((queryset, values))

    def update_row(self, model: type[Model], pk: Any, **values: Any) -> None:
        """Like `model.objects.filter(pk=pk).update(**values)`, compiled once per set of fields."""
        self._row_updates.append((model, pk, values))

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
            for model, pk, values in self._row_updates:
                model._base_manager.filter(pk=pk).update(**values)

    def _run_as_one(self, connection: Any) -> None:
        parts: list[str] = []
        params: list[Any] = []
        returning: list[str] = []
        for number, objects in enumerate(self._inserts):
            sql, values = insert_sql(connection, objects)
            parts.append(f"i{number} AS ({sql})")
            params.extend(values)
            meta = objects[0]._meta
            if meta.auto_field is not None:  # a key made in Python is known already
                pk = connection.ops.quote_name(meta.pk.column)
                returning.append(f"SELECT {number}, {pk} FROM i{number}")  # noqa: S608
        updates = [_update_sql(connection, queryset, values) for queryset, values in self._updates]
        updates += [row_update_sql(connection, *update) for update in self._row_updates]
        for number, (sql, values) in enumerate(updates):
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
            if objects[0]._meta.auto_field is not None:
                for obj, key in zip(objects, keys[number], strict=True):
                    obj.pk = key
            for obj in objects:
                obj._state.adding = False
                obj._state.db = connection.alias


def _is_expression(value: Any) -> bool:
    return hasattr(value, "resolve_expression")


def _insert_fields(model: type[Model]) -> list[Field[Any, Any]]:
    """Every column but a key the database numbers: a key made in Python (a UUID) is sent."""
    auto = model._meta.auto_field
    return [f for f in model._meta.local_concrete_fields if f is not auto]


def _compile_insert(connection: Any, objects: Sequence[Model]) -> tuple[str, list[Any]]:
    model = objects[0].__class__
    query = InsertQuery(model)
    query.insert_values(_insert_fields(model), list(objects))
    compiler = query.get_compiler(connection=connection)
    compiler.returning_fields = [model._meta.pk]
    ((sql, values),) = compiler.as_sql()
    return sql, list(values)


def _plain(field: Field[Any, Any], connection: Any, compiler: Any, sample: Any) -> bool:
    """Whether the field's placeholder is a bare %s whatever the (non-expression) value: a
    binary field's is on PostgreSQL, MySQL's differs for None."""
    custom = getattr(field, "get_placeholder_sql", None)
    if custom is None:
        return not hasattr(field, "get_placeholder")
    return all(custom(value, compiler, connection) == ("%s", (value,)) for value in (sample, None))


def insert_sql(connection: Any, objects: Sequence[Model]) -> tuple[str, list[Any]]:
    """INSERT ... RETURNING the key, for rows of one model, and its parameters."""
    model = objects[0].__class__
    key = (connection.alias, model, len(objects))
    kept = _INSERTS.get(key)
    if kept is None:
        sql, values = _compile_insert(connection, objects)
        fields = _insert_fields(model)
        # An expression is compiled into the SQL itself (`Upper(Value(...))` is "UPPER(%s)"):
        # that SQL is not the shape's, whatever its parameters look like.
        expressions = any(
            _is_expression(getattr(obj, f.attname)) for obj in objects for f in fields
        )
        compiler = InsertQuery(model).get_compiler(connection=connection)
        if not expressions and all(
            _plain(f, connection, compiler, v) for f, v in zip(fields, values, strict=False)
        ):
            if len(values) == len(fields) * len(objects):
                _INSERTS[key] = (sql, fields, False)
            elif len(values) == len(fields) and len(objects) > 1 and "UNNEST" in sql:
                _INSERTS[key] = (sql, fields, True)
        return sql, values
    sql, fields, by_column = kept
    rows = [[field.pre_save(obj, True) for field in fields] for obj in objects]
    if any(_is_expression(value) for row in rows for value in row):
        return _compile_insert(connection, objects)
    prepared = [
        [
            field.get_db_prep_save(value, connection)
            for field, value in zip(fields, row, strict=True)
        ]
        for row in rows
    ]
    if by_column:
        return sql, [list(column) for column in zip(*prepared, strict=True)]
    return sql, [value for row in prepared for value in row]


def _update_sql(
    connection: Any, queryset: QuerySet[Any], values: dict[str, Any]
) -> tuple[str, list[Any]]:
    update = queryset.query.chain(UpdateQuery)
    assert isinstance(update, UpdateQuery)
    update.add_update_values(values)
    update.annotations = {}
    sql, params = update.get_compiler(connection=connection).as_sql()
    return sql, list(params)


def row_update_sql(
    connection: Any, model: type[Model], pk: Any, values: dict[str, Any]
) -> tuple[str, list[Any]]:
    """UPDATE of one row by its key, and its parameters."""
    meta = model._meta
    key = (connection.alias, model, tuple(values))
    if any(_is_expression(v) or hasattr(v, "prepare_database_save") for v in values.values()):
        return _update_sql(connection, model._base_manager.filter(pk=pk), values)
    kept = _ROW_UPDATES.get(key)
    if kept is None:
        sql, params = _update_sql(connection, model._base_manager.filter(pk=pk), values)
        found = [meta.get_field(name) for name in values]
        fields = [f for f in found if isinstance(f, Field)]
        compiler = InsertQuery(model).get_compiler(connection=connection)
        if (
            len(fields) == len(found)
            and len(params) == len(fields) + 1
            and all(f.model is model for f in fields)
            and all(
                _plain(f, connection, compiler, v) for f, v in zip(fields, params, strict=False)
            )
        ):
            _ROW_UPDATES[key] = (sql, fields)
        return sql, params
    sql, fields = kept
    pk_field = meta.pk
    return sql, [
        *(
            field.get_db_prep_save(value, connection)
            for field, value in zip(fields, values.values(), strict=True)
        ),
        pk_field.get_db_prep_value(pk_field.get_prep_value(pk), connection, prepared=True),
    ]
