"""StateStore: documents, corrupt files, and the directory lock across processes."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from wizard.core.errors import RegisterServerError
from wizard.core.secret import Secret
from wizard.core.storage import StateStore

HOLD_LOCK = """
import sys, time
from wizard.core.storage import StateStore
with StateStore(sys.argv[1]).lock():
    print("locked", flush=True)
    time.sleep(60)
"""


def test_registration_round_trip(tmp_path: Path) -> None:
    store = StateStore(tmp_path / "home")
    assert store.load_registration() is None
    store.save_registration({"vault": "v1", "machine": "srv01", "proxy": {"host": "p", "port": 3128}})
    assert store.load_registration() == {"vault": "v1", "machine": "srv01", "proxy": {"host": "p", "port": 3128}}
    store.clear_registration()
    assert store.load_registration() is None
    store.clear_registration()  # idempotent


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
def test_state_dir_and_files_are_owner_only(tmp_path: Path) -> None:
    store = StateStore(tmp_path / "home")
    store.save_registration({"a": 1})
    assert stat.S_IMODE(store.root.stat().st_mode) == 0o700
    assert stat.S_IMODE(store.path("registration.json").stat().st_mode) == 0o600


def test_home_env_and_argument(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REGISTER_SERVER_HOME", str(tmp_path / "env"))
    assert StateStore().root == (tmp_path / "env").resolve()
    assert StateStore(tmp_path / "arg").root == (tmp_path / "arg").resolve()


def test_a_secret_cannot_be_saved_in_state(tmp_path: Path) -> None:
    store = StateStore(tmp_path)
    with pytest.raises(TypeError):
        store.save_registration({"proxy_password": Secret("nope-nope-nope")})
    assert store.load_registration() is None


@pytest.mark.parametrize("content,reason", [(b'{"vault": "v1", "mach', "not_json"), (b"[1, 2]", "not_an_object")])
def test_corrupt_registration_is_a_clear_error(tmp_path: Path, content: bytes, reason: str) -> None:
    store = StateStore(tmp_path)
    store.ensure()
    store.path("registration.json").write_bytes(content)
    with pytest.raises(RegisterServerError) as caught:
        store.load_registration()
    assert (caught.value.code, caught.value.reason) == ("state.corrupt", reason)


@pytest.mark.parametrize("name", ["", "..", "a/b", "../x"])
def test_path_refuses_anything_but_a_plain_name(tmp_path: Path, name: str) -> None:
    with pytest.raises(ValueError):
        StateStore(tmp_path).path(name)


def test_lock_is_reentrant_in_one_store(tmp_path: Path) -> None:
    store = StateStore(tmp_path)
    with store.lock():
        with store.lock():
            store.save_registration({"a": 1})
    with store.lock():
        pass


def test_second_process_gets_state_locked_at_once(tmp_path: Path) -> None:
    holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(tmp_path)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        with pytest.raises(RegisterServerError) as caught:
            with StateStore(tmp_path).lock():
                pass
        assert caught.value.code == "state.locked"
        assert "Another register-server" in caught.value.message
        # The lock dies with its process, even on SIGKILL: no stale lock to clean up.
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait(timeout=10)
        with StateStore(tmp_path).lock():
            pass
    finally:
        if holder.poll() is None:
            os.kill(holder.pid, signal.SIGKILL)
            holder.wait(timeout=10)
        holder.stdout.close()  # type: ignore[union-attr]


def test_second_store_in_same_process_is_locked_too(tmp_path: Path) -> None:
    with StateStore(tmp_path).lock():
        with pytest.raises(RegisterServerError) as caught:
            with StateStore(tmp_path).lock():
                pass
    assert caught.value.code == "state.locked"


def test_stale_temporary_files_are_removed_under_the_lock(tmp_path: Path) -> None:
    store = StateStore(tmp_path)
    store.ensure()
    stale = store.path(".registration.json.abc123.tmp")
    fresh = store.path(".registration.json.def456.tmp")
    stale.write_bytes(b"partial")
    fresh.write_bytes(b"in progress")
    old = time.time() - 3600
    os.utime(stale, (old, old))
    with store.lock():
        pass
    assert not stale.exists() and fresh.exists()


def test_another_thread_on_the_same_store_is_locked_out(tmp_path: Path) -> None:
    """Re-entrancy is for the holding thread only; a second thread is told, as a second process is."""
    import threading

    store = StateStore(tmp_path)
    outcome: list[str] = []

    def other() -> None:
        try:
            with store.lock():
                outcome.append("entered")
        except RegisterServerError as error:
            outcome.append(error.code)

    with store.lock():
        thread = threading.Thread(target=other)
        thread.start()
        thread.join(10)
    assert outcome == ["state.locked"]
    thread = threading.Thread(target=other)  # released: any thread may take it now
    thread.start()
    thread.join(10)
    assert outcome == ["state.locked", "entered"]
