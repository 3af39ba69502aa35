#!/usr/bin/env bash
# The whole suite: unit and widget tests, nbval on every notebook, and the real-browser tests.
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
mkdir -p test-output
started_postgres=""
if [ -f scripts/postgres.sh ] && [ -z "${WORKBENCH_TEST_POSTGRES_URL:-}" ]; then
  already_running=""
  bash scripts/postgres.sh status >/dev/null 2>&1 && already_running=1
  url=$(bash scripts/postgres.sh start 2>test-output/postgres.log | tail -n 1) || url=""
  if [ -n "$url" ]; then
    export WORKBENCH_TEST_POSTGRES_URL="$url"
    [ -z "$already_running" ] && started_postgres=1
    echo "PostgreSQL for the scenario store tests: $url"
  else
    echo "PostgreSQL could not be started (see test-output/postgres.log)"
  fi
fi
"$BIN/python" -m pytest tests notebooks --nbval-lax --nbval-current-env --nbval-cell-timeout=600 \
  -p no:cacheprovider --durations=15 "$@"
status=$?
if [ -n "$started_postgres" ]; then
  bash scripts/postgres.sh stop >/dev/null 2>&1 || true
fi
exit $status
