"""Local state is private whatever the umask, and planted symlinks are refused, not followed."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from wizard.core.errors import RegisterServerError
from wizard.core.logs import configure_logging, log_path, stop_logging
from wizard.core.storage import StateStore

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX modes (Windows ACLs are tested elsewhere)")


def _mode(path: Path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


def test_under_umask_000_folders_are_0700_and_files_0600(tmp_path: Path) -> None:
    home = tmp_path / "a" / "b" / "state"
    previous = os.umask(0)
    try:
        store = StateStore(home)
        with store.lock():
            store.save_json("registration.json", {"x": 1})
        configure_logging(home)
        import logging

        logging.getLogger("test").warning("written under umask 000")
    finally:
        stop_logging()
        os.umask(previous)
    for folder in (tmp_path / "a", tmp_path / "a" / "b", home, log_path(home).parent):
        assert _mode(folder) == 0o700, folder
    for file in (home / ".lock", home / "registration.json", log_path(home)):
        assert _mode(file) == 0o600, file


def test_a_planted_lock_symlink_is_refused(tmp_path: Path) -> None:
    home = tmp_path / "state"
    home.mkdir(mode=0o700)
    victim = tmp_path / "victim"
    (home / ".lock").symlink_to(victim)
    with pytest.raises(RegisterServerError) as excinfo:
        with StateStore(home).lock():
            pass
    assert (excinfo.value.code, excinfo.value.reason) == ("state.write_failed", "lock_symlink")
    assert not victim.exists(), "the symlink's target was created"


def test_a_symlinked_state_file_is_refused(tmp_path: Path) -> None:
    home = tmp_path / "state"
    home.mkdir(mode=0o700)
    elsewhere = tmp_path / "elsewhere.json"
    elsewhere.write_text('{"planted": true}', encoding="utf-8")
    (home / "registration.json").symlink_to(elsewhere)
    with pytest.raises(RegisterServerError) as excinfo:
        StateStore(home).load_json("registration.json")
    assert (excinfo.value.code, excinfo.value.reason) == ("state.corrupt", "symlink")
