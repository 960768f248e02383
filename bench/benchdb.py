"""The throwaway database of `make bench` and `make loadtest`: a fresh PostgreSQL database at
127.0.0.1:5432 when the server answers, else a SQLite file in a temporary folder."""

import os
import tempfile
from pathlib import Path

PG = dict(host="127.0.0.1", port=5432, user="postgres")


def choose_database(prefix: str, *, force_sqlite: bool = False) -> str:
    """Point DATABASE_URL (or SQLITE_PATH) at a new database; its name, or "" for SQLite."""
    try:
        if force_sqlite:
            raise RuntimeError("SQLite asked for")
        import psycopg

        name = f"{prefix}_{os.getpid()}"
        with psycopg.connect(dbname="postgres", connect_timeout=3, autocommit=True, **PG) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{name}"
        return name
    except Exception as exc:  # unreachable PostgreSQL: fall back to the embedded default
        print(f"PostgreSQL not used ({exc.__class__.__name__}: {exc}); using SQLite")
        os.environ.pop("DATABASE_URL", None)
        os.environ["SQLITE_PATH"] = str(Path(tempfile.mkdtemp()) / f"{prefix}.sqlite3")
        return ""


def drop_database(name: str) -> None:
    if not name:
        return
    import psycopg

    with psycopg.connect(dbname="postgres", autocommit=True, **PG) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
