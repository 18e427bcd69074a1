"""The vault's own PKI: a CA created on first start, the HTTPS server certificate, machine certificates.

EC P-256 everywhere: key generation and signatures are cheap, so the first start is instant
and signing a machine certificate costs well under a millisecond (the fleet benchmark's
budget). The CA key stays in the data directory with owner-only permissions; clients trust
the service by pointing their CA bundle at ``tls/ca.pem``.
"""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from wizard.core.registration.wire import MACHINE_ASSERTION_ALG
from wizard.vault.refusal import VaultRefusal

CA_LIFETIME = timedelta(days=3650)
SERVER_LIFETIME = timedelta(days=825)
MACHINE_CERT_LIFETIME = timedelta(days=365)
SERVER_NAMES = ("localhost",)
SERVER_IPS = ("127.0.0.1", "::1")


def _write_private(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.replace(tmp, path)


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


@dataclass
class VaultPki:
    """Paths and loaded objects of the CA and server certificate inside ``<data>/tls``."""

    directory: Path
    ca_cert: x509.Certificate
    ca_key: ec.EllipticCurvePrivateKey

    @property
    def ca_file(self) -> Path:
        return self.directory / "ca.pem"

    @property
    def server_cert_file(self) -> Path:
        return self.directory / "server.pem"

    @property
    def server_key_file(self) -> Path:
        return self.directory / "server.key"

    @classmethod
    def load_or_create(cls, data_dir: Path, *, extra_names: tuple[str, ...] = ()) -> "VaultPki":
        directory = data_dir / "tls"
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        ca_file, ca_key_file = directory / "ca.pem", directory / "ca.key"
        if ca_file.exists() and ca_key_file.exists():
            ca_cert = x509.load_pem_x509_certificate(ca_file.read_bytes())
            ca_key = serialization.load_pem_private_key(ca_key_file.read_bytes(), password=None)
            assert isinstance(ca_key, ec.EllipticCurvePrivateKey)
        else:
            ca_cert, ca_key = _new_ca()
            _write_private(ca_key_file, _key_pem(ca_key))
            _write_private(ca_file, ca_cert.public_bytes(serialization.Encoding.PEM))
        pki = cls(directory, ca_cert, ca_key)
        if not (pki.server_cert_file.exists() and pki.server_key_file.exists()) or extra_names:
            pki._issue_server_certificate(extra_names)
        return pki

    def _issue_server_certificate(self, extra_names: tuple[str, ...]) -> None:
        key = ec.generate_private_key(ec.SECP256R1())
        now = datetime.now(timezone.utc)
        names: list[x509.GeneralName] = [x509.DNSName(n) for n in (*SERVER_NAMES, *extra_names)]
        names += [x509.IPAddress(ipaddress.ip_address(ip)) for ip in SERVER_IPS]
        cert = (x509.CertificateBuilder()
                .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "register-server local vault")]))
                .issuer_name(self.ca_cert.subject)
                .public_key(key.public_key())
                .serial_number(x509.random_serial_number())
                .not_valid_before(now - timedelta(minutes=5))
                .not_valid_after(now + SERVER_LIFETIME)
                .add_extension(x509.SubjectAlternativeName(names), critical=False)
                .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
                .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
                .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(self.ca_key.public_key()),
                               critical=False)
                .sign(self.ca_key, hashes.SHA256()))
        _write_private(self.server_key_file, _key_pem(key))
        _write_private(self.server_cert_file, cert.public_bytes(serialization.Encoding.PEM))

    def sign_machine_csr(self, csr_pem: bytes, *, machine_name: str, vault_name: str, now: datetime) -> bytes:
        """A client certificate for the machine's own key; the CSR's subject is ignored (we set it)."""
        try:
            csr = x509.load_pem_x509_csr(csr_pem)
        except ValueError:
            raise VaultRefusal("request.invalid", 400, "The certificate request is not a PEM CSR.") from None
        if not csr.is_signature_valid:
            raise VaultRefusal("request.invalid", 400, "The certificate request's signature is not valid.")
        public_key = csr.public_key()
        # Only a key the vault can later check the machine's assertions with (ES256: P-256). Signing
        # an RSA or P-384 key would register a machine whose every later call is refused.
        if not (isinstance(public_key, ec.EllipticCurvePublicKey) and isinstance(public_key.curve, ec.SECP256R1)):
            raise VaultRefusal("request.invalid", 400,
                               f"The machine key must be an EC P-256 key (machine assertions are {MACHINE_ASSERTION_ALG}).")
        cert = (x509.CertificateBuilder()
                .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, machine_name),
                                         x509.NameAttribute(NameOID.ORGANIZATION_NAME, vault_name)]))
                .issuer_name(self.ca_cert.subject)
                .public_key(public_key)
                .serial_number(x509.random_serial_number())
                .not_valid_before(now - timedelta(minutes=5))
                .not_valid_after(now + MACHINE_CERT_LIFETIME)
                .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
                .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
                .sign(self.ca_key, hashes.SHA256()))
        return cert.public_bytes(serialization.Encoding.PEM)


def _new_ca() -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.now(timezone.utc)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "register-server local vault CA")])
    cert = (x509.CertificateBuilder()
            .subject_name(name).issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(minutes=5))
            .not_valid_after(now + CA_LIFETIME)
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                         content_commitment=False, key_encipherment=False, data_encipherment=False,
                                         key_agreement=False, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .sign(key, hashes.SHA256()))
    return cert, key
