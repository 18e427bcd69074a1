"""The plain-PKCS#12 fast path: agrees with cryptography's full loader, and bounds the work a file can ask for."""

from __future__ import annotations

import base64
from datetime import datetime, timezone
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.core.credentials import builders
from tests.core.credentials.conftest import NOW
from tests.core.credentials.hostile import CORPUS
from wizard.core.credentials import parse_credentials, pfx, read_credentials
from wizard.core.errors import RegisterServerError

DATA = Path(__file__).parent / "data"


def _file(management_cert: str) -> bytes:
    return builders.document(dict(builders.values(management_cert)))


def _error(data: bytes) -> RegisterServerError:
    with pytest.raises(RegisterServerError) as caught:
        parse_credentials(data, file_name="f.VaultCredentials", now=NOW)
    return caught.value


def test_plain_bundle_takes_the_fast_path() -> None:
    key = builders.rsa_key(0)
    cert = builders.certificate(key, issued=NOW)
    bundle = pfx.parse_plain_pfx(base64.b64decode(builders.pfx(key, cert)))
    assert bundle is not None and bundle.key_der is not None and len(bundle.cert_ders) == 1


@pytest.mark.parametrize("case", sorted(CORPUS))
def test_full_loader_gives_the_same_verdicts(case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    build, code, reason = CORPUS[case]
    path = build(tmp_path, NOW)
    monkeypatch.setattr(pfx, "parse_plain_pfx", lambda data, passwords=(): None)
    with pytest.raises(RegisterServerError) as caught:
        read_credentials(path, now=NOW)
    assert (caught.value.code, caught.value.reason) == (code, reason)


def test_full_loader_reads_a_valid_file_identically(monkeypatch: pytest.MonkeyPatch) -> None:
    key = builders.rsa_key(0)
    data = _file(builders.pfx(key, builders.certificate(key, issued=NOW)))
    fast = parse_credentials(data, file_name="f.VaultCredentials", now=NOW)
    monkeypatch.setattr(pfx, "parse_plain_pfx", lambda data, passwords=(): None)
    full = parse_credentials(data, file_name="f.VaultCredentials", now=NOW)
    assert fast == full
    assert fast.private_key.private_numbers() == full.private_key.private_numbers()


def test_windows_style_bundle_encrypted_with_an_empty_password_reads() -> None:
    """Made with `openssl pkcs12 -export -keypbe PBE-SHA1-3DES -certpbe PBE-SHA1-3DES -macalg sha1
    -iter 2000 -passout pass:` (a shrouded key and an encrypted certificate, like Windows exports)."""
    text = (DATA / "windows_style_empty_password.pfx.b64").read_text()
    raw = base64.b64decode(text)
    assert pfx.parse_plain_pfx(raw) is None          # not plain: the full loader's job
    assert pfx.max_kdf_iterations(raw) == 2000
    creds = parse_credentials(_file(text.replace("\n", "")), file_name="f.VaultCredentials",
                              now=datetime(2027, 1, 1, tzinfo=timezone.utc))  # valid 2026-11-25 to 2126
    assert creds.thumbprint_sha1 == "9553A39C490F21ABEBA7B4C06EB0D48624FB0A6E"  # as `openssl x509 -fingerprint` showed


def test_tampered_bundle_fails_its_mac_and_is_refused() -> None:
    key = builders.rsa_key(0)
    raw = bytearray(base64.b64decode(builders.pfx(key, builders.certificate(key, issued=NOW))))
    raw[len(raw) // 2] ^= 0x01
    assert pfx.parse_plain_pfx(bytes(raw)) is None
    assert _error(_file(base64.b64encode(raw).decode())).reason == "bad_certificate"


def test_huge_mac_iteration_count_is_refused_before_any_work() -> None:
    key = builders.rsa_key(0)
    raw = base64.b64decode(builders.pfx(key, builders.certificate(key, issued=NOW)))
    # MacData is last: SEQUENCE(65) { DigestInfo, salt, INTEGER 2048 }; make the count 2**31 - 1.
    assert raw[:2] == b"\x30\x82" and raw[-4:] == b"\x02\x02\x08\x00" and raw[-67:-65] == b"\x30\x41"
    length = int.from_bytes(raw[2:4], "big") + 2
    patched = raw[:2] + length.to_bytes(2, "big") + raw[4:-67] + b"\x30\x43" + raw[-65:-4] + b"\x02\x04\x7f\xff\xff\xff"
    assert pfx.max_kdf_iterations(patched) == 2**31 - 1
    error = _error(_file(base64.b64encode(patched).decode()))
    assert (error.reason, "unreasonable amount of work" in error.message) == ("bad_certificate", True)


def test_inconsistent_rsa_key_is_refused() -> None:
    good = builders.rsa_key(0).private_numbers()
    broken = rsa.RSAPrivateNumbers(good.p, good.q, good.d, good.dmp1 ^ 2, good.dmq1, good.iqmp, good.public_numbers)
    key = broken.private_key(unsafe_skip_rsa_key_validation=True)
    cert = builders.certificate(builders.rsa_key(0), issued=NOW)
    error = _error(_file(builders.pfx(key, cert)))
    assert (error.code, error.reason) == ("credentials.invalid", "bad_certificate")


def test_consistency_check() -> None:
    n = builders.rsa_key(0).private_numbers()
    assert pfx.rsa_key_is_consistent(n)
    pub = n.public_numbers
    for broken in (
        rsa.RSAPrivateNumbers(n.p, n.q, n.d + 2, n.dmp1, n.dmq1, n.iqmp, pub),
        rsa.RSAPrivateNumbers(n.p, n.q, n.d, n.dmp1, n.dmq1 + 2, n.iqmp, pub),
        rsa.RSAPrivateNumbers(n.p, n.q, n.d, n.dmp1, n.dmq1, n.iqmp + 1, pub),
        rsa.RSAPrivateNumbers(n.p + 2, n.q, n.d, n.dmp1, n.dmq1, n.iqmp, pub),
        rsa.RSAPrivateNumbers(n.p, n.q, n.d, n.dmp1, n.dmq1, n.iqmp, rsa.RSAPublicNumbers(3, pub.n)),
    ):
        assert not pfx.rsa_key_is_consistent(broken)
