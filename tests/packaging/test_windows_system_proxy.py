"""`mode = "system"` in the real Windows build under Wine: it follows the registry as Windows would.

The built one-folder app (packaging/windows/build.sh) runs `register --dry-run --json` in a fresh
Wine prefix against the local vault started on Linux, once per kind of Windows setting:
WinINET's automatic configuration script (AutoConfigURL, a PAC file served on loopback that
sends the vault through real squid), WinINET's manual proxy (ProxyEnable/ProxyServer), and
WinHTTP's machine proxy (the WinHttpSettings value `netsh winhttp set proxy` writes). Each time
the connection test must name the source and the proxy, and squid's access log must show the
vault's CONNECT.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.packaging.windows_support import WinePrefix, built_installer

pytestmark = [
    pytest.mark.slow,
    pytest.mark.e2e,
    pytest.mark.timeout(1800),
    pytest.mark.skipif(os.environ.get("RUN_WINDOWS_BUILD") != "1",
                       reason="the Windows build takes minutes and needs Wine: run with RUN_WINDOWS_BUILD=1 "
                              "(see packaging/README.md)"),
]

INTERNET_SETTINGS = r"HKCU\Software\Microsoft\Windows\CurrentVersion\Internet Settings"
WINHTTP = r"HKLM\Software\Microsoft\Windows\CurrentVersion\Internet Settings\Connections"
PASSPHRASE = "windows system proxy passphrase!"


def _winhttp_blob(proxy: str, bypass: str) -> str:
    """WinHttpSettings as `netsh winhttp set proxy` writes it (flags 3: a named proxy), in hex."""
    def dword(n: int) -> bytes:
        return n.to_bytes(4, "little")
    return (dword(0x28) + dword(1) + dword(3) + dword(len(proxy)) + proxy.encode() + dword(len(bypass))
            + bypass.encode()).hex()


def _dry_run(machine: WinePrefix, exe: str) -> list[dict]:  # type: ignore[type-arg]
    done = machine.run(exe, "register", "--answers", r"C:\rs\answers.toml", "--dry-run", "--json")
    lines = [json.loads(line) for line in done.stdout.splitlines() if line.strip().startswith("{")]
    assert lines and lines[-1].get("ok"), done.stdout
    return [line for line in lines if line.get("event") == "check"]


def test_system_mode_follows_autoconfigurl_wininet_and_winhttp(  # type: ignore[no-untyped-def]
        vault_service, proxy_factory, pac_server, tmp_path) -> None:
    built_installer()  # builds packaging/out/windows/register-server/ too (cached when unchanged)
    app = Path(__file__).resolve().parents[2] / "packaging/out/windows/register-server/register-server.exe"
    exe = "Z:" + str(app).replace("/", "\\")
    parts = urlsplit(vault_service.url)
    vault_host, port = parts.hostname or "", parts.port or 443
    squid = proxy_factory("squid", auth=False, connect_ports=(port,))
    machine = WinePrefix(tmp_path / "prefix").create()

    rs = machine.path / "drive_c/rs"
    rs.mkdir(parents=True)
    (rs / "creds.VaultCredentials").write_bytes(vault_service.issue(vault_service.create_vault(), tmp_path)
                                                .read_bytes())
    (rs / "vault-ca.pem").write_bytes(vault_service.ca_file.read_bytes())
    (rs / "passphrase.txt").write_text(PASSPHRASE)
    (rs / "answers.toml").write_text("""\
[proxy]
mode = 'system'

[vault]
credentials_file = 'C:\\rs\\creds.VaultCredentials'
ca_bundle = 'C:\\rs\\vault-ca.pem'

[recovery]
folder = 'C:\\rs\\recovery'
create = true

[encryption]
passphrase_file = 'C:\\rs\\passphrase.txt'
save_passphrase_to = 'C:\\rs\\server.passphrase.txt'
""")
    via_squid = f"127.0.0.1:{squid.port}"
    pac_url = pac_server.publish("wpad.dat", f"function FindProxyForURL(u, h) {{ return shExpMatch(h, "
                                             f"'{vault_host}') ? 'PROXY {via_squid}' : 'DIRECT'; }}")

    # 1. Internet Options' "Use automatic configuration script"
    assert machine.run("reg", "add", INTERNET_SETTINGS, "/v", "AutoConfigURL", "/t", "REG_SZ", "/d", pac_url,
                       "/f").returncode == 0
    choice = _dry_run(machine, exe)[0]
    assert choice["step"] == "proxy_choice" and choice["ok"]
    assert choice["facts"]["source"] == "system-pac" and choice["facts"]["proxy"] == via_squid
    assert choice["facts"]["pac"] == {"url": pac_url, "answer": f"PROXY {via_squid}"}
    assert pac_server.hits["/wpad.dat"] >= 1

    # 2. Internet Options' manual proxy ("Use a proxy server for your LAN")
    machine.run("reg", "delete", INTERNET_SETTINGS, "/v", "AutoConfigURL", "/f")
    for name, kind, value in (("ProxyEnable", "REG_DWORD", "1"), ("ProxyServer", "REG_SZ", via_squid)):
        assert machine.run("reg", "add", INTERNET_SETTINGS, "/v", name, "/t", kind, "/d", value, "/f").returncode == 0
    choice = _dry_run(machine, exe)[0]
    assert choice["facts"]["source"] == "system-wininet" and choice["facts"]["proxy"] == via_squid

    # 3. WinHTTP's machine proxy, what services without a user profile get
    machine.run("reg", "add", INTERNET_SETTINGS, "/v", "ProxyEnable", "/t", "REG_DWORD", "/d", "0", "/f")
    assert machine.run("reg", "add", WINHTTP, "/v", "WinHttpSettings", "/t", "REG_BINARY", "/d",
                       _winhttp_blob(via_squid, "<local>"), "/f").returncode == 0
    choice = _dry_run(machine, exe)[0]
    assert choice["facts"]["source"] == "system-winhttp" and choice["facts"]["proxy"] == via_squid

    deadline = time.monotonic() + 10
    while squid.access_log().count(f"CONNECT {vault_host}:{port}") < 3 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert squid.access_log().count(f"CONNECT {vault_host}:{port}") >= 3  # each time the vault went via squid
