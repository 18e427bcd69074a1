#!/usr/bin/env bash
# Sets up everything the product and its tests need on a fresh Debian machine:
# Debian packages (Qt's runtime libraries, a Secret Service, proxies, a virtual screen)
# and a virtual environment in .venv with the project and its test extra.
# Idempotent and quick when nothing changed. Run by scripts/test.sh and scripts/demo.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

DEBIAN_PACKAGES=(
  # Qt at runtime (offscreen and xcb)
  libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libdbus-1-3 fonts-dejavu-core
  libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0 libxcb-xkb1 libxcb-shape0
  # a virtual screen and a window manager, for real-window checks and the demo on a bare machine
  xvfb xauth openbox
  # a screen reader's view for the accessibility test: the AT-SPI bus, its Python client, key presses
  at-spi2-core python3-pyatspi xdotool
  # PyInstaller on Linux (packaging/build_linux.sh) needs objdump, and strip for the trimmed build
  binutils
  # the Windows MSI is written by wixl and msibuild (packaging/windows/msi.py); its table test runs everywhere
  msitools wixl
  # a real Secret Service for keyring tests
  dbus dbus-daemon gnome-keyring
  # systemd-creds, the machine-bound secret store for headless servers ([secrets] store = "systemd-creds")
  systemd
  # real proxies with basic authentication for end-to-end tests
  tinyproxy squid apache2-utils
  # a real Kerberos realm on loopback for the proxy's Negotiate sign-in (tests/support/fixtures_sign_in_kerberos.py)
  krb5-kdc krb5-admin-server krb5-user
  # building python-gssapi and krb5 (the kerberos extra): PyPI has no Linux wheels of them
  libkrb5-dev gcc python3-dev
  # reading the recovery sheet back in its tests: pdftotext (text) and zbarimg (QR code)
  poppler-utils zbar-tools
)

missing=()
for pkg in "${DEBIAN_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]})); then
  echo "setup: installing Debian packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  # policy-rc.d keeps package scripts from starting system-wide squid/tinyproxy services:
  # the tests start their own instances on free ports.
  if [ -z "$SUDO" ] && [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d; trap 'rm -f /usr/sbin/policy-rc.d' EXIT
  fi
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
stamp=.venv/.setup-stamp
want=$(cat pyproject.toml | sha256sum | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "setup: installing Python packages into .venv"
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e ".[test,kerberos]"
  echo "$want" > "$stamp"
fi
