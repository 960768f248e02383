#!/usr/bin/env bash
# `make backup`: the database and the media files in one timestamped tar under backups/.
#
# The database is the one Django uses (DATABASE_URL, else the SQLite file): PostgreSQL as a
# `pg_dump -Fc` custom-format dump (pg_restore reads it; consistent without stopping the site),
# SQLite through its online backup API (a consistent copy while the site writes; a plain `cp`
# of a WAL database is not). Media (H5P packages, certificate PDFs, documents) are stored as
# they are on disk under media/ in the tar. S3 media are not included: back the bucket up with
# its own versioning.
#
#   scripts/backup.sh [OUTPUT_DIR]      (default: backups/; BACKUP_DIR overrides too)
#
# Prints the path of the tar on the last line of stdout.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
export DJANGO_SETTINGS_MODULE=${DJANGO_SETTINGS_MODULE:-cms.settings.dev}
out_dir=${1:-${BACKUP_DIR:-backups}}

# Where the data is: DB_ENGINE, DB_NAME, MEDIA_DIR and the PG* connection variables.
db_settings=$("$PY" scripts/db_settings.py)
eval "$db_settings"

stamp=$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$out_dir"
staging=$(mktemp -d)
name="qingpu-backup-$stamp.tar"
partial="$out_dir/.$name.partial"
trap 'rm -rf "$staging" "$partial"' EXIT

case "$DB_ENGINE" in
  postgresql)
    export PGHOST PGPORT PGUSER PGPASSWORD
    [ -n "$PGHOST" ] || unset PGHOST
    [ -n "$PGPORT" ] || unset PGPORT
    [ -n "$PGUSER" ] || unset PGUSER
    [ -n "$PGPASSWORD" ] || unset PGPASSWORD
    command -v pg_dump >/dev/null || { echo "backup: pg_dump is required (apt-get install postgresql-client)" >&2; exit 1; }
    # No owner or grants in the dump: it restores into a database of another role name.
    pg_dump -Fc --no-owner --no-privileges --dbname="$DB_NAME" --file="$staging/database.dump"
    db_file=database.dump
    ;;
  sqlite3)
    [ -f "$DB_NAME" ] || { echo "backup: no SQLite database at $DB_NAME" >&2; exit 1; }
    "$PY" - "$DB_NAME" "$staging/database.sqlite3" <<'PYEOF'
import sqlite3
import sys

source, target = sqlite3.connect(sys.argv[1]), sqlite3.connect(sys.argv[2])
with target:
    source.backup(target)
target.close()
source.close()
PYEOF
    db_file=database.sqlite3
    ;;
  *)
    echo "backup: database engine $DB_ENGINE is not supported (PostgreSQL or SQLite)" >&2
    exit 1
    ;;
esac

mkdir -p "$MEDIA_DIR"
"$PY" - "$staging/manifest.json" "$DB_ENGINE" "$db_file" "$stamp" <<'PYEOF'
import json
import sys

path, engine, db_file, stamp = sys.argv[1:]
with open(path, "w") as manifest:
    json.dump({"format": 1, "created": stamp, "engine": engine, "database": db_file}, manifest)
PYEOF

# Written under a temporary name and renamed: a backup that exists is a complete one.
tar -cf "$partial" -C "$staging" manifest.json "$db_file" \
  -C "$MEDIA_DIR" --transform='s,^\.,media,' .
mv "$partial" "$out_dir/$name"
echo "backup: $DB_ENGINE database and media ($MEDIA_DIR) in $out_dir/$name ($(du -h "$out_dir/$name" | cut -f1))" >&2
echo "$out_dir/$name"
