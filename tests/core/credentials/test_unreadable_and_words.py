"""Unreadable paths each say why; time left is worded as the wizard shows it."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.core.credentials import builders
from tests.core.credentials.conftest import NOW
from wizard.core.credentials import LegacyCredentialsError, format_time_left, parse_credentials, read_credentials
from wizard.core.credentials import reader
from wizard.core.errors import RegisterServerError


def _reason(path: Path) -> tuple[str, str | None]:
    with pytest.raises(RegisterServerError) as caught:
        read_credentials(path, now=NOW)
    return caught.value.code, caught.value.reason


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX-only")
def test_a_named_pipe_is_refused_without_blocking(tmp_path: Path) -> None:
    pipe = tmp_path / "p.VaultCredentials"
    os.mkfifo(pipe)
    assert _reason(pipe) == ("credentials.unreadable", "not_a_file")


def test_permission_denied_on_open(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "f.VaultCredentials"
    path.write_bytes(b"<x/>")

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(reader, "open", refuse, raising=False)
    assert _reason(path) == ("credentials.unreadable", "permission_denied")


def test_unreachable_share(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def unreachable(*args: Any, **kwargs: Any) -> None:
        raise OSError(112, "Host is down")

    monkeypatch.setattr(reader.os, "stat", unreachable)
    with pytest.raises(RegisterServerError) as caught:
        read_credentials(tmp_path / "f.VaultCredentials", now=NOW)
    assert (caught.value.code, caught.value.reason) == ("credentials.unreadable", "os_error")
    assert "Host is down" in caught.value.message and str(tmp_path) in caught.value.message


def test_a_path_with_a_nul_is_unreadable_not_a_crash() -> None:
    assert _reason(Path("bad\x00name.VaultCredentials")) == ("credentials.unreadable", "os_error")


def test_legacy_file_with_nothing_in_it_is_still_recognised() -> None:
    data = f'<BackupVaultCreds xmlns="{builders.NS}"/>'.encode()
    with pytest.raises(LegacyCredentialsError) as caught:
        parse_credentials(data, file_name="x.VaultCredentials", now=NOW)
    assert caught.value.legacy.vault_name is None
    assert "version 1.0" in caught.value.message


def test_naive_clock_is_a_programming_error() -> None:
    with pytest.raises(ValueError):
        parse_credentials(b"<x/>", file_name="x.VaultCredentials", now=NOW.replace(tzinfo=None))


@pytest.mark.parametrize(("delta", "words"), [
    (timedelta(hours=47, minutes=12, seconds=59), "47 h 12 min"),
    (timedelta(hours=1), "1 h 0 min"),
    (timedelta(minutes=12, seconds=30), "12 min"),
    (timedelta(seconds=59), "under 1 min"),
    (timedelta(0), "expired"),
    (timedelta(minutes=-3), "expired"),
    (timedelta(days=10), "240 h 0 min"),
])
def test_time_left_words(delta: timedelta, words: str) -> None:
    assert format_time_left(delta) == words


@pytest.mark.parametrize(("data", "utf16"), [
    ('<?xml version="1.0"?><RSBackupVaultAADCreds/>'.encode("utf-16-le"), True),   # no BOM
    ('<?xml version="1.0"?><RSBackupVaultAADCreds/>'.encode("utf-16-be"), True),
    (b"\xff\xfe<", True),
    (b"\x01\x00" + b"random bytes that are not text at all, with one NUL" * 2, False),
])
def test_utf16_is_told_apart_from_other_binary(data: bytes, utf16: bool) -> None:
    with pytest.raises(RegisterServerError) as caught:
        parse_credentials(data, file_name="x.VaultCredentials", now=NOW)
    assert caught.value.reason == "not_xml"
    assert ("UTF-16" in caught.value.message) is utf16
