#!/usr/bin/env bash
# Install into ./.venv and run the product on the embedded default:
# SQLite under ./data/, the demo school seeded when the database is empty.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e .
.venv/bin/sodiem demo
# A self-signed trial certificate, so that final books and the archive come out signed.
[ -f data/school-signing.p12 ] || .venv/bin/sodiem keygen
# The demo school may be tried through the panel's web chat (a red banner says so).
export SODIEM_DEMO_MODE="${SODIEM_DEMO_MODE:-true}"
exec .venv/bin/sodiem serve "$@"
