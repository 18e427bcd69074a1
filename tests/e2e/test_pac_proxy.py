"""PAC files and bypass lists end to end: a PAC served over HTTP on loopback sends the vault through
real squid and another host direct, and squid's own access log proves which went where.

The vault service is reached under two names: its credentials file's host goes through squid;
the other name it answers to (``localhost`` / ``127.0.0.1``, both in its certificate) stands in for
"another host", which the PAC (or the bypass list) sends direct.
"""

from __future__ import annotations

import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.commands.test_unattended import cli, events
from tests.e2e.helpers import make_settings
from wizard.core.answers import dump_answers
from wizard.core.exit_codes import ExitCode
from wizard.core.model import ProxyMode, ProxySettings
from wizard.net import pac
from wizard.registration import run_registration, test_connection

pytestmark = pytest.mark.e2e


@pytest.fixture(autouse=True)
def _fresh_pac_cache() -> None:
    pac.forget_cached()


@pytest.fixture
def creds(vault_service, tmp_path) -> Path:  # type: ignore[no-untyped-def]
    return vault_service.issue(vault_service.create_vault(), tmp_path)


def _names(vault_service) -> tuple[str, str, int]:  # type: ignore[no-untyped-def]
    """(the vault's own host, another name for the same service, its port)."""
    parts = urlsplit(vault_service.url)
    host = parts.hostname or ""
    return host, ("localhost" if host != "localhost" else "127.0.0.1"), parts.port or 443


def _split_pac(vault_host: str, other: str, squid_port: int) -> str:
    return f"""
function FindProxyForURL(url, host) {{
  if (host == "{other}") return "DIRECT";
  if (dnsDomainIs(host, "{vault_host}") || shExpMatch(host, "{vault_host}")) return "PROXY 127.0.0.1:{squid_port}";
  return "DIRECT";
}}
"""


def _fetch_directly_or_not(settings: ProxySettings, url: str, ca: Path) -> int:
    """One GET the way registration makes it (the product's client, its proxy choice)."""
    from wizard.net.client import open_client

    with open_client(settings, target_url=url, ca_bundle=ca) as client:
        return client.get(url).status_code


def _connects_logged(squid, host_port: str, *, count: int = 1, wait: float = 10.0) -> str:  # type: ignore[no-untyped-def]
    """squid's access log once it holds `count` CONNECTs to `host_port` (a tunnel is logged when it closes)."""
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        log = squid.access_log()
        if log.count(f"CONNECT {host_port}") >= count:
            return log
        time.sleep(0.1)
    return squid.access_log()


def test_the_pac_sends_the_vault_through_squid_and_another_host_direct(  # type: ignore[no-untyped-def]
        vault_service, creds, proxy_factory, pac_server, secret_service, tmp_path) -> None:
    vault_host, other, port = _names(vault_service)
    squid = proxy_factory("squid", auth=False, connect_ports=(port,))
    pac_url = pac_server.publish("proxy.pac", _split_pac(vault_host, other, squid.port))
    proxy = ProxySettings(ProxyMode.PAC, pac_url=pac_url)
    result = run_registration(make_settings(creds, ca_bundle=vault_service.ca_file, passphrase_dir=tmp_path,
                                            proxy=proxy), home=tmp_path / "home")
    assert result.machine_id
    assert _fetch_directly_or_not(proxy, f"https://{other}:{port}/", vault_service.ca_file) < 500

    log = _connects_logged(squid, f"{vault_host}:{port}")
    assert f"CONNECT {vault_host}:{port}" in log          # the vault went through squid ...
    assert f"{other}:{port}" not in log                   # ... and the other host did not
    assert pac_server.hits["/proxy.pac"] == 1             # one download served the whole registration


def test_a_bypass_entry_goes_direct_past_the_custom_proxy_and_the_pac(  # type: ignore[no-untyped-def]
        vault_service, creds, proxy_factory, pac_server, secret_service, tmp_path) -> None:
    vault_host, other, port = _names(vault_service)
    squid = proxy_factory("squid", auth=False, connect_ports=(port,))
    everything_via_squid = pac_server.publish("all.pac", f"function FindProxyForURL(u, h) {{ return "
                                                         f"'PROXY 127.0.0.1:{squid.port}'; }}")
    for proxy in (ProxySettings(ProxyMode.CUSTOM, host="127.0.0.1", port=squid.port, bypass=(other,)),
                  ProxySettings(ProxyMode.PAC, pac_url=everything_via_squid, bypass=(f"*.example", other))):
        assert _fetch_directly_or_not(proxy, f"https://{other}:{port}/", vault_service.ca_file) < 500
        assert _fetch_directly_or_not(proxy, f"https://{vault_host}:{port}/", vault_service.ca_file) < 500
    log = _connects_logged(squid, f"{vault_host}:{port}", count=2)
    assert log.count(f"CONNECT {vault_host}:{port}") == 2 and f"{other}:{port}" not in log
    # and a whole registration with the vault itself bypassed never touches squid
    squid_before = squid.access_log()
    bypassed = ProxySettings(ProxyMode.CUSTOM, host="127.0.0.1", port=squid.port, bypass=(vault_host,))
    assert run_registration(make_settings(creds, ca_bundle=vault_service.ca_file, passphrase_dir=tmp_path,
                                          proxy=bypassed), home=tmp_path / "home").machine_id
    time.sleep(0.5)
    assert squid.access_log() == squid_before


def test_the_connection_test_shows_the_pac_answer_and_json_carries_it(  # type: ignore[no-untyped-def]
        vault_service, creds, proxy_factory, pac_server, secret_service, tmp_path) -> None:
    vault_host, other, port = _names(vault_service)
    squid = proxy_factory("squid", auth=False, connect_ports=(port,))
    pac_url = pac_server.publish("proxy.pac", _split_pac(vault_host, other, squid.port))
    settings = make_settings(creds, ca_bundle=vault_service.ca_file, passphrase_dir=tmp_path,
                             proxy=ProxySettings(ProxyMode.PAC, pac_url=pac_url))
    checks = test_connection(settings)
    assert [c.ok for c in checks] == [True] * 6
    first = checks[0]
    assert first.step == "proxy_choice" and f"PROXY 127.0.0.1:{squid.port}" in first.detail and pac_url in first.detail
    assert first.facts and first.facts["pac"] == {"url": pac_url, "answer": f"PROXY 127.0.0.1:{squid.port}"}

    answers = tmp_path / "pac.toml"
    answers.write_text(dump_answers(settings))
    done = cli("register", "--answers", str(answers), "--dry-run", "--json", "--home", str(tmp_path / "h"),
               env={"BACKUP_PASSPHRASE": "a passphrase of enough length 1"})
    assert done.returncode == 0, done.stdout + done.stderr
    choice = [e for e in events(done.stdout) if e.get("step") == "proxy_choice"][0]
    assert choice["facts"] == {"proxy": f"127.0.0.1:{squid.port}", "source": "pac", "reason": choice["detail"],
                               "pac": {"url": pac_url, "answer": f"PROXY 127.0.0.1:{squid.port}"}}


@pytest.mark.parametrize("script, behaviour, code", [
    ("function FindProxyForURL(u, h) { for (;;) {} }", "normal", "pac.evaluation_failed"),
    ("function FindProxyForURL(u, h) { return 'DIRECT' ", "normal", "pac.invalid"),
    ("//" + "x" * (pac.MAX_PAC_BYTES + 1), "normal", "pac.too_large"),
    ("function FindProxyForURL(u, h) { return 'DIRECT'; }", "drip", "pac.download_failed"),
])
def test_a_hostile_pac_fails_the_dry_run_with_its_code_and_a_fix(  # type: ignore[no-untyped-def]
        vault_service, creds, pac_server, tmp_path, script: str, behaviour: str, code: str) -> None:
    pac_url = pac_server.publish("hostile.pac", script, behaviour=behaviour)
    settings = make_settings(creds, ca_bundle=vault_service.ca_file, passphrase_dir=tmp_path,
                             proxy=ProxySettings(ProxyMode.PAC, pac_url=pac_url))
    answers = tmp_path / "hostile.toml"
    answers.write_text(dump_answers(settings))
    started = time.monotonic()
    done = cli("register", "--answers", str(answers), "--dry-run", "--json", "--home", str(tmp_path / "h"),
               env={"BACKUP_PASSPHRASE": "a passphrase of enough length 1", "REGISTER_SERVER_REQUEST_DEADLINE": "3"})
    assert time.monotonic() - started < 60
    assert done.returncode == ExitCode.NETWORK, done.stdout + done.stderr
    lines = events(done.stdout)
    failed = [e for e in lines if e.get("event") == "check" and not e["ok"]]
    assert [(e["step"], e["code"]) for e in failed] == [("proxy_choice", code)]
    error = lines[-1]["error"]
    assert error["code"] == code and pac_url in error["message"] and error["fix"]
