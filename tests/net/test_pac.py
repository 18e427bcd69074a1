"""PAC files: download limits, the sandboxed evaluation, hostile scripts, and the proxy chosen from them.

The PAC server is a real HTTP server on loopback (tests/support/fixtures_pac.py); nothing here is
faked but the WPAD names (which would otherwise need this machine's DNS domain).
"""

from __future__ import annotations

import os
import time

import pytest

from wizard.core.errors import RegisterServerError
from wizard.core.model import ProxyMode, ProxySettings
from wizard.net import pac
from wizard.net.deadline import Deadline
from wizard.net.proxy import proxy_choice_for, proxy_for
from wizard.net.proxy_choice import parse_winhttp_settings, wpad_pac_url

# isInNet resolves a host name: it is only asked about addresses here, so the tests send no DNS query.
PAC = """
var here = myIpAddress();
function FindProxyForURL(url, host) {
  if (isPlainHostName(host) || dnsDomainIs(host, ".direct.example")) return "DIRECT";
  if (/^[0-9.]+$/.test(host) && isInNet(host, "10.0.0.0", "255.0.0.0")) return "DIRECT";
  if (shExpMatch(url, "https://vault.example:*/*") || host == "vault.example") return "PROXY proxy.example:3128; DIRECT";
  return "SOCKS socks.example:1080; PROXY fallback.example:8080";
}
"""
VAULT = "https://vault.example:8443/oauth2/token"


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    pac.forget_cached()


def _code(call) -> tuple[str, str | None, str]:  # type: ignore[no-untyped-def]
    with pytest.raises(RegisterServerError) as caught:
        call()
    return caught.value.code, caught.value.reason, caught.value.message


@pytest.mark.parametrize("url, answer", [
    (VAULT, "PROXY proxy.example:3128; DIRECT"),
    ("https://a.direct.example/", "DIRECT"),
    ("https://vaulthost/", "DIRECT"),
    ("https://10.1.2.3/", "DIRECT"),
    ("https://other.example/", "SOCKS socks.example:1080; PROXY fallback.example:8080"),
])
def test_the_script_runs_with_the_standard_helpers(url: str, answer: str) -> None:
    from urllib.parse import urlsplit

    assert pac.evaluate(PAC, url, urlsplit(url).hostname or "") == answer


def test_the_answer_keeps_the_usable_entries_in_order_and_skips_socks() -> None:
    assert pac.parse_answer("PROXY a.example:3128; DIRECT") == ("http://a.example:3128", "DIRECT")
    assert pac.parse_answer("SOCKS s:1080; HTTPS b.example:443") == ("https://b.example:443",)
    assert pac.parse_answer("nonsense; ;") == ()


def test_pac_mode_takes_the_first_usable_entry_and_says_why(pac_server) -> None:  # type: ignore[no-untyped-def]
    settings = ProxySettings(ProxyMode.PAC, pac_url=pac_server.publish("proxy.pac", PAC))
    choice = proxy_choice_for(settings, VAULT)
    assert choice.proxy is not None and (choice.proxy.url.host, choice.proxy.url.port) == ("proxy.example", 3128)
    assert choice.source == "pac" and choice.pac is not None
    assert "PROXY proxy.example:3128; DIRECT" in choice.reason and pac_server.url("proxy.pac") in choice.reason
    assert choice.as_json()["proxy"] == "proxy.example:3128"
    assert choice.as_json()["pac"] == {"url": pac_server.url("proxy.pac"), "answer": "PROXY proxy.example:3128; DIRECT"}
    direct = proxy_choice_for(settings, "https://a.direct.example/")
    assert direct.proxy is None and direct.reason.startswith("direct connection: the PAC file")
    assert proxy_for(settings, "https://other.example/").url.host == "fallback.example"  # type: ignore[union-attr]
    assert pac_server.hits["/proxy.pac"] == 1  # one download, kept for the registration's other requests


def test_the_bypass_list_wins_over_the_pac_and_the_custom_proxy(pac_server) -> None:  # type: ignore[no-untyped-def]
    url = pac_server.publish("proxy.pac", PAC)
    for settings in (ProxySettings(ProxyMode.PAC, pac_url=url, bypass=("*.example",)),
                     ProxySettings(ProxyMode.CUSTOM, host="proxy.example", port=3128, bypass=("vault.example",))):
        choice = proxy_choice_for(settings, VAULT)
        assert choice.proxy is None and choice.source == "bypass" and "bypass entry" in choice.reason
    assert pac_server.hits["/proxy.pac"] == 0  # bypassed hosts do not even need the PAC file
    custom = proxy_for(ProxySettings(ProxyMode.CUSTOM, host="proxy.example", port=3128, bypass=("10.0.0.0/8",)), VAULT)
    assert custom is not None and custom.url.host == "proxy.example"


@pytest.mark.parametrize("script, code, reason", [
    ("function FindProxyForURL(u, h) { for (;;) {} }", "pac.evaluation_failed", "time_limit"),
    ("while (true) {}\nfunction FindProxyForURL(u, h) { return 'DIRECT'; }", "pac.evaluation_failed", "time_limit"),
    ("function FindProxyForURL(u, h) { return 'DIRECT' ", "pac.invalid", "syntax"),
    ("var proxy = 'PROXY p:1';", "pac.invalid", "no_find_proxy"),
    ("function FindProxyForURL(u, h) { throw new Error('nope'); }", "pac.evaluation_failed", "script_error"),
    ("var s = 'x'; while (true) { s = s + s; }", "pac.evaluation_failed", "memory_limit"),
    ("function f(n) { return f(n + 1) + 1; } f(0);", "pac.evaluation_failed", "stack_limit"),
    ("function FindProxyForURL(u, h) { for (var i = 0; i < 5000; i++) { try { shExpMatch(h, 'x' + i); } "
     "catch (e) {} } return 'DIRECT'; }", "pac.evaluation_failed", "too_many_calls"),
    ("function FindProxyForURL(u, h) { return 'SOCKS s:1080'; }", "pac.answer_invalid", "no_usable_entry"),
    ("function FindProxyForURL(u, h) { return 42; }", "pac.answer_invalid", "no_usable_entry"),
])
def test_a_hostile_or_broken_script_gives_its_code_quickly(pac_server, script: str, code: str,  # type: ignore[no-untyped-def]
                                                           reason: str) -> None:
    url = pac_server.publish("bad.pac", script)
    started = time.monotonic()
    assert _code(lambda: pac.pac_answer(url, VAULT))[:2] == (code, reason)
    assert time.monotonic() - started < 15  # bounded by the engine's limits, not by a test timeout


def test_the_script_sees_no_environment_file_system_or_module_loader(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PROXY_PASSWORD", "a-secret-from-the-environment")
    probe = ("function FindProxyForURL(u, h) { return [typeof process, typeof require, typeof std, typeof os, "
             "typeof console, typeof dukpy, typeof call_python].join(','); }")
    assert pac.evaluate(probe, VAULT, "vault.example") == ",".join(["undefined"] * 7)


def test_a_script_that_replaces_the_helper_table_cannot(pac_server) -> None:  # type: ignore[no-untyped-def]
    script = "__pac_host = null; function FindProxyForURL(u, h) { return 'DIRECT'; }"
    assert _code(lambda: pac.evaluate(script, VAULT, "vault.example"))[0] == "pac.evaluation_failed"


def test_too_large_is_refused_by_its_length_and_while_reading(pac_server) -> None:  # type: ignore[no-untyped-def]
    big = pac_server.publish("big.pac", "//" + "x" * (pac.MAX_PAC_BYTES + 10))
    assert _code(lambda: pac.fetch_pac(big))[:2] == ("pac.too_large", "too_large")
    streamed = pac_server.publish("stream.pac", b"", behaviour="chunked-huge")
    assert _code(lambda: pac.fetch_pac(streamed))[:2] == ("pac.too_large", "too_large")


@pytest.mark.parametrize("behaviour", ["drip", "silent"])
def test_a_dripping_or_silent_pac_server_is_cut_off_by_the_deadline(pac_server, behaviour: str) -> None:  # type: ignore[no-untyped-def]
    url = pac_server.publish("slow.pac", PAC, behaviour=behaviour)
    started = time.monotonic()
    code, reason, message = _code(lambda: pac.fetch_pac(url, deadline=Deadline.after(1.5, "PAC download")))
    assert (code, reason) == ("pac.download_failed", "deadline") and "1.5 s" in message
    assert time.monotonic() - started < 5


def test_download_failures_name_the_address_and_a_retry_works(pac_server, tmp_path) -> None:  # type: ignore[no-untyped-def]
    url = pac_server.url("later.pac")
    code, reason, message = _code(lambda: pac.pac_answer(url, VAULT))
    assert (code, reason) == ("pac.download_failed", "http_404") and url in message
    pac_server.publish("later.pac", PAC)
    assert pac.pac_answer(url, VAULT).first == "http://proxy.example:3128"  # failures are not kept
    from tests.support.fixtures_proxy import free_port

    refused = f"http://127.0.0.1:{free_port()}/wpad.dat"
    assert _code(lambda: pac.fetch_pac(refused))[0] == "pac.download_failed"
    assert _code(lambda: pac.fetch_pac((tmp_path / "none.pac").as_uri()))[:2] == ("pac.download_failed", "unreadable")


def test_a_local_pac_file_is_read_with_the_same_limits(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "proxy.pac"
    path.write_text(PAC)
    settings = ProxySettings(ProxyMode.PAC, pac_url=path.as_uri())
    assert proxy_for(settings, VAULT).url.host == "proxy.example"  # type: ignore[union-attr]
    path.write_bytes(b" " * (pac.MAX_PAC_BYTES + 1))
    assert _code(lambda: pac.fetch_pac(path.as_uri()))[0] == "pac.too_large"


def test_the_download_goes_direct_even_when_the_environment_names_a_proxy(pac_server, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from tests.support.fixtures_proxy import free_port

    monkeypatch.setenv("http_proxy", f"http://127.0.0.1:{free_port()}")  # nothing listens: a proxied fetch fails
    monkeypatch.setenv("HTTP_PROXY", os.environ["http_proxy"])
    assert "FindProxyForURL" in pac.fetch_pac(pac_server.publish("proxy.pac", PAC))


def test_wpad_takes_the_first_candidate_that_resolves_and_downloads(pac_server) -> None:  # type: ignore[no-untyped-def]
    asked: list[str] = []

    def resolve(name: str) -> bool:
        asked.append(name)
        return name == "wpad.contoso.com"

    fetched: list[str] = []
    found = wpad_pac_url("pc.corp.contoso.com", resolve=resolve, fetch=lambda url, deadline: fetched.append(url))
    assert asked == ["wpad.corp.contoso.com", "wpad.contoso.com"]
    assert found == fetched[0] == "http://wpad.contoso.com/wpad.dat"
    assert wpad_pac_url("pc.corp.contoso.com", resolve=lambda name: False) is None
    assert wpad_pac_url("localhost", resolve=resolve) is None  # no domain: no candidates, no lookups


def test_system_mode_says_where_its_proxy_came_from(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("https_proxy", "http://envproxy:3128")
    choice = proxy_choice_for(ProxySettings(ProxyMode.SYSTEM), VAULT)
    assert choice.source == "system-env" and "environment variables" in choice.reason
    assert choice.proxy is not None and choice.proxy.url.host == "envproxy"


def test_winhttp_settings_blob_is_read() -> None:
    def blob(flags: int, proxy: str, bypass: str) -> bytes:
        def dword(n: int) -> bytes:
            return n.to_bytes(4, "little")
        return dword(0x28) + dword(7) + dword(flags) + dword(len(proxy)) + proxy.encode() + dword(len(bypass)) \
            + bypass.encode()

    assert parse_winhttp_settings(blob(3, "proxy.contoso.com:8080", "<local>;*.contoso.com")) == (
        "proxy.contoso.com:8080", ["<local>", "*.contoso.com"])
    assert parse_winhttp_settings(blob(3, "http=a:80;https=b:443", "")) == ("b:443", [])
    assert parse_winhttp_settings(blob(1, "", "")) is None
    assert parse_winhttp_settings(b"\x00" * 8) is None


def test_each_connection_test_reads_the_pac_file_afresh(pac_server, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A PAC file fixed on its server counts at the next Test connection, not a minute later."""
    from wizard.registration.connection import test_connection

    url = pac_server.publish("proxy.pac", "function FindProxyForURL(u, h) { return 'PROXY p:1' ")  # broken
    assert _code(lambda: pac.pac_answer(url, VAULT))[0] == "pac.invalid"
    pac_server.publish("proxy.pac", "function FindProxyForURL(u, h) { return 'PROXY first.example:1'; }")
    assert pac.pac_answer(url, VAULT).first == "http://first.example:1"
    pac_server.publish("proxy.pac", "function FindProxyForURL(u, h) { return 'PROXY second.example:2'; }")
    assert pac.pac_answer(url, VAULT).first == "http://first.example:1"  # kept within one run
    with pytest.raises(RegisterServerError):  # no credentials file: it stops after forgetting
        test_connection(__import__("wizard.core.model", fromlist=["x"]).RegistrationSettings(
            proxy=ProxySettings(ProxyMode.PAC, pac_url=url)))
    assert pac.pac_answer(url, VAULT).first == "http://second.example:2"
