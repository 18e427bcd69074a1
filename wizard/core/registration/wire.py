"""The registration protocol's wire constants, shared by the client and the local vault.

One place for the paths, field names and limits, so the two sides cannot drift apart.
The protocol itself is described in ``wizard/vault/README.md``.
"""

from __future__ import annotations

from datetime import timedelta

# OAuth 2.0 client-credentials grant with an RFC 7523 JWT client assertion.
GRANT_TYPE = "client_credentials"
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
ASSERTION_ALG = "RS256"
ASSERTION_LIFETIME = timedelta(minutes=2)          # what the client asks for
ASSERTION_MAX_LIFETIME = timedelta(minutes=5)      # what the vault accepts
ACCESS_TOKEN_LIFETIME = timedelta(minutes=5)
CLOCK_SKEW = timedelta(minutes=5)

# Paths under the vault's base URL. The credentials file names the first two as
# AadAuthority (= base + AUTHORITY_PATH) and IdMgmtRestEndpoint (= base + REST_PATH).
AUTHORITY_PATH = "/aad"
REST_PATH = "/restapi/"
TOKEN_PATH = AUTHORITY_PATH + "/{tenant}/oauth2/token"
MACHINES_PATH = REST_PATH + "machines"
MACHINE_PATH = MACHINES_PATH + "/{machine_id}"
VERIFIER_PATH = MACHINE_PATH + "/verifier"
# Which passphrase is in force: the machine posts a verifier and the vault answers whether it is
# the one it holds (and the newest escrow envelope it keeps for the machine). It changes nothing,
# so a vault that requires security PINs answers it without one: that is how a passphrase change
# interrupted on the machine is finished or rolled back without resending it.
VERIFIER_CHECK_PATH = VERIFIER_PATH + "/check"
# Escrow: the vault's recovery certificate, read with the access token before registering (so
# the envelope travels inside the registration request) or with the machine's own assertion
# before a passphrase change (the envelope travels inside the verifier update). Either way the
# vault keeps the envelope only if it accepts the request, and refuses an envelope sealed to
# a certificate it no longer holds.
RECOVERY_CERTIFICATE_PATH = REST_PATH + "recovery-certificate"
MACHINE_RECOVERY_CERTIFICATE_PATH = MACHINE_PATH + "/recovery-certificate"
ESCROW_FIELD = "escrow"            # {"envelope": base64 DER CMS, "fingerprint": SHA-256 hex of the certificate}
MAX_ENVELOPE_BASE64 = 16 * 1024
# A security PIN from the vault's administrator, for a passphrase change and unregistering when
# the vault requires one: a header, not a body field, so DELETE carries it the same way.
PIN_HEADER = "X-Security-PIN"

# After registration the machine proves itself with its own key (EC P-256), not the file's:
# an ES256 JWT with iss = sub = its machine id and aud = the URL it calls, in
# "Authorization: MachineAssertion <jwt>". Same lifetime, skew and jti rules as above.
MACHINE_AUTH_SCHEME = "MachineAssertion"
MACHINE_ASSERTION_ALG = "ES256"
HEALTH_PATH = "/health"

# Passphrase verifier: scrypt over the passphrase with a salt both sides can derive from
# the vault and the machine name, so a re-registration proves the same passphrase without
# a round trip; the vault stores only SHA-256 of the verifier.
VERIFIER_KDF = "scrypt"
VERIFIER_N = 2 ** 14
VERIFIER_R = 8
VERIFIER_P = 1
VERIFIER_LENGTH = 32
VERIFIER_SALT_PREFIX = "register-server/verifier/v1"

MAX_BODY_BYTES = 64 * 1024
# Matched with fullmatch, never `$`: `$` also matches before a trailing newline ("server01\n").
MACHINE_NAME_PATTERN = r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)"
