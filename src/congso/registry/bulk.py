"""Bulk upsert keyed on a natural key, counting created / updated / unchanged rows.

Django's ``bulk_create(update_conflicts=True)`` builds a model instance per row and prepares
every value in Python (≈40 µs a row here), and on SQLite splits statements at 999
parameters; the registry imports millions of rows, so this module writes the same
``INSERT ... ON CONFLICT (key) DO UPDATE`` directly:

* PostgreSQL: the batch is ``COPY``-ed into a temporary staging table (psycopg formats COPY
  rows in C), then one ``INSERT ... SELECT ... ON CONFLICT`` moves it into the real table;
* SQLite: ``executemany`` of the one-row statement (a C loop in the sqlite3 module).

The update is guarded by ``WHERE <some column> IS DISTINCT FROM <the new value>``, so an
identical row is neither rewritten nor counted: the database reports how many rows it inserted
or changed, and a count of the keys that already existed splits that into created and updated.
Column names, tables and types come from the model's ``_meta``; values must already be valid
(the importer checks them) and in database form (dates as ``date``, foreign keys as ids).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db import connections, models

_SQLITE_MAX_PARAMS = 999


@dataclass
class UpsertCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def add(self, other: UpsertCounts) -> None:
        self.created += other.created
        self.updated += other.updated
        self.unchanged += other.unchanged


def _quote(connection: Any, name: str) -> str:
    quoted: str = connection.ops.quote_name(name)
    return quoted


def _column(field: Any) -> str:
    """The database column of a concrete field (``get_field`` is typed for relations too)."""
    column = field.column
    assert isinstance(column, str)
    return column


def count_existing(
    *, model: type[models.Model], key: str, values: Sequence[Any], using: str = "default"
) -> int:
    """How many of ``values`` (distinct) already exist as ``key`` in ``model``'s table."""
    if not values:
        return 0
    connection = connections[using]
    field = model._meta.get_field(key)
    table = _quote(connection, model._meta.db_table)
    column = _quote(connection, _column(field))
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            db_type = field.db_type(connection)
            sql = f"SELECT count(*) FROM {table} WHERE {column} = ANY(%s::{db_type}[])"  # noqa: S608
            cursor.execute(sql, [list(values)])
            return int(cursor.fetchone()[0])
        total = 0
        for start in range(0, len(values), _SQLITE_MAX_PARAMS):
            chunk = values[start : start + _SQLITE_MAX_PARAMS]
            placeholders = ", ".join(["%s"] * len(chunk))
            cursor.execute(f"SELECT count(*) FROM {table} WHERE {column} IN ({placeholders})", chunk)  # noqa: S608
            total += int(cursor.fetchone()[0])
        return total


def lookup_ids(
    *, model: type[models.Model], key: str, values: Sequence[Any], using: str = "default"
) -> dict[Any, int]:
    """Map each existing ``key`` value among ``values`` to the row's primary key."""
    if not values:
        return {}
    connection = connections[using]
    field = model._meta.get_field(key)
    table = _quote(connection, model._meta.db_table)
    column = _quote(connection, _column(field))
    pk = _quote(connection, _column(model._meta.pk))
    found: dict[Any, int] = {}
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            db_type = field.db_type(connection)
            cursor.execute(
                f"SELECT {column}, {pk} FROM {table} WHERE {column} = ANY(%s::{db_type}[])",  # noqa: S608
                [list(values)],
            )
            found.update(cursor.fetchall())
            return found
        for start in range(0, len(values), _SQLITE_MAX_PARAMS):
            chunk = values[start : start + _SQLITE_MAX_PARAMS]
            placeholders = ", ".join(["%s"] * len(chunk))
            cursor.execute(f"SELECT {column}, {pk} FROM {table} WHERE {column} IN ({placeholders})", chunk)  # noqa: S608
            found.update(cursor.fetchall())
    return found


def _sqlite_converter(field: models.Field[Any, Any]) -> Callable[[Any], Any] | None:
    # Django stores dates in SQLite as ISO text; comparing text with text keeps the
    # "unchanged" test exact.
    if isinstance(field, models.DateField) and not isinstance(field, models.DateTimeField):
        return lambda value: value.isoformat() if isinstance(value, date) else value
    return None


def bulk_upsert(
    *,
    model: type[models.Model],
    key: str,
    fields: Sequence[str],
    rows: Sequence[Sequence[Any]],
    now: datetime,
    using: str = "default",
) -> UpsertCounts:
    """Insert or update ``rows`` (each ``(key value, *field values)``) in one round trip.

    Keys must be distinct within ``rows``. The model must have ``created_at``/``updated_at``;
    both are set to ``now`` on insert, ``updated_at`` on a real change only. Runs in the
    caller's transaction.
    """
    if not rows:
        return UpsertCounts()
    connection = connections[using]
    meta = model._meta
    model_fields = [meta.get_field(name) for name in (key, *fields)]
    columns = [_quote(connection, _column(f)) for f in model_fields]
    stamp_columns = [_quote(connection, "created_at"), _quote(connection, "updated_at")]
    table = _quote(connection, meta.db_table)
    key_column = columns[0]
    update_columns = columns[1:]
    stamp = connection.ops.adapt_datetimefield_value(now)

    if connection.vendor == "postgresql":
        staging = _quote(connection, f"_import_{meta.db_table}")
        set_clause = ", ".join(f"{c} = EXCLUDED.{c}" for c in [*update_columns, stamp_columns[1]])
        changed = (
            f"({', '.join(f'{table}.{c}' for c in update_columns)}) IS DISTINCT FROM "
            f"({', '.join(f'EXCLUDED.{c}' for c in update_columns)})"
        )
        column_list = ", ".join(columns)
        with connection.cursor() as cursor:
            # Lives as long as the connection; emptied before each batch.
            cursor.execute(
                f"CREATE TEMPORARY TABLE IF NOT EXISTS {staging} AS "  # noqa: S608
                f"SELECT {column_list} FROM {table} WITH NO DATA"
            )
            cursor.execute(f"TRUNCATE {staging}")
            with cursor.cursor.copy(f"COPY {staging} ({column_list}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            cursor.execute(f"SELECT count(*) FROM {staging} JOIN {table} USING ({key_column})")  # noqa: S608
            existing = int(cursor.fetchone()[0])
            cursor.execute(
                f"INSERT INTO {table} ({column_list}, {', '.join(stamp_columns)}) "  # noqa: S608
                f"SELECT {column_list}, %s, %s FROM {staging} "
                f"ON CONFLICT ({key_column}) DO UPDATE SET {set_clause} WHERE {changed}",
                [stamp, stamp],
            )
            affected = cursor.rowcount
    else:
        existing = count_existing(model=model, key=key, values=[row[0] for row in rows], using=using)
        set_clause = ", ".join(f"{c} = excluded.{c}" for c in [*update_columns, stamp_columns[1]])
        changed = " OR ".join(f"{table}.{c} IS NOT excluded.{c}" for c in update_columns)
        placeholders = ", ".join(["%s"] * (len(columns) + 2))
        sql = (
            f"INSERT INTO {table} ({', '.join(columns + stamp_columns)}) VALUES ({placeholders}) "  # noqa: S608
            f"ON CONFLICT ({key_column}) DO UPDATE SET {set_clause} WHERE {changed}"
        )
        converters = [(i, conv) for i, f in enumerate(model_fields) if (conv := _sqlite_converter(f))]  # type: ignore[arg-type]
        params: list[list[Any]] = []
        for row in rows:
            values = list(row)
            for i, conv in converters:
                values[i] = conv(values[i])
            values += (stamp, stamp)
            params.append(values)
        with connection.cursor() as cursor:
            cursor.executemany(sql, params)
            affected = cursor.rowcount

    created = len(rows) - existing
    updated = max(affected - created, 0)
    return UpsertCounts(created=created, updated=updated, unchanged=max(existing - updated, 0))
