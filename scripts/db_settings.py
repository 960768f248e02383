"""Print where this deployment keeps its data, from Django's own settings, as shell
assignments for scripts/backup.sh and scripts/restore.sh (so env files, DATABASE_URL,
SQLITE_PATH and MEDIA_ROOT all count exactly as they do for the site).

With --check-empty it also prints DB_TABLES, the number of tables in the database.
"""

import shlex
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import django
from django.conf import settings

django.setup()
db = settings.DATABASES["default"]
engine = db["ENGINE"].rsplit(".", 1)[-1]
values = {"DB_ENGINE": engine, "DB_NAME": str(db["NAME"]), "MEDIA_DIR": str(settings.MEDIA_ROOT)}
if engine == "postgresql":
    # The password reaches pg_dump/pg_restore through PGPASSWORD, never their argv.
    values.update(
        PGHOST=db.get("HOST") or "",
        PGPORT=str(db.get("PORT") or ""),
        PGUSER=db.get("USER") or "",
        PGPASSWORD=db.get("PASSWORD") or "",
    )
if "--check-empty" in sys.argv[1:]:
    if engine == "sqlite3" and not Path(db["NAME"]).exists():
        tables = 0  # connecting would create the file; a missing file is an empty database
    else:
        from django.db import connection

        tables = len(connection.introspection.table_names())
    values["DB_TABLES"] = str(tables)
for name, value in values.items():
    print(f"{name}={shlex.quote(value)}")
