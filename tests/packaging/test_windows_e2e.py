"""The installed Windows app registers: setup.exe installed silently into a fresh Wine prefix,
then the *installed* register-server.exe registers to the local vault started on Linux.

Takes minutes and needs Wine, NSIS and MinGW, so it runs only with RUN_WINDOWS_BUILD=1 (it then
runs packaging/windows/build.sh, which reuses its cached app and installer when their inputs are
unchanged; WINDOWS_INSTALLER=<setup.exe> tests an installer already built).

What it proves, end to end, with nothing stood in for except the two system DLLs Wine 8 lacks:
- the vault's TLS certificate is trusted through `vault.ca_bundle` alone (the CA is not in any
  Windows store of the prefix); the vault is named `localhost` because Wine 8's chain check does
  not match IP-address SANs (real Windows does);
- the traffic goes through a real proxy with basic authentication (tinyproxy on Linux);
- secrets come from a file (proxy password, first passphrase) and the environment (the new
  passphrase), never from argv; the passphrase files are written with the Win32 ACL;
- a per-machine install keeps state in %ProgramData%\\register-server and secrets DPAPI-protected
  in machine scope; a per-user install keeps them per user, secrets in Credential Manager
  (Wine's advapi32 Cred* functions);
- then `status`, a passphrase change (`settings`) and `unregister`, each by the installed exe.
Each phase's wall time is printed (run with -s to see it); no timing is asserted.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Iterator

import pytest

from tests.packaging.windows_support import WinePrefix, built_installer

pytestmark = [
    pytest.mark.slow,
    pytest.mark.timeout(3600),
    pytest.mark.skipif(os.environ.get("RUN_WINDOWS_BUILD") != "1",
                       reason="the Windows build takes minutes and needs Wine: run with RUN_WINDOWS_BUILD=1 "
                              "(see packaging/README.md)"),
]

PASSPHRASE = "windows fleet passphrase 2026!"
NEW_PASSPHRASE = "the new windows passphrase 2026"
MACHINE_INSTALL = r"C:\Program Files\Register Server"


class Phases:
    """Wall time of each phase, printed at the end of the test (for the integrator's CI budget)."""

    def __init__(self) -> None:
        self.times: list[tuple[str, float]] = []
        self._start = time.monotonic()

    def done(self, name: str) -> None:
        now = time.monotonic()
        self.times.append((name, now - self._start))
        self._start = now

    def report(self) -> str:
        return "phases: " + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in self.times)


@pytest.fixture(scope="module")
def installer() -> Iterator[Path]:
    started = time.monotonic()
    setup = built_installer()
    print(f"\nbuild (or cached build check): {time.monotonic() - started:.1f} s")
    yield setup


def _answers(machine: WinePrefix, vault_creds: Path, ca_file: Path, proxy, name: str) -> str:  # type: ignore[no-untyped-def]
    """The operator's answer file, with Windows paths (TOML literal strings: backslashes as typed)."""
    rs = machine.path / "drive_c/rs"
    (rs / "secure").mkdir(parents=True, exist_ok=True)
    (rs / "creds.VaultCredentials").write_bytes(vault_creds.read_bytes())
    (rs / "vault-ca.pem").write_bytes(ca_file.read_bytes())
    (rs / "proxy-password.txt").write_text(proxy.password)
    (rs / "passphrase-in.txt").write_text(PASSPHRASE)
    (rs / "answers.toml").write_text(f"""\
[machine]
name = '{name}'

[proxy]
mode = 'custom'
host = '127.0.0.1'
port = {proxy.port}
username = '{proxy.username}'
password_file = 'C:\\rs\\proxy-password.txt'

[vault]
credentials_file = 'C:\\rs\\creds.VaultCredentials'
ca_bundle = 'C:\\rs\\vault-ca.pem'

[recovery]
folder = 'C:\\rs\\recovery'
create = true

[encryption]
passphrase_file = 'C:\\rs\\passphrase-in.txt'
save_passphrase_to = 'C:\\rs\\secure\\{name}.passphrase.txt'
""")
    (rs / "change.toml").write_text(f"""\
[encryption]
passphrase_env = 'NEW_PASSPHRASE'
save_passphrase_to = 'C:\\rs\\secure\\{name}.new.passphrase.txt'
""")
    return "C:\\rs"


def _json_tail(output: str) -> dict:  # type: ignore[type-arg]
    """The last JSON object line of a command's output (Wine may add its own lines before it)."""
    for line in reversed(output.splitlines()):
        line = line.strip()
        if line.startswith("{"):
            return json.loads(line)  # type: ignore[no-any-return]
    raise AssertionError(f"no JSON line in:\n{output}")


@pytest.mark.parametrize("scope", ["machine", "user"])
def test_installed_windows_app_registers_changes_passphrase_and_unregisters(
        installer: Path, vault_service, auth_proxy, tmp_path: Path, scope: str) -> None:  # type: ignore[no-untyped-def]
    phases = Phases()
    machine = WinePrefix(tmp_path / "prefix").create()
    phases.done("fresh prefix")
    switches = ["/S", "/NOLAUNCH"] + (["/CurrentUser"] if scope == "user" else [])
    assert machine.run(str(installer), *switches).returncode == 0
    if scope == "machine":
        install_dir = MACHINE_INSTALL
    else:
        install_dir = next(str(p) for p in (machine.path / "drive_c/users").glob("*/AppData/Local/Programs/Register Server"))
        install_dir = "C:\\" + str(Path(install_dir).relative_to(machine.path / "drive_c")).replace("/", "\\")
    exe = f"{install_dir}\\register-server.exe"
    assert machine.drive_c(exe).is_file()
    assert machine.drive_c(f"{install_dir}\\install-scope.txt").read_text().strip() == scope
    phases.done("silent install")

    vault = vault_service.create_vault()
    name = f"winserver-{scope}"
    creds = vault_service.admin.issue_credentials(vault, tmp_path / "creds", base_url=f"https://localhost:{vault_service.port}")
    rs = _answers(machine, creds, vault_service.ca_file, auth_proxy, name)
    machine.env["NEW_PASSPHRASE"] = NEW_PASSPHRASE

    done = machine.run(exe, "register", "--answers", f"{rs}\\answers.toml", "--json")
    result = _json_tail(done.stdout)
    assert done.returncode == 0 and result.get("ok"), done.stdout
    assert result["vault"] == vault
    assert [m.name for m in vault_service.admin.machines(vault)] == [name]
    assert PASSPHRASE in (machine.path / f"drive_c/rs/secure/{name}.passphrase.txt").read_text()
    assert (machine.path / "drive_c/rs/recovery").is_dir()
    phases.done("register")

    program_data = machine.path / "drive_c/ProgramData/register-server"
    if scope == "machine":  # the registration is the machine's: state and DPAPI secrets under ProgramData
        assert (program_data / "secrets.dpapi.json").is_file()
        stored = (program_data / "secrets.dpapi.json").read_text()
        assert PASSPHRASE not in stored and auth_proxy.password not in stored
    else:
        assert not program_data.exists()
    # no secret reached a file in plain text outside the passphrase files the user asked for
    for path in (machine.path / "drive_c").rglob("*"):
        if path.is_file() and path.suffix in {".json", ".toml", ".log", ".txt"} and "rs" not in path.parts:
            text = path.read_text(errors="replace")
            assert PASSPHRASE not in text and auth_proxy.password not in text, path

    status = machine.run(exe, "status", "--json")
    info = _json_tail(status.stdout)
    assert status.returncode == 0 and info["registered"], status.stdout
    assert info["vault"]["name"] == vault and info["machine"]["name"] == name
    assert info["settings"]["vault_ca_bundle"] == "C:\\rs\\vault-ca.pem"
    assert info["settings"]["proxy"]["password"] == "keyring:proxy-password"
    assert PASSPHRASE not in status.stdout and auth_proxy.password not in status.stdout
    phases.done("status")

    change = machine.run(exe, "settings", "--answers", f"{rs}\\change.toml", "--json")
    assert change.returncode == 0, change.stdout
    assert _json_tail(change.stdout)["changed"] == ["encryption"]
    assert NEW_PASSPHRASE in (machine.path / f"drive_c/rs/secure/{name}.new.passphrase.txt").read_text()
    status = _json_tail(machine.run(exe, "status", "--json").stdout)
    assert status["settings"]["encryption"]["passphrase_file"] == f"C:\\rs\\secure\\{name}.new.passphrase.txt"
    phases.done("settings (passphrase change)")

    gone = machine.run(exe, "unregister", "--yes", "--json")
    assert gone.returncode == 0, gone.stdout
    assert _json_tail(gone.stdout)["removed_from_vault"] is True
    assert vault_service.admin.machines(vault) == []
    assert machine.run(exe, "status").returncode != 0
    phases.done("unregister")
    print(f"\n[{scope}] {phases.report()}")
