"""The systemd-creds store: real round trips with /usr/bin/systemd-creds, and every failure path.

Real systemd-creds (as root, its host key) for what the store does; a recording runner for
what it must never do (a secret in argv) and for failures this machine cannot produce on
demand (a missing program, a hung TPM, a host key only root can read).
"""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path
from typing import Sequence

import pytest

from wizard.core.errors import RegisterServerError
from wizard.core.secret import Secret
from wizard.core.secrets import choice, systemd_creds
from wizard.core.secrets.store import SecretStore
from wizard.core.secrets.systemd_creds import FOLDER, SystemdCredsKeyring

VALUE = "a headless secret 4711 that must stay sealed"


def _store(root: Path, runner: systemd_creds.Runner | None = None) -> SecretStore:
    return SecretStore("test", backend=SystemdCredsKeyring(root, runner=runner))


def test_round_trip_with_real_systemd_creds_seals_in_private_files(tmp_path: Path) -> None:
    old = os.umask(0)  # whatever the umask: folder 0700, blob 0600
    try:
        store = _store(tmp_path)
        store.set("backup-passphrase", Secret(VALUE))
    finally:
        os.umask(old)
    folder = tmp_path / FOLDER
    blob = folder / "backup-passphrase.cred"
    assert stat.S_IMODE(folder.lstat().st_mode) == 0o700
    assert stat.S_IMODE(blob.lstat().st_mode) == 0o600
    assert VALUE.encode() not in blob.read_bytes() and b"4711" not in blob.read_bytes()
    assert store.get("backup-passphrase") == Secret(VALUE)
    store.set("backup-passphrase", Secret("replaced value"))
    assert store.get("backup-passphrase").reveal() == "replaced value"
    store.delete("backup-passphrase")
    assert store.get("backup-passphrase") is None and list(folder.iterdir()) == []
    store.delete("backup-passphrase")  # deleting what is not there is fine


def test_a_blob_moved_to_another_entry_or_damaged_is_undecryptable_with_a_fix(tmp_path: Path) -> None:
    store = _store(tmp_path)
    store.set("backup-passphrase", Secret(VALUE))
    folder = tmp_path / FOLDER
    (folder / "backup-passphrase.cred").rename(folder / "proxy-password.cred")  # the name is sealed in the blob
    with pytest.raises(RegisterServerError) as moved:
        store.get("proxy-password")
    assert moved.value.code == "secrets.undecryptable"
    assert "unregister --local-only" in moved.value.fix and VALUE not in str(moved.value.to_dict())
    blob = folder / "proxy-password.cred"
    blob.write_bytes(blob.read_bytes()[:40] + b"AAAA" + blob.read_bytes()[44:])
    with pytest.raises(RegisterServerError) as damaged:
        store.get("proxy-password")
    assert damaged.value.code == "secrets.undecryptable"
    store.delete("proxy-password")  # what cannot be opened can still be forgotten (unregister --local-only)
    assert list(folder.iterdir()) == []


class Recorder:
    """Stands in for systemd-creds: records argv and stdin, answers as told."""

    def __init__(self, returncode: int = 0, stderr: bytes = b"", raises: BaseException | None = None) -> None:
        self.calls: list[tuple[list[str], bytes]] = []
        self.returncode, self.stderr, self.raises = returncode, stderr, raises

    def __call__(self, argv: Sequence[str], data: bytes) -> subprocess.CompletedProcess[bytes]:
        self.calls.append((list(argv), data))
        if self.raises is not None:
            raise self.raises
        out = b"sealed:" + data[::-1] if "encrypt" in argv else data[len(b"sealed:"):][::-1]
        return subprocess.CompletedProcess(list(argv), self.returncode, out if self.returncode == 0 else b"",
                                           self.stderr)


def test_the_value_goes_on_stdin_never_in_argv(tmp_path: Path) -> None:
    runner = Recorder()
    store = _store(tmp_path, runner)
    store.set("proxy-password", Secret(VALUE))
    assert store.get("proxy-password").reveal() == VALUE
    (encrypt_argv, encrypt_in), (decrypt_argv, _) = runner.calls
    assert encrypt_in == VALUE.encode()
    assert all(VALUE not in arg for argv, _ in runner.calls for arg in argv)
    assert "--with-key=auto" in encrypt_argv and "--tpm2-pcrs=" in encrypt_argv
    assert "--name=register-server.proxy-password" in encrypt_argv and encrypt_argv[-2:] == ["-", "-"]
    assert "--name=register-server.proxy-password" in decrypt_argv


def test_encrypt_refused_is_unavailable_saying_root_and_writes_nothing(tmp_path: Path) -> None:
    runner = Recorder(returncode=1, stderr=b"Credential secret file '/var/lib/systemd/credential.secret' is not "
                                           b"located on encrypted media, using anyway.\n"
                                           b"Failed to determine local credential key: Permission denied\n")
    with pytest.raises(RegisterServerError) as refused:
        _store(tmp_path, runner).set("backup-passphrase", Secret(VALUE))
    assert refused.value.code == "secrets.unavailable" and refused.value.reason == "systemd_creds_encrypt_failed"
    assert "Permission denied" in refused.value.message and "encrypted media" not in refused.value.message
    assert "root" in refused.value.fix and "plain text" in refused.value.fix
    assert not (tmp_path / FOLDER).exists()  # never a plain-text (or any) file instead


def test_decrypt_without_access_to_the_host_key_is_unavailable_not_undecryptable(tmp_path: Path) -> None:
    (tmp_path / FOLDER).mkdir(mode=0o700)
    (tmp_path / FOLDER / "backup-passphrase.cred").write_bytes(b"sealed blob")
    runner = Recorder(returncode=1, stderr=b"Failed to determine local credential key: Permission denied\n")
    with pytest.raises(RegisterServerError) as refused:
        _store(tmp_path, runner).get("backup-passphrase")
    assert refused.value.code == "secrets.unavailable" and "root" in refused.value.fix


def test_missing_systemd_creds_names_the_debian_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(systemd_creds.shutil, "which", lambda name: None)
    monkeypatch.setattr(systemd_creds, "FALLBACK_PATHS", ())
    with pytest.raises(RegisterServerError) as missing:
        _store(tmp_path).set("backup-passphrase", Secret(VALUE))
    assert missing.value.code == "secrets.store_not_installed"
    assert "`apt-get install systemd`" in missing.value.fix
    from wizard.core.secrets.availability import secret_store_problem

    problem = secret_store_problem(store=choice.SYSTEMD_CREDS)
    assert problem is not None and problem.code == "secrets.store_not_installed"
    assert "apt-get install systemd" in problem.fix and "gnome-keyring" not in problem.fix


def test_a_hung_or_unstartable_program_is_unavailable(tmp_path: Path) -> None:
    hung = Recorder(raises=subprocess.TimeoutExpired(["systemd-creds"], systemd_creds.TIMEOUT))
    with pytest.raises(RegisterServerError) as timed_out:
        _store(tmp_path, hung).set("backup-passphrase", Secret(VALUE))
    assert (timed_out.value.code, timed_out.value.reason) == ("secrets.unavailable", "systemd_creds_timeout")
    broken = Recorder(raises=PermissionError(13, "Permission denied"))
    with pytest.raises(RegisterServerError) as not_started:
        _store(tmp_path, broken).set("backup-passphrase", Secret(VALUE))
    assert not_started.value.reason == "systemd_creds_not_started"


def test_a_symlink_in_place_of_the_folder_or_a_blob_is_refused(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    root = tmp_path / "state"
    root.mkdir()
    (root / FOLDER).symlink_to(elsewhere)
    with pytest.raises(RegisterServerError) as planted:
        _store(root).set("backup-passphrase", Secret(VALUE))
    assert planted.value.code == "state.write_failed" and list(elsewhere.iterdir()) == []
    with pytest.raises(RegisterServerError) as read:
        _store(root).get("backup-passphrase")
    assert read.value.code == "state.corrupt"
    (root / FOLDER).unlink()
    _store(root).set("proxy-password", Secret(VALUE))
    (elsewhere / "x.cred").write_bytes((root / FOLDER / "proxy-password.cred").read_bytes())
    (root / FOLDER / "backup-passphrase.cred").symlink_to(elsewhere / "x.cred")
    with pytest.raises(RegisterServerError) as link:
        _store(root).get("backup-passphrase")
    assert (link.value.code, link.value.reason) == ("state.corrupt", "symlink")


def test_real_probe_and_self_test_check_the_chosen_store(tmp_path: Path) -> None:
    from wizard.core.secrets.availability import secret_store_problem
    from wizard.self_test import check_secret_store

    assert secret_store_problem(store=choice.SYSTEMD_CREDS) is None
    check = check_secret_store(choice.SYSTEMD_CREDS, str(tmp_path / "home"))
    assert check.ok and "systemd-creds" in check.detail
    assert not (tmp_path / "home").exists()  # the probe writes nothing


def test_the_record_decides_and_a_contradicting_choice_is_refused(tmp_path: Path) -> None:
    from wizard.self_test import check_secret_store

    assert choice.store_for(tmp_path, None) == choice.KEYRING  # nothing registered: the default
    assert choice.store_for(tmp_path, choice.SYSTEMD_CREDS) == choice.SYSTEMD_CREDS
    (tmp_path / "registration.json").write_text('{"registered_at": "x"}')  # written before the choice existed
    assert choice.store_for(tmp_path, None) == choice.KEYRING
    (tmp_path / "registration.json").write_text('{"secret_store": "systemd-creds"}')
    assert choice.store_for(tmp_path, None) == choice.SYSTEMD_CREDS
    assert isinstance(SecretStore.for_state_dir(tmp_path).backend, SystemdCredsKeyring)
    with pytest.raises(RegisterServerError) as mismatch:
        choice.store_for(tmp_path, choice.KEYRING)
    assert mismatch.value.code == "secrets.store_mismatch" and "systemd-creds" in mismatch.value.message
    check = check_secret_store(choice.KEYRING, str(tmp_path))
    assert not check.ok and "secrets.store_mismatch" in check.detail


def test_as_a_user_who_cannot_read_the_host_key_the_real_program_refuses_with_the_root_advice(tmp_path: Path) -> None:
    """The real systemd-creds run as `nobody` (the host key is root's): what a non-root administrator meets."""
    def as_nobody(argv: Sequence[str], data: bytes) -> subprocess.CompletedProcess[bytes]:
        return systemd_creds.run_program(["runuser", "-u", "nobody", "--", *argv], data)

    with pytest.raises(RegisterServerError) as refused:
        _store(tmp_path, as_nobody).set("backup-passphrase", Secret(VALUE))
    assert refused.value.code == "secrets.unavailable" and "Permission denied" in refused.value.message
    assert "run register-server as root" in refused.value.fix
    assert not (tmp_path / FOLDER).exists()
    _store(tmp_path).set("backup-passphrase", Secret(VALUE))  # sealed by root ...
    (tmp_path / FOLDER).chmod(0o755)
    (tmp_path / FOLDER / "backup-passphrase.cred").chmod(0o644)  # ... readable, yet not decryptable by nobody
    with pytest.raises(RegisterServerError) as unreadable_key:
        systemd_creds.decrypt((tmp_path / FOLDER / "backup-passphrase.cred").read_bytes(),
                              "register-server.backup-passphrase", runner=as_nobody)
    assert unreadable_key.value.code == "secrets.unavailable"  # not "undecryptable": the blob is fine


def test_diagnostics_name_the_store_and_never_take_a_blob(tmp_path: Path) -> None:
    import json
    import zipfile

    from wizard.commands.diagnostics import build_bundle

    home = tmp_path / "home"
    home.mkdir(mode=0o700)
    (home / "registration.json").write_text('{"secret_store": "systemd-creds"}')
    store = SecretStore.for_state_dir(home)  # the record says systemd-creds
    store.set("backup-passphrase", Secret(VALUE))
    (home / FOLDER / "notes.txt").write_text("a text file beside the blobs")  # would go in by its suffix
    (home / FOLDER / "x.cred.txt").write_bytes((home / FOLDER / "backup-passphrase.cred").read_bytes())
    summary = build_bundle(tmp_path / "diag.zip", home=home)
    with zipfile.ZipFile(tmp_path / "diag.zip") as archive:
        facts = json.loads(archive.read("facts.json"))
        names = archive.namelist()
    assert facts["secret_store"] == "systemd-creds"
    assert "state/systemd-creds/notes.txt" in names  # the folder is looked at ...
    assert not any(".cred" in name for name in names)  # ... its blobs never go in
    assert f"{FOLDER}/backup-passphrase.cred" in summary.left_out
