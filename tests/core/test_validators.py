from __future__ import annotations

import os
from datetime import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wizard.core.model import (EncryptionSettings, MachineSettings, ProxyMode, ProxySettings, RecoveryFolder,
                               RegistrationSettings, VaultSettings)
from wizard.core.passphrase import generate_passphrase
from wizard.core.secret import Secret
from wizard.core.validators import (check_encryption_on_disk, check_recovery_on_disk, normalize_proxy_host,
                                    parse_port_text, parse_size_text, parse_time_text, passphrase_rules,
                                    validate_encryption, validate_machine, validate_passphrase, validate_proxy,
                                    validate_settings, validate_vault)


def codes(issues) -> list[str]:
    return [i.code for i in issues]


def custom(host="proxy.contoso.com", port=3128, username="", password=None) -> ProxySettings:
    return ProxySettings(ProxyMode.CUSTOM, host, port, username, Secret(password) if password else None)


@pytest.mark.parametrize("host", [
    "proxy.contoso.com", "proxy", "10.0.0.5", "http://10.0.0.5", "https://proxy.contoso.com/", "::1",
    "[::1]", "2001:db8::1", "[2001:db8::1]", "http://[2001:db8::1]", "fe80::1%eth0", "xn--bcher-kva.example",
])
def test_proxy_hosts_accepted(host: str) -> None:
    assert validate_proxy(custom(host=host)) == []


@pytest.mark.parametrize("host", ["proxy .contoso.com", "-proxy", "10.0.0.256", "[2001:db8::1", "a" * 64, "proxy_1", "http://"])
def test_proxy_hosts_rejected(host: str) -> None:
    assert codes(validate_proxy(custom(host=host))) in (["proxy.host_invalid"], ["proxy.host_required"])


@pytest.mark.parametrize(("host", "hint"), [
    ("[10.0.0.5]", "only for IPv6"), ("[proxy.contoso.com]", "only for IPv6"), ("http://[10.0.0.5]/", "only for IPv6"),
    ("proxy.contoso.com:8080", "port (8080) in the port field"), ("http://proxy:3128/", "port (3128) in the port field"),
    ("[2001:db8::1]:3128", "port (3128) in the port field"), ("10.0.0.5:3128", "port (3128) in the port field"),
    ("0x7f.1", None), ("10.1", None), ("010.0.0.1", None), ("proxy.0x1f", None), ("proxy.123", None),
])
def test_proxy_host_mistakes_are_refused_and_explained(host: str, hint: str | None) -> None:
    """Brackets only around IPv6; no host:port in the host field; no name a resolver reads as a number."""
    found = validate_proxy(custom(host=host))
    assert codes(found) == ["proxy.host_invalid"]
    if hint:
        assert hint in found[0].message


def test_proxy_host_normalized() -> None:
    assert normalize_proxy_host(" HTTP://[2001:db8::1]/ ") == "2001:db8::1"


@pytest.mark.parametrize(("port", "expected"), [(0, ["proxy.port_range"]), (1, []), (65535, []),
                                                (65536, ["proxy.port_range"]), (None, ["proxy.port_required"])])
def test_proxy_port_edges(port: int | None, expected: list[str]) -> None:
    assert codes(validate_proxy(custom(port=port))) == expected


def test_port_text() -> None:
    assert parse_port_text("3128") == (3128, [])
    assert parse_port_text("") == (None, [])
    assert codes(parse_port_text("31a")[1]) == ["proxy.port_range"]


def test_proxy_credentials_come_in_pairs() -> None:
    assert codes(validate_proxy(custom(username="alice"))) == ["proxy.username_without_password"]
    assert codes(validate_proxy(custom(password="s3cret"))) == ["proxy.password_without_username"]
    assert validate_proxy(custom(username="CONTOSO\\alice", password="s3cret")) == []
    assert codes(validate_proxy(custom(username="al:ice", password="x"))) == ["proxy.username_invalid"]


def test_no_proxy_ignores_fields() -> None:
    assert validate_proxy(ProxySettings(ProxyMode.NONE, "bad host", 0)) == []
    assert validate_proxy(ProxySettings(ProxyMode.SYSTEM)) == []


@pytest.mark.parametrize(("value", "expected"), [
    ("a" * 15, ["passphrase.too_short"]),
    ("a" * 16, []),
    ("a" * 1024, []),
    ("a" * 1025, ["passphrase.too_long"]),
    ("correct horse battery staplé", ["passphrase.not_ascii"]),
    ("tab\there-is-long-enough", ["passphrase.not_printable"]),
    ("", ["passphrase.required"]),
])
def test_passphrase_rules(value: str, expected: list[str]) -> None:
    secret = Secret(value)
    assert codes(validate_passphrase(secret, secret)) == expected


def test_confirmation_must_match() -> None:
    assert codes(validate_passphrase(Secret("a" * 16), Secret("b" * 16))) == ["passphrase.confirm_mismatch"]
    assert codes(validate_passphrase(Secret("a" * 16), None)) == ["passphrase.confirm_mismatch"]


def test_checklist_reports_each_rule() -> None:
    rules = {r.code: r.ok for r in passphrase_rules(Secret("short"), Secret("short"))}
    assert rules == {"passphrase.too_short": False, "passphrase.not_ascii": True, "passphrase.not_printable": True,
                     "passphrase.too_long": True, "passphrase.confirm_mismatch": True}


@settings(max_examples=50)
@given(st.integers(16, 200))
def test_generated_passphrases_pass_every_rule(length: int) -> None:
    secret = generate_passphrase(length)
    assert len(secret) == length
    assert validate_passphrase(secret, secret) == []


def test_recovery_folder(tmp_path: Path) -> None:
    assert codes(check_recovery_on_disk(RecoveryFolder(None))) == ["recovery.folder_required"]
    assert codes(check_recovery_on_disk(RecoveryFolder(Path("relative/dir")))) == ["recovery.folder_not_absolute"]
    file = tmp_path / "file"
    file.write_text("x")
    assert codes(check_recovery_on_disk(RecoveryFolder(file))) == ["recovery.folder_is_file"]
    missing = tmp_path / "missing"
    assert codes(check_recovery_on_disk(RecoveryFolder(missing))) == ["recovery.folder_missing"]
    will_create = check_recovery_on_disk(RecoveryFolder(missing, create=True))
    assert [(i.code, i.blocking) for i in will_create] == [("recovery.folder_missing", False)]
    assert check_recovery_on_disk(RecoveryFolder(tmp_path)) == []
    huge = check_recovery_on_disk(RecoveryFolder(tmp_path, space_needed_bytes=2 ** 62))
    assert codes(huge) == ["recovery.not_enough_space"]


def test_recovery_folder_not_writable_detected_via_access(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "access", lambda *a, **k: False)
    assert codes(check_recovery_on_disk(RecoveryFolder(tmp_path))) == ["recovery.folder_not_writable"]


def test_size_text() -> None:
    assert parse_size_text("50 GB") == 50 * 1024 ** 3
    assert parse_size_text("1.5 TB") == int(1.5 * 1024 ** 4)
    assert parse_size_text("lots") is None


def test_time_text() -> None:
    assert parse_time_text("f", "09:00") == (time(9), [])
    assert parse_time_text("f", "23:59") == (time(23, 59), [])
    assert codes(parse_time_text("f", "24:00")[1]) == ["throttling.time_invalid"]


def _encryption(tmp_path: Path, **kw) -> EncryptionSettings:
    value = Secret("a-long-enough-passphrase")
    return EncryptionSettings(**{"passphrase": value, "confirmation": value,
                                 "save_to": tmp_path / "server01.passphrase.txt", "stored_safely": True, **kw})


def test_encryption_save_location(tmp_path: Path) -> None:
    assert validate_encryption(_encryption(tmp_path)) == []
    assert codes(validate_encryption(_encryption(tmp_path, save_to=None))) == ["encryption.save_path_required"]
    assert codes(validate_encryption(_encryption(tmp_path, save_to=Path("x.txt")))) == ["encryption.save_path_not_absolute"]
    recovery = RecoveryFolder(tmp_path)
    assert codes(validate_encryption(_encryption(tmp_path), recovery)) == ["encryption.save_path_in_recovery_folder"]
    assert codes(validate_encryption(_encryption(tmp_path, stored_safely=False))) == ["encryption.not_stored_safely"]


def test_encryption_on_disk(tmp_path: Path) -> None:
    existing = tmp_path / "exists.txt"
    existing.write_text("x")
    assert codes(check_encryption_on_disk(_encryption(tmp_path, save_to=existing))) == ["encryption.save_path_exists"]
    from datetime import datetime, timezone

    from wizard.core.passphrase_file import write_passphrase_file

    saved = tmp_path / "saved.txt"
    settings = _encryption(tmp_path, save_to=saved)
    write_passphrase_file(saved, settings.passphrase, vault_name="v", machine_name="m", created=datetime.now(timezone.utc))
    kept = check_encryption_on_disk(settings)
    assert [(i.code, i.blocking) for i in kept] == [("encryption.save_path_exists", False)]
    nowhere = tmp_path / "no" / "dir" / "p.txt"
    assert codes(check_encryption_on_disk(_encryption(tmp_path, save_to=nowhere))) == ["encryption.save_dir_missing"]
    local = check_encryption_on_disk(_encryption(tmp_path))
    assert [(i.code, i.blocking) for i in local] == [("encryption.save_path_on_local_disk", False)]


def test_machine_and_vault() -> None:
    assert validate_machine(MachineSettings("server01")) == []
    assert validate_machine(MachineSettings(None)) == []
    assert codes(validate_machine(MachineSettings("bad name"))) == ["machine.name_invalid"]
    assert codes(validate_machine(MachineSettings("-x"))) == ["machine.name_invalid"]
    assert codes(validate_vault(VaultSettings())) == ["vault.credentials_file_required"]


def test_validate_settings_reports_every_step_in_order() -> None:
    result = validate_settings(RegistrationSettings(proxy=custom(port=0)))
    assert codes(result) == ["proxy.port_range", "vault.credentials_file_required", "recovery.folder_required",
                             "passphrase.required", "encryption.save_path_required", "encryption.not_stored_safely"]
