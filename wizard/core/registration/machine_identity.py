"""The machine's own proof, for every call after registration (unregister, passphrase change).

The credentials file proved the machine once; from then on it signs with the EC key it
generated at registration, whose certificate the vault issued. See `wire` for the rules.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from wizard.core.registration import wire


def machine_assertion(machine_id: str, private_pem: bytes, *, audience: str, now: datetime) -> str:
    """`Authorization` header value: a two-minute ES256 JWT for one call to `audience`."""
    from joserfc import jwt
    from joserfc.jwk import ECKey

    issued = int(now.timestamp())
    claims = {"iss": machine_id, "sub": machine_id, "aud": audience, "jti": secrets.token_urlsafe(24),
              "iat": issued, "nbf": issued, "exp": issued + int(wire.ASSERTION_LIFETIME.total_seconds())}
    token = jwt.encode({"alg": wire.MACHINE_ASSERTION_ALG, "typ": "JWT"}, claims, ECKey.import_key(private_pem))
    return f"{wire.MACHINE_AUTH_SCHEME} {token}"
