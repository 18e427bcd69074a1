"""The plain-PKCS#12 fast path: agrees with cryptography's full loader, and bounds the work a file can ask for."""

from __future__ import annotations

import base64
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.core.credentials import builders
from tests.core.credentials.conftest import NOW
from tests.core.credentials.hostile import CORPUS
from wizard.core.credentials import certificate, parse_credentials, pfx, read_credentials
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


def _no_full_loader(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object) -> None:
        raise AssertionError("cryptography's full PKCS#12 loader was run")

    monkeypatch.setattr(certificate.pkcs12, "load_key_and_certificates", refuse)


def test_inconsistent_rsa_key_is_refused_without_the_full_loader(monkeypatch: pytest.MonkeyPatch) -> None:
    """OpenSSL would refuse it too, but only after testing the primes: seconds for a large key."""
    good = builders.rsa_key(0).private_numbers()
    broken = rsa.RSAPrivateNumbers(good.p, good.q, good.d, good.dmp1 ^ 2, good.dmq1, good.iqmp, good.public_numbers)
    key = broken.private_key(unsafe_skip_rsa_key_validation=True)
    cert = builders.certificate(builders.rsa_key(0), issued=NOW)
    _no_full_loader(monkeypatch)
    error = _error(_file(builders.pfx(key, cert)))
    assert (error.code, error.reason) == ("credentials.invalid", "bad_certificate")


def test_encrypted_key_too_large_to_validate_is_refused_before_the_full_loader(monkeypatch: pytest.MonkeyPatch) -> None:
    """Made with `openssl pkcs12 -export -passout pass:` (OpenSSL 3.0: PBES2, AES-256-CBC) from an RSA 3072
    key. The full loader's prime test costs ~200 ms for 3072 bits and ~8 s for 8192; the bound refuses
    it from the encrypted key bag's size alone."""
    text = (DATA / "encrypted_rsa3072_empty_password.pfx.b64").read_text()
    raw = base64.b64decode(text)
    assert pfx.parse_plain_pfx(raw) is None
    assert pfx.key_bag_size(raw) == 1905
    _no_full_loader(monkeypatch)
    error = _error(_file(text.replace("\n", "")))
    assert (error.code, error.reason) == ("credentials.invalid", "bad_certificate")
    assert "2048-bit" in error.message


def test_key_bag_sizes_of_2048_bit_keys_fit_the_full_loader_bound() -> None:
    windows = base64.b64decode((DATA / "windows_style_empty_password.pfx.b64").read_text())
    ours = base64.b64decode(builders.pfx(builders.rsa_key(0), builders.certificate(builders.rsa_key(0), issued=NOW)))
    assert pfx.key_bag_size(windows) == 1262   # shrouded (3DES)
    assert 1200 < (pfx.key_bag_size(ours) or 0) < 1250   # plain PKCS#8
    assert max(1262, pfx.key_bag_size(ours) or 0) < certificate.MAX_FULL_LOADER_KEY_BAG
    cert_only = base64.b64decode(builders.pfx(None, builders.certificate(builders.rsa_key(0), issued=NOW)))
    assert pfx.key_bag_size(cert_only) is None


def test_many_mac_rounds_are_derived_by_openssl_not_in_python(monkeypatch: pytest.MonkeyPatch) -> None:
    """Made with `openssl pkcs12 -export -keypbe NONE -certpbe NONE -iter 100000 -passout pass:`: a plain
    bundle within MAX_KDF_ITERATIONS. 100,000 rounds in Python cost ~50 ms per try (two tries when the MAC
    does not verify), so above FAST_PATH_MAX_KDF_ITERATIONS the fast path defers to OpenSSL's C derivation."""
    raw = base64.b64decode((DATA / "plain_mac_100000_iterations.pfx.b64").read_text())
    assert pfx.max_kdf_iterations(raw) == 100_000 <= pfx.MAX_KDF_ITERATIONS
    derive = pfx._pkcs12_kdf
    rounds: list[int] = []

    def counting(hash_name: str, password: bytes, salt: bytes, iterations: int) -> bytes:
        rounds.append(iterations)
        return derive(hash_name, password, salt, iterations)

    monkeypatch.setattr(pfx, "_pkcs12_kdf", counting)
    assert pfx.parse_plain_pfx(raw) is None
    valid_from = datetime(2026, 12, 1, 7, 1, 59, tzinfo=timezone.utc)  # `openssl x509 -dates` of its certificate
    creds = parse_credentials(_file(base64.b64encode(raw).decode()), file_name="f.VaultCredentials",
                              now=valid_from + timedelta(hours=1))
    assert creds.thumbprint_sha1 == "15653EF9358E63876FC73141F87A08A420C71227"
    assert rounds == []
    broken = bytearray(raw)
    broken[-20] ^= 0x01  # inside the MAC digest, which comes before the salt and the count
    assert _error(_file(base64.b64encode(broken).decode())).reason == "bad_certificate"
    assert rounds == []


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


@pytest.mark.parametrize("case", ["password_protected", "slow_mac_that_fails", "truncated_pfx"])
def test_the_full_loader_runs_once_per_refused_bundle(case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """OpenSSL tries both spellings of the empty password itself; a second call only repeats the derivations."""
    load = certificate.pkcs12.load_key_and_certificates
    calls: list[object] = []

    def counting(data: bytes, password: bytes | None, *args: object) -> object:
        calls.append(password)
        return load(data, password, *args)

    monkeypatch.setattr(certificate.pkcs12, "load_key_and_certificates", counting)
    build, code, reason = CORPUS[case]
    with pytest.raises(RegisterServerError) as caught:
        read_credentials(build(tmp_path, NOW), now=NOW)
    assert (caught.value.code, caught.value.reason) == (code, reason)
    assert len(calls) <= 1


@pytest.mark.parametrize("spelling", [b"", b"\x00\x00"])
def test_either_spelling_of_the_empty_password_opens_in_the_full_loader(spelling: bytes,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """A plain bundle whose MAC was keyed with each spelling, read through the full loader alone."""
    import hmac

    raw = base64.b64decode(builders.pfx(builders.rsa_key(0), builders.certificate(builders.rsa_key(0), issued=NOW)))
    top = pfx._children(raw, *pfx._expect(pfx._only(raw, 0, len(raw)), 0x30))
    wrapper = pfx._children(raw, *pfx._expect(pfx._children(raw, *pfx._expect(top[1], 0x30))[1], 0xA0))
    content = raw[slice(*pfx._expect(wrapper[0], 0x04))]
    mac = pfx._children(raw, *pfx._expect(top[2], 0x30))
    digest_info = pfx._children(raw, *pfx._expect(mac[0], 0x30))
    algorithm = pfx._children(raw, *pfx._expect(digest_info[0], 0x30))
    hash_name = pfx._MAC_HASHES[raw[slice(*pfx._expect(algorithm[0], 0x06))]]
    salt = raw[slice(*pfx._expect(mac[1], 0x04))]
    rounds = pfx._integer(raw, mac[2]) if len(mac) == 3 else 1
    start, end = pfx._expect(digest_info[1], 0x04)
    digest = hmac.new(pfx._pkcs12_kdf(hash_name, spelling, salt, rounds), content, hash_name).digest()
    rekeyed = raw[:start] + digest + raw[end:]
    monkeypatch.setattr(pfx, "parse_plain_pfx", lambda data, passwords=(): None)
    creds = parse_credentials(_file(base64.b64encode(rekeyed).decode()), file_name="f.VaultCredentials", now=NOW)
    assert creds.vault_name == "fabrikam-vault"
