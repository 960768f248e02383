#!/usr/bin/env bash
# `make restore FILE=backups/qingpu-backup-….tar [FORCE=1]`: a backup from scripts/backup.sh
# into this deployment's database (DATABASE_URL, else the SQLite file), then its media files,
# then `verify_ledger`, whose verdict is the script's exit status.
#
#   scripts/restore.sh [--force] FILE
#
# The database must be EMPTY (a new `createdb`, or no SQLite file yet): restoring over live
# data would mix two histories of the append-only ledger. --force replaces what is there.
# PostgreSQL restores in one transaction, so a failed restore leaves nothing half-applied.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
export DJANGO_SETTINGS_MODULE=${DJANGO_SETTINGS_MODULE:-cms.settings.dev}

force=0
file=""
for arg in "$@"; do
  case "$arg" in
    --force) force=1 ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    -*) echo "restore: unknown option $arg" >&2; exit 2 ;;
    *) file=$arg ;;
  esac
done
[ -n "$file" ] || { echo "usage: scripts/restore.sh [--force] FILE  (make restore FILE=…)" >&2; exit 2; }
[ -f "$file" ] || { echo "restore: no such file: $file" >&2; exit 2; }

manifest=$(tar -xOf "$file" manifest.json 2>/dev/null) || {
  echo "restore: $file is not a backup made by scripts/backup.sh (no manifest.json)" >&2; exit 2; }
read -r backup_engine backup_db_file < <("$PY" -c '
import json, sys
m = json.loads(sys.argv[1])
print(m["engine"], m["database"])' "$manifest")

db_settings=$("$PY" scripts/db_settings.py --check-empty)
eval "$db_settings"
if [ "$backup_engine" != "$DB_ENGINE" ]; then
  echo "restore: the backup holds a $backup_engine database; this deployment uses $DB_ENGINE" >&2
  exit 2
fi
if [ "$DB_TABLES" != 0 ] && [ "$force" != 1 ]; then
  echo "restore: database $DB_NAME is not empty ($DB_TABLES tables); restore into a new empty database (createdb) or pass --force to replace it" >&2
  exit 3
fi

staging=$(mktemp -d)
trap 'rm -rf "$staging"' EXIT
tar -xf "$file" -C "$staging" "$backup_db_file"

case "$DB_ENGINE" in
  postgresql)
    export PGHOST PGPORT PGUSER PGPASSWORD
    [ -n "$PGHOST" ] || unset PGHOST
    [ -n "$PGPORT" ] || unset PGPORT
    [ -n "$PGUSER" ] || unset PGUSER
    [ -n "$PGPASSWORD" ] || unset PGPASSWORD
    command -v pg_restore >/dev/null || { echo "restore: pg_restore is required (apt-get install postgresql-client)" >&2; exit 1; }
    clean=()
    [ "$force" = 1 ] && clean=(--clean --if-exists)
    pg_restore --no-owner --no-privileges --single-transaction --exit-on-error "${clean[@]}" \
      --dbname="$DB_NAME" "$staging/$backup_db_file"
    ;;
  sqlite3)
    mkdir -p "$(dirname "$DB_NAME")"
    # The backup API replaces the target's pages in one step (and works under a running site).
    "$PY" - "$staging/$backup_db_file" "$DB_NAME" <<'PYEOF'
import sqlite3
import sys

source, target = sqlite3.connect(sys.argv[1]), sqlite3.connect(sys.argv[2])
with target:
    source.backup(target)
target.close()
source.close()
PYEOF
    ;;
esac
echo "restore: $DB_ENGINE database $DB_NAME restored from $file" >&2

mkdir -p "$MEDIA_DIR"
# GNU tar refuses absolute names and '..' in a member, so a crafted tar cannot write elsewhere.
tar -xf "$file" -C "$MEDIA_DIR" --strip-components=1 media
echo "restore: media restored into $MEDIA_DIR" >&2

"$PY" manage.py verify_ledger
