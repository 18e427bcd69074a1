"""atomic_write_bytes: content, permissions, no-overwrite, and clean failure."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from wizard.core.errors import RegisterServerError
from wizard.core.storage import atomic_write_bytes, atomic_write_text
from wizard.core.storage import atomic
from wizard.core.storage.atomic import _rename_noreplace

posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")


@pytest.fixture(autouse=True, params=["anonymous-temp", "named-temp"])
def strategy(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Every test runs with Linux's O_TMPFILE and with the portable named temporary file."""
    if request.param == "named-temp":
        monkeypatch.setattr(atomic, "_open_anonymous", lambda directory, mode: None)
    return request.param


def test_strategy_really_differs(tmp_path: Path, strategy: str, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[str] = []
    atomic_write_bytes(tmp_path / "x", b"x", before_write=lambda p: seen.append(str(p)))
    expected_anonymous = strategy == "anonymous-temp" and os.sys.platform.startswith("linux")
    assert seen[0].startswith("/proc/self/fd/") == expected_anonymous


def test_writes_and_replaces(tmp_path: Path) -> None:
    target = tmp_path / "doc.json"
    atomic_write_bytes(target, b"first")
    atomic_write_text(target, "second\n")
    assert target.read_bytes() == b"second\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["doc.json"]  # no temporary files left


@posix_only
def test_owner_only_by_default_whatever_the_umask(tmp_path: Path) -> None:
    old = os.umask(0)
    try:
        atomic_write_bytes(tmp_path / "a", b"x")
        atomic_write_bytes(tmp_path / "b", b"x", mode=0o644)
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "a").stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "b").stat().st_mode) == 0o644


def test_no_overwrite_refuses_existing_file(tmp_path: Path) -> None:
    target = tmp_path / "keep.txt"
    target.write_bytes(b"precious")
    with pytest.raises(RegisterServerError) as caught:
        atomic_write_bytes(target, b"new", overwrite=False)
    assert caught.value.code == "encryption.save_path_exists"
    assert target.read_bytes() == b"precious"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.txt"]


def test_no_overwrite_race_is_caught_at_the_final_step(tmp_path: Path) -> None:
    """The file appears after the early check (another program saved there meanwhile)."""
    target = tmp_path / "race.txt"

    def create_meanwhile(_tmp: Path) -> None:
        target.write_bytes(b"theirs")

    with pytest.raises(RegisterServerError) as caught:
        atomic_write_bytes(target, b"ours", overwrite=False, before_write=create_meanwhile)
    assert caught.value.code == "encryption.save_path_exists"
    assert target.read_bytes() == b"theirs"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["race.txt"]


@pytest.mark.skipif(not os.sys.platform.startswith("linux"), reason="renameat2 is Linux's")
def test_rename_noreplace_fallback_for_file_systems_without_hard_links(tmp_path: Path) -> None:
    source, target = tmp_path / "src", tmp_path / "dst"
    source.write_bytes(b"a")
    _rename_noreplace(source, target)
    assert target.read_bytes() == b"a" and not source.exists()
    source.write_bytes(b"b")
    with pytest.raises(RegisterServerError) as caught:
        _rename_noreplace(source, target)
    assert caught.value.code == "encryption.save_path_exists" and target.read_bytes() == b"a"


def test_missing_folder_is_write_failed(tmp_path: Path) -> None:
    with pytest.raises(RegisterServerError) as caught:
        atomic_write_bytes(tmp_path / "nope" / "x", b"x")
    assert caught.value.code == "state.write_failed" and caught.value.reason == "folder_missing"


_WRITE_INTO_READ_ONLY = """
import sys
from pathlib import Path
from wizard.core.errors import RegisterServerError
from wizard.core.storage import atomic_write_bytes
try:
    atomic_write_bytes(Path(sys.argv[1]) / "x", b"new")
    print("written")
except RegisterServerError as error:
    print(error.code, error.reason)
"""


@posix_only
def test_read_only_folder_is_write_failed() -> None:
    """Root ignores permission bits, so as root the write runs as `nobody` (setpriv)."""
    import shutil
    import subprocess
    import sys
    import tempfile

    base = Path(tempfile.mkdtemp(prefix="rs-readonly-"))
    try:
        base.chmod(0o755)
        folder = base / "ro"
        folder.mkdir()
        (folder / "x").write_bytes(b"old")
        prefix: list[str] = []
        if os.geteuid() == 0:
            prefix = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
            folder.chmod(0o555)
        else:
            folder.chmod(0o500)
        done = subprocess.run([*prefix, sys.executable, "-c", _WRITE_INTO_READ_ONLY, str(folder)],
                              capture_output=True, text=True, timeout=60,
                              env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[3])})
        assert done.stdout.split() == ["state.write_failed", "permission_denied"], done.stderr
        assert (folder / "x").read_bytes() == b"old"
    finally:
        shutil.rmtree(base, ignore_errors=True)


def test_failure_in_the_middle_removes_the_temporary_file(tmp_path: Path) -> None:
    def fail(_tmp: Path) -> None:
        raise OSError(28, "No space left on device")

    (tmp_path / "x").write_bytes(b"old")
    with pytest.raises(RegisterServerError) as caught:
        atomic_write_bytes(tmp_path / "x", b"new", before_write=fail)
    assert caught.value.code == "state.write_failed" and caught.value.reason == "disk_full"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x"] and (tmp_path / "x").read_bytes() == b"old"
