"""The passphrase file: explains itself, owner-only, atomic, never overwritten, read back exactly."""

from __future__ import annotations

import os
import stat
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from wizard.core.errors import RegisterServerError
from wizard.core.passphrase_file import (
    MARKER, read_passphrase_file,
    write_passphrase_file)
from wizard.core.secret import Secret

PASSPHRASE = Secret("  leading spaces, quotes \" and colons: all kept  ")
CREATED = datetime(2026, 11, 25, 4, 30, tzinfo=timezone.utc)


def _write(path: Path, passphrase: Secret = PASSPHRASE, **kw: object) -> None:
    args = {"vault_name": "contoso-backup", "machine_name": "SRV-FILE-01", "created": CREATED, **kw}
    write_passphrase_file(path, passphrase, **args)  # type: ignore[arg-type]


def test_round_trip_keeps_every_character(tmp_path: Path) -> None:
    path = tmp_path / "srv.passphrase.txt"
    _write(path)
    assert read_passphrase_file(path) == PASSPHRASE


def test_text_explains_what_it_is(tmp_path: Path) -> None:
    path = tmp_path / "srv.passphrase.txt"
    _write(path)
    text = path.read_text()
    for words in ('machine\n"SRV-FILE-01"', '"contoso-backup"', "2026-11-25 04:30:00 UTC", "Nobody can recover",
                  "cannot be restored", "KEEP THIS FILE SAFE", "somewhere other than the machine itself"):
        assert words in text.replace(" \n", "\n"), words
    passphrase_lines = [line for line in text.splitlines() if PASSPHRASE.reveal() in line]
    assert passphrase_lines == [MARKER + PASSPHRASE.reveal()]  # on its own, clearly marked line, once
    assert text.endswith(MARKER + PASSPHRASE.reveal() + "\n")


def test_local_time_is_written_in_utc(tmp_path: Path) -> None:
    path = tmp_path / "p.txt"
    _write(path, created=datetime(2026, 11, 25, 6, 30, tzinfo=timezone(timedelta(hours=2))))
    assert "2026-11-25 04:30:00 UTC" in path.read_text()


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
def test_owner_only(tmp_path: Path) -> None:
    old = os.umask(0o000)
    try:
        _write(tmp_path / "p.txt")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "p.txt").stat().st_mode) == 0o600


def test_never_overwrites(tmp_path: Path) -> None:
    path = tmp_path / "p.txt"
    _write(path)
    before = path.read_bytes()
    with pytest.raises(RegisterServerError) as caught:
        _write(path, Secret("a different passphrase entirely"))
    assert caught.value.code == "encryption.save_path_exists"
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["p.txt"]


def test_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(RegisterServerError) as caught:
        _write(tmp_path / "nope" / "p.txt")
    assert caught.value.code == "encryption.save_dir_missing"


def test_names_with_line_breaks_cannot_forge_a_passphrase_line(tmp_path: Path) -> None:
    path = tmp_path / "p.txt"
    _write(path, machine_name=f"evil\n{MARKER}forged", vault_name="v\r\nx")
    assert read_passphrase_file(path) == PASSPHRASE
    assert sum(line.startswith(MARKER) for line in path.read_text().splitlines()) == 1


@pytest.mark.parametrize("bad", ["", "two\nlines"])
def test_refuses_values_that_cannot_be_one_line(tmp_path: Path, bad: str) -> None:
    with pytest.raises(ValueError):
        _write(tmp_path / "p.txt", Secret(bad))
    assert not (tmp_path / "p.txt").exists()


def test_reads_a_file_edited_on_windows(tmp_path: Path) -> None:
    path = tmp_path / "p.txt"
    path.write_bytes(b"\xef\xbb\xbfSome notes\r\n" + MARKER.encode() + b"abc def ghi jkl mno\r\n")
    assert read_passphrase_file(path).reveal() == "abc def ghi jkl mno"


@pytest.mark.parametrize("content,reason", [(None, "passphrase_file_unreadable"),
                                            (b"no marker here\n", "no_passphrase_line"),
                                            (b"\xff\xfe\x00bin", "passphrase_file_not_text")])
def test_read_errors(tmp_path: Path, content: bytes | None, reason: str) -> None:
    path = tmp_path / "p.txt"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(RegisterServerError) as caught:
        read_passphrase_file(path)
    assert (caught.value.code, caught.value.reason) == ("secrets.missing", reason)


@pytest.mark.skipif(os.name != "nt", reason="Windows ACLs (POSIX permissions are tested above)")
def test_windows_acl_has_only_user_and_administrators(tmp_path: Path) -> None:  # pragma: no cover - Windows
    import subprocess

    from wizard.core.windows_security import ADMINISTRATORS_SID, current_user_sid

    path = tmp_path / "p.txt"
    _write(path)
    listing = subprocess.run(["icacls", str(path)], capture_output=True, text=True, check=True).stdout
    aces = [line.strip() for line in listing.splitlines()[:-2] if ":" in line.replace(str(path), "")]
    assert len(aces) == 2, listing
    assert "(I)" not in listing  # nothing inherited from the folder
    sid_listing = subprocess.run(["icacls", str(path), "/save", str(tmp_path / "acl.txt")], capture_output=True)
    assert sid_listing.returncode == 0
    saved = (tmp_path / "acl.txt").read_text(encoding="utf-16")
    assert current_user_sid() in saved
    assert ";;;BA)" in saved or ADMINISTRATORS_SID in saved  # SDDL writes Administrators as its alias BA
    assert ";;;WD)" not in saved and ";;;BU)" not in saved and ";;;AU)" not in saved  # no Everyone/Users


def test_write_failure_names_the_passphrase_file_step(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A failed write is `encryption.save_failed`, which the wizard maps to the Encryption page."""
    from wizard.core.flow import Step
    from wizard.core.routing import step_for
    from wizard.core.storage import atomic

    def no_space(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(atomic.os, "fsync", no_space)
    with pytest.raises(RegisterServerError) as caught:
        _write(tmp_path / "p.txt")
    assert (caught.value.code, caught.value.reason) == ("encryption.save_failed", "disk_full")
    assert step_for(caught.value.code) is Step.ENCRYPTION
    assert list(tmp_path.iterdir()) == []


PRINTABLE_ASCII = "".join(chr(c) for c in range(0x20, 0x7F))


def test_any_valid_passphrase_round_trips(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Every passphrase the validators accept (16-1,024 printable ASCII) comes back exactly."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    @settings(max_examples=150, deadline=None)
    @given(st.text(alphabet=PRINTABLE_ASCII, min_size=16, max_size=1024))
    def check(value: str) -> None:
        folder = tmp_path_factory.mktemp("pp")
        _write(folder / "p.txt", Secret(value))
        assert read_passphrase_file(folder / "p.txt").reveal() == value

    check()


def test_windows_acl_comes_from_the_win32_api_not_from_tools(monkeypatch: pytest.MonkeyPatch) -> None:
    """No whoami/icacls: Wine's whoami prints no SID and tool output is localised."""
    import subprocess

    from wizard.core import passphrase_file, windows_security

    def no_tools(*args: object, **kwargs: object) -> None:
        raise AssertionError("a tool was run")

    applied: list[tuple[Path, str]] = []
    monkeypatch.setattr(subprocess, "run", no_tools)
    monkeypatch.setattr(windows_security, "current_user_sid", lambda: "S-1-5-21-7-8-9-1001")
    monkeypatch.setattr(windows_security, "apply_sddl", lambda path, sddl: applied.append((path, sddl)))
    passphrase_file.restrict_to_owner(Path("C:/keys/p.txt"))
    assert applied == [(Path("C:/keys/p.txt"),
                        "D:P(A;;FA;;;S-1-5-21-7-8-9-1001)(A;;FA;;;S-1-5-32-544)(A;;FA;;;S-1-5-18)")]


def test_refused_acl_is_its_own_error_and_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A refused ACL stops the write and says so (not 'read-only or full')."""
    from wizard.core import passphrase_file, windows_security
    from wizard.core.flow import Step
    from wizard.core.routing import step_for

    def refused(path: Path) -> None:
        raise windows_security.AclError(5, "SetNamedSecurityInfoW failed")

    monkeypatch.setattr(passphrase_file, "ON_WINDOWS", True)
    monkeypatch.setattr(passphrase_file, "restrict_to_owner", refused)
    with pytest.raises(RegisterServerError) as caught:
        _write(tmp_path / "p.txt")
    assert caught.value.code == "encryption.acl_failed"
    assert step_for(caught.value.code) is Step.ENCRYPTION
    assert list(tmp_path.iterdir()) == []


def test_leftovers_of_a_killed_writer_are_removed_before_writing(tmp_path: Path) -> None:
    """Where no unnamed temporary file exists (Windows, macOS, FAT) a kill leaves a named one,
    possibly with part of the passphrase: old leftovers of this name go, young ones and other
    files stay (a young one may belong to a writer that is still running)."""
    path = tmp_path / "srv.passphrase.txt"
    stale = tmp_path / ".srv.passphrase.txt.k1ll3d.tmp"
    young = tmp_path / ".srv.passphrase.txt.runn1n.tmp"
    other = tmp_path / ".other.passphrase.txt.k1ll3d.tmp"
    for leftover in (stale, young, other):
        leftover.write_text("BACKUP ENCRYPTION PASSPHRASE - KEEP THIS FILE SAFE\nPASSPHRASE: half-writ")
    an_hour_ago = (CREATED - timedelta(hours=1)).timestamp()
    os.utime(stale, (an_hour_ago, an_hour_ago))
    os.utime(other, (an_hour_ago, an_hour_ago))
    _write(path)
    assert not stale.exists()
    assert young.exists() and other.exists()
    assert read_passphrase_file(path) == PASSPHRASE
