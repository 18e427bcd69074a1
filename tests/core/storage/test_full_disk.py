"""A full or read-only disk: a clear `state.write_failed`, the old state intact, no debris.

The real thing is a 64 KiB tmpfs mounted for the test (root, or passwordless sudo as on
CI runners). Where mounting is not permitted, `RLIMIT_FSIZE` gives a real write error
(EFBIG) from the kernel in the middle of a write, which exercises the same clean-up path;
that test always runs.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Iterator

import pytest

from wizard.core.errors import RegisterServerError
from wizard.core.passphrase_file import write_passphrase_file
from wizard.core.secret import Secret
from wizard.core.storage import StateStore, atomic

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="tmpfs and RLIMIT_FSIZE are Linux's")

OLD = {"vault": "vault-a", "machine": "SRV01", "generation": 1}
BIG = {"vault": "vault-a", "machine": "SRV01", "generation": 2, "blob": "x" * 200_000}


def _privilege_prefix() -> list[str] | None:
    if os.geteuid() == 0:
        return []
    if shutil.which("sudo") and subprocess.run(["sudo", "-n", "true"], capture_output=True).returncode == 0:
        return ["sudo", "-n"]
    return None


@pytest.fixture
def tiny_volume(tmp_path: Path) -> Iterator[tuple[Path, list[str]]]:
    """A 64 KiB tmpfs owned by this user; yields (mount point, command prefix for remounting)."""
    prefix = _privilege_prefix()
    if prefix is None or shutil.which("mount") is None:
        pytest.skip("mounting a tmpfs needs root or passwordless sudo; test_file_size_limit covers the "
                    "same clean-up path with a real kernel write error")
    mountpoint = tmp_path / "tiny"
    mountpoint.mkdir()
    options = f"size=64k,mode=0700,uid={os.getuid()},gid={os.getgid()}"
    result = subprocess.run([*prefix, "mount", "-t", "tmpfs", "-o", options, "tmpfs", str(mountpoint)],
                            capture_output=True, text=True)
    if result.returncode != 0:
        pytest.skip(f"mount not permitted here ({result.stderr.strip()}); test_file_size_limit covers it")
    try:
        yield mountpoint, prefix
    finally:
        subprocess.run([*prefix, "umount", str(mountpoint)], capture_output=True)
        if os.path.ismount(mountpoint):
            subprocess.run([*prefix, "umount", "-l", str(mountpoint)], capture_output=True)


@pytest.fixture(params=["anonymous-temp", "named-temp"])
def strategy(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    if request.param == "named-temp":
        monkeypatch.setattr(atomic, "_open_anonymous", lambda directory, mode: None)
    return request.param


def test_full_disk_keeps_old_state(tiny_volume: tuple[Path, list[str]], strategy: str) -> None:
    mountpoint, _ = tiny_volume
    store = StateStore(mountpoint / "state")
    store.save_registration(OLD)
    with pytest.raises(RegisterServerError) as caught:
        store.save_registration(BIG)
    assert caught.value.code == "state.write_failed" and caught.value.reason == "disk_full"
    assert "Free up disk space" in caught.value.fix
    assert store.load_registration() == OLD
    assert sorted(p.name for p in store.root.iterdir()) == ["registration.json"]


def test_full_disk_leaves_no_passphrase_file(tiny_volume: tuple[Path, list[str]], strategy: str) -> None:
    mountpoint, _ = tiny_volume
    filler = mountpoint / "filler"
    with pytest.raises(OSError):
        with open(filler, "wb") as handle:
            while True:
                handle.write(b"\0" * 4096)
                handle.flush()
    target = mountpoint / "server.passphrase.txt"
    with pytest.raises(RegisterServerError) as caught:
        write_passphrase_file(target, Secret("a passphrase for a full disk"), vault_name="v", machine_name="m",
                              created=__import__("datetime").datetime(2026, 1, 1))
    assert caught.value.code == "encryption.save_failed" and caught.value.reason == "disk_full"
    assert sorted(p.name for p in mountpoint.iterdir()) == ["filler"]


def test_read_only_volume_keeps_old_state(tiny_volume: tuple[Path, list[str]], strategy: str) -> None:
    mountpoint, prefix = tiny_volume
    store = StateStore(mountpoint / "state")
    store.save_registration(OLD)
    subprocess.run([*prefix, "mount", "-o", "remount,ro", str(mountpoint)], check=True, capture_output=True)
    try:
        with pytest.raises(RegisterServerError) as caught:
            store.save_registration({"generation": 3})
        assert caught.value.code == "state.write_failed" and caught.value.reason == "read_only"
        assert store.load_registration() == OLD
    finally:
        subprocess.run([*prefix, "mount", "-o", "remount,rw", str(mountpoint)], capture_output=True)


FSIZE_CHILD = """
import json, resource, signal, sys
from wizard.core.errors import RegisterServerError
from wizard.core.storage import StateStore, atomic
if sys.argv[2] == "named-temp":
    atomic._open_anonymous = lambda directory, mode: None
store = StateStore(sys.argv[1])
store.save_registration({"generation": 1})
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)           # get EFBIG instead of being killed
resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))  # no file may grow beyond 4 KiB
try:
    store.save_registration({"generation": 2, "blob": "x" * 100000})
except RegisterServerError as error:
    print(json.dumps({"code": error.code, "reason": error.reason}))
"""


@pytest.mark.parametrize("mode", ["anonymous-temp", "named-temp"])
def test_file_size_limit_gives_write_failed(tmp_path: Path, mode: str) -> None:
    home = tmp_path / "state"
    result = subprocess.run([sys.executable, "-c", FSIZE_CHILD, str(home), mode],
                            capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == '{"code": "state.write_failed", "reason": "file_too_large"}', result.stderr
    assert StateStore(home).load_registration() == {"generation": 1}
    assert sorted(p.name for p in home.iterdir()) == ["registration.json"]
