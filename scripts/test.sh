#!/usr/bin/env bash
# The test command: sets up (scripts/setup.sh), checks the architecture, runs every test.
# Tests start the services they need themselves (vault, proxies, keyring); Qt runs
# offscreen, set by tests/conftest.py. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
echo "== architecture: the core never imports Qt"
.venv/bin/lint-imports --no-cache
echo "== tests"
exec .venv/bin/python -m pytest "$@"
