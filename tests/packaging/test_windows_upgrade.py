"""The NSIS installer's whole life under Wine: upgrade, downgrade, both scopes, the original
agent's switches, an unsupported Windows, and uninstalling while registered.

Runs only with RUN_WINDOWS_BUILD=1 (Wine; the registration test needs the real build). The
version and switch rules are tested on stand-in apps built from the same installer.nsi
without compression (a second each); what runs the installed app uses the real build, with
an "older version" made from it by the same script (packaging/windows/installer.nsi, the
version number changed, one file added that only the old version has).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.packaging.windows_support import (WinePrefix, built_installer, exit_code, leftovers, nsis_installer,
                                             split_command, stub_app)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.timeout(3600),
    pytest.mark.skipif(os.environ.get("RUN_WINDOWS_BUILD") != "1",
                       reason="needs Wine (and the Windows build): run with RUN_WINDOWS_BUILD=1 (packaging/README.md)"),
]
UNINSTALL_KEY = r"Software\Microsoft\Windows\CurrentVersion\Uninstall\RegisterServer"
APP_KEY = r"Software\register-server"
INSTALL_DIR = r"C:\Program Files\Register Server"
EXIT_USAGE, EXIT_OLD_WINDOWS, EXIT_NEWER_INSTALLED = 2, 1150, 1638
NOTHING = {"files_added": [], "files_removed": [], "registry_added": [], "registry_removed": []}


@pytest.fixture
def machine(tmp_path: Path) -> WinePrefix:
    return WinePrefix(tmp_path / "prefix").create()


def _version(machine: WinePrefix, hive: str = "HKLM") -> str | None:
    settings = machine.reg_query(f"{hive}\\{APP_KEY}")
    return None if settings is None else settings["Version"]


def test_upgrade_removes_old_only_files_and_a_downgrade_is_refused(machine: WinePrefix, tmp_path: Path) -> None:
    old = nsis_installer(stub_app(tmp_path / "old", "_internal/only-in-old.pyd"), "0.0.9", tmp_path / "old-setup.exe")
    new = nsis_installer(stub_app(tmp_path / "new"), "0.1.0", tmp_path / "new-setup.exe")
    before = machine.snapshot()
    assert machine.run(str(old), "/S", "/CACHE=C:\\RSCache").returncode == 0
    assert machine.drive_c(f"{INSTALL_DIR}\\_internal\\only-in-old.pyd").is_file()
    assert machine.run(str(new), "/S").returncode == 0
    assert _version(machine) == "0.1.0"
    assert not machine.drive_c(f"{INSTALL_DIR}\\_internal\\only-in-old.pyd").exists()
    assert machine.reg_query(f"HKLM\\{APP_KEY}")["CacheFolder"] == "C:\\RSCache"  # type: ignore[index]

    refused = machine.run(str(old), "/S")
    assert refused.returncode == exit_code(EXIT_NEWER_INSTALLED), refused.stdout
    assert _version(machine) == "0.1.0" and machine.drive_c(f"{INSTALL_DIR}\\register-server.exe").is_file()
    assert machine.run(str(old), "/S", "/ALLOWDOWNGRADE").returncode == 0
    assert _version(machine) == "0.0.9"

    entry = machine.reg_query(f"HKLM\\{UNINSTALL_KEY}")
    assert entry is not None and machine.run(*split_command(entry["QuietUninstallString"])).returncode == 0
    machine.reboot()
    assert leftovers(before, machine.snapshot()) == NOTHING


def test_original_agent_switches_are_aliases_and_pw_is_refused(machine: WinePrefix, tmp_path: Path) -> None:
    setup = nsis_installer(stub_app(tmp_path), "0.1.0", tmp_path / "setup.exe")
    before = machine.snapshot()
    refused = machine.run(str(setup), "/q", "/ph:proxy.example", "/po:3128", "/pu:svc", "/pw:secret")
    assert refused.returncode == EXIT_USAGE, refused.stdout
    assert leftovers(before, machine.snapshot())["files_added"] == []

    assert machine.run(str(setup), "/q", "/p:C:\\RS", "/s:C:\\RSCache", "/ph:proxy.example", "/po:3128", "/pu:svc",
                       "/nu").returncode == 0
    entry = machine.reg_query(f"HKLM\\{UNINSTALL_KEY}")
    assert entry is not None and entry["InstallLocation"] == "C:\\RS"
    assert machine.reg_query(f"HKLM\\{APP_KEY}")["CacheFolder"] == "C:\\RSCache"  # type: ignore[index]
    import tomllib

    answers = tomllib.loads(machine.drive_c("C:\\RS\\installer-answers.toml").read_text())
    assert answers["proxy"] == {"mode": "custom", "host": "proxy.example", "port": 3128, "username": "svc"}

    # /d: the original agent's uninstall switch, run from the setup program; it waits for the end
    assert machine.run(str(setup), "/q", "/d").returncode == 0
    machine.reboot()
    assert leftovers(before, machine.snapshot()) == NOTHING


def test_each_scope_has_one_entry_under_its_own_name(machine: WinePrefix, tmp_path: Path) -> None:
    setup = nsis_installer(stub_app(tmp_path), "0.1.0", tmp_path / "setup.exe")
    for _ in range(2):   # installing again over an install gives no second entry
        assert machine.run(str(setup), "/S").returncode == 0
    assert machine.run(str(setup), "/S", "/CurrentUser").returncode == 0
    machine_entry = machine.reg_query(f"HKLM\\{UNINSTALL_KEY}")
    user_entry = machine.reg_query(f"HKCU\\{UNINSTALL_KEY}")
    assert machine_entry is not None and user_entry is not None
    assert machine_entry["DisplayName"] == "Register Server"
    assert user_entry["DisplayName"] == "Register Server (current user)"
    uninstall_keys = (machine.path / "system.reg").read_text(errors="replace").count("Uninstall\\\\RegisterServer]")
    assert uninstall_keys == 1


def test_an_older_windows_is_refused(machine: WinePrefix, tmp_path: Path) -> None:
    setup = nsis_installer(stub_app(tmp_path), "0.1.0", tmp_path / "setup.exe")
    machine.set_windows_version("win81")
    before = machine.snapshot()
    refused = machine.run(str(setup), "/S")
    assert refused.returncode == exit_code(EXIT_OLD_WINDOWS), refused.stdout
    assert leftovers(before, machine.snapshot())["files_added"] == []
    machine.set_windows_version("win10")          # Wine's Windows 10 is build 18362, past 15063
    assert machine.run(str(setup), "/S").returncode == 0


def _register(machine: WinePrefix, vault_service, tmp_path: Path, name: str) -> str:  # type: ignore[no-untyped-def]
    rs = machine.path / "drive_c/rs"
    (rs / "secure").mkdir(parents=True)
    vault = vault_service.create_vault()
    creds = vault_service.admin.issue_credentials(vault, tmp_path / "creds",
                                                  base_url=f"https://localhost:{vault_service.port}")
    (rs / "creds.VaultCredentials").write_bytes(creds.read_bytes())
    (rs / "vault-ca.pem").write_bytes(vault_service.ca_file.read_bytes())
    (rs / "passphrase-in.txt").write_text("an upgrade keeps this passphrase 2026")
    (rs / "answers.toml").write_text(f"""\
[machine]
name = '{name}'

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
    done = machine.run(f"{INSTALL_DIR}\\register-server.exe", "register", "--answers", "C:\\rs\\answers.toml", "--json")
    assert done.returncode == 0, done.stdout
    return vault


def _uninstall_log(machine: WinePrefix) -> str:
    logs = list((machine.path / "drive_c/users").rglob("register-server-uninstall.log"))
    assert len(logs) == 1, logs
    return logs[0].read_text(errors="replace")


def test_upgrade_keeps_the_registration_and_uninstall_keeps_it_unless_unregister(
        machine: WinePrefix, vault_service, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    current = built_installer()
    app = tmp_path / "old-app"
    shutil.copytree(current.parent / "register-server", app)
    (app / "_internal/only-in-old.txt").write_text("a file the next version does not ship")
    old = nsis_installer(app, "0.0.9", tmp_path / "old-setup.exe")
    exe = f"{INSTALL_DIR}\\register-server.exe"
    state = machine.path / "drive_c/ProgramData/register-server/registration.json"

    assert machine.run(str(old), "/S").returncode == 0
    vault = _register(machine, vault_service, tmp_path, "upgraded-server")
    assert machine.run(str(current), "/S").returncode == 0            # the upgrade
    assert not machine.drive_c(f"{INSTALL_DIR}\\_internal\\only-in-old.txt").exists()
    status = machine.run(exe, "status")
    assert status.returncode == 0 and vault in status.stdout, status.stdout

    entry = machine.reg_query(f"HKLM\\{UNINSTALL_KEY}")
    assert entry is not None and machine.run(*split_command(entry["QuietUninstallString"])).returncode == 0
    assert not machine.drive_c(exe).exists()
    assert state.is_file() and [m.name for m in vault_service.admin.machines(vault)] == ["upgraded-server"]
    log = _uninstall_log(machine)
    assert "kept: the registration" in log and "upgraded-server" in log, log

    assert machine.run(str(current), "/S").returncode == 0            # installing again picks it up
    assert machine.run(exe, "status").returncode == 0
    uninstall = split_command(machine.reg_query(f"HKLM\\{UNINSTALL_KEY}")["QuietUninstallString"])  # type: ignore[index]
    assert machine.run(*uninstall, "/UNREGISTER").returncode == 0
    assert vault_service.admin.machines(vault) == []
    assert not state.exists()
    assert "kept: nothing (this server is unregistered)" in _uninstall_log(machine)
