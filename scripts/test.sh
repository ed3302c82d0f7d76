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
exec .venv/bin/pytest "$@"
