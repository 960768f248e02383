"""`bulk_insert`: many rows into one table, fast, for the demo seed's big steps.

On PostgreSQL the rows are streamed with COPY (psycopg 3) into a temporary table and moved
with one `INSERT … SELECT … ON CONFLICT DO NOTHING`, so a re-run is a no-op exactly like
`bulk_create(ignore_conflicts=True)` — without building a model instance per row and
without one INSERT statement per thousand rows. Elsewhere (SQLite) it falls back to
bulk_create. Rows are dicts (attname -> value) or tuples in the order of `fields`; fields
not given take their model default, and `auto_now` / `auto_now_add` fields the current time.
Like bulk_create, it sends no signals and does not call `save()`.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence

from django.db import connection, models, transaction
from django.utils import timezone

BATCH_SIZE = 1_000  # rows per INSERT of the bulk_create fallback
COPY_CHUNK = 200_000  # rows per temporary table on PostgreSQL (bounds its size)

# Values psycopg adapts as they are; any other field goes through get_db_prep_save.
_PLAIN_FIELDS = (
    models.AutoField,
    models.BigAutoField,
    models.BooleanField,
    models.CharField,
    models.DateField,  # DateTimeField too (a subclass)
    models.DecimalField,
    models.ForeignKey,
    models.IntegerField,  # and its positive / small / big subclasses
    models.TextField,
)

_counter = itertools.count()


def _plain(field: models.Field) -> bool:
    return isinstance(field, _PLAIN_FIELDS) and type(field).get_db_prep_save in {
        models.Field.get_db_prep_save,
        models.DecimalField.get_db_prep_save,
        models.ForeignKey.get_db_prep_save,
    }


def bulk_insert(
    model: type[models.Model],
    rows: Iterable[dict | Sequence],
    *,
    fields: Sequence[str] | None = None,
    ignore_conflicts: bool = True,
) -> int:
    """Insert `rows` into `model`'s table; returns how many were new (on SQLite, how many
    were given, as bulk_create cannot tell).

    `fields`: the attnames the rows give (required for tuple rows; for dict rows, the keys
    of the first row by default). Rows that hit a unique constraint are skipped when
    `ignore_conflicts`, else the whole call fails. Runs in its own atomic block.
    """
    iterator = iter(rows)
    first = next(iterator, None)
    if first is None:
        return 0
    if fields is None:
        if not isinstance(first, dict):
            raise TypeError("bulk_insert needs `fields` for rows that are not dicts")
        fields = list(first)
    given = [model._meta.get_field(name) for name in fields]
    names = [field.attname for field in given]
    now = timezone.now()
    # Concrete fields the rows leave out, with the value every row gets (None: no column).
    filled: list[tuple[models.Field, object]] = []
    for field in model._meta.concrete_fields:
        if field.attname in names or field.primary_key:
            continue
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            filled.append((field, now))
        elif field.has_default():
            filled.append((field, field.get_default()))
        elif field.null:
            continue
        else:
            filled.append((field, field.get_default()))  # "" for a blank CharField
    chained = itertools.chain([first], iterator)
    as_tuples = (
        (tuple(row[name] for name in fields) for row in chained)
        if isinstance(first, dict)
        else chained
    )
    if connection.vendor != "postgresql":
        return _bulk_create(model, names, filled, as_tuples, ignore_conflicts)
    return _copy_insert(model, given, filled, as_tuples, ignore_conflicts)


def _bulk_create(model, names, filled, rows, ignore_conflicts) -> int:
    extra = {field.attname: value for field, value in filled}
    count = 0
    with transaction.atomic():
        while batch := list(itertools.islice(rows, 50_000)):
            objs = [model(**extra, **dict(zip(names, row, strict=True))) for row in batch]
            model.objects.bulk_create(
                objs, batch_size=BATCH_SIZE, ignore_conflicts=ignore_conflicts
            )
            count += len(objs)
    return count


def _copy_insert(model, given, filled, rows, ignore_conflicts) -> int:
    qn = connection.ops.quote_name
    table = qn(model._meta.db_table)
    tmp = qn(f"bulk_insert_{model._meta.db_table}_{next(_counter)}")
    columns = [field.column for field in given]
    fixed = [
        (field.column, field.db_type(connection), field.get_db_prep_save(value, connection))
        for field, value in filled
    ]
    convert = [
        None if _plain(field) else (lambda v, f=field: f.get_db_prep_save(v, connection))
        for field in given
    ]
    plain = all(c is None for c in convert)
    copy_cols = ", ".join(qn(c) for c in columns)
    insert_cols = ", ".join(qn(c) for c in [*columns, *(c for c, _t, _v in fixed)])
    select = ", ".join([*(qn(c) for c in columns), *(f"CAST(%s AS {t})" for _c, t, _v in fixed)])
    conflict = " ON CONFLICT DO NOTHING" if ignore_conflicts else ""
    inserted = 0
    with transaction.atomic(), connection.cursor() as cursor:
        create = f"CREATE TEMP TABLE {tmp} ON COMMIT DROP AS SELECT {copy_cols} FROM {table}"  # noqa: S608
        cursor.execute(create + " WITH NO DATA")
        # Keeps the rows' order, so ids ascend in the order given (as with bulk_create).
        cursor.execute(f"ALTER TABLE {tmp} ADD COLUMN _ord bigserial")
        while True:
            batch = itertools.islice(rows, COPY_CHUNK)
            written = 0
            with cursor.cursor.copy(f"COPY {tmp} ({copy_cols}) FROM STDIN") as copy:
                for row in batch:
                    if not plain:
                        row = [v if c is None else c(v) for c, v in zip(convert, row, strict=True)]
                    copy.write_row(row)
                    written += 1
            if not written:
                break
            insert = f"INSERT INTO {table} ({insert_cols}) SELECT {select} FROM {tmp}"  # noqa: S608
            cursor.execute(f"{insert} ORDER BY _ord{conflict}", [v for _c, _t, v in fixed])
            inserted += cursor.rowcount
            cursor.execute(f"TRUNCATE {tmp}")
            if written < COPY_CHUNK:
                break
        cursor.execute(f"DROP TABLE {tmp}")
    return inserted


def analyze(*tables: type[models.Model]) -> None:
    """Refresh PostgreSQL's planner statistics of these models' tables after a bulk load.

    Autovacuum analyzes a table only some time after it grew, so within one seed the next
    step would plan its queries for tables it believes nearly empty: a NOT EXISTS over a
    million rows planned as a nested loop runs for tens of minutes instead of a second.
    ANALYZE samples, so it takes well under a second even at city scale. No-op elsewhere."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in tables:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
