#!/usr/bin/env bash
# Tier 2 of `make test`: the suite on PostgreSQL + Redis with a real Celery worker.
# Outside CI an unreachable service skips the tier with a reason; with CI=true it fails.
set -uo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
PG_HOST=${TEST_PG_HOST:-127.0.0.1}
PG_PORT=${TEST_PG_PORT:-5432}
REDIS_HOST=${TEST_REDIS_HOST:-127.0.0.1}
REDIS_PORT=${TEST_REDIS_PORT:-6379}

reason=$("$PY" - "$PG_HOST" "$PG_PORT" "$REDIS_HOST" "$REDIS_PORT" <<'PYEOF'
import sys
host, port, rhost, rport = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
problems = []
try:
    import psycopg
    psycopg.connect(host=host, port=port, user="postgres", dbname="postgres", connect_timeout=3).close()
except Exception as exc:
    problems.append(f"PostgreSQL at {host}:{port} unreachable ({exc.__class__.__name__}: {str(exc).strip()[:120]})")
try:
    import redis
    redis.Redis(host=rhost, port=rport, socket_connect_timeout=3).ping()
except Exception as exc:
    problems.append(f"Redis at {rhost}:{rport} unreachable ({exc.__class__.__name__})")
print("; ".join(problems))
PYEOF
)
if [ -n "$reason" ]; then
  if [ "${CI:-}" = "true" ]; then
    echo "tier 2 (PostgreSQL + Redis + Celery worker): FAILED — $reason" >&2
    exit 1
  fi
  echo "tier 2 (PostgreSQL + Redis + Celery worker): SKIPPED — $reason"
  exit 0
fi

run_id="$(date +%s)_$$"
export DATABASE_URL="postgres://postgres@${PG_HOST}:${PG_PORT}/qp_ci_${run_id}"
export CELERY_BROKER_URL="redis://${REDIS_HOST}:${REDIS_PORT}/14"
export CELERY_RESULT_BACKEND="redis://${REDIS_HOST}:${REDIS_PORT}/14"
export CELERY_TASK_DEFAULT_QUEUE="qp-test-${run_id}"
export REDIS_URL="redis://${REDIS_HOST}:${REDIS_PORT}/15"
export CACHE_KEY_PREFIX="qp-test-${run_id}"
export TEST_TIER=2
echo "tier 2: PostgreSQL database test_qp_ci_${run_id} (created and dropped by the run), Redis queue ${CELERY_TASK_DEFAULT_QUEUE}"
start=$(date +%s)
"$PY" -m pytest --create-db -p no:cacheprovider "$@"
status=$?
# Whatever a crashed or interrupted run left behind, this run's database goes now.
"$PY" - "$PG_HOST" "$PG_PORT" "test_qp_ci_${run_id}" <<'PYEOF' || true
import sys
import psycopg
host, port, name = sys.argv[1], int(sys.argv[2]), sys.argv[3]
with psycopg.connect(host=host, port=port, user="postgres", dbname="postgres", autocommit=True) as conn:
    conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
PYEOF
echo "tier 2 finished in $(( $(date +%s) - start )) s (exit $status)"
exit $status
