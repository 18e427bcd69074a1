"""A recovery certificate and its private key, as an organisation would make them (tests only)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID


@dataclass(frozen=True)
class RecoveryPair:
    certificate_pem: bytes
    key_pem: bytes

    def write(self, folder: Path, *, key_password: bytes | None = None) -> tuple[Path, Path]:
        """(certificate file, key file); the key encrypted when a password is given."""
        cert = folder / "recovery.crt.pem"
        key = folder / "recovery.key.pem"
        cert.write_bytes(self.certificate_pem)
        if key_password is None:
            key.write_bytes(self.key_pem)
        else:
            loaded = serialization.load_pem_private_key(self.key_pem, None)
            key.write_bytes(loaded.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                 serialization.BestAvailableEncryption(key_password)))
        return cert, key


def make_pair(common_name: str = "Contoso Backup Recovery", *, key_type: str = "rsa", bits: int = 2048,
              days: int = 365, expired: bool = False) -> RecoveryPair:
    key = ec.generate_private_key(ec.SECP256R1()) if key_type == "ec" else \
        rsa.generate_private_key(public_exponent=65537, key_size=bits)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.now(timezone.utc) - (timedelta(days=days + 1) if expired else timedelta(0))
    certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
                   .serial_number(x509.random_serial_number())
                   .not_valid_before(now - timedelta(minutes=5)).not_valid_after(now + timedelta(days=days))
                   .sign(key, hashes.SHA256()))
    return RecoveryPair(certificate.public_bytes(serialization.Encoding.PEM),
                        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption()))
