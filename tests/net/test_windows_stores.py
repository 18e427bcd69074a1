"""The Windows certificate stores reach OpenSSL as PEM (wizard.net.tls.load_windows_stores).

CPython 3.11's own `load_default_certs` fails on Windows with the OpenSSL 3.5 the Windows build
ships (ASN1 NOT_ENOUGH_DATA at the end of its DER blob); the replacement must load the same
selection: X.509 certificates trusted for everything or for server authentication.
"""

from __future__ import annotations

import ssl
import pytest

from wizard.net.tls import load_windows_stores


def _der(name: str) -> bytes:
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now)
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    return cert.public_bytes(serialization.Encoding.DER)


def test_trusted_store_certificates_are_loaded_and_others_left_out(monkeypatch: pytest.MonkeyPatch) -> None:
    stores = {
        "ROOT": [(_der("root for everything"), "x509_asn", True),
                 (_der("root for code signing only"), "x509_asn", {"1.3.6.1.5.5.7.3.3"}),
                 (b"\x30\x00", "pkcs_7_asn", True)],
        "CA": [(_der("intermediate for servers"), "x509_asn", {ssl.Purpose.SERVER_AUTH.oid})],
    }
    monkeypatch.setattr(ssl, "enum_certificates", lambda store: stores[store], raising=False)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    load_windows_stores(context)
    names = sorted(dict(part[0] for part in cert["subject"])["commonName"] for cert in context.get_ca_certs())
    assert names == ["intermediate for servers", "root for everything"]


def test_empty_stores_load_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ssl, "enum_certificates", lambda store: [], raising=False)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    load_windows_stores(context)
    assert context.get_ca_certs() == []
