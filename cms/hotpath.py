"""Hand-written SQL for the statements every request, or every request of the lecture-day
paths, runs: one live Wagtail page by id (the xAPI endpoint, the check-in POST), and the
session's user (every signed-in request; people.backends).

Building these queries with the ORM costs more CPU than the database takes to answer them:
1–2 ms for a `PageQuerySet` with `live()` and Exists/Subquery annotations, 0.4 ms for
`User.objects.get(pk=…)`, and a `RawQuerySet` still spends 0.5 ms per call reading the
cursor's description and looking up converters. Here the SQL is built once per model, the
row is read with `fetchone()`, each column goes through the converters the ORM would apply
(looked up once) and the instance is made with `Model.from_db`, as a queryset makes it.
bench/README.md has the before/after figures.
"""

import functools

from django.db import DEFAULT_DB_ALIAS, connection, connections
from wagtail.models import Page

ONLY_WHEN_ASKED = 2**62


@functools.cache
def _fields(model, vendor: str) -> tuple:
    """(concrete fields, their attnames, [(index, converters, column expression)]) of
    `model`, as the ORM's compiler would convert a row of them on `vendor`."""
    fields = tuple(model._meta.concrete_fields)
    converters = []
    for index, field in enumerate(fields):
        column = field.get_col(field.model._meta.db_table)
        found = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
        if found:
            converters.append((index, found, column))
    return fields, [field.attname for field in fields], converters


def model_columns_sql(model, alias) -> str:
    """The SELECT list of every concrete column of `model`, in `instance_from_row`'s
    order; `alias(field)` names the table alias each column is read from."""
    fields, _attnames, _converters = _fields(model, connection.vendor)
    quote = connection.ops.quote_name
    return ", ".join(f"{alias(field)}.{quote(field.column)}" for field in fields)


def instance_from_row(model, row):
    """The `model` instance of a row that starts with `model_columns_sql(model, …)`'s
    columns, and the rest of the row (the caller's extra columns), unconverted."""
    fields, attnames, converters = _fields(model, connection.vendor)
    values = list(row[: len(fields)])
    for index, functions, column in converters:
        value = values[index]
        for function in functions:
            value = function(value, column, connection)
        values[index] = value
    return model.from_db(connection.alias, attnames, values), row[len(fields) :]


def fetch_one(sql: str, params, using: str = DEFAULT_DB_ALIAS):
    """The first row of `sql`; on PostgreSQL as a prepared statement of the connection."""
    with _cursor(using) as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def execute(sql: str, params, using: str = DEFAULT_DB_ALIAS) -> int:
    """Run one INSERT or UPDATE, on PostgreSQL as a prepared statement of the connection;
    returns the number of rows it wrote."""
    with _cursor(using) as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def _cursor(using: str):
    database = connections[using]
    if database.vendor == "postgresql":
        return _prepared_cursor(database)
    return database.cursor()


def _prepared_cursor(database):
    """A cursor whose statements PostgreSQL prepares once per connection (psycopg's
    `prepare=True`, server-side parameters), wrapped as `connection.cursor()` wraps its own
    so the query is logged and counted like any other.

    Django leaves psycopg's automatic preparing off (`prepare_threshold`), for the sake of
    connection poolers in transaction mode; these few statements ask for it by name. The
    xAPI lesson look-up spent 0.5 ms of PostgreSQL's CPU planning and 0.2 ms running: with
    the plan kept for the connection's life (CONN_MAX_AGE) only the run is left."""
    database.ensure_connection()
    database.validate_thread_sharing()
    if database.connection.prepare_threshold is None:
        # psycopg ignores prepare=True while the threshold is None (Django's default). A
        # threshold nothing reaches keeps every other statement unprepared: Django's own
        # cursors bind on the client side and never prepare.
        database.connection.prepare_threshold = ONLY_WHEN_ASKED
    raw = _prepared_cursor_class()(database.connection)
    if database.queries_logged:
        return database.make_debug_cursor(raw)
    return database.make_cursor(raw)


@functools.cache
def _prepared_cursor_class():
    from django.db.backends.postgresql.base import ServerBindingCursor

    class PreparedCursor(ServerBindingCursor):
        def execute(self, query, params=None, *, prepare=None, binary=None):
            return super().execute(query, params, prepare=True, binary=binary)

    return PreparedCursor


def live_page_sql(model: type[Page], *extra_columns: str) -> str:
    """SQL selecting every column of `model` (a Page subclass whose only concrete parent is
    Page) from its own row `s` and its Page row `p`, plus `extra_columns` (SQL expressions
    with their own `AS name`, which may refer to `p` and `s`), for the live page whose id is
    the LAST query parameter. Read it with `live_page_get`.

    Only table and column names and the caller's constant expressions are formatted in;
    every value is a query parameter."""
    if list(model._meta.parents) != [Page]:
        raise TypeError(f"{model.__name__}: only a page model whose one parent is Page")
    own = model_columns_sql(model, lambda field: "p" if field.model is Page else "s")
    columns = ",\n  ".join([own, *extra_columns])
    page, specific = Page._meta.db_table, model._meta.db_table
    return (
        f"SELECT {columns}\n"
        f"FROM {specific} s INNER JOIN {page} p ON p.id = s.page_ptr_id\n"
        "WHERE s.page_ptr_id = %s AND p.live"
    )


def live_page_get(model: type[Page], sql: str, params, extra_names: tuple[str, ...] = ()):
    """The full `model` instance `live_page_sql(model, …)` selects with `params`, carrying
    each extra column under its name in `extra_names`; None when there is no such live
    page."""
    row = fetch_one(sql, params)
    if row is None:
        return None
    instance, extra = instance_from_row(model, row)
    for name, value in zip(extra_names, extra, strict=True):
        setattr(instance, name, value)
    return instance


def parent_path_sql(alias: str = "p") -> str:
    """SQL for the tree path of page `alias`'s parent (Wagtail's materialised path: the
    parent's path is the page's minus its last step); takes Page.steplen as a parameter."""
    return f"SUBSTR({alias}.path, 1, ({alias}.depth - 1) * %s)"
