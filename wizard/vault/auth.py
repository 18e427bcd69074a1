"""The token endpoint's checks: a JWT client assertion in, a short-lived access token out.

Order matters for honest answers: the assertion names its certificate by SHA-1 thumbprint
(header ``x5t``); the signature is verified against that certificate; only then do we say
*why* it is refused (an older file → ``credentials.superseded``, outside its validity
window → ``credentials.expired``, a deleted vault → ``vault.not_found``), so an
unauthenticated caller learns nothing about a vault. Access tokens are HS256 JWTs signed
with a random key kept in the data directory: checking one needs no database read.
"""

from __future__ import annotations

import base64
import binascii
import os
import secrets
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from cryptography import x509
from joserfc import jws, jwt
from joserfc.errors import JoseError
from joserfc.jwk import OctKey, RSAKey

from wizard.core.registration import wire
from wizard.vault.refusal import VaultRefusal
from wizard.vault.storage import CredentialRecord, VaultRecord, VaultStorage


@dataclass(frozen=True)
class AccessGrant:
    """What a valid access token says: which vault, until when."""

    vault_id: int
    expires: datetime


def _invalid(message: str) -> VaultRefusal:
    return VaultRefusal("credentials.invalid", 401, message)


def _numeric_date(claims: dict[str, Any], name: str) -> datetime:
    """A JWT time claim as RFC 7519 NumericDate, held to integers: "123", 1.5 or true used to be
    coerced by int() and accepted."""
    value = claims.get(name)
    if type(value) is not int:
        raise _invalid(f"The client assertion's {name} must be an integer number of seconds.")
    try:
        return datetime.fromtimestamp(value, timezone.utc)
    except (OverflowError, OSError, ValueError):
        raise _invalid(f"The client assertion's {name} is out of range.") from None


def _x5t_to_hex(x5t: str) -> str:
    try:
        raw = base64.urlsafe_b64decode(x5t + "=" * (-len(x5t) % 4))
    except (binascii.Error, ValueError):
        raise _invalid("The assertion's certificate thumbprint is malformed.") from None
    return raw.hex().upper()


class TokenAuthority:
    """Verifies client assertions and issues/verifies access tokens."""

    def __init__(self, storage: VaultStorage, key_file: Path) -> None:
        self.storage = storage
        self._token_key = OctKey.import_key(_load_or_create_secret(key_file))
        self._keys: dict[str, RSAKey] = {}   # thumbprint -> parsed public key (certificates never change)
        self._keys_lock = threading.Lock()

    # client assertion ---------------------------------------------------------------------
    def exchange(self, *, tenant: str, form: dict[str, str], now: datetime) -> dict[str, Any]:
        if form.get("grant_type") != wire.GRANT_TYPE:
            raise VaultRefusal("request.unsupported_grant_type", 400, "Only the client_credentials grant is supported.")
        if form.get("client_assertion_type") != wire.ASSERTION_TYPE:
            raise VaultRefusal("request.invalid", 400, "A JWT-bearer client assertion is required.")
        assertion = form.get("client_assertion", "")
        try:
            header = jws.extract_compact(assertion.encode("ascii")).headers()
        except (JoseError, ValueError, UnicodeError):
            raise _invalid("The client assertion is not a compact JWT.") from None
        if header.get("alg") != wire.ASSERTION_ALG or not isinstance(header.get("x5t"), str):
            raise _invalid("The client assertion must be RS256 and name its certificate (x5t).")
        credential = self.storage.credential_by_thumbprint(_x5t_to_hex(header["x5t"]))
        if credential is None:
            raise _invalid("The client assertion's certificate was not issued by this service.")
        try:
            token = jwt.decode(assertion, self._public_key(credential), algorithms=[wire.ASSERTION_ALG])
        except (JoseError, ValueError):
            raise _invalid("The client assertion's signature is not valid.") from None
        vault = self.storage.vault_by_id(credential.vault_id)
        assert vault is not None
        claims = token.claims
        self._check_identity(claims, vault, tenant)
        if vault.deleted:
            raise VaultRefusal("vault.not_found", 404, "The vault no longer exists.")
        newest = self.storage.newest_credential(vault.id)
        if newest is None or newest.serial != credential.serial:
            raise VaultRefusal("credentials.superseded", 401, "A newer credentials file was issued for this vault.")
        if now >= credential.not_after:
            raise VaultRefusal("credentials.expired", 401, "The credentials file has expired.")
        if now < credential.not_before:
            raise VaultRefusal("credentials.not_yet_valid", 401, "The credentials file is not valid yet.")
        expires = self._check_times(claims, now)
        if not self.storage.use_jti(str(claims["jti"]), expires=expires, now=now):
            raise VaultRefusal("auth.replayed", 401, "This client assertion was already used.")
        access_expires = now + wire.ACCESS_TOKEN_LIFETIME
        access = jwt.encode({"alg": "HS256"}, {"vid": vault.id, "exp": int(access_expires.timestamp()),
                                              "jti": secrets.token_urlsafe(12)}, self._token_key)
        return {"access_token": access, "token_type": "Bearer",
                "expires_in": int(wire.ACCESS_TOKEN_LIFETIME.total_seconds())}

    def _public_key(self, credential: CredentialRecord) -> RSAKey:
        with self._keys_lock:
            key = self._keys.get(credential.thumbprint_sha1)
        if key is None:
            certificate = x509.load_pem_x509_certificate(credential.certificate_pem)
            key = RSAKey.import_key(certificate.public_key())  # type: ignore[arg-type]
            with self._keys_lock:
                self._keys[credential.thumbprint_sha1] = key
        return key

    @staticmethod
    def _check_identity(claims: dict[str, Any], vault: VaultRecord, tenant: str) -> None:
        if claims.get("iss") != vault.client_id or claims.get("sub") != vault.client_id:
            raise _invalid("The client assertion's issuer does not match the credentials.")
        if tenant.lower() != vault.tenant_id.lower():
            raise _invalid("The token endpoint's tenant does not match the credentials.")
        audience = claims.get("aud")
        expected_path = wire.TOKEN_PATH.format(tenant=vault.tenant_id).lower()
        if not isinstance(audience, str) or not audience.lower().rstrip("/").endswith(expected_path):
            raise _invalid("The client assertion's audience is not this token endpoint.")
        if not isinstance(claims.get("jti"), str) or not 8 <= len(claims["jti"]) <= 128:
            raise _invalid("The client assertion needs a unique jti.")

    @staticmethod
    def _check_times(claims: dict[str, Any], now: datetime) -> datetime:
        issued = _numeric_date(claims, "iat")
        expires = _numeric_date(claims, "exp")
        not_before = _numeric_date(claims, "nbf") if "nbf" in claims else None
        if expires <= issued or expires - issued > wire.ASSERTION_MAX_LIFETIME:
            raise _invalid("The client assertion's lifetime must be positive and at most five minutes.")
        if (issued > now + wire.CLOCK_SKEW or expires < now - wire.CLOCK_SKEW
                or (not_before is not None and not_before > now + wire.CLOCK_SKEW)):
            raise VaultRefusal("auth.clock_skew", 401, "The client assertion's times do not match the vault's clock.")
        return expires

    # access tokens ------------------------------------------------------------------------
    def verify_access_token(self, authorization: str | None, now: datetime) -> AccessGrant:
        if not authorization or not authorization.startswith("Bearer "):
            raise VaultRefusal("auth.invalid_token", 401, "A Bearer access token is required.")
        try:
            token = jwt.decode(authorization[7:].strip(), self._token_key, algorithms=["HS256"])
            vault_id = int(token.claims["vid"])
            expires = datetime.fromtimestamp(int(token.claims["exp"]), timezone.utc)
        except (JoseError, ValueError, KeyError, TypeError):
            raise VaultRefusal("auth.invalid_token", 401, "The access token is not valid.") from None
        if expires <= now - timedelta(seconds=1):
            raise VaultRefusal("auth.invalid_token", 401, "The access token has expired.")
        return AccessGrant(vault_id, expires)


def _load_or_create_secret(path: Path) -> bytes:
    if path.exists():
        return path.read_bytes()
    secret = secrets.token_bytes(32)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(secret)
    os.replace(tmp, path)
    return secret
