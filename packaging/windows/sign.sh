#!/usr/bin/env bash
# Authenticode-sign one PE file in place with osslsigncode (used for the app's exes, and by
# NSIS !finalize / !uninstfinalize for the installer and its uninstaller).
# Needs SIGN_CERT (PEM or DER certificate chain) and SIGN_KEY (PEM private key, unencrypted, or
# encrypted with the password in the file named by SIGN_KEY_PASSWORD_FILE: never on argv).
# No timestamp: a time-stamp authority needs the network (SIGN_TIMESTAMP_URL adds one).
set -euo pipefail
file=$1
: "${SIGN_CERT:?SIGN_CERT is not set}" "${SIGN_KEY:?SIGN_KEY is not set}"
args=(sign -certs "$SIGN_CERT" -key "$SIGN_KEY" -h sha256 -n "Register Server"
      -i "https://example.invalid/register-server")
[ -n "${SIGN_KEY_PASSWORD_FILE:-}" ] && args+=(-readpass "$SIGN_KEY_PASSWORD_FILE")
[ -n "${SIGN_TIMESTAMP_URL:-}" ] && args+=(-ts "$SIGN_TIMESTAMP_URL")
osslsigncode "${args[@]}" -in "$file" -out "$file.signed" >/dev/null
mv -f "$file.signed" "$file"
echo "sign: signed $(basename "$file")"
