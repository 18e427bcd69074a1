"""Build the per-machine MSI of a one-folder app with Debian's msitools (wixl + msibuild).

Why an MSI beside the NSIS installer: Group Policy, Intune and Configuration Manager deploy
MSIs. It installs the same files (the same built folder, walked the same way as
`nsis_lists.py`), takes the NSIS switches as public properties, and uninstalls exactly what it
installed (Windows Installer's own bookkeeping, per component).

Properties (msiexec /i register-server-<version>.msi /qn NAME=value ...):
  INSTALLDIR          install folder (default C:\\Program Files\\Register Server)
  CACHEFOLDER         cache (scratch) folder (default <INSTALLDIR>\\Scratch)
  PROXYHOST PROXYPORT PROXYUSER   the proxy the wizard and `register` start from
  PROXYPASSWORDFILE   where the proxy password is read from at registration time
  PROXYPASSWORD       refused: a password never goes on a command line
  UNREGISTER=1        at uninstall (msiexec /x): unregister this server first, through the
                      installed app; without it the registration is kept (and the log says so)
  ALLOWDOWNGRADE=1    replace a newer installed version (refused otherwise)
The proxy properties become `<INSTALLDIR>\\installer-answers.toml` (the same [proxy] answer
file the NSIS installer writes, through MSI's IniFile table: `key='value'` lines are TOML),
and the Start-menu shortcut opens the wizard with it.
Upgrades: one fixed UpgradeCode, a product code per version, RemoveExistingProducts after
InstallValidate (an older version is removed first, so none of its files is left behind).

wixl (0.101) lacks component conditions and the IniFile table, so msibuild adds them to
the database wixl wrote; each addition is one SQL statement below.
Usage: python msi.py <app folder> <out.msi> <version> [<minimum Windows build> <its name>]
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path
from xml.etree import ElementTree as ET

PRODUCT = "Register Server"
PUBLISHER = "register-server team"
UPGRADE_CODE = "6f1c9a52-3d4e-4b7a-9f20-5b8e1c7d2a10"   # never changes: it is what upgrades find
_NAMESPACE = uuid.UUID(UPGRADE_CODE)
APP_KEY = r"Software\register-server"
ANSWERS = "installer-answers.toml"
SCOPE_FILE = "install-scope.txt"
MIN_BUILD = 15063  # default; build.sh passes what windows_minimum.py reads from the app (Qt6Core: icuuc.dll)
NSIS_UNINSTALL_KEY = r"Software\Microsoft\Windows\CurrentVersion\Uninstall\RegisterServer"
WIX = "http://schemas.microsoft.com/wix/2006/wi"

# (condition that must hold, message when it does not): Windows Installer's LaunchCondition
# table. "Installed OR" lets an uninstall run whatever the properties.


def launch_conditions(min_build: int, min_name: str) -> list[tuple[str, str]]:
    return [(f"Installed OR WINDOWSBUILD >= {min_build}",
             f"{PRODUCT} needs {min_name} or newer (servers: Windows Server 2019 or newer)."), *LAUNCH_CONDITIONS]


LAUNCH_CONDITIONS = [
    ("Installed OR NOT WIX_DOWNGRADE_DETECTED OR ALLOWDOWNGRADE",
     f"A newer version of {PRODUCT} is installed; nothing was changed. To go back to this version anyway, "
     "add ALLOWDOWNGRADE=1."),
    ("Installed OR NOT NSISINSTALL",
     f"{PRODUCT} is installed for all users by its setup.exe. Uninstall that first, or keep using setup.exe."),
    ("NOT PROXYPASSWORD",
     "The proxy password is never accepted on the command line. Put it in a file readable only by the "
     "installing account and pass PROXYPASSWORDFILE=<file>."),
    ("Installed OR PROXYHOST OR NOT (PROXYPORT OR PROXYUSER OR PROXYPASSWORDFILE)",
     "PROXYPORT, PROXYUSER and PROXYPASSWORDFILE need PROXYHOST."),
    ("Installed OR NOT PROXYHOST OR (PROXYPORT >= 1 AND PROXYPORT <= 65535)",
     "PROXYPORT must be a port number from 1 to 65535."),
    ("Installed OR NOT PROXYPASSWORDFILE OR PROXYUSER", "PROXYPASSWORDFILE needs PROXYUSER."),
    ("Installed OR NOT (PROXYHOST >< \"'\" OR PROXYUSER >< \"'\" OR PROXYPASSWORDFILE >< \"'\")",
     "PROXYHOST, PROXYUSER and PROXYPASSWORDFILE must not contain a single quote."),
]

# installer-answers.toml, one IniFile row per key: (component, key, value); TOML literal
# strings take Windows paths verbatim (the quote is refused above).
ANSWER_ROWS = [
    ("ProxyAnswers", "mode", "'custom'"),
    ("ProxyAnswers", "host", "'[PROXYHOST]'"),
    ("ProxyAnswers", "port", "[PROXYPORT]"),
    ("ProxyUserAnswer", "username", "'[PROXYUSER]'"),
    ("ProxyPasswordFileAnswer", "password_file", "'[PROXYPASSWORDFILE]'"),
]
COMPONENT_CONDITIONS = {
    "ProxyAnswers": "PROXYHOST",
    "ProxyUserAnswer": "PROXYHOST AND PROXYUSER",
    "ProxyPasswordFileAnswer": "PROXYHOST AND PROXYPASSWORDFILE",
    "ShortcutWithAnswers": "PROXYHOST",
    "Shortcut": "NOT PROXYHOST",
}


def _guid(*parts: str) -> str:
    """Stable GUIDs: a component keeps its GUID across versions as long as its path does."""
    return str(uuid.uuid5(_NAMESPACE, "/".join(parts))).upper()


def _id(prefix: str, rel: str) -> str:
    return prefix + hashlib.sha1(rel.encode("utf-8")).hexdigest()[:30]


def _msi_version(version: str) -> str:
    import re

    numbers = [int(n) for n in re.findall(r"\d+", version)][:3]
    return ".".join(map(str, numbers + [0] * (3 - len(numbers))))


def _source(path: Path, staging: Path) -> str:
    """wixl reads sources relative to the .wxs file's folder (it rejects absolute paths)."""
    import os

    return os.path.relpath(path.resolve(), staging.resolve())


def _sub(parent: ET.Element, tag: str, **attrs: str) -> ET.Element:
    return ET.SubElement(parent, f"{{{WIX}}}{tag}", attrs)


def build_wxs(app: Path, version: str, staging: Path, min_build: int = MIN_BUILD,
              min_name: str = "Windows 10 version 1703 (build 15063)") -> ET.ElementTree:
    """The WiX source for `app` (plus the generated install-scope.txt written into `staging`)."""
    msi_version = _msi_version(version)
    ET.register_namespace("", WIX)
    wix = ET.Element(f"{{{WIX}}}Wix")
    product = _sub(wix, "Product", Id=_guid("product", msi_version), Name=PRODUCT, Language="1033",
                   Version=msi_version, Manufacturer=PUBLISHER, UpgradeCode=UPGRADE_CODE)
    _sub(product, "Package", InstallerVersion="500", Compressed="yes", InstallScope="perMachine",
         Description=f"{PRODUCT} {version}", Manufacturer=PUBLISHER)
    _sub(product, "Media", Id="1", Cabinet="app.cab", EmbedCab="yes")
    build = _sub(product, "Property", Id="WINDOWSBUILD")
    _sub(build, "RegistrySearch", Id="WindowsBuild", Root="HKLM", Key=r"SOFTWARE\Microsoft\Windows NT\CurrentVersion",
         Name="CurrentBuildNumber", Type="raw", Win64="yes")
    nsis = _sub(product, "Property", Id="NSISINSTALL")
    _sub(nsis, "RegistrySearch", Id="NsisInstall", Root="HKLM", Key=NSIS_UNINSTALL_KEY, Name="UninstallString",
         Type="raw", Win64="yes")
    # Remembered folders: an uninstall (or an upgrade) is given no properties, so the folders
    # chosen at the first install are read back from what it wrote (AppSearch runs before the
    # folders are resolved; a first install finds nothing and keeps the command line's value).
    for name, value in (("INSTALLDIR", "InstallDir"), ("CACHEFOLDER", "CacheFolder")):
        remembered = _sub(product, "Property", Id=name)
        _sub(remembered, "RegistrySearch", Id=f"Remembered{value}", Root="HKLM", Key=APP_KEY, Name=value,
             Type="raw", Win64="yes")
    for condition, message in launch_conditions(min_build, min_name):
        _sub(product, "Condition", Message=message).text = condition
    upgrade = _sub(product, "Upgrade", Id=UPGRADE_CODE)
    _sub(upgrade, "UpgradeVersion", OnlyDetect="no", Property="WIX_UPGRADE_DETECTED", Minimum="0.0.0",
         IncludeMinimum="yes", Maximum=msi_version, IncludeMaximum="no")
    _sub(upgrade, "UpgradeVersion", OnlyDetect="no", Property="WIX_DOWNGRADE_DETECTED", Minimum=msi_version,
         IncludeMinimum="no")

    root = _sub(product, "Directory", Id="TARGETDIR", Name="SourceDir")
    program_files = _sub(root, "Directory", Id="ProgramFiles64Folder")
    install = _sub(program_files, "Directory", Id="INSTALLDIR", Name=PRODUCT)
    menu = _sub(root, "Directory", Id="ProgramMenuFolder")
    feature_refs: list[str] = []

    def component(parent: ET.Element, cid: str, *path: str) -> ET.Element:
        feature_refs.append(cid)
        return _sub(parent, "Component", Id=cid, Guid=_guid("component", *path), Win64="yes")

    (staging / SCOPE_FILE).write_text("machine\r\n", encoding="ascii")
    directories = {Path("."): install}
    files = sorted(p for p in app.rglob("*") if p.is_file())
    for path in files:
        rel = path.relative_to(app)
        parent = directories.get(rel.parent)
        if parent is None:
            for depth in range(1, len(rel.parent.parts) + 1):
                sub = Path(*rel.parent.parts[:depth])
                if sub not in directories:
                    directories[sub] = _sub(directories[sub.parent], "Directory", Id=_id("d", sub.as_posix()),
                                            Name=sub.name)
            parent = directories[rel.parent]
        fid = {"register-server.exe": "RegisterServerExe", "register-server-gui.exe": "RegisterServerGuiExe"}.get(
            rel.as_posix(), _id("f", rel.as_posix()))
        _sub(component(parent, _id("c", rel.as_posix()), "file", rel.as_posix()), "File", Id=fid,
             Name=rel.name, Source=_source(path, staging), KeyPath="yes")
    _sub(component(install, "InstallScope", "file", SCOPE_FILE), "File", Id="InstallScopeFile", Name=SCOPE_FILE,
         Source=SCOPE_FILE, KeyPath="yes")

    cache = _sub(install, "Directory", Id="CACHEFOLDER", Name="Scratch")
    cache_component = component(cache, "CacheFolder", "cache folder")
    _sub(cache_component, "CreateFolder")
    _sub(cache_component, "RemoveFolder", Id="RemoveCacheFolder", On="uninstall")
    settings = component(install, "Settings", "registry", "settings")
    for name, value in (("InstallDir", "[INSTALLDIR]"), ("InstallMode", "MSI"), ("Version", version),
                        ("CacheFolder", "[CACHEFOLDER]")):
        _sub(settings, "RegistryValue", Root="HKLM", Key=APP_KEY, Name=name, Value=value, Type="string",
             KeyPath="yes" if name == "InstallDir" else "no")
    for cid, name, value in (("ProxyAnswers", "ProxyHost", "[PROXYHOST]"),
                             ("ProxyUserAnswer", "ProxyUser", "[PROXYUSER]"),
                             ("ProxyPasswordFileAnswer", "ProxyPasswordFile", "[PROXYPASSWORDFILE]")):
        _sub(component(install, cid, "registry", name), "RegistryValue", Root="HKLM", Key=APP_KEY, Name=name,
             Value=value, Type="string", KeyPath="yes")
    for cid, arguments in (("Shortcut", ""), ("ShortcutWithAnswers", f'--answers "[INSTALLDIR]{ANSWERS}"')):
        shortcut = component(menu, cid, "shortcut", cid)
        attrs = dict(Id=f"{cid}Link", Name=f"{PRODUCT}.lnk", Target="[INSTALLDIR]register-server-gui.exe",
                     WorkingDirectory="INSTALLDIR")
        if arguments:
            attrs["Arguments"] = arguments
        _sub(shortcut, "Shortcut", **attrs)
        _sub(shortcut, "RegistryValue", Root="HKLM", Key=APP_KEY, Name=cid, Value="1", Type="integer", KeyPath="yes")

    # Uninstall while registered: UNREGISTER=1 unregisters through the installed app first; the
    # registration is kept otherwise, and the log (msiexec /l*v) says so (RegistrationKept).
    _sub(product, "CustomAction", Id="Unregister", FileKey="RegisterServerExe", ExeCommand="unregister --yes",
         Execute="deferred", Impersonate="no", Return="ignore")
    _sub(product, "CustomAction", Id="RegistrationKept", Property="RegistrationKept",
         Value=f"the registration of this server is kept (state folder [CommonAppDataFolder]register-server, its "
               "secrets and the vault's record of this machine); uninstall with UNREGISTER=1 to remove it, or "
               "install again and run register-server unregister")
    sequence = _sub(product, "InstallExecuteSequence")
    _sub(sequence, "RemoveExistingProducts", After="InstallValidate")
    _sub(sequence, "Custom", Action="RegistrationKept", After="InstallInitialize").text = \
        'REMOVE="ALL" AND NOT UNREGISTER AND NOT UPGRADINGPRODUCTCODE'
    _sub(sequence, "Custom", Action="Unregister", Before="RemoveFiles").text = \
        'REMOVE="ALL" AND UNREGISTER AND NOT UPGRADINGPRODUCTCODE'

    _sub(product, "Icon", Id="RegisterServerIcon",
         SourceFile=_source(Path(__file__).resolve().parents[1] / "icons/register-server.ico", staging))
    _sub(product, "Property", Id="ARPPRODUCTICON", Value="RegisterServerIcon")
    _sub(product, "Property", Id="ARPNOMODIFY", Value="1")
    _sub(product, "Property", Id="ARPNOREPAIR", Value="1")
    feature = _sub(product, "Feature", Id="Main", Level="1", Title=PRODUCT)
    for cid in feature_refs:
        _sub(feature, "ComponentRef", Id=cid)
    return ET.ElementTree(wix)


def post_process(msi: Path, staging: Path) -> None:
    """What wixl cannot express, added with msibuild: component conditions, the IniFile table
    (imported from an .idt file: its values hold quotes that msibuild's SQL cannot), its two
    actions, removing the answer file at uninstall, and RemoveExistingProducts where it belongs
    (wixl puts it after InstallFinalize whatever `After` says)."""
    idt = staging / "IniFile.idt"
    rows = ["IniFile\tFileName\tDirProperty\tSection\tKey\tValue\tAction\tComponent_",
            "s72\tl255\tS72\tl96\tl128\tl255\ti2\ts72", "IniFile\tIniFile"]
    rows += [f"Answer{index}\t{ANSWERS}\tINSTALLDIR\tproxy\t{key}\t{value}\t0\t{cid}"
             for index, (cid, key, value) in enumerate(ANSWER_ROWS)]
    idt.write_text("\r\n".join(rows) + "\r\n", encoding="ascii")
    # An uninstall must remove every component, whatever the properties say now: Wine's msi
    # skips a component whose condition is false at uninstall, leaving its files and values.
    queries = [f"UPDATE `Component` SET `Condition` = '({cond}) OR REMOVE=\"ALL\"' WHERE `Component` = '{cid}'"
               for cid, cond in COMPONENT_CONDITIONS.items()]
    # the file itself goes at uninstall (removing its values would leave an empty [proxy] section)
    queries.append("INSERT INTO `RemoveFile` (`FileKey`, `Component_`, `FileName`, `DirProperty`, `InstallMode`) "
                   f"VALUES ('RemoveAnswers', 'ProxyAnswers', '{ANSWERS}', 'INSTALLDIR', 2)")
    queries += [f"INSERT INTO `InstallExecuteSequence` (`Action`, `Sequence`) VALUES ('{action}', {number})"
                for action, number in (("RemoveIniValues", 3100), ("WriteIniValues", 5100))]
    queries.append("UPDATE `InstallExecuteSequence` SET `Sequence` = 1401 WHERE `Action` = 'RemoveExistingProducts'")
    subprocess.run(["msibuild", str(msi), "-i", str(idt)], check=True)
    for query in queries:
        subprocess.run(["msibuild", str(msi), "-q", query], check=True)


def build_msi(app: Path, out: Path, version: str, min_build: int = MIN_BUILD,
              min_name: str = "Windows 10 version 1703 (build 15063)") -> None:
    with tempfile.TemporaryDirectory() as tmp:
        staging = Path(tmp)
        wxs = staging / "register-server.wxs"
        build_wxs(app, version, staging, min_build, min_name).write(wxs, encoding="utf-8", xml_declaration=True)
        subprocess.run(["wixl", "-a", "x64", "-o", str(out), str(wxs)], check=True)
        post_process(out, staging)


if __name__ == "__main__":
    minimum = (int(sys.argv[4]), sys.argv[5]) if len(sys.argv) > 5 else ()
    build_msi(Path(sys.argv[1]).resolve(), Path(sys.argv[2]).resolve(), sys.argv[3], *minimum)
    print(f"msi: {sys.argv[2]}")
