"""The Windows installer, built on this machine and exercised under Wine.

Takes minutes and needs Wine, NSIS and MinGW, so it never runs in the default test run:
set RUN_WINDOWS_BUILD=1 (it then runs packaging/windows/build.sh first; with
WINDOWS_INSTALLER=<setup.exe> it tests that installer instead of building one).
Each test starts from a fresh Wine prefix (a clean "machine"), installs silently, checks
what the installer wrote, runs the installed `register-server.exe --self-test`, uninstalls
with the QuietUninstallString that Apps & Features uses, and compares the prefix's files and
registry with the snapshot taken before the install.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.packaging.windows_support import WORK, WinePrefix, built_installer, leftovers, split_command

pytestmark = [
    pytest.mark.slow,
    # the module's first test builds the installer (minutes, longer on a loaded machine):
    # the suite-wide 300 s timeout would kill the build in the fixture's setup
    pytest.mark.timeout(3600),
    pytest.mark.skipif(os.environ.get("RUN_WINDOWS_BUILD") != "1",
                       reason="the Windows installer build takes minutes and needs Wine: "
                              "run with RUN_WINDOWS_BUILD=1 (see packaging/README.md)"),
]
UNINSTALL_KEY = r"Software\Microsoft\Windows\CurrentVersion\Uninstall\RegisterServer"
APP_KEY = r"Software\register-server"
PASSWORD = "proxy-password-that-must-not-leak"


@pytest.fixture(scope="module")
def installer() -> Path:
    setup = built_installer()
    assert setup.is_file()
    return setup


@pytest.fixture
def machine(tmp_path: Path) -> WinePrefix:
    return WinePrefix(tmp_path / "prefix").create()


def _install_run_uninstall(machine: WinePrefix, setup: Path, hive: str, *switches: str) -> dict[str, str]:
    """Install silently, self-test the installed app, uninstall silently; return the
    Apps & Features entry seen while installed. Asserts the uninstall leaves nothing."""
    before = machine.snapshot()
    result = machine.run(str(setup), "/S", *switches)
    assert result.returncode == 0, result.stdout
    entry = machine.reg_query(f"{hive}\\{UNINSTALL_KEY}")
    assert entry is not None, "no Apps & Features entry"
    install_dir = entry["InstallLocation"]

    self_test = machine.run(f"{install_dir}\\register-server.exe", "--self-test")
    assert self_test.returncode == 0, self_test.stdout
    assert "frozen" in self_test.stdout and self_test.stdout.rstrip().endswith("self-test: passed")

    uninstall = split_command(entry["QuietUninstallString"])
    assert "/S" in uninstall
    assert machine.run(*uninstall).returncode == 0
    machine.reboot()
    assert machine.reg_query(f"{hive}\\{UNINSTALL_KEY}") is None
    assert machine.reg_query(f"{hive}\\{APP_KEY}") is None
    # every file and registry entry the installer added is gone, and nothing else was removed
    # (the self-test ran from a throw-away home, so the product left no state either)
    assert leftovers(before, machine.snapshot()) == {"files_added": [], "files_removed": [],
                                                      "registry_added": [], "registry_removed": []}
    return entry


def test_silent_per_machine_install_self_test_and_clean_uninstall(installer: Path, machine: WinePrefix) -> None:
    before = machine.snapshot()
    password_file = machine.path / "drive_c/proxy-password.txt"  # the administrator's, not the installer's
    password_file.write_text(PASSWORD)
    switches = ["/CACHE=C:\\RSCache", "/PROXYHOST=proxy.example", "/PROXYPORT=3128", "/PROXYUSER=svc",
                "/PROXYPASSWORDFILE=C:\\proxy-password.txt", "/NOLAUNCH"]
    assert machine.run(str(installer), "/S", *switches).returncode == 0

    entry = machine.reg_query(f"HKLM\\{UNINSTALL_KEY}")
    assert entry is not None and machine.reg_query(f"HKCU\\{UNINSTALL_KEY}") is None
    from wizard import __version__

    install_dir = r"C:\Program Files\Register Server"
    assert entry["InstallLocation"] == install_dir
    assert entry["DisplayName"] == "Register Server" and entry["DisplayVersion"] == __version__
    assert entry["Publisher"] and int(entry["EstimatedSize"], 16) > 10_000  # KiB
    assert entry["UninstallString"] == f'"{install_dir}\\uninstall.exe" /AllUsers'
    assert entry["QuietUninstallString"] == f'"{install_dir}\\uninstall.exe" /AllUsers /S'
    settings = machine.reg_query(f"HKLM\\{APP_KEY}")
    assert settings is not None and settings["CacheFolder"] == "C:\\RSCache"
    assert machine.drive_c("C:\\RSCache").is_dir()
    assert (machine.path / "drive_c/ProgramData/Microsoft/Windows/Start Menu/Programs/Register Server.lnk").is_file()
    for exe in ("register-server.exe", "register-server-gui.exe", "uninstall.exe"):
        assert machine.drive_c(f"{install_dir}\\{exe}").is_file()

    answers = machine.drive_c(f"{install_dir}\\installer-answers.toml").read_text()
    assert "host = 'proxy.example'" in answers and "port = 3128" in answers and "username = 'svc'" in answers
    assert "password_file = 'C:\\proxy-password.txt'" in answers
    # the password itself is nowhere: not in the installed files, not in the registry
    for path in [machine.path / "system.reg", machine.path / "user.reg",
                 *machine.drive_c(install_dir).rglob("*.toml")]:
        assert PASSWORD not in path.read_text(errors="replace"), path

    self_test = machine.run(f"{install_dir}\\register-server.exe", "--self-test")
    assert self_test.returncode == 0, self_test.stdout
    assert "product wizard" in self_test.stdout or "bare QWizard" in self_test.stdout
    assert "Windows Credential Manager backend available" in self_test.stdout

    assert machine.run(*split_command(entry["QuietUninstallString"])).returncode == 0
    machine.reboot()
    password_file.unlink()
    assert leftovers(before, machine.snapshot()) == {"files_added": [], "files_removed": [],
                                                      "registry_added": [], "registry_removed": []}


def test_per_user_install_needs_no_machine_wide_change(installer: Path, machine: WinePrefix) -> None:
    entry = _install_run_uninstall(machine, installer, "HKCU", "/CurrentUser")
    assert entry["InstallLocation"].endswith(r"\AppData\Local\Programs\Register Server")
    assert entry["QuietUninstallString"].endswith('" /CurrentUser /S')


def test_install_folder_from_the_command_line(installer: Path, machine: WinePrefix) -> None:
    entry = _install_run_uninstall(machine, installer, "HKLM", "/D=C:\\Apps\\RegisterServer")
    assert entry["InstallLocation"] == "C:\\Apps\\RegisterServer"


@pytest.mark.parametrize("switches, message", [
    (["/PROXYHOST=p.example", "/PROXYPORT=3128", "/PROXYUSER=u", f"/PROXYPASSWORD={PASSWORD}"], "password"),
    (["/PROXYHOST=p.example", "/PROXYPORT=99999"], "port"),
    (["/PROXYPORT=3128"], "PROXYHOST"),
    (["/PROXYHOST=p.example", "/PROXYPORT=3128", "/PROXYUSER=u", "/PROXYPASSWORDFILE=C:\\missing.txt"], "file"),
])
def test_bad_switches_install_nothing(installer: Path, machine: WinePrefix, switches: list[str],
                                      message: str) -> None:
    before = machine.snapshot()
    result = machine.run(str(installer), "/S", *switches)
    assert result.returncode == 2, (message, result.stdout)
    assert leftovers(before, machine.snapshot())["files_added"] == []
    assert machine.reg_query(f"HKLM\\{UNINSTALL_KEY}") is None


@pytest.mark.parametrize("name, description", [("register-server.exe", "Register Server command line"),
                                               ("register-server-gui.exe", "Register Server wizard")])
def test_exe_carries_version_resource_and_icon(installer: Path, name: str, description: str) -> None:
    """Each exe's version resource names that exe (the GUI exe said register-server.exe)."""
    from wizard import __version__

    exe = installer.parent / "register-server" / name
    code = ("import json, sys, pefile\n"
            "pe = pefile.PE(sys.argv[1])\n"
            "strings = {k.decode(): v.decode() for fi in pe.FileInfo[0] if hasattr(fi, 'StringTable')"
            " for t in fi.StringTable for k, v in t.entries.items()}\n"
            "icons = [e for e in pe.DIRECTORY_ENTRY_RESOURCE.entries if e.id == pefile.RESOURCE_TYPE['RT_GROUP_ICON']]\n"
            "print(json.dumps({'strings': strings, 'icon_groups': len(icons), 'machine': hex(pe.FILE_HEADER.Machine)}))\n")
    prefix = WinePrefix(WORK / "prefix")
    result = prefix.run(str(WORK / "py/python.exe"), "-c", code, f"Z:{exe}")
    info = json.loads(result.stdout.strip().splitlines()[-1])
    assert info["strings"]["ProductVersion"] == __version__
    assert info["strings"]["ProductName"] == "Register Server"
    assert info["strings"]["OriginalFilename"] == name and info["strings"]["FileDescription"] == description
    assert info["icon_groups"] >= 1
    assert info["machine"] == "0x8664"  # x86-64


def test_the_build_ships_a_supported_openssl_and_says_which(installer: Path) -> None:
    """No OpenSSL line past its end of life (3.0-3.4 today): the embeddable CPython's OpenSSL
    3.0.13 failed this; the build now drops OpenSSL 3.5 LTS (build_openssl.sh) in its place."""
    import re

    from wizard.net.openssl_support import line_status

    prefix = WinePrefix(WORK / "prefix")
    prefix.env["REGISTER_SERVER_SELF_TEST_CHECKS"] = "tls"
    result = prefix.run(str(installer.parent / "register-server/register-server.exe"), "--self-test")
    match = re.search(r"OpenSSL \d+\.\d+\.\d+\S* \d+ \w+ \d{4}", result.stdout)
    assert match, result.stdout
    supported, words = line_status(match.group(0))
    assert supported, f"the Windows build ships {match.group(0)}: {words}"
    # CPython's own modules load the replaced DLLs: hashlib would fall back silently without
    # _hashlib, so both are imported by name, from the Python the app was frozen from
    shipped = {dll: (installer.parent / "register-server/_internal" / dll).read_bytes()
               for dll in ("libssl-3.dll", "libcrypto-3.dll")}
    assert all(shipped[dll] == (WORK / "py" / dll).read_bytes() for dll in shipped)
    loaded = prefix.run(str(WORK / "py/python.exe"), "-c",
                        "import _hashlib, _ssl; print(_ssl.OPENSSL_VERSION); print(_hashlib.new('sha3_256').name)")
    assert loaded.returncode == 0 and match.group(0) in loaded.stdout and "sha3_256" in loaded.stdout, loaded.stdout


def test_signed_build_is_signed_and_still_installs(installer: Path, machine: WinePrefix, tmp_path: Path) -> None:
    cert, key = _throwaway_code_signing_cert(tmp_path)
    signed = built_installer(tmp_path / "signed", "--reuse-app", env={"SIGN_CERT": str(cert), "SIGN_KEY": str(key)})
    app = signed.parent / "register-server"
    for pe in (signed, app / "register-server.exe", app / "register-server-gui.exe"):
        _assert_signed(pe, cert)
    entry = _install_run_uninstall(machine, signed, "HKLM")
    assert entry["DisplayName"] == "Register Server"
    # the uninstaller was signed too (!uninstfinalize): check the copy the installer wrote
    machine.run(str(signed), "/S")
    _assert_signed(machine.drive_c(r"C:\Program Files\Register Server\uninstall.exe"), cert)


def _assert_signed(pe: Path, cert: Path) -> None:
    result = subprocess.run(["osslsigncode", "verify", "-CAfile", str(cert), "-ignore-crl", "-in", str(pe)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and "Signature verification: ok" in result.stdout, (pe, result.stdout)


def _throwaway_code_signing_cert(directory: Path) -> tuple[Path, Path]:
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "register-server test signing")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                         crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CODE_SIGNING]), critical=False)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path
