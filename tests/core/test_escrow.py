"""Sealed escrow: envelopes only the recovery key opens - with this product and with plain openssl."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.support.recovery_cert import make_pair
from wizard.core import escrow
from wizard.core.errors import RegisterServerError
from wizard.core.secret import Secret

PASSPHRASE = Secret("a sealed passphrase: 7 words, 1 comma!")


@pytest.fixture(scope="module")
def pair():  # type: ignore[no-untyped-def]
    return make_pair()


def _open(envelope: bytes, pair) -> Secret:  # type: ignore[no-untyped-def]
    key = escrow.load_private_key(pair.key_pem, None)
    return escrow.open_envelope(envelope, key, escrow.load_recovery_certificate(pair.certificate_pem))


def test_sealed_passphrase_opens_with_the_recovery_key_and_is_not_in_the_envelope(pair) -> None:  # type: ignore[no-untyped-def]
    envelope = escrow.seal(PASSPHRASE, escrow.load_recovery_certificate(pair.certificate_pem))
    assert PASSPHRASE.reveal().encode() not in envelope
    assert _open(envelope, pair) == PASSPHRASE


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl is installed by scripts/setup.sh's base image")
def test_openssl_cms_opens_the_envelope_without_this_product(pair, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    envelope = tmp_path / "envelope.der"
    envelope.write_bytes(escrow.seal(PASSPHRASE, escrow.load_recovery_certificate(pair.certificate_pem)))
    cert, key = pair.write(tmp_path)
    opened = subprocess.run(["openssl", "cms", "-decrypt", "-inform", "DER", "-in", str(envelope),
                             "-inkey", str(key), "-recip", str(cert)], capture_output=True, check=True)
    assert opened.stdout.decode() == PASSPHRASE.reveal()
    printed = subprocess.run(["openssl", "cms", "-cmsout", "-print", "-inform", "DER", "-in", str(envelope)],
                             capture_output=True, text=True, check=True).stdout
    assert "aes-256-cbc" in printed


def test_another_recovery_key_is_a_key_mismatch(pair) -> None:  # type: ignore[no-untyped-def]
    envelope = escrow.seal(PASSPHRASE, escrow.load_recovery_certificate(pair.certificate_pem))
    other = make_pair("Someone Else")
    with pytest.raises(RegisterServerError) as caught:
        _open(envelope, other)
    assert caught.value.code == "escrow.key_mismatch"


def test_a_key_with_the_wrong_certificate_is_a_key_mismatch(pair) -> None:  # type: ignore[no-untyped-def]
    key = escrow.load_private_key(pair.key_pem, None)
    other = escrow.load_recovery_certificate(make_pair("Someone Else").certificate_pem)
    with pytest.raises(RegisterServerError) as caught:
        escrow.open_envelope(b"irrelevant", key, other)
    assert caught.value.code == "escrow.key_mismatch"


def test_garbage_is_not_an_envelope(pair) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(RegisterServerError) as caught:
        _open(b"\x30\x03\x02\x01\x00 not cms", pair)
    assert caught.value.code == "escrow.envelope_invalid"


@pytest.mark.parametrize("make, reason", [
    (lambda: b"not a certificate", "not_a_certificate"),
    (lambda: make_pair(key_type="ec").certificate_pem, "not_rsa"),
    (lambda: make_pair(bits=1024).certificate_pem, "key_too_small"),
    (lambda: make_pair(expired=True).certificate_pem, "not_valid_now"),
])
def test_unusable_recovery_certificates_are_refused_with_why(make, reason: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(RegisterServerError) as caught:
        escrow.load_recovery_certificate(make())
    assert (caught.value.code, caught.value.reason) == ("escrow.certificate_invalid", reason)


def test_encrypted_key_needs_its_password_and_refuses_a_wrong_one(pair, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _, key_file = pair.write(tmp_path, key_password=b"offline key password")
    data = key_file.read_bytes()
    with pytest.raises(RegisterServerError) as missing:
        escrow.load_private_key(data, None)
    assert (missing.value.code, missing.value.reason) == ("escrow.key_invalid", "password_required")
    with pytest.raises(RegisterServerError) as wrong:
        escrow.load_private_key(data, Secret("not it"))
    assert wrong.value.code == "escrow.key_invalid"
    assert "not it" not in str(wrong.value)
    assert escrow.load_private_key(data, Secret("offline key password")) is not None


def test_envelope_name_is_the_original_agents() -> None:
    assert escrow.envelope_name("server01", "contoso-vault") == "AzBackup-server01-contoso-vault"
