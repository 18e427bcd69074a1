"""The hostile corpus: files that must each be refused with their own code and reason.

Shared by the tests and benchmarks/bench_credentials.py (which times every case).
Each case writes its file under a folder and returns the path to check and the expected
(code, reason). `SECRET_MARKER` is the content of a local file an external entity points
at: it must never appear in any output.
"""

from __future__ import annotations

import base64
import os
from datetime import datetime
from pathlib import Path
from typing import Callable

from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID

from tests.core.credentials import builders

SECRET_MARKER = "TOP-SECRET-8c1f2e-DO-NOT-LEAK"
DATA = Path(__file__).parent / "data"
NAME = "fabrikam-vault_Tue Nov 24 2026.VaultCredentials"

Case = Callable[[Path, datetime], Path]


def _valid_fields(now: datetime, **pfx_kwargs: object) -> dict[str, str | None]:
    key = builders.rsa_key(0)
    return builders.values(builders.pfx(key, builders.certificate(key, issued=now), **pfx_kwargs))  # type: ignore[arg-type]


def _write(folder: Path, data: bytes, name: str = NAME) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


def _with(now: datetime, **changes: str | None) -> bytes:
    fields = _valid_fields(now)
    fields.update(changes)
    return builders.document(fields)


def billion_laughs(folder: Path, now: datetime) -> Path:
    entities = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">' for i in range(1, 10)
    ]
    doc = (f'<?xml version="1.0"?><!DOCTYPE RSBackupVaultAADCreds [{"".join(entities)}]>'
           f'<RSBackupVaultAADCreds xmlns="{builders.NS}"><ResourceName>&lol9;</ResourceName></RSBackupVaultAADCreds>')
    return _write(folder, doc.encode())


def external_entity(folder: Path, now: datetime) -> Path:
    secret = folder / "secret.txt"
    secret.write_text(SECRET_MARKER)
    body = builders.document(_valid_fields(now)).decode().split("?>", 1)[1]
    body = body.replace("<ns0:ResourceName>fabrikam-vault</ns0:ResourceName>", "<ns0:ResourceName>&xxe;</ns0:ResourceName>")
    assert "&xxe;" in body
    doc = (f'<?xml version="1.0"?><!DOCTYPE foo [<!ENTITY xxe SYSTEM "{secret.as_uri()}">]>{body}')
    return _write(folder, doc.encode())


def fifty_megabytes(folder: Path, now: datetime) -> Path:
    path = folder / NAME
    with open(path, "wb") as handle:
        handle.write(builders.document(_valid_fields(now)))
        handle.truncate(50 * 1024 * 1024)
    return path


def truncated_base64(folder: Path, now: datetime) -> Path:
    cert = _valid_fields(now)["ManagementCert"] or ""
    return _write(folder, _with(now, ManagementCert=cert[: len(cert) // 2 + 1]))


def truncated_pfx(folder: Path, now: datetime) -> Path:
    """Cut on a base64 boundary: decodes, but the PKCS#12 inside is cut short."""
    raw = base64.b64decode(_valid_fields(now)["ManagementCert"] or "")
    return _write(folder, _with(now, ManagementCert=base64.b64encode(raw[: len(raw) // 2]).decode()))


def password_protected(folder: Path, now: datetime) -> Path:
    return _write(folder, builders.document(_valid_fields(now, password=b"correct horse")))


def certificate_without_key(folder: Path, now: datetime) -> Path:
    key = builders.rsa_key(0)
    return _write(folder, _with(now, ManagementCert=builders.pfx(None, builders.certificate(key, issued=now))))


def key_of_another_certificate(folder: Path, now: datetime) -> Path:
    other = builders.certificate(builders.rsa_key(1), issued=now)
    return _write(folder, _with(now, ManagementCert=builders.pfx(builders.rsa_key(0), None, extra=[other])))


def server_auth_only(folder: Path, now: datetime) -> Path:
    key = builders.rsa_key(0)
    cert = builders.certificate(key, issued=now, usages=[ExtendedKeyUsageOID.SERVER_AUTH])
    return _write(folder, _with(now, ManagementCert=builders.pfx(key, cert)))


def no_usage_at_all(folder: Path, now: datetime) -> Path:
    key = builders.rsa_key(0)
    return _write(folder, _with(now, ManagementCert=builders.pfx(key, builders.certificate(key, issued=now, usages=[]))))


def ec_key_not_rsa(folder: Path, now: datetime) -> Path:
    key = ec.generate_private_key(ec.SECP256R1())
    cert = builders.certificate(key, issued=now)  # type: ignore[arg-type]
    return _write(folder, _with(now, ManagementCert=builders.pfx(key, cert)))  # type: ignore[arg-type]


def short_rsa_key(folder: Path, now: datetime) -> Path:
    key = builders.rsa_key(2, bits=1024)
    return _write(folder, _with(now, ManagementCert=builders.pfx(key, builders.certificate(key, issued=now))))


def wrong_root(folder: Path, now: datetime) -> Path:
    return _write(folder, builders.document(_valid_fields(now), root="VaultCreds"))


def wrong_namespace(folder: Path, now: datetime) -> Path:
    return _write(folder, builders.document(_valid_fields(now), namespace="http://example.com/not-the-vault-format"))


def no_namespace(folder: Path, now: datetime) -> Path:
    return _write(folder, builders.document(_valid_fields(now), namespace=None))


def missing_resource_name(folder: Path, now: datetime) -> Path:
    fields = _valid_fields(now)
    del fields["ResourceName"]
    return _write(folder, builders.document(fields))


def nil_subscription(folder: Path, now: datetime) -> Path:
    return _write(folder, _with(now, SubscriptionId=None))


def resource_id_not_a_number(folder: Path, now: datetime) -> Path:
    return _write(folder, _with(now, ResourceId="99999999999999999999"))


def renamed_extension(folder: Path, now: datetime) -> Path:
    return _write(folder, builders.document(_valid_fields(now)), name="fabrikam-vault.xml")


def empty_file(folder: Path, now: datetime) -> Path:
    return _write(folder, b"")


def random_bytes(folder: Path, now: datetime) -> Path:
    return _write(folder, os.urandom(4096).replace(b"<", b"x"))


def utf16_file(folder: Path, now: datetime) -> Path:
    text = builders.document(_valid_fields(now)).decode("utf-8").replace("utf-8", "utf-16")
    return _write(folder, text.encode("utf-16"))


def directory(folder: Path, now: datetime) -> Path:
    path = folder / NAME
    path.mkdir()
    return path


def missing_file(folder: Path, now: datetime) -> Path:
    return folder / NAME


def deep_nesting(folder: Path, now: datetime) -> Path:
    """Well-formed, under the size cap, but 100,000 levels deep."""
    root = f'<RSBackupVaultAADCreds xmlns="{builders.NS}">'.encode()
    return _write(folder, root + b"<a>" * 100_000 + b"</a>" * 100_000 + b"</RSBackupVaultAADCreds>")


def many_elements(folder: Path, now: datetime) -> Path:
    root = f'<RSBackupVaultAADCreds xmlns="{builders.NS}">'.encode()
    return _write(folder, root + b"<a/>" * 200_000 + b"</RSBackupVaultAADCreds>")


def many_attributes(folder: Path, now: datetime) -> Path:
    attributes = " ".join(f'a{i}="x"' for i in range(60_000))
    return _write(folder, f'<RSBackupVaultAADCreds xmlns="{builders.NS}" {attributes}/>'.encode())


def _fixture_bundle(name: str) -> bytes:
    return base64.b64decode((DATA / name).read_text())


def encrypted_large_key(folder: Path, now: datetime) -> Path:
    """An RSA 3072 key in a bundle encrypted with an empty password: validating it would cost ~200 ms (8192: ~8 s)."""
    bundle = _fixture_bundle("encrypted_rsa3072_empty_password.pfx.b64")
    return _write(folder, _with(now, ManagementCert=base64.b64encode(bundle).decode()))


def slow_mac_that_fails(folder: Path, now: datetime) -> Path:
    """A plain bundle asking for 100,000 MAC rounds (the most allowed), its MAC broken: derived twice, never verifies."""
    bundle = bytearray(_fixture_bundle("plain_mac_100000_iterations.pfx.b64"))
    bundle[-20] ^= 0x01
    return _write(folder, _with(now, ManagementCert=base64.b64encode(bundle).decode()))


def legacy_file(folder: Path, now: datetime) -> Path:
    key = builders.rsa_key(0)
    return _write(folder, builders.legacy_document(builders.pfx(key, builders.certificate(key, issued=now))))


CORPUS: dict[str, tuple[Case, str, str | None]] = {
    "billion_laughs": (billion_laughs, "credentials.invalid", "unsafe_xml"),
    "external_entity": (external_entity, "credentials.invalid", "unsafe_xml"),
    "fifty_megabytes": (fifty_megabytes, "credentials.invalid", "too_large"),
    "truncated_base64": (truncated_base64, "credentials.invalid", "bad_certificate"),
    "truncated_pfx": (truncated_pfx, "credentials.invalid", "bad_certificate"),
    "password_protected": (password_protected, "credentials.invalid", "bad_certificate"),
    "certificate_without_key": (certificate_without_key, "credentials.invalid", "no_private_key"),
    "key_of_another_certificate": (key_of_another_certificate, "credentials.invalid", "key_mismatch"),
    "server_auth_only": (server_auth_only, "credentials.invalid", "wrong_usage"),
    "no_usage_at_all": (no_usage_at_all, "credentials.invalid", "wrong_usage"),
    "ec_key_not_rsa": (ec_key_not_rsa, "credentials.invalid", "bad_certificate"),
    "short_rsa_key": (short_rsa_key, "credentials.invalid", "bad_certificate"),
    "wrong_root": (wrong_root, "credentials.invalid", "wrong_root"),
    "wrong_namespace": (wrong_namespace, "credentials.invalid", "wrong_namespace"),
    "no_namespace": (no_namespace, "credentials.invalid", "wrong_namespace"),
    "missing_resource_name": (missing_resource_name, "credentials.invalid", "missing_field"),
    "nil_subscription": (nil_subscription, "credentials.invalid", "missing_field"),
    "resource_id_not_a_number": (resource_id_not_a_number, "credentials.invalid", "bad_value"),
    "renamed_extension": (renamed_extension, "credentials.invalid", "wrong_extension"),
    "empty_file": (empty_file, "credentials.invalid", "not_xml"),
    "random_bytes": (random_bytes, "credentials.invalid", "not_xml"),
    "utf16_file": (utf16_file, "credentials.invalid", "not_xml"),
    "directory": (directory, "credentials.unreadable", "is_directory"),
    "missing_file": (missing_file, "credentials.unreadable", "missing"),
    "deep_nesting": (deep_nesting, "credentials.invalid", "too_large"),
    "many_elements": (many_elements, "credentials.invalid", "too_large"),
    "many_attributes": (many_attributes, "credentials.invalid", "too_large"),
    "encrypted_large_key": (encrypted_large_key, "credentials.invalid", "bad_certificate"),
    "slow_mac_that_fails": (slow_mac_that_fails, "credentials.invalid", "bad_certificate"),
    "legacy_file": (legacy_file, "credentials.legacy_format", None),
}
