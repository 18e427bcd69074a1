"""Helpers for the Windows installer tests: fresh Wine prefixes, snapshots, registry queries.

A snapshot is the prefix's file list (drive_c) plus every registry key and value name in its
system.reg and user.reg (written by wineserver on exit). Comparing a snapshot taken before
the install with one taken after the uninstall shows every file and registry entry the
installer added and the uninstaller left behind.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WORK = ROOT / "packaging/windows/work"

# Noise that is Wine's or NSIS's own, never the product's (each documented where it arises):
# - NSIS runs its uninstaller from a copy in %TEMP%\~nsuN.tmp, queued for deletion at the next
#   restart; Wine's simulated restart (wineboot -r) deletes the file but not the folder.
TEMP_NOISE = re.compile(r"^drive_c/users/[^/]+/Temp/~nsu[^/]*\.tmp(/|$)")
# - Windows Installer keeps its package cache in C:\Windows\Installer, a folder every Windows has;
#   a fresh Wine prefix gets it with the first msiexec run.
MSI_NOISE = re.compile(r"^drive_c/windows/Installer$")
# - Windows Installer's own bookkeeping containers (every Windows has them): Wine's msiexec
#   creates them on first use and leaves them, empty, when the last product is removed. Only
#   the containers themselves: a product's, feature's or component's key (a GUID) still counts.
MSI_CONTAINER_KEYS = re.compile(r"^Software\\\\(Classes\\\\Installer|Microsoft\\\\Windows\\\\CurrentVersion\\\\Installer)"
                                r"(\\\\(UserData|S-1-5-18|Features|Products|Components|UpgradeCodes|Folders|Patches|"
                                r"Managed|InProgress))*$")
# - Wine's own bookkeeping, which Windows has no counterpart of: the key its Credential Manager
#   encrypts with (made by the first CredWrite, e.g. the self-test's secret-store round trip) and
#   the Linux desktop entries it mirrors Start-menu shortcuts to (MenuFiles, from Wine's msiexec).
WINE_OWN_KEYS = re.compile(r"^Software\\\\Wine\\\\(Credential Manager|MenuFiles)$")
# - Wine re-enumerates its virtual hardware on every start, dropping and re-adding these keys.
WINE_VOLATILE_KEYS = re.compile(r"^(Software\\\\Microsoft\\\\Windows NT\\\\CurrentVersion\\\\NetworkCards"
                                r"|System\\\\CurrentControlSet\\\\Control\\\\Class\\\\)")


@dataclass(frozen=True)
class Snapshot:
    files: frozenset[str]
    registry: frozenset[tuple[str, str, str | None]]  # (hive file, key, value name or None for the key)


def _registry_entries(path: Path) -> set[tuple[str, str, str | None]]:
    entries: set[tuple[str, str, str | None]] = set()
    key = None
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        header = re.match(r"^\[(.*)\](?: \d+)?$", line)
        if header:
            key = header.group(1)
            entries.add((path.name, key, None))
        elif key and line[:1] in {'"', "@"}:
            entries.add((path.name, key, line.split("=", 1)[0]))
    return entries


class WinePrefix:
    """A fresh 64-bit Wine prefix standing for a clean Windows 10 machine."""

    def __init__(self, path: Path) -> None:
        self.path = path
        # Wine mirrors Start-menu shortcuts and icons into the Linux desktop's menus: keep them
        # next to the prefix, never in the real ~/.local and ~/.config.
        self.env = {**os.environ, "WINEPREFIX": str(path), "WINEARCH": "win64", "WINEDEBUG": "-all",
                    "WINEDLLOVERRIDES": "mscoree,mshtml=,winemenubuilder.exe=d",
                    "XDG_DATA_HOME": str(path.parent / "xdg-data"), "XDG_CONFIG_HOME": str(path.parent / "xdg-config")}
        self.env.pop("DISPLAY", None)

    def create(self, windows: str = "win10") -> "WinePrefix":
        self.run("wineboot", "-i")
        # Debian's Wine 8 reports Windows 7 by default; the installers refuse anything older than
        # Windows 10 1703, so a prefix standing for a supported machine says Windows 10 (build 18362)
        self.set_windows_version(windows)
        # Windows 10 has ICU and ProcessPrng in its system folder; Wine 8 lacks both, so the
        # build's stand-ins play the operating system's part here (never the product's).
        for dll in ("icuuc.dll", "bcryptprimitives.dll"):
            shutil.copy(WORK / dll, self.path / "drive_c/windows/system32" / dll)
        self.run("cmd", "/c", "exit")  # one more start, so Wine's volatile keys settle
        return self

    def set_windows_version(self, name: str) -> None:
        """Wine's version setting (`winecfg -v win81`): what GetVersionEx, the kernel's shared
        data and HKLM\\...\\Windows NT\\CurrentVersion report from then on."""
        assert self.run("winecfg", "-v", name).returncode == 0

    def run(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        """Run a Windows program; output through a pipe (a Windows program given a regular
        file as stdout dies at start under Wine), then wait until every Wine process ended."""
        result = subprocess.run(["wine", *args], env=self.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, text=True, timeout=timeout)
        subprocess.run(["wineserver", "-w"], env=self.env, timeout=timeout, check=False)
        return result

    def reboot(self) -> None:
        """What a Windows restart does for an uninstall: run the delete-at-reboot queue
        (PendingFileRenameOperations), where NSIS puts its uninstaller's temporary copy."""
        self.run("wineboot", "-r")

    def drive_c(self, windows_path: str) -> Path:
        assert windows_path[:3].upper() == "C:\\"
        return self.path / "drive_c" / Path(*windows_path[3:].split("\\"))

    def reg_query(self, key: str) -> dict[str, str] | None:
        """Values of a registry key via `wine reg query`, or None when the key does not exist."""
        result = self.run("reg", "query", key)
        if result.returncode != 0:
            return None
        values = {}
        for line in result.stdout.splitlines():
            match = re.match(r"^\s{4}(\S.*?)\s{4}(REG_\w+)\s{4}(.*)$", line)
            if match:
                values[match.group(1)] = match.group(3)
        return values

    def snapshot(self) -> Snapshot:
        subprocess.run(["wineserver", "-w"], env=self.env, timeout=120, check=False)
        files = frozenset(p.relative_to(self.path).as_posix() for p in (self.path / "drive_c").rglob("*"))
        registry = _registry_entries(self.path / "system.reg") | _registry_entries(self.path / "user.reg")
        return Snapshot(files, frozenset(registry))


def leftovers(before: Snapshot, after: Snapshot) -> dict[str, list[object]]:
    """What `after` has that `before` had not (minus documented noise), and what it lost."""
    return {
        "files_added": sorted(f for f in after.files - before.files if not TEMP_NOISE.match(f) and not MSI_NOISE.match(f)),
        "files_removed": sorted(before.files - after.files),
        "registry_added": sorted((e for e in after.registry - before.registry
                                  if not (e[2] is None and MSI_CONTAINER_KEYS.match(e[1]))
                                  and not WINE_OWN_KEYS.match(e[1])), key=str),
        "registry_removed": sorted((e for e in before.registry - after.registry
                                    if not WINE_VOLATILE_KEYS.match(e[1])), key=str),
    }


def built_installer(out: Path | None = None, *args: str, env: dict[str, str] | None = None) -> Path:
    """The setup.exe to test: WINDOWS_INSTALLER when given (and no other output asked for), else
    what packaging/windows/build.sh produces (it reuses its cached app and installer when their
    inputs are unchanged, so a second test module or run pays nothing but the hash)."""
    given = os.environ.get("WINDOWS_INSTALLER")
    if given and out is None and not args and not env:
        return Path(given)
    extra = {"WINDOWS_OUT": str(out)} if out else {}
    result = subprocess.run([str(ROOT / "packaging/windows/build.sh"), *args], cwd=ROOT, capture_output=True,
                            text=True, timeout=1800, env={**os.environ, **extra, **(env or {})})
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    from wizard import __version__

    return (out or ROOT / "packaging/out/windows") / f"register-server-{__version__}-setup.exe"


def split_command(command: str) -> list[str]:
    """`"C:\\path\\uninstall.exe" /AllUsers /S` -> [exe, args...] (Windows quoting, no escapes)."""
    match = re.match(r'^"([^"]+)"\s*(.*)$', command)
    assert match, command
    return [match.group(1), *match.group(2).split()]


def exit_code(windows_code: int) -> int:
    """What a Windows exit code becomes under Wine: Linux keeps its low 8 bits (1638 -> 102)."""
    return windows_code & 0xFF


def stub_app(folder: Path, *extra: str) -> Path:
    """A tiny stand-in for the one-folder app (the same layout, bytes instead of programs): the
    installers' own logic (versions, switches, files) is tested on it in seconds instead of
    packing 1,200 files; what needs the real app to run uses the real build."""
    app = folder / "app"
    (app / "_internal").mkdir(parents=True)
    for name in ("register-server.exe", "register-server-gui.exe", "_internal/python311.dll", *extra):
        (app / name).write_bytes(b"stand-in " + name.encode())
    return app


def nsis_installer(app: Path, version: str, out: Path) -> Path:
    """packaging/windows/installer.nsi built around `app` as `version`, without compression
    (for tests: the real build uses LZMA)."""
    lists = out.parent / f"lists-{version}"
    lists.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, str(ROOT / "packaging/windows/nsis_lists.py"), str(app), str(lists / "files.nsh"),
                    str(lists / "unfiles.nsh")], check=True, capture_output=True)
    version4 = ".".join((re.findall(r"\d+", version) + ["0"] * 4)[:4])
    result = subprocess.run(["makensis", "-V1", f"-DVERSION={version}", f"-DVERSION4={version4}", f"-DOUTFILE={out}",
                             f"-DICON={ROOT / 'packaging/icons/register-server.ico'}", "-DCOMPRESSOR=off",
                             f"-DFILES_NSH={lists / 'files.nsh'}", f"-DUNFILES_NSH={lists / 'unfiles.nsh'}",
                             str(ROOT / "packaging/windows/installer.nsi")], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    return out


def msi_package(app: Path, version: str, out: Path) -> Path:
    """packaging/windows/msi.py's MSI of `app` as `version`."""
    result = subprocess.run([sys.executable, str(ROOT / "packaging/windows/msi.py"), str(app), str(out), version],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    return out
