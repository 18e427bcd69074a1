"""The management certificate inside a credentials file: open and verify it, or create one.

`ManagementCert` is base64 of a PKCS#12 bundle exported with an empty password. It must
hold the certificate *and* its private key (the machine signs its sign-in proof with it),
the key must be the certificate's, and the certificate must allow client authentication.
Every failure is a `credentials.invalid` with a reason naming what is wrong.
"""

from __future__ import annotations

import base64
import binascii
from datetime import datetime

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from wizard.core.credentials import pfx
from wizard.core.credentials.model import CERTIFICATE_SUBJECT_CN
from wizard.core.errors import RegisterServerError
from wizard.core.i18n import L_, LazyText

MIN_RSA_BITS = 2048
# Bounds on what cryptography's full PKCS#12 loader is given (see `check_full_loader_cost`).
MAX_FULL_LOADER_KEY_BAG = 1_600
MAX_FULL_LOADER_BUNDLE = 4_096
# What cryptography raises for bytes that are not a well-formed key or certificate.
_MALFORMED = (ValueError, TypeError, UnsupportedAlgorithm, x509.InvalidVersion)
RSA_BITS = 2048


def _invalid(reason: str, detail: LazyText) -> RegisterServerError:
    return RegisterServerError("credentials.invalid", reason=reason, detail=detail)


def decode_pfx(text: str) -> bytes:
    """The PKCS#12 bytes of a `ManagementCert` value (whitespace and line breaks allowed)."""
    compact = "".join(text.split())
    try:
        data = base64.b64decode(compact, validate=True)
    except (binascii.Error, ValueError):
        raise _invalid("bad_certificate",
                       L_("Its certificate is not valid base64 (the file may be cut short).")) from None
    if not data:
        raise _invalid("bad_certificate", L_("Its certificate is empty."))
    return data


def _load_pkcs12(data: bytes) -> tuple[object, x509.Certificate | None, list[x509.Certificate]]:
    """Open a PKCS#12 bundle with an empty password (either spelling of "empty").

    Plain bundles (what our vault issues) go through `pfx.parse_plain_pfx`, ~10x faster;
    everything else through cryptography's full loader, after a bound on its work.
    """
    try:
        plain = pfx.parse_plain_pfx(data)
        if plain is not None:
            opened = _open_plain(plain)
            if opened is not None:
                return opened
        if pfx.max_kdf_iterations(data) > pfx.MAX_KDF_ITERATIONS:
            raise pfx.TooCostly
    except pfx.TooCostly:
        raise _invalid("bad_certificate", L_("Its certificate bundle asks for an unreasonable amount of work "
                                          "to open; no exporter writes that.")) from None
    check_full_loader_cost(data)
    try:
        # One call: for an empty password OpenSSL itself tries both spellings (no password and
        # the empty string), so a second call with b"" only repeated the key derivations.
        return pkcs12.load_key_and_certificates(data, None)
    except _MALFORMED as error:
        raise _invalid("bad_certificate", L_("Its certificate bundle cannot be opened: it is damaged, or "
                                             "protected by a password.")) from error


def _open_plain(plain: pfx.PlainBundle) -> tuple[object, x509.Certificate | None, list[x509.Certificate]] | None:
    """Load a plain bundle's parts, pairing key and certificate as OpenSSL does; None defers to the full loader."""
    try:
        certs = [x509.load_der_x509_certificate(der) for der in plain.cert_ders]
        if plain.key_der is None:
            return None, None, certs
        key = serialization.load_der_private_key(plain.key_der, None, unsafe_skip_rsa_key_validation=True)
        if isinstance(key, rsa.RSAPrivateKey) and not pfx.rsa_key_is_consistent(key.private_numbers()):
            # OpenSSL's check would refuse it too, after testing the primes (seconds for a large key).
            raise _invalid("bad_certificate", L_("Its private key is damaged: its parts do not agree."))
        wanted = key.public_key()
        for index, cert in enumerate(certs):
            if cert.public_key() == wanted:
                return key, cert, certs[:index] + certs[index + 1:]
        return key, None, certs
    except _MALFORMED:
        return None


def check_full_loader_cost(data: bytes) -> None:
    """Refuse, before cryptography's full loader runs, a bundle whose key is too large to validate cheaply.

    The full loader (encrypted bundles, shapes the fast path does not read) re-checks the
    RSA primes, whose cost grows steeply with the key: a hostile 8192-bit key in a bundle
    encrypted with an empty password took 8 s. The vault issues RSA 2048 in plain bundles,
    and a Windows re-export of such a file keeps its key bag near 1,300 bytes, so the full
    loader only gets bundles whose largest visible key bag is at most `MAX_FULL_LOADER_KEY_BAG`
    (room for a 2048-bit key, not a 3072-bit one), or, when no key bag is visible before
    decryption, which are at most `MAX_FULL_LOADER_BUNDLE` bytes in all. A larger key in a
    plain bundle is not affected: the fast path checks its arithmetic in microseconds.
    """
    bag = pfx.key_bag_size(data)
    if bag is not None and bag > MAX_FULL_LOADER_KEY_BAG:
        raise _invalid("bad_certificate", L_("Its encrypted private key is larger than a 2048-bit RSA key; "
                                          "files issued by the vault hold a 2048-bit key, unencrypted."))
    if bag is None and len(data) > MAX_FULL_LOADER_BUNDLE:
        raise _invalid("bad_certificate", L_("Its encrypted certificate bundle is {size:,} bytes; one "
                                             "certificate with a 2048-bit key is about 2,500.", size=len(data)))


def open_management_cert(text: str) -> tuple[x509.Certificate, rsa.RSAPrivateKey]:
    """Verify a `ManagementCert` value and return its certificate and private key.

    Checks, in order: base64, PKCS#12 with an empty password, a private key present, an
    RSA key of at least 2048 bits, a certificate whose public key is that key's, and the
    Client Authentication extended key usage.
    """
    key, cert, extra = _load_pkcs12(decode_pfx(text))
    if key is None:
        if cert is None and not extra:
            raise _invalid("bad_certificate", L_("Its certificate bundle holds no certificate."))
        raise _invalid("no_private_key", L_("Its certificate bundle holds no private key."))
    if cert is None:
        # OpenSSL pairs the key with the certificate it matches; none matched.
        if extra:
            raise _invalid("key_mismatch", L_("The private key in it does not belong to its certificate."))
        raise _invalid("bad_certificate", L_("Its certificate bundle holds a key but no certificate."))
    if not isinstance(key, rsa.RSAPrivateKey):
        raise _invalid("bad_certificate", L_("Its private key is not an RSA key."))
    if key.key_size < MIN_RSA_BITS:
        raise _invalid("bad_certificate", L_("Its RSA key is shorter than {bits} bits.", bits=MIN_RSA_BITS))
    try:
        public = cert.public_key()
    except _MALFORMED:
        raise _invalid("bad_certificate", L_("Its certificate's public key cannot be read.")) from None
    if not isinstance(public, rsa.RSAPublicKey) or public.public_numbers() != key.public_key().public_numbers():
        raise _invalid("key_mismatch", L_("The private key in it does not belong to its certificate."))
    check_client_auth(cert)
    return cert, key


def check_client_auth(cert: x509.Certificate) -> None:
    """The certificate must allow client authentication (EKU 1.3.6.1.5.5.7.3.2) and signing."""
    try:
        extensions = cert.extensions
        eku = extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    except x509.ExtensionNotFound:
        raise _invalid("wrong_usage", L_("Its certificate is not marked for client authentication.")) from None
    except ValueError:  # duplicate or malformed extensions
        raise _invalid("bad_certificate", L_("Its certificate's extensions are malformed.")) from None
    if ExtendedKeyUsageOID.CLIENT_AUTH not in eku:
        raise _invalid("wrong_usage", L_("Its certificate is not marked for client authentication."))
    try:
        usage = extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return
    if not usage.digital_signature:
        raise _invalid("wrong_usage", L_("Its certificate does not allow digital signatures."))


def thumbprints(cert: x509.Certificate) -> tuple[str, str]:
    """SHA-1 (the thumbprint Windows shows) and SHA-256 fingerprints, upper-case hex."""
    return cert.fingerprint(hashes.SHA1()).hex().upper(), cert.fingerprint(hashes.SHA256()).hex().upper()  # noqa: S303


def new_management_cert(
    *, not_before: datetime, not_after: datetime
) -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
    """A fresh RSA 2048 key and its self-signed ``CN=Windows Azure Tools`` client certificate."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=RSA_BITS)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, CERTIFICATE_SUBJECT_CN)])
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True, content_commitment=False, key_encipherment=True,
                data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
                encipher_only=False, decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return key, cert


def export_pfx(key: rsa.RSAPrivateKey, cert: x509.Certificate, friendly_name: str) -> bytes:
    """PKCS#12 with no password (what "exported with an empty password" means to OpenSSL)."""
    return pkcs12.serialize_key_and_certificates(
        friendly_name.encode("utf-8"), key, cert, None, serialization.NoEncryption()
    )

