#!/usr/bin/env bash
# The translation catalogues (docs/translation.md): extract the marked strings into the
# template, merge it into every language's .po, and compile the .mo files the product reads.
#   scripts/i18n.sh            extract + update + compile
#   scripts/i18n.sh compile    compile only (after editing a .po)
# The .mo files are committed (a fresh clone and the PyInstaller build need them);
# tests/core/test_i18n_catalogues.py fails when one is stale against its .po.
set -euo pipefail
cd "$(dirname "$0")/.."
PYBABEL=${PYBABEL:-.venv/bin/pybabel}
LOCALE=wizard/locale
if [ "${1:-all}" != compile ]; then
  "$PYBABEL" extract -F "$LOCALE/babel.cfg" -k L_ --no-location --project=register-server \
    --copyright-holder="register-server team" -o "$LOCALE/register-server.pot" wizard
  "$PYBABEL" update -D register-server -i "$LOCALE/register-server.pot" -d "$LOCALE" \
    --ignore-obsolete --ignore-pot-creation-date
fi
"$PYBABEL" compile -D register-server -d "$LOCALE" --statistics
