"""The MSI (packaging/windows/msi.py): its tables, read back with msitools, and the package
installed and removed by Wine's msiexec.

The table test needs only msitools/wixl (scripts/setup.sh installs them) and runs everywhere
in about a second, on a stand-in app. The msiexec tests run under RUN_WINDOWS_BUILD=1: the
first installs the real build's MSI; upgrade, downgrade and refusals use stand-in apps (the
package logic is the same, building takes a second instead of the real payload's 11 s).
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.packaging.windows_support import (WinePrefix, built_installer, exit_code, leftovers, msi_package,
                                             stub_app)

APP_KEY = r"HKLM\Software\register-server"
INSTALL_DIR = r"C:\Program Files\Register Server"
PASSWORD = "proxy-password-that-must-not-leak"
ERROR_INSTALL_FAILURE = 1603     # what msiexec returns when a launch condition refuses


def wine_only(test):  # type: ignore[no-untyped-def]
    """Marks of a test that runs msiexec under Wine (minutes with the build; not by default)."""
    for mark in (pytest.mark.slow, pytest.mark.timeout(3600),
                 pytest.mark.skipif(os.environ.get("RUN_WINDOWS_BUILD") != "1",
                                    reason="needs Wine and the Windows build: run with RUN_WINDOWS_BUILD=1 "
                                           "(packaging/README.md)")):
        test = mark(test)
    return test


def _table(msi: Path, name: str) -> list[list[str]]:
    out = subprocess.run(["msiinfo", "export", str(msi), name], capture_output=True, text=True, check=True).stdout
    return [line.split("\t") for line in out.splitlines()[3:]]


def test_msi_tables_carry_the_rules(tmp_path: Path) -> None:
    msi = msi_package(stub_app(tmp_path, "_internal/extra.pyd"), "0.2.0", tmp_path / "rs.msi")
    files = {row[2].split("|")[-1] for row in _table(msi, "File")}
    assert {"register-server.exe", "register-server-gui.exe", "python311.dll", "extra.pyd",
            "install-scope.txt"} <= files
    conditions = {row[0] for row in _table(msi, "LaunchCondition")}
    assert "Installed OR WINDOWSBUILD >= 15063" in conditions
    assert "Installed OR NOT WIX_DOWNGRADE_DETECTED OR ALLOWDOWNGRADE" in conditions
    assert "NOT PROXYPASSWORD" in conditions
    upgrade = {(row[1], row[2], row[4], row[6]) for row in _table(msi, "Upgrade")}
    assert upgrade == {("0.0.0", "0.2.0", "256", "WIX_UPGRADE_DETECTED"), ("0.2.0", "", "0", "WIX_DOWNGRADE_DETECTED")}
    order = {row[0]: int(row[2]) for row in _table(msi, "InstallExecuteSequence")}
    # an older version goes first, as a whole, before anything of this one is installed
    assert order["InstallValidate"] < order["RemoveExistingProducts"] < order["InstallInitialize"]
    assert order["RemoveIniValues"] < order["RemoveFiles"] and order["InstallFiles"] < order["WriteIniValues"]
    assert order["Unregister"] < order["RemoveFiles"]
    ini = {row[4]: row[5] for row in _table(msi, "IniFile")}
    assert ini == {"mode": "'custom'", "host": "'[PROXYHOST]'", "port": "[PROXYPORT]", "username": "'[PROXYUSER]'",
                   "password_file": "'[PROXYPASSWORDFILE]'"}
    actions = {row[0]: row for row in _table(msi, "CustomAction")}
    assert actions["Unregister"][3] == "unregister --yes"
    summary = subprocess.run(["msiinfo", "suminfo", str(msi)], capture_output=True, text=True, check=True).stdout
    assert "x64" in summary


@pytest.fixture
def machine(tmp_path: Path) -> WinePrefix:
    return WinePrefix(tmp_path / "prefix").create()


def _msiexec(machine: WinePrefix, *args: str) -> subprocess.CompletedProcess[str]:
    return machine.run("msiexec", *args, "/qn")


@wine_only
def test_msi_silent_install_and_uninstall_leave_nothing(machine: WinePrefix, tmp_path: Path) -> None:
    msi = built_installer().with_name(f"register-server-{_version()}.msi")
    before = machine.snapshot()
    (machine.path / "drive_c/proxy-password.txt").write_text(PASSWORD)
    done = _msiexec(machine, "/i", f"Z:{msi}", "CACHEFOLDER=C:\\RSCache", "PROXYHOST=proxy.example", "PROXYPORT=3128",
                    "PROXYUSER=svc", "PROXYPASSWORDFILE=C:\\proxy-password.txt")
    assert done.returncode == 0, done.stdout
    settings = machine.reg_query(APP_KEY)
    assert settings is not None and settings["InstallMode"] == "MSI" and settings["Version"] == _version()
    assert settings["CacheFolder"].rstrip("\\") == "C:\\RSCache" and machine.drive_c("C:\\RSCache").is_dir()
    answers = machine.drive_c(f"{INSTALL_DIR}\\installer-answers.toml").read_text()
    import tomllib

    assert tomllib.loads(answers)["proxy"] == {"mode": "custom", "host": "proxy.example", "port": 3128,
                                               "username": "svc", "password_file": "C:\\proxy-password.txt"}
    assert machine.drive_c(f"{INSTALL_DIR}\\install-scope.txt").read_text().strip() == "machine"
    # Wine's msiexec puts a per-machine shortcut into the user's Start menu (Windows: All Users)
    assert list((machine.path / "drive_c").rglob("Start Menu/Programs/Register Server.lnk"))
    for path in [machine.path / "system.reg", machine.path / "user.reg"]:
        assert PASSWORD not in path.read_text(errors="replace")
    self_test = machine.run(f"{INSTALL_DIR}\\register-server.exe", "--self-test")
    assert self_test.returncode == 0 and "frozen" in self_test.stdout, self_test.stdout
    (machine.path / "drive_c/proxy-password.txt").unlink()

    assert _msiexec(machine, "/x", f"Z:{msi}").returncode == 0
    assert machine.reg_query(APP_KEY) is None
    assert leftovers(before, machine.snapshot()) == {"files_added": [], "files_removed": [],
                                                      "registry_added": [], "registry_removed": []}


def _version() -> str:
    from wizard import __version__

    return __version__


@wine_only
def test_msi_upgrade_removes_the_old_files_and_a_downgrade_is_refused(machine: WinePrefix, tmp_path: Path) -> None:
    old = msi_package(stub_app(tmp_path / "old", "_internal/only-in-old.pyd"), "0.0.9", tmp_path / "old.msi")
    new = msi_package(stub_app(tmp_path / "new"), "0.1.0", tmp_path / "new.msi")
    before = machine.snapshot()
    assert _msiexec(machine, "/i", f"Z:{old}", "CACHEFOLDER=C:\\RSCache").returncode == 0
    assert machine.drive_c(f"{INSTALL_DIR}\\_internal\\only-in-old.pyd").is_file()
    assert _msiexec(machine, "/i", f"Z:{new}").returncode == 0
    assert not machine.drive_c(f"{INSTALL_DIR}\\_internal\\only-in-old.pyd").exists()
    settings = machine.reg_query(APP_KEY)
    assert settings is not None and settings["Version"] == "0.1.0"
    assert settings["CacheFolder"].rstrip("\\") == "C:\\RSCache"   # the upgrade kept the chosen cache folder

    refused = _msiexec(machine, "/i", f"Z:{old}")
    assert refused.returncode == exit_code(ERROR_INSTALL_FAILURE), refused.stdout
    assert machine.reg_query(APP_KEY)["Version"] == "0.1.0"  # type: ignore[index]
    assert _msiexec(machine, "/i", f"Z:{old}", "ALLOWDOWNGRADE=1").returncode == 0
    assert machine.reg_query(APP_KEY)["Version"] == "0.0.9"  # type: ignore[index]
    assert _msiexec(machine, "/x", f"Z:{old}").returncode == 0
    assert leftovers(before, machine.snapshot()) == {"files_added": [], "files_removed": [],
                                                      "registry_added": [], "registry_removed": []}


@wine_only
@pytest.mark.parametrize("properties", [
    ["PROXYHOST=p.example", "PROXYPORT=3128", "PROXYUSER=u", f"PROXYPASSWORD={PASSWORD}"],
    ["PROXYHOST=p.example", "PROXYPORT=99999"],
    ["PROXYPORT=3128"],
    ["PROXYHOST=p'example", "PROXYPORT=3128"],
    ["windows=win81"],
], ids=["password", "port", "port-without-host", "quote", "windows-8.1"])
def test_msi_refusals_install_nothing(machine: WinePrefix, tmp_path: Path, properties: list[str]) -> None:
    msi = msi_package(stub_app(tmp_path), "0.1.0", tmp_path / "rs.msi")
    if properties == ["windows=win81"]:
        machine.set_windows_version("win81")
        properties = []
    before = machine.snapshot()
    refused = _msiexec(machine, "/i", f"Z:{msi}", *properties)
    assert refused.returncode == exit_code(ERROR_INSTALL_FAILURE), refused.stdout
    assert leftovers(before, machine.snapshot())["files_added"] == []
    assert machine.reg_query(APP_KEY) is None
