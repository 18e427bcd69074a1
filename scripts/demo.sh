#!/usr/bin/env bash
# The run command: sets up (scripts/setup.sh), then starts the demo — a local vault
# service on loopback, a demo vault with a fresh credentials file, and the wizard.
# Without a display (a bare server, an SSH session) it starts a virtual one with Xvfb.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ] && [ "${QT_QPA_PLATFORM:-}" != "offscreen" ]; then
  echo "demo: no display found; running on a virtual screen (xvfb-run)"
  exec xvfb-run -a -s "-screen 0 1280x900x24" .venv/bin/register-server demo "$@"
fi
exec .venv/bin/register-server demo "$@"
