"""The client side of the registration protocol: assertion, verifier, machine key, the two calls.

1. `client_assertion` signs an RFC 7523 JWT with the credentials file's RSA key (RS256,
   ``iss`` = ``sub`` = the file's client id, ``aud`` = the token URL, random ``jti``, a
   two-minute lifetime, header ``x5t`` = the certificate's SHA-1 thumbprint) and
   `RegistrationClient.token` exchanges it for an access token.
2. `RegistrationClient.register` sends the machine name, a CSR for a fresh EC P-256 key,
   the passphrase verifier and the agent version, and receives the machine id and its
   certificate.

The verifier is scrypt(passphrase, salt) with a salt both sides derive from the vault's
resource id and the machine name (lower-case, as names are case-insensitive), so a
re-registration proves the same passphrase without another round trip, and a verifier
stolen from one vault or machine is useless for another. The passphrase never leaves.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Callable, Protocol

from wizard import __version__
from wizard.core.errors import RegisterServerError
from wizard.core.registration import wire
from wizard.core.secret import Secret

if TYPE_CHECKING:
    from wizard.core.credentials import VaultCredentials


class JsonHttp(Protocol):
    """What the protocol needs of an HTTP client: two JSON calls (`wizard.net.client.VaultHttp` is one).

    Why a Protocol: the core sits below the network layer and must not import it, even for types.
    """

    def post_form(self, url: str, form: dict[str, str]) -> dict[str, Any]: ...

    def post_json(self, url: str, body: dict[str, Any], *, token: str) -> dict[str, Any]: ...

    def get_json(self, url: str, *, token: str) -> dict[str, Any]: ...


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def client_assertion(credentials: "VaultCredentials", *, now: datetime, jti: str | None = None) -> str:
    """A signed, short-lived JWT proving possession of the credentials file's private key."""
    from joserfc import jwt
    from joserfc.jwk import RSAKey

    issued = int(now.timestamp())
    claims = {
        "iss": credentials.service_principal_client_id,
        "sub": credentials.service_principal_client_id,
        "aud": credentials.token_url,
        "jti": jti or secrets.token_urlsafe(24),
        "iat": issued,
        "nbf": issued,
        "exp": issued + int(wire.ASSERTION_LIFETIME.total_seconds()),
    }
    header = {"alg": wire.ASSERTION_ALG, "typ": "JWT", "x5t": _b64url(bytes.fromhex(credentials.thumbprint_sha1))}
    return jwt.encode(header, claims, RSAKey.import_key(credentials.private_key))


def verifier_salt(resource_id: int | str, machine_name: str) -> bytes:
    return hashlib.sha256(f"{wire.VERIFIER_SALT_PREFIX}|{resource_id}|{machine_name.lower()}".encode()).digest()


def passphrase_verifier(passphrase: Secret, *, resource_id: int | str, machine_name: str) -> str:
    """scrypt output (base64url) that proves the passphrase without revealing it."""
    derived = hashlib.scrypt(passphrase.reveal().encode("utf-8"), salt=verifier_salt(resource_id, machine_name),
                             n=wire.VERIFIER_N, r=wire.VERIFIER_R, p=wire.VERIFIER_P, dklen=wire.VERIFIER_LENGTH,
                             maxmem=64 * 1024 * 1024)
    return _b64url(derived)


@dataclass(frozen=True)
class MachineKey:
    """A fresh machine key pair (private PEM kept out of repr) and its CSR."""

    private_pem: bytes
    csr_pem: str

    def __repr__(self) -> str:
        return "MachineKey(<private>)"


def new_machine_key(machine_name: str) -> MachineKey:
    """EC P-256: generated in well under a millisecond, unlike RSA, so fleets register fast."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    csr = (x509.CertificateSigningRequestBuilder()
           .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, machine_name)]))
           .sign(key, hashes.SHA256()))
    private_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption())
    return MachineKey(private_pem, csr.public_bytes(serialization.Encoding.PEM).decode("ascii"))


@dataclass(frozen=True)
class RegisteredMachine:
    machine_id: str
    machine_name: str
    vault_name: str
    resource_id: str
    certificate_pem: str
    registered_at: datetime
    re_registration: bool
    escrow: "EscrowReceipt | None" = None


@dataclass(frozen=True)
class EscrowReceipt:
    """What the vault says it kept: the envelope's version and the certificate it was sealed to."""

    version: int
    fingerprint: str

    @classmethod
    def from_answer(cls, value: Any) -> "EscrowReceipt | None":
        if not isinstance(value, dict):
            return None
        try:
            return cls(int(value["version"]), str(value["fingerprint"]))
        except (KeyError, ValueError, TypeError):
            return None

    def to_record(self) -> dict[str, Any]:
        return {"in_force": True, "version": self.version, "certificate_fingerprint": self.fingerprint}


def no_certificate_when_unknown(call: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """The recovery-certificate answer; a vault without the endpoint (404, an older service) has none."""
    try:
        return call()
    except RegisterServerError as error:
        if error.code == "vault.error" and error.reason in ("request.not_found", "http_404"):
            return {"certificate": None}
        raise


def escrow_body(passphrase: Secret, certificate_answer: dict[str, Any], *, required: bool) -> dict[str, str] | None:
    """The `escrow` field of a request: the passphrase sealed to the vault's recovery certificate.

    None when the vault has no certificate and escrow was not required (`escrow` unset means
    "when the vault has one"); `escrow.not_configured` when it was required.
    """
    from wizard.core.escrow import certificate_fingerprint, load_recovery_certificate, seal

    pem = certificate_answer.get("certificate")
    if not isinstance(pem, str) or not pem:
        if required:
            raise RegisterServerError("escrow.not_configured")
        return None
    certificate = load_recovery_certificate(pem.encode("ascii", "replace"))
    envelope = seal(passphrase, certificate)
    return {"envelope": base64.b64encode(envelope).decode("ascii"),
            "fingerprint": certificate_fingerprint(certificate)}


class RegistrationClient:
    """The two protocol calls over a `JsonHttp`."""

    def __init__(self, http: JsonHttp) -> None:
        self.http = http

    def token(self, credentials: "VaultCredentials", *, now: datetime) -> str:
        answer = self.http.post_form(credentials.token_url, {
            "grant_type": wire.GRANT_TYPE,
            "client_assertion_type": wire.ASSERTION_TYPE,
            "client_assertion": client_assertion(credentials, now=now),
        })
        token = answer.get("access_token")
        if not isinstance(token, str) or not token:
            raise RegisterServerError("vault.error", reason="no_access_token")
        return token

    def recovery_certificate(self, credentials: "VaultCredentials", token: str) -> dict[str, Any]:
        """The vault's answer about its recovery certificate (``certificate`` is None without one)."""
        base = credentials.registration_url[: -len(wire.MACHINES_PATH)]
        return no_certificate_when_unknown(lambda: self.http.get_json(base + wire.RECOVERY_CERTIFICATE_PATH,
                                                                      token=token))

    def register(self, credentials: "VaultCredentials", token: str, *, machine_name: str, csr_pem: str,
                 verifier: str, existing_machine_id: str | None = None,
                 escrow: dict[str, str] | None = None) -> RegisteredMachine:
        body: dict[str, Any] = {"machine_name": machine_name, "csr": csr_pem, "verifier": verifier,
                                "agent_version": __version__}
        if existing_machine_id:
            body["existing_machine_id"] = existing_machine_id
        if escrow is not None:
            body[wire.ESCROW_FIELD] = escrow
        answer = self.http.post_json(credentials.registration_url, body, token=token)
        try:
            return RegisteredMachine(
                machine_id=str(answer["machine_id"]), machine_name=str(answer["machine_name"]),
                vault_name=str(answer["vault_name"]), resource_id=str(answer["resource_id"]),
                certificate_pem=str(answer["certificate"]),
                registered_at=datetime.fromisoformat(str(answer["registered_at"])),
                re_registration=bool(answer["re_registration"]),
                escrow=EscrowReceipt.from_answer(answer.get(wire.ESCROW_FIELD)))
        except (KeyError, ValueError, TypeError):
            raise RegisterServerError("vault.error", reason="bad_answer",
                                      detail="(the vault's registration answer is incomplete)") from None
