#!/usr/bin/env bash
# Install into ./.venv with the dev tools and run the linter and the whole test suite.
# Database tests run on SQLite always, and on PostgreSQL when SODIEM_TEST_POSTGRES_URL
# is set (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/postgres).
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e '.[dev]'
.venv/bin/ruff check .
# A PostgreSQL answering on 127.0.0.1:5432 is used without being named (as .ci/run does);
# SODIEM_TEST_POSTGRES_URL still overrides, and an empty value turns the runs off.
if [ -z "${SODIEM_TEST_POSTGRES_URL+set}" ] && command -v pg_isready >/dev/null 2>&1 \
    && pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
  export SODIEM_TEST_POSTGRES_URL="postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
  echo "PostgreSQL trên 127.0.0.1:5432: các phép thử chạy cả trên PostgreSQL"
fi
# The Bot API emulator for the end-to-end bot tests (skipped, with the reason, without npm).
if command -v npm >/dev/null 2>&1; then
  npm ci --prefix tests/emulator --no-audit --no-fund --silent
else
  echo "npm not found: the end-to-end Telegram tests will be skipped"
fi
exec .venv/bin/pytest "$@"
