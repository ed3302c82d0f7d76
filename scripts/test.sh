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
# The Bot API emulator for the end-to-end bot tests (skipped, with the reason, without npm).
if command -v npm >/dev/null 2>&1; then
  npm ci --prefix tests/emulator --no-audit --no-fund --silent
else
  echo "npm not found: the end-to-end Telegram tests will be skipped"
fi
exec .venv/bin/pytest "$@"
