#!/usr/bin/env bash
# Tier 1 of `make test`: the embedded default — SQLite, eager Celery, local-memory cache.
set -uo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
unset DATABASE_URL CELERY_BROKER_URL CELERY_RESULT_BACKEND REDIS_URL
export TEST_TIER=1
echo "tier 1: SQLite (in memory), Celery eager; tests that need a real worker or PostgreSQL run in tier 2"
start=$(date +%s)
"$PY" -m pytest -p no:cacheprovider -m "not celery_worker and not postgres and not redis" "$@"
status=$?
echo "tier 1 finished in $(( $(date +%s) - start )) s (exit $status)"
exit $status
