"""Per-machine installs keep one machine-wide registration; per-user installs keep today's."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from wizard.core import install_scope, paths
from wizard.core.install_scope import MACHINE, USER, machine_state_dir, read_scope
from wizard.core.secret import Secret
from wizard.core.secrets.dpapi_file import FILE, DpapiMachineKeyring
from wizard.core.secrets.store import SecretStore


@pytest.mark.parametrize("content, scope", [("machine\r\n", MACHINE), ("\ufeffMachine", MACHINE), ("user", USER),
                                            ("something else", USER), (None, USER)])
def test_the_installer_file_decides_the_scope(tmp_path: Path, content: str | None, scope: str) -> None:
    if content is not None:
        (tmp_path / "install-scope.txt").write_text(content, encoding="utf-8")
    assert read_scope(tmp_path) == scope


def test_running_from_source_or_on_linux_is_per_user() -> None:
    assert install_scope.current_scope() == USER


def test_machine_scope_keeps_state_under_programdata(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(paths.HOME_ENV, raising=False)
    monkeypatch.setenv("ProgramData", "D:\\ProgramData")
    monkeypatch.setattr(install_scope, "current_scope", lambda: MACHINE)
    assert paths.state_dir() == Path("D:\\ProgramData") / "register-server"
    assert install_scope.is_machine_state(paths.state_dir())
    assert machine_state_dir({}) == Path("C:\\ProgramData") / "register-server"
    monkeypatch.setattr(install_scope, "current_scope", lambda: USER)
    assert paths.state_dir() != machine_state_dir()


def _fake_dpapi() -> tuple[list[bytes], object, object]:
    """A reversible stand-in for CryptProtectData that records what it was asked to protect."""
    seen: list[bytes] = []

    def protect(data: bytes) -> bytes:
        seen.append(data)
        return b"DPAPI" + bytes(b ^ 0x5A for b in data)

    def unprotect(data: bytes) -> bytes:
        assert data.startswith(b"DPAPI")
        return bytes(b ^ 0x5A for b in data[5:])

    return seen, protect, unprotect


def test_machine_secrets_go_through_dpapi_into_the_state_folder(tmp_path: Path) -> None:
    seen, protect, unprotect = _fake_dpapi()
    backend = DpapiMachineKeyring(tmp_path, protect=protect, unprotect=unprotect)  # type: ignore[arg-type]
    store = SecretStore("machine", backend=backend)
    store.set("backup-passphrase", Secret("correct horse battery staple"))
    store.set("proxy-password", Secret("pr0xy"))
    assert store.require("backup-passphrase").reveal() == "correct horse battery staple"
    assert seen == [b"correct horse battery staple", b"pr0xy"]
    text = (tmp_path / FILE).read_text()
    assert "correct horse" not in text and "pr0xy" not in text
    blobs = json.loads(text)["entries"].values()
    assert all(base64.b64decode(b).startswith(b"DPAPI") for b in blobs)
    # a second reader (another administrator, the SYSTEM service) opens the same file
    other = SecretStore("machine", backend=DpapiMachineKeyring(tmp_path, protect=protect, unprotect=unprotect))  # type: ignore[arg-type]
    assert other.require("proxy-password").reveal() == "pr0xy"
    store.delete("proxy-password")
    store.delete("proxy-password")  # absent: not an error
    assert other.get("proxy-password") is None and other.get("backup-passphrase") is not None


def test_a_damaged_machine_secrets_file_is_a_clear_store_error(tmp_path: Path) -> None:
    from wizard.core.errors import RegisterServerError

    (tmp_path / FILE).write_text("{}")
    store = SecretStore("machine", backend=DpapiMachineKeyring(tmp_path, protect=bytes, unprotect=bytes))
    with pytest.raises(RegisterServerError) as caught:
        store.get("backup-passphrase")
    assert caught.value.code == "secrets.unavailable"
