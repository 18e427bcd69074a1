"""`register-server passphrase recover`: an envelope opened with the recovery key, on any machine,
the passphrase given only to a terminal or an owner-only file."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

from tests.commands.test_unattended import cli
from tests.support.recovery_cert import RecoveryPair, make_pair
from wizard.core import escrow
from wizard.core.exit_codes import ExitCode
from wizard.core.secret import Secret

PASSPHRASE = "recovered from escrow, 2026 edition"
KEY_PASSWORD = "offline key password 1"


@pytest.fixture(scope="module")
def pair() -> RecoveryPair:
    return make_pair()


@pytest.fixture
def sealed(pair: RecoveryPair, tmp_path: Path) -> tuple[Path, Path, Path]:
    envelope = tmp_path / "server01.envelope.der"
    envelope.write_bytes(escrow.seal(Secret(PASSPHRASE), escrow.load_recovery_certificate(pair.certificate_pem)))
    cert, key = pair.write(tmp_path, key_password=KEY_PASSWORD.encode())
    return envelope, cert, key


def test_recover_to_an_owner_only_file_with_the_key_password_from_the_environment(sealed, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    envelope, cert, key = sealed
    out = tmp_path / "recovered.txt"
    done = cli("passphrase", "recover", "--envelope", str(envelope), "--key-file", str(key), "--certificate",
               str(cert), "--key-password-env", "RECOVERY_KEY_PASSWORD", "--out", str(out),
               env={"RECOVERY_KEY_PASSWORD": KEY_PASSWORD})
    assert done.returncode == 0, done.stderr
    assert out.read_text() == PASSPHRASE + "\n"
    assert out.stat().st_mode & 0o777 == 0o600
    assert PASSPHRASE not in done.stdout + done.stderr and KEY_PASSWORD not in done.stdout + done.stderr


def test_recover_prints_only_to_a_terminal(sealed, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    envelope, cert, key = sealed
    bundle = tmp_path / "key-and-cert.pem"  # the certificate may travel in the key file
    bundle.write_bytes(key.read_bytes() + cert.read_bytes())
    password_file = tmp_path / "key-password.txt"
    password_file.write_text(KEY_PASSWORD + "\n")
    args = ("passphrase", "recover", "--envelope", str(envelope), "--key-file", str(bundle),
            "--key-password-file", str(password_file))
    piped = cli(*args)
    assert piped.returncode == ExitCode.USAGE
    assert "escrow.output_not_private" in piped.stderr and PASSPHRASE not in piped.stdout

    primary, secondary = pty.openpty()
    try:
        done = subprocess.run([sys.executable, "-m", "wizard", *args], stdout=secondary, stderr=subprocess.PIPE,
                              timeout=120)
        printed = os.read(primary, 4096).decode()
    finally:
        os.close(primary)
        os.close(secondary)
    assert done.returncode == 0, done.stderr
    assert printed.strip() == PASSPHRASE


def test_another_key_is_refused_and_writes_nothing(sealed, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    envelope, _, _ = sealed
    (tmp_path / "other").mkdir()
    other_cert, other_key = make_pair("Someone Else").write(tmp_path / "other")
    out = tmp_path / "recovered.txt"
    done = cli("passphrase", "recover", "--envelope", str(envelope), "--key-file", str(other_key),
               "--certificate", str(other_cert), "--out", str(out), "--json")
    assert done.returncode == ExitCode.INVALID_SETTINGS
    assert '"escrow.key_mismatch"' in done.stdout
    assert not out.exists()


def test_a_key_without_its_certificate_says_how_to_give_it(sealed) -> None:  # type: ignore[no-untyped-def]
    envelope, _, key = sealed
    done = cli("passphrase", "recover", "--envelope", str(envelope), "--key-file", str(key), "--out", "x")
    assert done.returncode == ExitCode.USAGE
    assert "escrow.certificate_required" in done.stderr and "--certificate" in done.stderr
