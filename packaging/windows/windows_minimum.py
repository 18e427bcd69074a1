"""The oldest Windows the one-folder app loads on, read from the DLL imports of what ships.

Why: the README claimed Windows Server 2016, but Qt6Core imports `icuuc.dll`, which Windows has
only since Windows 10 version 1703 (build 15063; Server 2016 is build 14393). A version check
in the installers is only honest if it follows what the shipped files import, so this walks
every .exe/.dll/.pyd (`x86_64-w64-mingw32-objdump -p`), drops the DLLs that ship beside them,
and looks every other one up in SYSTEM_DLLS. An import that is in neither fails the build:
someone has to find out since when Windows has it.
Usage: python windows_minimum.py <app folder>
  prints "<build><TAB><Windows name><TAB><dll><TAB><file that imports it>" (build.sh passes the
  build and name to the NSIS script and the MSI)
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

BASELINE = 7601  # Windows 7 SP1 / Server 2008 R2: every Win32 DLL below that predates Windows 8
WINDOWS_8, WINDOWS_81, WINDOWS_10, WINDOWS_10_1703 = 9200, 9600, 10240, 15063

# The system DLLs the build imports, and the first Windows build that has each (Microsoft's
# API-set and DLL documentation). Everything not named with a later build is BASELINE.
SYSTEM_DLLS: dict[str, int] = {
    **dict.fromkeys(
        ["advapi32", "authz", "bcrypt", "comctl32", "comdlg32", "crypt32", "d3d11", "d3d9", "dwmapi", "dwrite",
         "dxgi", "gdi32", "imm32", "iphlpapi", "kernel32", "mpr", "msvcrt", "netapi32", "ntdll", "ole32", "oleaut32",
         "rpcrt4", "setupapi", "shell32", "shlwapi", "uiautomationcore", "user32", "userenv", "uxtheme", "version",
         "winmm", "ws2_32", "wtsapi32"], BASELINE),
    "api-ms-win-core-path-l1-1-0": WINDOWS_8,
    "api-ms-win-core-synch-l1-2-0": WINDOWS_8,
    "api-ms-win-core-winrt-error-l1-1-1": WINDOWS_81,
    "api-ms-win-core-winrt-l1-1-0": WINDOWS_8,
    "api-ms-win-core-winrt-string-l1-1-0": WINDOWS_8,
    "api-ms-win-shcore-scaling-l1-1-1": WINDOWS_81,
    "d3d12": WINDOWS_10,
    # cryptography's Rust code: ProcessPrng in bcryptprimitives.dll (Windows 10)
    "bcryptprimitives": WINDOWS_10,
    # Qt6Core: Windows' own ICU, first shipped in Windows 10 version 1703
    "icuuc": WINDOWS_10_1703,
}
# The Universal CRT is part of Windows from Windows 10 on (older systems needed an update).
UCRT = re.compile(r"^api-ms-win-crt-[a-z]+-l1-1-0$")
NAMES = {BASELINE: "Windows 7 SP1", WINDOWS_8: "Windows 8", WINDOWS_81: "Windows 8.1", WINDOWS_10: "Windows 10 1507",
         WINDOWS_10_1703: "Windows 10 version 1703 (build 15063)"}


def imports(pe: Path) -> list[str]:
    out = subprocess.run(["x86_64-w64-mingw32-objdump", "-p", str(pe)], capture_output=True, text=True,
                         check=True).stdout
    return [m.group(1).lower() for m in re.finditer(r"DLL Name: (\S+)", out)]


def minimum(app: Path) -> tuple[int, str, str, list[str]]:
    """(build, the DLL that sets it, a file importing it, imports nobody has placed yet)."""
    files = [p for p in app.rglob("*") if p.is_file() and p.suffix.lower() in {".exe", ".dll", ".pyd"}]
    shipped = {p.name.lower() for p in files}
    best, why, where, unknown = BASELINE, "", "", set()
    for pe in sorted(files):
        for dll in imports(pe):
            if dll in shipped:
                continue
            stem = dll.removesuffix(".dll")
            build = WINDOWS_10 if UCRT.match(stem) else SYSTEM_DLLS.get(stem)
            if build is None:
                unknown.add(dll)
            elif build > best:
                best, why, where = build, dll, str(pe.relative_to(app))
    return best, why, where, sorted(unknown)


if __name__ == "__main__":
    build, dll, where, unknown = minimum(Path(sys.argv[1]))
    if unknown:
        sys.exit(f"windows_minimum: imports of unknown age (add them to SYSTEM_DLLS): {' '.join(unknown)}")
    print(build, NAMES[build], dll, where, sep="\t")
