#!/usr/bin/env bash
# OpenSSL 3.5 LTS for the Windows build, cross-compiled here with MinGW:
#   packaging/windows/build_openssl.sh OUTDIR
# writes OUTDIR/libcrypto-3.dll and OUTDIR/libssl-3.dll (and OUTDIR/VERSION).
#
# Why: the embeddable CPython 3.11.9 bundles OpenSSL 3.0.13, a line past its end of life.
# OpenSSL 3.x keeps its ABI within the major version, so the embeddable's _ssl.pyd and
# _hashlib.pyd (built against 3.0) run on 3.5's DLLs once those carry the names they import
# (libcrypto-3.dll / libssl-3.dll, not MinGW's default libcrypto-3-x64.dll).
# Source: Debian 13 (trixie)'s openssl source package, fetched with `apt-get source` from the
# Debian archive through a private apt configuration (this machine's own apt sources are left
# alone); apt checks the files against the signed Sources index, dpkg-source checks them against
# the .dsc and applies Debian's patch series, which carries the security fixes Debian backported.
# Cached: a second run with the same source version does nothing; the downloaded source is kept
# in OUTDIR.dl, and an interrupted compile resumes in OUTDIR.src.
set -euo pipefail
OUTDIR=${1:?usage: build_openssl.sh OUTDIR}
# The newest trixie version the archive reachable from here serves (3.5.9-1~deb13u1 is listed in
# trixie's Sources index but its files answered 404 on 2026-12-02). Override to pick another.
OPENSSL_DEB_VERSION=${OPENSSL_DEB_VERSION:-3.5.7-1~deb13u2}
JOBS=${OPENSSL_JOBS:-2}
if [ "$(cat "$OUTDIR/VERSION" 2>/dev/null)" = "$OPENSSL_DEB_VERSION" ] \
   && [ -f "$OUTDIR/libcrypto-3.dll" ] && [ -f "$OUTDIR/libssl-3.dll" ]; then
  echo "openssl: $OPENSSL_DEB_VERSION already built in $OUTDIR"
  exit 0
fi
T0=$(date +%s)
DL=$OUTDIR.dl
SRC=$OUTDIR.src
mkdir -p "$OUTDIR" "$DL"

# ---- the source, from Debian 13 -----------------------------------------------------------
DSC=$DL/openssl_${OPENSSL_DEB_VERSION#*:}.dsc
if [ ! -f "$DSC" ]; then
  mkdir -p "$DL/apt/lists/partial" "$DL/apt/cache/archives/partial"
  echo "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian trixie main" \
    > "$DL/apt/sources.list"
  APT=(-o "Dir::Etc::SourceList=$DL/apt/sources.list" -o Dir::Etc::SourceParts=/dev/null
       -o "Dir::State::Lists=$DL/apt/lists" -o "Dir::Cache=$DL/apt/cache" -o APT::Sandbox::User=root)
  apt-get "${APT[@]}" -qq update
  (cd "$DL" && apt-get "${APT[@]}" -qq source --download-only "openssl=$OPENSSL_DEB_VERSION")
  rm -rf "$DL/apt"
fi
if [ "$(cat "$SRC/VERSION" 2>/dev/null)" != "$OPENSSL_DEB_VERSION" ]; then
  rm -rf "$SRC" && mkdir -p "$SRC"
  dpkg-source -q -x "$DSC" "$SRC/tree" >/dev/null
  echo "$OPENSSL_DEB_VERSION" > "$SRC/VERSION"
fi
echo "openssl: source $OPENSSL_DEB_VERSION fetched and patched in $(( $(date +%s) - T0 )) s"

# ---- cross-compile: the DLLs under the names CPython's modules import -----------------------
# A target of our own that inherits OpenSSL's mingw64 one: mingw.pm appends "-x64" to the DLL
# names only for the target literally named mingw64.
[ -f "$SRC/cpython-names.conf" ] || echo 'my %targets = ( "mingw64-cpython" => { inherit_from => [ "mingw64" ] } );' > "$SRC/cpython-names.conf"
# OPENSSLDIR (where openssl.cnf is looked for) is C:/Program Files/Common Files/SSL, the one
# OpenSSL's and CPython's own Windows builds use: only an administrator can plant a configuration
# there (a relative --openssldir is taken under --prefix).
# Features neither CPython's _ssl/_hashlib nor the product use are left out (QUIC, SRP, CMP, CMS,
# time stamps, old national ciphers): fewer files to compile on a 2-core machine. Everything the
# two modules import from the DLLs (235 functions, `objdump -p`) is still there; the build's
# self-test loads both.
# Only the two DLLs are made (build_libs would also compile the static libraries and the apps'
# helper library: twice the work). The generated headers (opensslv.h, ...) come first: the DLL
# targets do not depend on them, so on a fresh tree they alone fail at the first #include.
cd "$SRC/tree"
[ -f Makefile ] || ./Configure --config="$SRC/cpython-names.conf" mingw64-cpython \
  --cross-compile-prefix=x86_64-w64-mingw32- shared no-tests no-docs no-module no-legacy no-capieng \
  no-quic no-srp no-cmp no-cms no-ts no-gost no-idea no-mdc2 no-rc5 no-seed no-aria no-camellia \
  no-sm2 no-sm3 no-sm4 no-whirlpool -static-libgcc \
  "--prefix=C:/Program Files/Common Files" --openssldir=SSL >/dev/null
t=$(date +%s)
{ make -s -j"$JOBS" build_generated && make -s -j"$JOBS" libcrypto-3.dll libssl-3.dll; } >/dev/null 2>"$SRC/make.log" \
  || { tail -30 "$SRC/make.log" >&2; exit 1; }
x86_64-w64-mingw32-strip libcrypto-3.dll libssl-3.dll
cp libcrypto-3.dll libssl-3.dll "$OUTDIR/"
echo "$OPENSSL_DEB_VERSION" > "$OUTDIR/VERSION"
cd / && rm -rf "$SRC"
echo "openssl: compiled in $(( $(date +%s) - t )) s (total $(( $(date +%s) - T0 )) s)"
