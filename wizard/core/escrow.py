"""Sealed escrow: the passphrase encrypted to the organisation's recovery certificate.

Why: a lost passphrase means lost backups, yet the vault must never be able to read it.
So the client seals the passphrase into a CMS EnvelopedData (RFC 5652, the format of
S/MIME and `openssl cms`) whose only recipient is the recovery certificate; the vault
stores the opaque envelope, and only whoever holds the certificate's private key, offline,
can open it - with this module (`register-server passphrase recover`) or with plain
`openssl cms -decrypt -inform DER`, so recovery never depends on this product surviving.

The envelope's content is the passphrase in UTF-8 and nothing else (no framing to parse
wrongly years later). cryptography's builder supports RSA recipients only (key transport),
so a certificate with another key type is refused up front with `escrow.certificate_invalid`.
"""

from __future__ import annotations

from datetime import datetime, timezone

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.ciphers import algorithms
from cryptography.hazmat.primitives.serialization import pkcs7

from wizard.core.errors import RegisterServerError
from wizard.core.secret import Secret

# Envelopes and certificates are small; anything bigger is not one of ours.
MAX_CERTIFICATE_BYTES = 64 * 1024
MAX_ENVELOPE_BYTES = 64 * 1024
MIN_RSA_BITS = 2048


def envelope_name(machine_name: str, vault_name: str) -> str:
    """The name the vault keeps a machine's envelopes under (the original agent's secret name)."""
    return f"AzBackup-{machine_name}-{vault_name}"


def load_recovery_certificate(data: bytes, *, now: datetime | None = None) -> x509.Certificate:
    """The recovery certificate in `data` (PEM or DER), checked usable for sealing.

    Refused (`escrow.certificate_invalid`, with why): not a certificate, not RSA, an RSA key
    under 2048 bits, or outside its validity window.
    """
    if len(data) > MAX_CERTIFICATE_BYTES:
        raise RegisterServerError("escrow.certificate_invalid", reason="too_large")
    try:
        if b"-----BEGIN" in data:
            certificate = x509.load_pem_x509_certificate(data)
        else:
            certificate = x509.load_der_x509_certificate(data)
    except ValueError:
        raise RegisterServerError("escrow.certificate_invalid", reason="not_a_certificate",
                                  detail="(the file holds no PEM or DER X.509 certificate)") from None
    key = certificate.public_key()
    if not isinstance(key, rsa.RSAPublicKey):
        raise RegisterServerError("escrow.certificate_invalid", reason="not_rsa",
                                  detail="(its key is not RSA; envelopes need an RSA recipient)")
    if key.key_size < MIN_RSA_BITS:
        raise RegisterServerError("escrow.certificate_invalid", reason="key_too_small",
                                  detail=f"(its RSA key has {key.key_size} bits; at least {MIN_RSA_BITS} are needed)")
    moment = now or datetime.now(timezone.utc)
    if not certificate.not_valid_before_utc <= moment <= certificate.not_valid_after_utc:
        raise RegisterServerError("escrow.certificate_invalid", reason="not_valid_now",
                                  detail=f"(valid {certificate.not_valid_before_utc:%Y-%m-%d} to "
                                         f"{certificate.not_valid_after_utc:%Y-%m-%d})")
    return certificate


def certificate_fingerprint(certificate: x509.Certificate) -> str:
    """SHA-256 fingerprint, hex, so an administrator can tell which key opens an envelope."""
    return certificate.fingerprint(hashes.SHA256()).hex()


def seal(passphrase: Secret, certificate: x509.Certificate) -> bytes:
    """The passphrase sealed to `certificate`: DER CMS EnvelopedData, AES-256 content encryption."""
    builder = (pkcs7.PKCS7EnvelopeBuilder()
               .set_data(passphrase.reveal().encode("utf-8"))
               .add_recipient(certificate))
    if hasattr(builder, "set_content_encryption_algorithm"):  # cryptography >= 46; 45 uses AES-128-CBC
        builder = builder.set_content_encryption_algorithm(algorithms.AES256)
    return builder.encrypt(serialization.Encoding.DER, [])


def load_private_key(data: bytes, password: Secret | None) -> rsa.RSAPrivateKey:
    """The recovery private key in `data` (PEM or DER, encrypted or not)."""
    secret = password.reveal().encode("utf-8") if password else None
    loaders = ((serialization.load_pem_private_key,) if b"-----BEGIN" in data
               else (serialization.load_der_private_key,))
    try:
        key = loaders[0](data, password=secret)
    except TypeError:
        # cryptography says "Password was not given but private key is encrypted" or the reverse.
        reason = "password_required" if secret is None else "not_encrypted"
        raise RegisterServerError("escrow.key_invalid", reason=reason,
                                  detail="(the key needs a password)" if secret is None
                                  else "(the key is not encrypted; give no password)") from None
    except ValueError:
        raise RegisterServerError("escrow.key_invalid", reason="unreadable",
                                  detail="(not a private key, or the password is wrong)") from None
    if not isinstance(key, rsa.RSAPrivateKey):
        raise RegisterServerError("escrow.key_invalid", reason="not_rsa", detail="(the key is not RSA)")
    return key


def certificates_in(data: bytes) -> list[x509.Certificate]:
    """Every PEM certificate in `data` (a key file often carries its certificate beside the key)."""
    if b"-----BEGIN CERTIFICATE-----" not in data:
        return []
    try:
        return x509.load_pem_x509_certificates(data)
    except ValueError:
        return []


def open_envelope(envelope: bytes, key: rsa.RSAPrivateKey, certificate: x509.Certificate) -> Secret:
    """The passphrase sealed in `envelope`, opened with the recovery `key`.

    CMS names its recipient by the certificate's issuer and serial number, so opening needs
    the recovery certificate as well as its key (as `openssl cms -decrypt -recip` does).
    """
    if len(envelope) > MAX_ENVELOPE_BYTES:
        raise RegisterServerError("escrow.envelope_invalid", reason="too_large")
    if certificate.public_key().public_numbers() != key.public_key().public_numbers():
        raise RegisterServerError("escrow.key_mismatch", reason="certificate_and_key",
                                  detail="(the certificate given is not the key's)")
    decrypt = pkcs7.pkcs7_decrypt_pem if envelope.lstrip().startswith(b"-----BEGIN") else pkcs7.pkcs7_decrypt_der
    try:
        plain = decrypt(envelope, certificate, key, [])
    except ValueError as exc:
        if "recipient" in str(exc).lower():
            raise RegisterServerError("escrow.key_mismatch", reason="not_a_recipient") from None
        raise RegisterServerError("escrow.envelope_invalid", reason="unreadable",
                                  detail="(not a CMS enveloped-data file)") from None
    try:
        return Secret(plain.decode("utf-8"))
    except UnicodeDecodeError:
        raise RegisterServerError("escrow.envelope_invalid", reason="not_a_passphrase") from None
