"""Checking a registered machine's own proof: the calls it makes after registration.

After registering, a machine never uses the credentials file again (it may have expired
or been superseded long ago). It signs a short-lived ES256 JWT with the private key whose
certificate this vault issued to it; the vault verifies it against that certificate.
Rules mirror the client assertion's: `iss` = `sub` = the machine id in the URL, `aud` =
the URL called (compared by path, so a proxy or a host alias does not matter), lifetime at
most five minutes, times within the skew allowance, and a `jti` never seen before.
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit

from cryptography import x509
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import ECKey

from wizard.core.registration import wire
from wizard.vault.auth import TokenAuthority
from wizard.vault.refusal import VaultRefusal
from wizard.vault.storage import MachineRecord, VaultStorage


def _refused(message: str) -> VaultRefusal:
    return VaultRefusal("auth.invalid_token", 401, message)


def verify_machine_assertion(authorization: str | None, *, machine_id: str, request_path: str,
                             storage: VaultStorage, now: datetime) -> MachineRecord:
    """The machine record when the assertion proves possession of its key; else a refusal."""
    scheme = wire.MACHINE_AUTH_SCHEME + " "
    if not authorization or not authorization.startswith(scheme):
        raise _refused(f"A {wire.MACHINE_AUTH_SCHEME} signed by the machine's key is required.")
    machine = storage.machine_by_id(machine_id)
    if machine is None:
        raise VaultRefusal("machine.not_found", 404, "No such machine in this vault.")
    public_key = x509.load_pem_x509_certificate(machine.certificate_pem).public_key()
    try:
        token = jwt.decode(authorization[len(scheme):].strip(), ECKey.import_key(public_key),
                           algorithms=[wire.MACHINE_ASSERTION_ALG])
    except (JoseError, ValueError, TypeError):
        # Its own code, not auth.invalid_token: the usual cause is not an attack but a re-registration of
        # this name from another installation, which replaced the certificate; the client can say so.
        raise VaultRefusal("machine.key_unknown", 401,
                           "The machine assertion's signature does not match this machine's certificate.") from None
    claims = token.claims
    if claims.get("iss") != machine_id or claims.get("sub") != machine_id:
        raise _refused("The machine assertion names another machine.")
    if urlsplit(str(claims.get("aud", ""))).path != request_path:
        raise _refused("The machine assertion was made for another address.")
    if not isinstance(claims.get("jti"), str) or not 8 <= len(claims["jti"]) <= 128:
        raise _refused("The machine assertion needs a unique jti.")
    expires = TokenAuthority._check_times(claims, now)
    if not storage.use_jti(f"m:{claims['jti']}", expires=expires, now=now):
        raise VaultRefusal("auth.replayed", 401, "This machine assertion was already used.")
    return machine
