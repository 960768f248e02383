"""A database-level guard for the append-only ledger, where it is cheap.

PostgreSQL: a row trigger refuses UPDATE and DELETE of credit entries, whoever sends them
(TRUNCATE fires no row triggers, so Django's test flush still works). SQLite: UPDATE only —
Django flushes SQLite test databases with DELETE, which a DELETE trigger would break; the
models refuse deletes and verify_ledger detects a deleted row. Note that SQLite drops the
trigger when a later migration rebuilds the table: such a migration must recreate it.
"""

from django.db import migrations

TABLE = "certification_creditentry"

# One statement per execute (psycopg binds parameters and then allows only one).
POSTGRES_UP = [
    """CREATE OR REPLACE FUNCTION certification_creditentry_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'credit entries are append-only: add a reversal entry instead';
END;
$$ LANGUAGE plpgsql""",
    f"""CREATE TRIGGER certification_creditentry_append_only
    BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION certification_creditentry_append_only()""",
]
POSTGRES_DOWN = [
    f"DROP TRIGGER IF EXISTS certification_creditentry_append_only ON {TABLE}",
    "DROP FUNCTION IF EXISTS certification_creditentry_append_only()",
]
SQLITE_UP = [
    f"""CREATE TRIGGER certification_creditentry_no_update BEFORE UPDATE ON {TABLE}
BEGIN
    SELECT RAISE(ABORT, 'credit entries are append-only: add a reversal entry instead');
END""",
]
SQLITE_DOWN = ["DROP TRIGGER IF EXISTS certification_creditentry_no_update"]


def _run(schema_editor, statements):
    for statement in statements:
        schema_editor.execute(statement, params=None)


def install(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        _run(schema_editor, POSTGRES_UP)
    elif vendor == "sqlite":
        _run(schema_editor, SQLITE_UP)


def remove(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        _run(schema_editor, POSTGRES_DOWN)
    elif vendor == "sqlite":
        _run(schema_editor, SQLITE_DOWN)


class Migration(migrations.Migration):
    dependencies = [("certification", "0005_default_mentor_standard")]

    operations = [migrations.RunPython(install, remove, elidable=False)]
