#!/usr/bin/env bash
# Build the frozen Linux app (PyInstaller one-folder, trimmed) into packaging/out/linux/,
# then run its self-test. Installs the pinned PyInstaller into .venv when missing.
# Usage: packaging/build_linux.sh [--no-self-test]   (about 20 s on 2 cores)
# Output: packaging/out/linux/register-server/register-server
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
[ -x "$PY" ] || { echo "build_linux: run scripts/setup.sh first (no .venv)" >&2; exit 2; }
if ! "$PY" -c 'import PyInstaller' 2>/dev/null; then
  echo "build_linux: installing PyInstaller into .venv"
  "$PY" -m pip install -q -r packaging/requirements-build.txt
fi
OUT=${BUILD_OUT:-packaging/out/linux}   # BUILD_OUT: another folder (tests build into a temp dir)
start=$(date +%s%N)
"$PY" -m PyInstaller --noconfirm --clean --log-level WARN \
  --distpath "$OUT" --workpath "$OUT/work" packaging/register-server.spec
end=$(date +%s%N)
APP="$OUT/register-server/register-server"
printf 'build_linux: built %s in %d.%d s, %s\n' "$APP" $(( (end - start) / 1000000000 )) $(( (end - start) / 100000000 % 10 )) \
  "$(du -sh "$OUT/register-server" | cut -f1)"
if [ "${1:-}" != "--no-self-test" ]; then
  # The self-test's secret-store check needs a Secret Service; a builder is often headless, so the
  # frozen app is self-tested against a private, throw-away one (it also proves the app can reach one).
  QT_QPA_PLATFORM=offscreen "$PY" -m wizard.core.secrets.private_service "$APP" --self-test
fi
